"""Validation's cheaper tests of a clean batch still find every bad value.

The id columns with few values (member ids, area names) are tested on their distinct values;
ID numbers are tested without the rows first (most members have none); the
member-id pairs are counted before the repeated ones are looked for. These tests put one bad
value among many good ones and check that it is reported as the full check reports it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.idnumber import check_digit, validate_id_number

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"


def _tables() -> dict[str, pl.DataFrame]:
    lines = SAMPLE.read_text("utf-8").splitlines()
    return col.to_tables([ff.load_household(json.loads(line)) for line in lines])


def _set(frame: pl.DataFrame, row: int, column: str, value: str | None) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, dtype=pl.String))
        .otherwise(pl.col(column))
        .alias(column)
    )


def _errors(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    _, errors = col.validate(tables)
    return dict(zip(errors["household_id"].to_list(), errors["error"].to_list(), strict=True))


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("households", "county", "Qianshan\u200b", "an id cannot contain"),
        ("households", "town", "To\ufeffwn", "an id cannot contain"),
        ("households", "village", "Vil\nlage", "an id cannot contain"),
        ("members", "member_id", "m1\u2028", "an id cannot contain"),
        ("members", "relation", "cousin", "not a Relation"),
        ("members", "labour", "sometimes", "not a "),
        ("income", "source", "wages\x07", "text cannot contain control characters"),
    ],
)
def test_one_bad_value_among_good_ones_is_reported(
    table: str, column: str, value: str, message: str
) -> None:
    tables = _tables()
    frame = tables[table]
    row = frame.height // 2
    hid = frame["household_id"][row]
    tables[table] = _set(frame, row, column, value)
    errors = _errors(tables)
    assert list(errors) == [hid]
    assert message in errors[hid]


@pytest.mark.parametrize(
    "number",
    [
        # year 0000 (Python's dates start in year 1) with its right check digit
        "110101" + "00000101" + "123" + check_digit("110101" + "00000101" + "123"),
        # a wrong check digit, a day that does not exist, a letter that is not X
        "110101" + "19800101" + "123" + "0",
        "110101" + "19800230" + "123" + check_digit("110101" + "19800230" + "123"),
        "11010119800101123A",
    ],
)
def test_one_bad_id_number_among_members_without_numbers(number: str) -> None:
    if number.endswith("0") and check_digit(number[:17]) == "0":  # pragma: no cover
        pytest.skip("the generated number happens to be valid")
    tables = _tables()
    members = tables["members"].with_columns(pl.lit(None, dtype=pl.String).alias("id_number"))
    row = members.height - 1
    tables["members"] = _set(members, row, "id_number", number)
    errors = _errors(tables)
    hid = members["household_id"][row]
    with pytest.raises(ValueError) as expected:
        validate_id_number(number)
    assert list(errors) == [hid]
    assert str(expected.value) in errors[hid]
    assert number not in errors[hid]  # never shown


def test_valid_id_numbers_pass_and_only_the_unnormalized_are_normalized() -> None:
    tables = _tables()
    members = tables["members"]
    good = "110101" + "19800101" + "123" + check_digit("110101" + "19800101" + "123")
    lower = good.lower() if good.endswith("X") else good
    tables["members"] = _set(_set(members, 0, "id_number", good), 1, "id_number", f" {lower}\t")
    clean, errors = col.validate(tables)
    assert errors.height == 0
    numbers = clean["members"]["id_number"].to_list()
    assert numbers[0] == good and numbers[1] == good.upper()


@pytest.mark.parametrize("column", ["county", "town", "village"])
def test_blanks_around_one_area_name_are_stripped(column: str) -> None:
    tables = _tables()
    households = tables["households"]
    row = households.height // 2
    name = households[column][row]
    tables["households"] = _set(households, row, column, f" {name}\t")
    clean, errors = col.validate(tables)
    assert errors.height == 0
    assert clean["households"][column][row] == name


def test_a_household_id_twice_among_many_reports_both_copies() -> None:
    tables = _tables()
    households = tables["households"]
    twice, replaced = households["household_id"][7], households["household_id"][200]
    tables["households"] = _set(households, 200, "household_id", twice)
    _, errors = col.validate(tables)
    copies = errors.filter(pl.col("household_id") == twice)
    assert copies["__hrow"].to_list() == [7, 200]
    assert all("household id appears more than once" in e for e in copies["error"])
    # the replaced household's child rows now refer to no household: reported under its id
    assert set(errors["household_id"]) == {twice, replaced}
