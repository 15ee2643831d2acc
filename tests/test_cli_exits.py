"""Issue 12, finding 6 (and issue 13 §4): one-line errors and the same exit codes everywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, cli, main

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
LINES = SAMPLE.read_text(encoding="utf-8").splitlines()
CASES = Path(__file__).parents[1] / "examples" / "due_cases.jsonl"


def one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "--pack", "all", "--as-of", "qianshan_2023=2023-13-01", str(SAMPLE)], "not a date: '2023-13-01' (month must be in 1..12)"),
        (["compare", "--pack", "all", "--as-of", "yesterday", str(SAMPLE)], "not a date: 'yesterday'"),
        (["due", "--pack", "qianshan_2023", "--as-of", "2023-06-14", "--horizon", "-3", str(CASES)], "-3 is not in the range x>=0"),
        (["evaluate", "--pack", "qianshan_2023", "--as-of", "20230605", str(SAMPLE)], "not a date: '20230605'"),
        (["evaluate", "--pack", "nowhere", "--as-of", "2023-06-05", str(SAMPLE)], "nowhere"),
        (["evaluate", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--param", "x", str(SAMPLE)], "expected NAME=VALUE"),
        (["evaluate", "--pack", "qianshan_2023", "--as-of", "2023-06-05", str(SAMPLE)], "monitoring_income_line"),
        (["evaluate", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "missing.jsonl"], "missing.jsonl"),
        (["evaluate", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "-o", "out.txt", str(SAMPLE)], "cannot tell the output format of out.txt"),
        (["sweep", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--parameter", "monitoring_income_line", "--range", "9:1:1", str(SAMPLE)], "--range needs STEP > 0"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)  # fmt: skip
def test_could_not_run_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == EXIT_CANNOT_RUN
    captured = capsys.readouterr()
    assert message in one_line_error(captured.err)
    assert captured.out == ""


def test_not_in_force_says_which_parameter_ends(capsys):
    code = main(["evaluate", "--pack", "ewenki_2024", "--as-of", "2025-03-01", "--param",
                 "income_window=2024-01-01..2024-12-31", str(SAMPLE)])  # fmt: skip
    assert code == EXIT_CANNOT_RUN
    line = one_line_error(capsys.readouterr().err)
    assert "monitoring_income_line (8300.00, 一、(一)) is in force 2024-05-11..2024-12-31" in line
    assert "--param monitoring_income_line=" in line
    code = main(["evaluate", "--pack", "ewenki_2024", "--as-of", "2025-03-01", "--param",
                 "monitoring_income_line=9000", "--param", "income_window=2024-01-01..2024-12-31",
                 "--format", "jsonl", str(SAMPLE)])  # fmt: skip
    assert code == EXIT_OK


def test_compare_writes_bad_rows_into_its_output(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    bad = dict(json.loads(LINES[1]), id="BAD-1", hukou="moon")
    src.write_text(
        "\n".join([LINES[0], json.dumps(bad, ensure_ascii=False), "{oops", LINES[2]]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    argv = ["compare", "--pack", "qianshan_2023", "--pack", "jimo_2022", "--as-of", "2023-06-05",
            "--param", "monitoring_income_line=7000", "--param", "income_window=2022-01-01..2022-12-31",
            "-o", str(out), str(src)]  # fmt: skip
    assert main(argv) == EXIT_BAD_ROWS
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 8  # 4 input rows × 2 packs: none lost
    errors = [r for r in rows if r["outcome"] == "error"]
    assert {(r["line"], r["household_id"], r["pack"]) for r in errors} == {
        ("2", "BAD-1", "qianshan_2023"), ("2", "BAD-1", "jimo_2022"),
        ("3", "", "qianshan_2023"), ("3", "", "jimo_2022"),
    }  # fmt: skip
    assert all(r["error"] for r in errors)
    assert [r["line"] for r in rows] == ["1", "1", "2", "2", "3", "3", "4", "4"]
    # --disagreements keeps them too
    out2 = tmp_path / "dis.jsonl"
    assert main([*argv[:-3], "--disagreements", "-o", str(out2), str(src)]) == EXIT_BAD_ROWS
    dis = [json.loads(line) for line in out2.read_text(encoding="utf-8").splitlines()]
    assert {d["line"] for d in dis if d.get("error")} == {2, 3}


def test_compare_all_with_cells_in_error_is_not_exit_0(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    argv = ["compare", "--pack", "all", "--as-of", "2023-06-05", "--param", "monitoring_income_line=7000",
            "--param", "income_window=2022-01-01..2022-12-31", "-o", str(out), str(SAMPLE)]  # fmt: skip
    assert main(argv) == EXIT_BAD_ROWS
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5 * 300
    # not in force on 2023-06-05: ewenki (from 2024-05-11), puan (from 2025-03-14), rongan (the
    # 2022 plan, to 2022-12-31)
    errors = {r["pack"] for r in rows if r["outcome"] == "error"}
    assert errors == {"ewenki_2024", "puan_2025", "rongan_2022"}
    assert "ewenki_2024 is in force from 2024-05-11" in capsys.readouterr().err
    # nothing could be evaluated: could not run
    assert (
        main(
            ["compare", "--pack", "puan_2025", "--as-of", "2023-06-05", "-o", str(out), str(SAMPLE)]
        )
        == EXIT_CANNOT_RUN
    )


def test_due_and_eliminate_and_sweep_keep_bad_rows(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        CASES.read_text(encoding="utf-8")
        + '{"household_id": "X", "events": [{"step": "nonsense", "date": "2023-06-01"}]}\n',
        encoding="utf-8",
    )
    out = tmp_path / "due.jsonl"
    assert (
        main(
            ["due", "--pack", "qianshan_2023", "--as-of", "2023-06-14", "-o", str(out), str(cases)]
        )
        == EXIT_BAD_ROWS
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["status"] == "error" and rows[0]["household_id"] == "X" and rows[0]["line"] == 6
    assert "events.0.step" in rows[0]["error"]
    src = tmp_path / "in.jsonl"
    src.write_text(LINES[0] + "\n{oops\n", encoding="utf-8")
    out = tmp_path / "sweep.jsonl"
    argv = ["sweep", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--parameter",
            "monitoring_income_line", "--values", "7000", "-o", str(out), str(src)]  # fmt: skip
    assert main(argv) == EXIT_BAD_ROWS
    bad = [
        r
        for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())
        if r["measure"] == "bad_row"
    ]
    assert [(b["item"], b["count"]) for b in bad] == [("line 2", 1)] and "not valid JSON" in bad[0][
        "label"
    ]


def test_every_help_lists_the_exit_codes_and_fills_every_option():
    for name, command in cli.commands.items():
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{name} {param.name}: empty help"
    for argv in (["--help"], ["evaluate", "--help"]):
        result = subprocess.run([sys.executable, "-m", "fangfan_rules", *argv], capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"}, check=False)  # fmt: skip
        assert result.returncode == EXIT_OK
        if argv == ["--help"]:
            assert "3 done with bad rows or errors" in " ".join(result.stdout.split())
            assert "2 could not run" in result.stdout


def test_version(capsys):
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("fangfan-rules 0.1")


def test_no_broken_pipe_message_when_piped_into_head():
    command = (
        f"{sys.executable} -m fangfan_rules evaluate --pack qianshan_2023 --as-of 2023-06-05 "
        f"--param monitoring_income_line=7000 --format csv {SAMPLE} | head -2"
    )
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False)  # fmt: skip
    assert result.stdout.splitlines()[0].startswith("line,household_id")
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode in (EXIT_OK, 141)


def test_internal_errors_are_one_line_exit_1(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("x")

    monkeypatch.setattr("fangfan_rules.cli.commands.packs.available_packs", boom)
    assert main(["packs", "--format", "json"]) == 1
    assert "internal error (ZeroDivisionError: x)" in one_line_error(capsys.readouterr().err)


def test_evaluate_is_one_batch_so_population_rules_see_every_household(tmp_path):
    """ewenki's local bottom 20 % and its villages with ≥ 10 脱贫户 are computed over the file,
    exactly as identify_many computes them (one household at a time they would be unknown)."""
    import fangfan_rules as ff

    out = tmp_path / "ewenki.jsonl"
    argv = [
        "evaluate",
        "--pack",
        "ewenki_2024",
        "--as-of",
        "2024-06-05",
        "-o",
        str(out),
        str(SAMPLE),
    ]
    assert main(argv) == EXIT_OK
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    households = [ff.load_household(line) for line in SAMPLE.read_text("utf-8").splitlines()]
    batch = ff.load_pack("ewenki_2024").identify_many(households, as_of=date(2024, 6, 5))
    assert [r["outcome"] for r in rows] == [b.outcome.value for b in batch]
    assert [r["key_attention"] for r in rows] == [
        ";".join(g.id for g in b.key_attention) for b in batch
    ]
