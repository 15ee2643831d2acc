"""Issue 13 §3-4 (CLI): formats from the extension, encodings, XLSX / Parquet, readable tables,
progress, the due example, eliminate --monitored-only; issue 12 finding 9: --calendar."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, main
from fangfan_rules.cli.tables import render, tokens, wrap

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"
CASES = ROOT / "examples" / "due_cases.jsonl"
FICTITIOUS_2027 = Path(__file__).parent / "fixtures" / "calendar" / "fictitious_2027.yaml"
ARGS = [
    "--pack",
    "qianshan_2023",
    "--as-of",
    "2023-06-05",
    "--param",
    "monitoring_income_line=7000",
]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- format from the extension, encodings ----------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".xlsx", ".parquet"])
def test_format_follows_the_extension(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    assert main(["evaluate", *ARGS, "-o", str(out), str(SAMPLE)]) == EXIT_OK
    data = out.read_bytes()
    if suffix == ".csv":
        assert data.startswith(b"\xef\xbb\xbfline,household_id,")  # UTF-8 with BOM
    elif suffix == ".jsonl":
        assert len(data.decode().splitlines()) == 300 and json.loads(data.decode().splitlines()[0])
    elif suffix == ".json":
        assert len(json.loads(data.decode())) == 300
    elif suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        sheet = openpyxl.load_workbook(out).active
        assert sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]][:5] == ["行号", "户编号", "政策包", "评估日期", "结果"]
        assert sheet.max_row == 301
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.num_rows == 300 and "first_reason" in table.column_names


def test_format_option_wins_over_the_extension(tmp_path):
    out = tmp_path / "out.csv"
    assert main(["evaluate", *ARGS, "--format", "jsonl", "-o", str(out), str(SAMPLE)]) == EXIT_OK
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["line"] == 1


def test_piped_output_is_json_lines_for_every_command(capsys):
    for argv in (["evaluate", *ARGS, str(SAMPLE)], ["eliminate", *ARGS, str(SAMPLE)],
                 ["due", "--pack", "qianshan_2023", "--as-of", "2023-06-14", str(CASES)],
                 ["packs"]):  # fmt: skip
        assert main(argv) == EXIT_OK
        lines = capsys.readouterr().out.splitlines()
        assert lines and all(isinstance(json.loads(line), dict) for line in lines)


def test_csv_in_gbk_and_a_character_gbk_cannot_hold(tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["evaluate", *ARGS, "--encoding", "gbk", "-o", str(out), str(SAMPLE)]) == EXIT_OK
    assert "千山区" not in out.read_bytes().decode("utf-8", errors="replace")
    assert "line,household_id" in out.read_text(encoding="gbk")
    src = tmp_path / "in.jsonl"
    household = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    household["area"]["village"] = "𠀀村"  # outside GBK
    src.write_text(json.dumps(household, ensure_ascii=False) + "\n", encoding="utf-8")
    # The village is not in the result columns: the household evaluates and writes in GBK...
    assert main(["evaluate", *ARGS, "--encoding", "gbk", "-o", str(out), str(src)]) == EXIT_OK
    household["id"] = "户𠀀"
    src.write_text(json.dumps(household, ensure_ascii=False) + "\n", encoding="utf-8")
    # ...an id GBK cannot hold is an error naming row and column, never a silent "?"
    assert (
        main(["evaluate", *ARGS, "--encoding", "gbk", "-o", str(out), str(src)]) == EXIT_CANNOT_RUN
    )
    err = capsys.readouterr().err
    assert "output row 1, column household_id" in err and "gb18030" in err
    assert main(["evaluate", *ARGS, "--encoding", "gb18030", "-o", str(out), str(src)]) == EXIT_OK
    assert "户𠀀" in out.read_text(encoding="gb18030")


def test_encoding_is_for_csv_only(capsys):
    assert (
        main(["evaluate", *ARGS, "--format", "jsonl", "--encoding", "gbk", str(SAMPLE)])
        == EXIT_CANNOT_RUN
    )
    assert "--encoding applies to CSV output" in capsys.readouterr().err


# --- tables ----------------------------------------------------------------------------------


def table_text(argv: list[str], width: int, capsys, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    main([*argv, "--format", "table"])
    return capsys.readouterr().out


_UNBREAKABLE = re.compile(r"[A-Za-z0-9_.:\-]*[.\-][A-Za-z0-9_.:\-]*[A-Za-z0-9_]")


@pytest.mark.parametrize("width", [80, 100, 120])
def test_evaluate_table_never_breaks_a_word_or_a_date(width, capsys, monkeypatch, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:40]) + "\n", encoding="utf-8"
    )
    assert main(["evaluate", *ARGS, "--format", "jsonl", str(src)]) == EXIT_OK
    full = capsys.readouterr().out
    whole = set(_UNBREAKABLE.findall(full))  # dates, field paths, numbers as the results have them
    text = table_text(["evaluate", *ARGS, str(src)], width, capsys, monkeypatch)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert "SYN-0009" in text and "需综合研判" in text
    shown = {
        t for t in _UNBREAKABLE.findall(text) if not t.startswith("-")
    }  # not the footnote's options
    assert shown and shown <= whole, shown - whole  # a broken date or path would be a new token


def test_long_text_is_cut_with_a_marker_and_a_note():
    records = [{"household_id": "H1", "first_reason": "收入" * 200}]
    console = Console(width=60, record=True)
    console.print(render(records, ["household_id", "first_reason"], width=60, max_lines=2))
    text = console.export_text()
    assert "…" in text and "“…”表示内容被截断" in text


FIVE_PACKS = [
    "compare", "--pack", "all", "--as-of", "qianshan_2023=2023-06-05", "--as-of",
    "ewenki_2024=2024-06-05", "--as-of", "puan_2025=2025-06-01", "--as-of",
    "rongan_2022=2022-03-15", "--as-of", "jimo_2022=2022-05-15", "--param",
    "monitoring_income_line=7000", "--param", "rongan_2022:income_window=2021-01-01..2021-12-31",
    "--param", "jimo_2022:income_window=2021-05-01..2022-04-30", "--disagreements",
]  # fmt: skip


def test_three_packs_fit_80_columns_as_a_table(capsys, monkeypatch):
    argv = ["compare", "--pack", "qianshan_2023", "--pack", "jimo_2022", "--pack", "rongan_2022",
            "--as-of", "2023-06-05", "--param", "monitoring_income_line=7000", "--param",
            "income_window=2022-01-01..2022-12-31", "--disagreements", str(SAMPLE)]  # fmt: skip
    text = table_text(argv, 80, capsys, monkeypatch)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    header = next(line for line in text.splitlines() if line.startswith("行号"))
    assert header.split()[:5] == ["行号", "户编号", "jimo_2022", "qianshan_2023", "rongan_2022"]
    assert "未显示的列（终端宽80）：jimo_2022决定规则, qianshan_2023决定规则" in text


def test_too_wide_frames_become_one_record_per_household(capsys, monkeypatch, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:10]) + "\n", encoding="utf-8"
    )
    text = table_text([*FIVE_PACKS, str(src)], 80, capsys, monkeypatch)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert re.search(r"^户编号\s*: SYN-0001$", text, re.M)  # label: value, one per line
    # a review for missing facts is marked ahead of the rule id
    assert re.search(r"^qianshan_2023决定规则\s*: (缺事实：)?outcome\.", text, re.M)


def test_five_packs_disagreements_are_one_table_at_120_columns(capsys, monkeypatch, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:30]) + "\n", encoding="utf-8"
    )
    text = table_text([*FIVE_PACKS, str(src)], 120, capsys, monkeypatch)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 120
    header = next(line for line in lines if line.startswith("行号"))
    names = ["ewenki_2024", "jimo_2022", "puan_2025", "qianshan_2023", "rongan_2022"]
    assert header.split()[:7] == ["行号", "户编号", *names]  # a table, not label: value blocks
    households = re.findall(r"^\d+\s+(SYN-\d{4})", text, re.M)
    assert households and len(lines) < 4 * len(households)  # at most 2 lines a household
    # The deciding rules are named as left out, never squeezed into the table.
    assert "未显示的列（终端宽120）" in text and "qianshan_2023决定规则" in text
    assert "outcome." not in text
    # No error column when nothing failed.
    assert "错误" not in header


def test_hidden_columns_are_named(capsys, monkeypatch):
    text = table_text(["evaluate", *ARGS, str(SAMPLE)], 80, capsys, monkeypatch)
    assert "未显示的列（终端宽80）" in text


def test_wrapping_keeps_tokens_and_punctuation_together():
    assert "2022-05-01..2023-04-30" in tokens("收入记录（2022-05-01..2023-04-30）不全")[4]
    lines, cut = wrap("家庭人均纯收入（2022-01-01至2022-12-31）为8,138.28元，低于10,000.00元", 12)
    assert not cut and all(cell_len(line) <= 12 for line in lines)
    assert any("2022-01-01" in line for line in lines) and not any(
        line.startswith("，") for line in lines
    )


def test_packs_table_and_json(capsys, monkeypatch):
    assert main(["packs", "--format", "json"]) == EXIT_OK
    packs = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert set(packs) >= {"qianshan_2023", "ewenki_2024"}
    review = " (without it, what reads it is unknown: needs_review)"
    assert packs["qianshan_2023"]["caller_must_supply"] == [
        f"income_fall_previous_window: not stated in the document{review}",
        f"income_fall_window: not stated in the document{review}",
        f"low_income_threshold: not stated in the document{review}",
        "monitoring_income_line: not stated in the document",
        f"rigid_spending_threshold: not stated in the document{review}",
        f"screening_lookback_start: not stated in the document{review}",
        f"sharp_income_fall_amount: not stated in the document{review}",
    ]
    stable, lookback, window, ewenki = packs["ewenki_2024"]["caller_must_supply"]
    assert stable == f"review_stable_months: not stated in the document{review}"
    assert lookback == f"screening_lookback_start: not stated in the document{review}"
    assert "2024-05-11..2024-12-31" in window and "--param income_window=" in window
    assert "2024-05-11..2024-12-31" in ewenki and "--param monitoring_income_line=" in ewenki
    text = table_text(["packs"], 80, capsys, monkeypatch)
    assert "qianshan_2023" in text and "ewenki_2024" in text  # the key column is never cut


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "eliminate", "compare", "sweep", "due"])
def test_long_commands_show_progress_with_an_estimate(command, capsys, tmp_path):
    argv = {
        "evaluate": ["evaluate", *ARGS, str(SAMPLE)],
        "eliminate": ["eliminate", *ARGS, str(SAMPLE)],
        "compare": ["compare", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--param", "monitoring_income_line=7000", str(SAMPLE)],
        "sweep": ["sweep", *ARGS, "--parameter", "monitoring_income_line", "--values", "6000,7000", str(SAMPLE)],
        "due": ["due", "--pack", "qianshan_2023", "--as-of", "2023-06-14", str(CASES)],
    }[command]  # fmt: skip
    assert main([*argv, "--progress", "-o", str(tmp_path / "out.jsonl")]) == EXIT_OK
    err = capsys.readouterr().err
    assert "ETA" in err and re.search(r"\d+/\d+", err)
    assert main([*argv, "--no-progress", "-o", str(tmp_path / "out.jsonl")]) == EXIT_OK
    assert "ETA" not in capsys.readouterr().err


# --- due, eliminate --------------------------------------------------------------------------


def test_due_example_and_steps_in_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["due", "--help"]) == EXIT_OK
    help_text = " ".join(capsys.readouterr().out.split())
    assert "home_verification" in help_text and "examples/due_cases.jsonl" in help_text
    assert (
        main(
            [
                "due",
                "--pack",
                "qianshan_2023",
                "--as-of",
                "2023-06-14",
                "--format",
                "json",
                str(CASES),
            ]
        )
        == EXIT_OK
    )
    rows = json.loads(capsys.readouterr().out)
    assert {(r["household_id"], r["status"]) for r in rows} >= {
        ("SYN-0002", "overdue"),
        ("SYN-0012", "pending"),
    }


def test_eliminate_monitored_only(tmp_path, capsys):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    monitored = json.loads(lines[0])
    monitored["monitoring"] = [{"category": "marginal", "identified_on": "2023-01-10"}]
    eliminated = dict(
        monitored,
        id="ELIM",
        monitoring=[
            {"category": "marginal", "identified_on": "2022-01-10", "eliminated_on": "2022-12-01"}
        ],
    )
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps(monitored, ensure_ascii=False),
                lines[1],
                json.dumps(eliminated, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    argv = ["eliminate", "--pack", "jimo_2022", "--as-of", "2023-06-05", "--param", "monitoring_income_line=7000",
            "--param", "income_window=2022-01-01..2022-12-31", "--format", "jsonl", str(src)]  # fmt: skip
    assert main(argv) == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main([*argv, "--monitored-only"]) == EXIT_OK
    captured = capsys.readouterr()
    assert [json.loads(line)["household_id"] for line in captured.out.splitlines()] == ["SYN-0001"]
    assert "2 households not under monitoring on 2023-06-05 left out" in captured.err


# --- calendar --------------------------------------------------------------------------------


def test_due_across_2027_needs_a_schedule(tmp_path, capsys, monkeypatch):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"household_id": "A", "events": [{"step": "system_entry", "date": "2026-12-28"}]}\n',
        encoding="utf-8",
    )
    cases.write_text(
        '{"household_id": "A", "events": [{"step": "clue_received", "date": "2026-12-28"}]}\n',
        encoding="utf-8",
    )
    argv = ["due", "--pack", "jimo_2022", "--as-of", "2026-12-28", "--format", "json", str(cases)]
    # 5 working days ahead of 2026-12-28 are not known: the row is listed as calendar_unknown
    # (never guessed) and a warning says the horizon runs past the calendar (audit TA-5)
    assert main(argv) == EXIT_OK
    captured = capsys.readouterr()
    assert "does not know whether 2026-12-29 is a working day" in captured.err
    assert "warning: the horizon" in captured.err
    (row,) = json.loads(captured.out)
    assert (row["status"], row["due"]) == ("calendar_unknown", None)
    assert main([*argv, "--calendar", str(FICTITIOUS_2027)]) == EXIT_OK
    (row,) = json.loads(capsys.readouterr().out)
    # 3 working days after 2026-12-28 on the (fictitious) schedule: 12-29, 12-30, 12-31
    assert (row["deadline"], row["due"], row["status"]) == (
        "jimo_2022.home_verification_time",
        "2026-12-31",
        "pending",
    )
    monkeypatch.setenv("FANGFAN_CALENDAR", str(FICTITIOUS_2027))
    assert main(argv) == EXIT_OK
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        FICTITIOUS_2027.read_text(encoding="utf-8").replace("2027-02-14", "2027-02-15"),
        encoding="utf-8",
    )
    assert main([*argv, "--calendar", str(bad)]) == EXIT_CANNOT_RUN
    assert "make-up workday 2027-02-15 is a Monday" in capsys.readouterr().err


def test_schema_calendar(capsys):
    assert main(["schema", "calendar"]) == EXIT_OK
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["required"]) == {"year", "notice", "holidays"}


def test_python_dash_m_runs_the_same_cli():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "fangfan_rules", "--version"], capture_output=True, text=True, check=False, env=os.environ)  # fmt: skip
    assert result.returncode == 0 and result.stdout.startswith("fangfan-rules ")
    assert EXIT_BAD_ROWS == 3


def test_sweep_is_two_readable_tables_at_80_columns(capsys, monkeypatch):
    argv = ["sweep", "--pack", "ewenki_2024", "--as-of", "2024-06-05", "--parameter",
            "monitoring_income_line", "--range", "6000:9000:1000", str(SAMPLE)]  # fmt: skip
    text = table_text(argv, 80, capsys, monkeypatch)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("value"))
    assert header.split() == [
        "value", "identify", "needs_review", "not_eligible", "out_of_scope", "monitored"
    ]  # fmt: skip
    assert len([line for line in lines if re.match(r"^[6-9]000\.00\s+\d", line)]) == 4
    groups = next(line for line in lines if line.startswith("key-attention group "))
    assert groups.split()[2:] == ["6000.00", "7000.00", "8000.00", "9000.00"]
    assert "severely disabled person" in text and "severe_disability" not in text


def test_explain_trace_statuses_and_sources_in_chinese(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["explain", *ARGS, str(SAMPLE)]) == EXIT_OK
    text = capsys.readouterr().out
    trace = text.split("规则运行记录", 1)[1]
    assert "未触发" in trace and "调用方提供" in trace and "文件规定" in trace
    assert not re.search(r"\b(not_fired|fired|caller|document)\b", trace)
    # parameters named by their description as well as their id
    assert "参数 monitoring_income_line" in trace and "防止返贫监测收入标准" in trace
    assert main(["explain", *ARGS, "--lang", "en", str(SAMPLE)]) == EXIT_OK
    english = capsys.readouterr().out
    assert "not_fired" in english and "param monitoring_income_line" in english
