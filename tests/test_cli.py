import csv
import io
import json
from pathlib import Path

from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, main

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
ARGS = [
    "--pack",
    "qianshan_2023",
    "--as-of",
    "2023-06-05",
    "--param",
    "monitoring_income_line=7000",
]
GOOD = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])


def test_sample_evaluates_every_row(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["evaluate", *ARGS, "--format", "jsonl", "-o", str(out), str(SAMPLE)]) == EXIT_OK
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 300 == len(SAMPLE.read_text(encoding="utf-8").splitlines())
    assert {r["outcome"] for r in rows} <= {
        "identify",
        "needs_review",
        "not_eligible",
        "out_of_scope",
    }
    assert "汇总" in capsys.readouterr().err  # the summary, in the default language (Chinese)


def test_bad_rows_are_reported_and_kept(tmp_path, capsys):
    bad = dict(GOOD, id="BAD-1", hukou="moon")
    lines = [json.dumps(GOOD, ensure_ascii=False), "{not json", json.dumps(bad, ensure_ascii=False)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["evaluate", *ARGS, "--format", "csv", "-o", str(out), str(src)]) == EXIT_BAD_ROWS
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["line"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["outcome"] != "error"
    assert rows[1]["outcome"] == "error" and "not valid JSON" in rows[1]["error"]
    assert rows[2]["household_id"] == "BAD-1" and "hukou" in rows[2]["error"]
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3" in err


def test_id_numbers_never_appear_in_errors(tmp_path, capsys):
    bad = json.loads(json.dumps(GOOD))
    bad["members"][0]["id_number"] = "110105194912310021"  # bad check digit
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["evaluate", *ARGS, "--format", "jsonl", str(src)]) == EXIT_BAD_ROWS
    captured = capsys.readouterr()
    assert "110105194912310021" not in captured.out + captured.err


def test_missing_income_line_cannot_run(capsys):
    code = main(["evaluate", "--pack", "qianshan_2023", "--as-of", "2023-06-05", str(SAMPLE)])
    assert code == EXIT_CANNOT_RUN
    assert "monitoring_income_line" in capsys.readouterr().err


def test_unknown_pack_cannot_run(capsys):
    assert (
        main(["evaluate", "--pack", "nowhere", "--as-of", "2023-06-05", str(SAMPLE)])
        == EXIT_CANNOT_RUN
    )
    assert "qianshan_2023" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys):
    code = main(["evaluate", "--pack", "qianshan_2023", "--as-of", "June", str(SAMPLE)])
    assert code == EXIT_CANNOT_RUN
    assert "not a date: 'June'" in capsys.readouterr().err


def test_csv_input_with_json_cells_and_dotted_columns(tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "id",
                "area.county",
                "area.town",
                "area.village",
                "hukou",
                "members",
                "income",
                "self_coping",
                "guarantees.housing_grade",
            ]
        )
        writer.writerow(
            [
                "C-1",
                "千山区",
                "甘泉镇",
                "东村",
                "rural",
                json.dumps([{"id": "m1", "relation": "head"}]),
                json.dumps(
                    [
                        {
                            "start": "2022-01-01",
                            "end": "2023-04-30",
                            "wage_income": "1000",
                            "business_income": "0",
                            "property_income": "0",
                            "transfer_income": "0",
                            "business_expense": "0",
                        }
                    ]
                ),
                "false",
                "D",
            ]
        )
    out = tmp_path / "out.jsonl"
    assert (
        main(["evaluate", *ARGS, "--format", "jsonl", "--full", "-o", str(out), str(src)])
        == EXIT_OK
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["household_id"] == "C-1" and result["outcome"] == "needs_review"
    assert "housing_safety" in result["risk_types"]


def test_explain_and_packs_and_schema(capsys):
    assert (
        main(["explain", *ARGS, "--lang", "en", str(SAMPLE), "--household", "SYN-0002"]) == EXIT_OK
    )
    text = capsys.readouterr().out
    assert "SYN-0002" in text and "qianshan_2023:" in text
    assert main(["packs"]) == EXIT_OK
    assert "qianshan_2023" in capsys.readouterr().out
    assert main(["schema"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["title"] == "fangfan-rules household"


def test_eliminate_and_due_commands(tmp_path, capsys):
    assert main(["eliminate", *ARGS, "--format", "jsonl", str(SAMPLE)]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 300 and {r["outcome"] for r in rows} == {"not_covered"}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"household_id": "A", "events": [{"step": "system_entry", "date": "2023-06-01"}]}\n'
        '{"household_id": "B", "events": [{"step": "nonsense", "date": "2023-06-08"}]}\n',
        encoding="utf-8",
    )
    code = main(
        ["due", "--pack", "qianshan_2023", "--as-of", "2023-06-14", "--format", "csv", str(cases)]
    )
    captured = capsys.readouterr()
    assert code == EXIT_BAD_ROWS and "bad case line 2" in captured.err
    assert "A,qianshan_2023,qianshan_2023.plan_and_measures" in captured.out
    assert "overdue" in captured.out
