"""The documented forms of facts (issue 12, finding 4): accepted or refused alike everywhere.

The corpus is ``tests/tricky.py``: every value is given in a JSON household, as a cell of a CSV
household file, and as a cell of the columnar tables, and every path must agree.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.errors import FactError
from fangfan_rules.io import read_households
from tests.tricky import (
    ID15,
    ID18,
    PLACES,
    Form,
    base_household,
    corpus,
    household_text,
)

CORPUS = corpus()


def _id(case: tuple[str, tuple[Any, ...], Form]) -> str:
    kind, _, form = case
    return f"{kind}:{form.json[:24]}"


@pytest.mark.parametrize("case", CORPUS, ids=[_id(c) for c in CORPUS])
def test_finding4_silent_coercion_is_refused(case):
    """Each value is accepted exactly when it is a documented form; a refusal names the
    household, the field and the value."""
    kind, path, form = case
    text = household_text(path, form, hid="H-77")
    if form.accepted:
        household = ff.load_household(text)
        assert household.id  # loaded
        return
    with pytest.raises(FactError) as info:
        ff.load_household(text)
    message = str(info.value)
    if kind != "household id":
        assert "H-77" in message, message
    field = ".".join(str(p) for p in path if not isinstance(p, int))
    assert path[-1] in message or field in message, message


def test_finding4_accepted_values_keep_their_meaning():
    """What is accepted is read exactly: JSON 12.5 is 12.50 yuan (never a float), "2019" is the
    year 2019, a lower-case x is the check character X, a 15-digit number stays 15 digits."""
    data = base_household()
    data["income"][0]["wage_income"] = Decimal("12.5")
    data["lifted_year"] = "2019"
    data["members"][0]["id_number"] = ID18[0].lower()
    data["members"][1]["id_number"] = ID15[0]
    h = ff.load_household(data)
    assert h.income[0].wage_income == Decimal("12.50")
    assert h.lifted_year == 2019 and isinstance(h.lifted_year, int)
    assert h.members[0].id_number == ID18[0]
    assert h.members[1].id_number == ID15[0]
    text = json.dumps(base_household()).replace('"8000"', "12.5")
    assert ff.load_household(text).income[0].wage_income == Decimal("12.50")


@pytest.mark.parametrize(
    "value",
    [1.5, float("nan"), True, "1e3", "１０００", "1_000", "-0", "-0.00", Decimal("-0.00")],
)
def test_finding4_money_from_python_is_strict_too(value):
    record = dict(base_household()["income"][0], wage_income=value)
    with pytest.raises(ValueError):
        ff.IncomeRecord(**record)


@pytest.mark.parametrize(
    "value",
    [0, 1672531200, "2023-01-01T00:00:00", "2023-01-01T00:00:00+08:00", "20230101"],
)
def test_finding4_dates_are_iso_days_only(value):
    from datetime import datetime

    with pytest.raises(ValueError):
        ff.RiskEvent(type="illness", date=value)
    with pytest.raises(ValueError, match="datetime"):
        ff.RiskEvent(type="illness", date=datetime(2023, 1, 1, tzinfo=UTC))
    assert ff.RiskEvent(type="illness", date="2023-01-01").date == date(2023, 1, 1)


def test_finding4_duplicated_json_key_is_an_error_naming_the_key():
    text = '{"id": "H-9", "hukou": "rural", "area": {"county": "c", "town": "t", "village": "v", "village": "w"}}'
    with pytest.raises(FactError) as info:
        ff.load_household(text)
    assert "'village' appears twice" in str(info.value) and "H-9" in str(info.value)
    assert "area.village" in str(info.value)


# -- the JSON Schema documents the forms --------------------------------------------------------


def test_finding4_json_schema_documents_the_forms():
    """Other systems can validate before sending: every accepted value passes the schema, and
    the schema refuses the coercion forms it can express (check digits, real calendar days and
    lone surrogates are the library's to check)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = ff.household_json_schema()
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    beyond_the_schema = {
        "JSON number in exponent form",  # a JSON number is a number to a schema
        "a JSON number with a fraction",  # 2019.0 is an "integer" to JSON Schema
        "negative zero",
        "wrong check digit",
        "15 digits with no such birth date",
        "no such day",
        "lone surrogate",
        "out of range",
    }
    for kind, path, form in CORPUS:
        data = json.loads(household_text(path, form), parse_float=Decimal)
        data = json.loads(json.dumps(data, default=str)) if kind != "money" else data
        errors = list(validator.iter_errors(_plain(data)))
        if form.accepted:
            assert not errors, (kind, form, [e.message for e in errors])
        elif form.note not in beyond_the_schema:
            assert errors, (kind, form)
    text = json.dumps(schema, ensure_ascii=False)
    assert '"format": "date"' in text and "[0-9]{17}[0-9Xx]" in text


def _plain(value: Any) -> Any:
    """Decimals as JSON numbers (floats are fine for schema checks)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- the two validation paths agree ------------------------------------------------------------

#: kind → (table, column) in the columnar layout, and how the household CSV / JSON carries it.
COLUMNAR = {
    "boolean": ("households", "self_coping"),
    "integer": ("households", "lifted_year"),
    "household id": ("households", "household_id"),
    "village": ("households", "village"),
    "date": ("members", "birth_date"),
    "member id": ("members", "member_id"),
    "text": ("members", "name"),
    "id number": ("members", "id_number"),
    "money": ("income", "wage_income_fen"),
}


def _native_accepts(kind: str, path: tuple[Any, ...], cell: str) -> bool:
    """The household path reads the cell as text: a top-level field is a CSV column; a member's
    or an income record's field is a string in the JSON of its cell."""
    data = base_household("P-1")
    members = data.pop("members")
    income = data.pop("income")
    if path[0] == "members":
        members[path[1]][path[2]] = cell
    elif path[0] == "income":
        income[path[1]][path[2]] = cell
    header = ["id", "area.county", "area.town", "area.village", "hukou", "lifted_out_of_poverty"]
    row = ["P-1", "千山区", "甘泉镇", "东村", "rural", "true"]
    if path[0] in ("self_coping", "lifted_year"):
        header.append(path[0])
        row.append(cell)
    elif path == ("id",):
        row[0] = cell
    elif path == ("area", "village"):
        row[3] = cell
    header += ["members", "income"]
    row += [json.dumps(members, ensure_ascii=False), json.dumps(income, ensure_ascii=False)]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, row])
    rows = list(read_households(io.StringIO(buf.getvalue()), format="csv"))
    assert len(rows) == 1
    return rows[0].household is not None


