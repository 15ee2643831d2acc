"""Attack report 2026-12-07 (/work/audit/attack.md), findings 7, 11, 12, 13, 17, 19, 21: inputs
that were dropped, merged, coerced or reported with unclear texts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import openpyxl
import pytest
from pydantic import ValidationError

import fangfan_rules as ff
from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, main
from fangfan_rules.cli.output import parquet_schema
from fangfan_rules.cli.runtime import configured_pack
from fangfan_rules.errors import FangfanError
from fangfan_rules.io import read_households
from fangfan_rules.io.sheets.cells import is_blank, read_text
from fangfan_rules.results import BadRow, Identification
from fangfan_rules.timeline import Case, CaseEvent
from tests.helpers import sample_households
from tests.test_spreadsheet import HEADERS, child, head, read_all, write_xlsx

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"
ARGS = ["--pack", "qianshan_2023", "--as-of", "2023-06-05"]
LINE = ["--param", "monitoring_income_line=7000"]
AS_OF = dt.date(2023, 6, 5)


def first_line() -> str:
    return SAMPLE.read_text("utf-8").splitlines()[0]


def with_bad_row(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(first_line() + "\nnot json\n", "utf-8")
    return path


# --- finding 7: every output format keeps the good rows and reports the bad one -------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".xlsx", ".parquet"])
def test_a_bad_row_is_written_in_every_format(tmp_path, capsys, suffix):
    out = tmp_path / f"out{suffix}"
    code = main(["evaluate", *ARGS, *LINE, "-o", str(out), str(with_bad_row(tmp_path))])
    assert code == EXIT_BAD_ROWS
    assert "line 2" in capsys.readouterr().err
    if suffix == ".csv":
        import csv

        rows = list(csv.DictReader(out.read_text("utf-8-sig").splitlines()))
    elif suffix == ".jsonl":
        rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    elif suffix == ".json":
        rows = json.loads(out.read_text("utf-8"))
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out).active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        keys = ["line", "household_id", "pack", "as_of", "outcome"]
        rows = [dict(zip(keys, r[:5], strict=True)) for r in values[1:]]
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.schema.field("must_visit").type == pa.bool_()
        assert table.schema.field("green_channel").type == pa.bool_()
        assert table.schema.field("line").type == pa.int64()
        rows = table.to_pylist()
        assert rows[1]["must_visit"] is None and rows[1]["green_channel"] is None
        assert isinstance(rows[0]["must_visit"], bool)
    assert len(rows) == 2
    assert rows[0]["household_id"] == "SYN-0001" and rows[0]["outcome"] != "error"
    assert rows[1]["outcome"] == "error" and str(rows[1]["line"]) == "2"


def test_parquet_schema_is_explicit_when_every_row_is_bad():
    import pyarrow as pa

    schema = parquet_schema({"line": [1], "must_visit": [""], "category": [None], "error": ["x"]})
    assert schema.field("must_visit").type == pa.bool_()  # a flag column, even with no answer
    assert schema.field("category").type == pa.string()  # never Arrow's null type
    assert all(f.nullable for f in schema)


# --- finding 11: a full-width space in a 户编号 is data ------------------------------------------


def test_read_text_strips_ascii_blanks_only():
    assert read_text("  B-1\t") == "B-1"
    assert read_text("B-1\u3000") == "B-1\u3000"
    assert read_text("\u00a0B-1") == "\u00a0B-1"
    assert is_blank("  ") and not is_blank("\u3000")


def test_a_full_width_space_in_the_household_key_is_not_merged(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [HEADERS, head("B-1"), child("B-1\u3000"), head("C-1")])
    _, rows = read_all(path)
    by_id = {r.household_id: r for r in rows if r.household is not None}
    assert len(by_id["B-1"].household.members) == 1  # the child's row did not join B-1
    [bad] = [r for r in rows if r.household is None]
    assert "row 3" in bad.error and "户编号" in bad.error
    assert "B-1\\u3000" in bad.error and "cannot begin or end with a space" in bad.error
    # exactly as the JSON reader treats that id: refused
    data = json.loads(first_line())
    data["id"] = "B-1\u3000"
    with pytest.raises(ff.FactError, match="cannot begin or end with a space"):
        ff.load_household(data)


# --- finding 12: error texts ------------------------------------------------------------------


def test_import_bad_rows_name_sheet_and_row_not_line_0(tmp_path, capsys):
    path = write_xlsx(tmp_path / "s.xlsx", [HEADERS, head("B-1", 工资性收入="-500")])
    out = tmp_path / "o.jsonl"
    code = main(["import", str(path), "-o", str(out), "--income-period", "2022-05-01..2023-04-30"])
    assert code == EXIT_BAD_ROWS
    err = capsys.readouterr().err
    assert "line 0" not in err
    assert "row 2, column 工资性收入" in err
    assert "Decimal(" not in err and "= '-500':" in err  # as the sheet gave it (attack10 F12)


def _household(**changes: object) -> str:
    data = json.loads(first_line())
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


def test_values_are_shown_as_sent_not_as_python_reprs():
    text = _household().replace('"wage_income": "30345.90"', '"wage_income": 1234.567', 1)
    with pytest.raises(ff.FactError) as info:
        ff.load_household(text)
    message = str(info.value)
    assert "income[0].wage_income = 1234.567: " in message
    assert "Decimal(" not in message


def test_a_missing_field_is_named_missing_without_a_placeholder():
    data = json.loads(first_line())
    del data["area"]
    with pytest.raises(ff.FactError) as info:
        ff.load_household(data)
    message = str(info.value)
    assert "  - area: missing" in message
    assert "<dict>" not in message


def test_a_key_twice_shows_no_fake_value():
    text = _household().replace('"hukou": "rural"', '"hukou": "rural", "hukou": "urban"', 1)
    with pytest.raises(ff.FactError) as info:
        ff.load_household(text)
    message = str(info.value)
    assert "  - hukou: key 'hukou' appears twice" in message
    assert "= None" not in message


def test_a_json_array_element_that_is_a_string_is_not_a_json_object(tmp_path):
    inner = first_line()
    path = tmp_path / "a.json"
    path.write_text(f"[{inner}, {json.dumps(inner)}, 5]", "utf-8")
    rows = list(read_households(path))
    assert rows[0].household is not None
    # the string holds a household's JSON: it is never decoded a second time
    assert rows[1].household is None
    assert "<household>: expected a JSON object, got a string" in str(rows[1].error)
    assert "expected a JSON object, got a number" in str(rows[2].error)
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(json.dumps(inner) + "\n", "utf-8")
    [row] = read_households(jsonl)
    assert row.household is None and "got a string" in str(row.error)


def test_due_bad_rows_have_no_stray_colon(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"household_id": "D5", "events": [{"step": "clue_received", "date": "2023-06-01", '
        '"step": "application"}]}\n',
        "utf-8",
    )
    out = tmp_path / "o.jsonl"
    assert main(["due", *ARGS, "-o", str(out), str(path)]) == EXIT_BAD_ROWS
    [row] = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert row["error"].startswith("events[0].step: key 'step' appears twice")
    assert "line 1: events[0].step" in capsys.readouterr().err  # no ": " before the place


# --- finding 13: identify_many with something that is not a household -----------------------


@pytest.mark.parametrize("stray", [{"id": "x"}, None, "SYN-0001"])
def test_identify_many_answers_around_an_element_that_is_not_a_household(stray):
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    h0, h1 = sample_households()[:2]
    out = pack.identify_many([h0, stray, h1], as_of=AS_OF)  # type: ignore[list-item]
    assert isinstance(out[0], Identification) and isinstance(out[2], Identification)
    assert (out[0].household_id, out[2].household_id) == (h0.id, h1.id)
    bad = out[1]
    assert isinstance(bad, BadRow) and bad.position == 1
    assert f"element 1 of the batch is a {type(stray).__name__}, not a Household" in bad.error


def test_identify_many_refuses_a_single_household_as_the_batch():
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    with pytest.raises(FangfanError, match="not a Household") as info:
        pack.identify_many(sample_households()[0], as_of=AS_OF)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)


# --- finding 17: a --param given twice ----------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "eliminate"])
def test_a_param_given_twice_is_refused(capsys, command):
    twice = [*LINE, "--param", "monitoring_income_line=9000"]
    assert main([command, *ARGS, *twice, str(SAMPLE)]) == EXIT_CANNOT_RUN
    err = capsys.readouterr().err
    assert "'monitoring_income_line' given twice ('7000' and '9000')" in err


def test_compare_refuses_a_param_given_twice(capsys):
    args = ["compare", "--pack", "qianshan_2023", "--as-of", "2023-06-05", *LINE, *LINE]
    assert main([*args, str(SAMPLE)]) == EXIT_CANNOT_RUN
    assert "given twice" in capsys.readouterr().err


def test_configured_pack_refuses_a_param_given_twice():
    params = [("monitoring_income_line", "7000"), ("monitoring_income_line", "9000")]
    with pytest.raises(click.UsageError, match="monitoring_income_line given twice"):
        configured_pack("qianshan_2023", params)


# --- finding 19: case files read as household facts are --------------------------------------


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"step": "clue_received", "date": 1685577600}, "date"),
        ({"step": "clue_received", "date": "2023-06-01T00:00:00"}, "date"),
        ({"step": "clue_received", "date": "2023-6-1"}, "date"),
        ({"step": "clue_received", "date": "2023-06-01", "note": "a\u0000b"}, "note"),
    ],
)
def test_case_events_are_read_in_the_forms_of_facts(event, field):
    with pytest.raises(ValidationError) as info:
        Case.model_validate({"household_id": "D3", "events": [event]})
    [error] = info.value.errors()
    assert error["loc"] == ("events", 0, field)


def test_case_ids_are_ids():
    for hid in ("D11\u200b", "D11\u3000", "\u00a0D11", "a\u0000b", ""):
        with pytest.raises(ValidationError):
            Case.model_validate({"household_id": hid})
    case = Case.model_validate(
        {"household_id": " D11 ", "events": [{"step": "clue_received", "date": "2023-06-01"}]}
    )
    assert case.household_id == "D11"  # ASCII blanks ignored, as for household facts
    assert case.events == (CaseEvent(step="clue_received", date=dt.date(2023, 6, 1)),)


def test_due_names_line_field_and_value(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    lines = [
        {"household_id": "D3", "events": [{"step": "clue_received", "date": 1685577600}]},
        {"household_id": "D4", "events": [{"step": "clue_received", "date": "2023-06-01"}]},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", "utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["due", *ARGS, "-o", str(out), str(path)]) == EXIT_BAD_ROWS
    err = capsys.readouterr().err
    assert "line 1: events.0.date" in err and "1685577600" in err
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [r["household_id"] for r in rows if r["status"] == "error"] == ["D3"]


# --- finding 21: sweep values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ("7000,,8000", "has an empty item"),
        ("7000,8000,", "has an empty item"),
        ("7000,8000,8000", "value '8000' is swept twice"),
        ("8000,8000.00", "values '8000' and '8000.00' are the same monitoring_income_line"),
    ],
)
def test_sweep_refuses_empty_and_repeated_values(capsys, values, message):
    args = ["sweep", *ARGS, "--parameter", "monitoring_income_line", "--values", values]
    assert main([*args, "--format", "jsonl", str(SAMPLE)]) == EXIT_CANNOT_RUN
    assert message in capsys.readouterr().err


def test_sweep_values_once_each_still_run(tmp_path):
    out = tmp_path / "o.jsonl"
    args = ["sweep", *ARGS, "--parameter", "monitoring_income_line", "--values", " 7000, 8000"]
    assert main([*args, "-o", str(out), str(SAMPLE)]) == EXIT_OK
    values = {json.loads(x)["value"] for x in out.read_text("utf-8").splitlines()}
    assert values == {"7000.00", "8000.00"}