def _columnar_accepts(kind: str, cell: str) -> bool:
    """The same cell in CSV tables (every cell text, as read_tables reads a CSV directory)."""
    tables = col.to_tables([ff.load_household(base_household("P-1"))])
    text = {}
    for t in ("households", "members", "income"):
        frame = tables[t].drop(c for c, d in tables[t].schema.items() if isinstance(d, pl.List))
        text[t] = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    table, column = COLUMNAR[kind]
    value = pl.lit(cell, dtype=pl.String)
    first = pl.int_range(pl.len()) == 0
    text[table] = text[table].with_columns(
        pl.when(first).then(value).otherwise(pl.col(column)).alias(column)
    )
    if column == "household_id":
        text = {t: f.with_columns(value.alias("household_id")) for t, f in text.items()}
    clean, errors = col.validate(text)
    return clean["households"].height == 1 and errors.height == 0


def _parity_cases() -> list[tuple[str, tuple[Any, ...], Form]]:
    out = []
    for kind, path, form in CORPUS:
        if form.cell is None or form.json == "null":
            continue  # no text form (a lone surrogate cannot be in a UTF-8 file)
        if kind == "money" and ("." in form.cell or form.cell[:1] in "[t"):
            continue  # yuan with a fraction in households, whole fen in tables: see the test
        out.append((kind, path, form))
    return out


PARITY = _parity_cases()


@pytest.mark.parametrize("case", PARITY, ids=[_id(c) for c in PARITY])
def test_finding4_the_two_paths_accept_and_refuse_the_same_values(case):
    """A value given as text is accepted by the fact models (households) exactly when the
    columnar validation (tables, CSV and Parquet into the vectorized engine) accepts it.

    Money is yuan in a household and whole fen in a table (``*_fen``): the forms compared are
    those both layouts share — whole numbers, and everything refused (full-width digits,
    exponents, underscores, negative zero, signs, hexadecimal, NaN...)."""
    kind, path, form = case
    assert form.cell is not None
    native = _native_accepts(kind, path, form.cell)
    columnar = _columnar_accepts(kind, form.cell)
    assert native == columnar, f"{kind} {form.cell!r}: households {native}, tables {columnar}"
    if form.json.startswith('"'):  # a string: its text is the value in every layout
        assert native == form.accepted, (kind, form)


@pytest.mark.parametrize(
    "kind,series,accepted",
    [
        ("integer", pl.Series([2019.0]), False),  # a float year
        ("integer", pl.Series([True]), False),
        ("integer", pl.Series([2019], dtype=pl.Int64), True),
        ("boolean", pl.Series([1], dtype=pl.Int64), False),
        ("boolean", pl.Series([True]), True),
        ("date", pl.Series([0], dtype=pl.Int64), False),
        ("date", pl.Series(["2023-01-01"]).str.to_datetime(), False),
        ("date", pl.Series([date(2023, 1, 1)]), True),
        ("member id", pl.Series([7], dtype=pl.Int64), False),
    ],
)
def test_finding4_typed_columns_convert_only_without_loss(kind, series, accepted):
    """Parquet / Arrow / pandas columns of another type: a float year, a datetime as a date, an
    integer as a boolean or an id are refused as the fact models refuse 2019.0, a datetime, 1
    and 7 (JSON numbers)."""
    tables = col.to_tables([ff.load_household(base_household("P-1"))])
    table, column = COLUMNAR[kind]
    frame = tables[table]
    tables[table] = frame.with_columns(series.extend_constant(None, frame.height - 1).alias(column))
    _, errors = col.validate(tables)
    assert (errors.height == 0) == accepted, errors["error"].to_list()
    python_value = series.to_list()[0]
    household = base_household("P-1")
    target = household if table == "households" else household["members"][0]
    key = {"household_id": "id", "member_id": "id"}.get(column, column)
    target[key] = python_value
    try:
        ff.load_household(household)
        native = True
    except FactError:
        native = False
    assert native == accepted


def test_places_cover_every_kind():
    assert set(COLUMNAR) == set(PLACES)
