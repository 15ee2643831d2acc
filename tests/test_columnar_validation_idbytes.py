"""Two validation shortcuts give the old answers.

The ID numbers' byte test (``columnar_validation._all_eighteen``) answers exactly what the
polars expression of ``_id_number_checks`` answers: whether every number passes the
18-character test (shape, birth date from year 1, GB 11643 check character) as given.

The byte test may decline (None); when it answers, its answer must be the expression's — for
valid numbers, numbers with a wrong check character, impossible or edge dates (29 February of
leap and common years, year 0000, month 00 / 13, day 00 / 32), lowercase ``x``, non-ASCII
characters, blanks, other lengths, and for whole batches (all valid, one bad). Whatever it
answers, validation reports the same errors as before: any failure goes to the row checks.

Text columns without any value are left out of ``_dirty_text`` (``_no_values``), and mostly
null ones are tested on their values alone (``_sparse``): with both shortcuts turned off, the
same columns are found dirty and validation gives the same tables and errors, for batches where
some text columns are emptied, some thinned to their first value and some hold a bad value.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_validation as cv

_ALPHABET = "0123456789X"


def _expression(numbers: list[str]) -> bool:
    """The expression the byte test replaces (``eighteen(number).all()`` over the numbers)."""
    text = pl.col("id_number")
    base13 = text.str.slice(0, 17).str.to_integer(base=13, strict=False)
    eighteen = (
        text.str.contains(r"^[0-9]{17}[0-9X]$")
        & (text.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False) >= cv._FIRST_DAY)
        & (pl.lit(cv._CHECK_CHARACTERS).gather(base13 % 11 * 2 % 11) == text.str.slice(17, 1))
    ).fill_null(False)
    frame = pl.DataFrame({"id_number": numbers}, schema={"id_number": pl.String})
    return bool(frame.select(eighteen.all()).item())


def _with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, cv._WEIGHTS.tolist(), strict=True))
    return first17 + "10X98765432"[total % 11]


def _agrees(numbers: list[str]) -> None:
    fast = cv._all_eighteen(pl.Series(numbers, dtype=pl.String))
    assert fast is None or fast == _expression(numbers), numbers


@st.composite
def _number(draw: st.DrawFn) -> str:
    area = draw(st.text("0123456789", min_size=6, max_size=6))
    year = draw(st.sampled_from(["0000", "0001", "0004", "1900", "1964", "2000", "2023", "9999"]))
    month = draw(st.sampled_from(["00", "01", "02", "04", "09", "12", "13", "99"]))
    day = draw(st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]))
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    number = _with_check(area + year + month + day + serial)
    how = draw(st.sampled_from(["valid", "check", "lower", "char", "blank", "length", "any"]))
    if how == "check":  # another check character
        number = number[:17] + draw(st.sampled_from([c for c in _ALPHABET if c != number[17]]))
    elif how == "lower":
        number = number[:17] + "x"
    elif how == "char":  # a non-digit (ASCII or not) somewhere in the first 17
        at = draw(st.integers(0, 16))
        number = (
            number[:at]
            + draw(st.sampled_from(["a", "B", "c", "+", "-", "٣", "é"]))
            + number[at + 1 :]
        )
    elif how == "blank":
        number = draw(st.sampled_from([" " + number, number + " ", number[:17] + "\n"]))
    elif how == "length":
        number = draw(st.sampled_from([number[:15], number + "0", number[:17]]))
    elif how == "any":
        number = draw(st.text(_ALPHABET + "x é", min_size=16, max_size=19))
    return number


@given(st.lists(_number(), min_size=1, max_size=6))
def test_byte_test_answers_as_the_expression(numbers: list[str]) -> None:
    _agrees(numbers)


@given(_number())
def test_one_number_among_valid_ones(number: str) -> None:
    valid = [_with_check("21031119640301977"[:17]), _with_check("11010520000229123")]
    _agrees([*valid, number, *valid])


def test_every_date_of_leap_and_common_years() -> None:
    """Every month 00..13 and day 00..32 of years 0000, 0001, 1900, 2000, 2023, 2024, 9999."""
    numbers = [
        _with_check(f"110105{year}{month:02d}{day:02d}123")
        for year in ("0000", "0001", "1900", "2000", "2023", "2024", "9999")
        for month in range(14)
        for day in range(33)
    ]
    for number in numbers:
        assert cv._all_eighteen(pl.Series([number])) == _expression([number]), number
    assert cv._all_eighteen(pl.Series(numbers)) is False


def test_valid_batches_and_slices() -> None:
    numbers = [
        _with_check(f"1101051964{m:02d}{d:02d}{s:03d}")
        for m in (1, 2, 12)
        for d in (1, 28)
        for s in range(50)
    ]
    assert _expression(numbers) is True
    assert cv._all_eighteen(pl.Series(numbers)) is True
    series = pl.Series(["x", *numbers, "y"])
    assert cv._all_eighteen(series.slice(1, len(numbers))) is True  # an offset into the buffers
    assert cv._all_eighteen(pl.Series([], dtype=pl.String)) is True
    assert cv._all_eighteen(pl.Series([*numbers, numbers[0][:17] + "x"])) is False


# ----------------------------------------------------------------------------------------------
# text columns without any value: _dirty_text leaves them out (columnar_validation._no_values)

_SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
_TABLES = col.to_tables(
    [ff.load_household(json.loads(line)) for line in _SAMPLE.read_text("utf-8").splitlines()[:25]]
)
_TEXT_COLUMNS = [
    (t, c)
    for t, schema in col.SCHEMAS.items()
    for c, dtype in schema.items()
    if dtype in (pl.String, pl.List(pl.String))
]
_DIRTY = ["", " a", "b\t", "x\x00y", "not-an-enum", "\u200bz"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(_TEXT_COLUMNS), max_size=8),
    st.lists(st.tuples(st.sampled_from(_TEXT_COLUMNS), st.sampled_from(_DIRTY)), max_size=3),
    st.lists(st.sampled_from(_TEXT_COLUMNS), max_size=4),
)
def test_columns_without_values_are_skipped_with_the_same_answers(
    emptied: list[tuple[str, str]],
    dirtied: list[tuple[tuple[str, str], str]],
    thinned: list[tuple[str, str]],
) -> None:
    tables = dict(_TABLES)
    for (t, c), bad in dirtied:  # a bad value in the first row of a column
        frame = tables[t]
        if not frame.height:
            continue
        cell = pl.lit(bad if col.SCHEMAS[t][c] == pl.String else [bad], dtype=col.SCHEMAS[t][c])
        first = pl.int_range(pl.len()) == 0
        tables[t] = frame.with_columns(pl.when(first).then(cell).otherwise(pl.col(c)).alias(c))
    for t, c in thinned:  # the first value kept (perhaps a bad one), every other row null
        first = pl.int_range(pl.len()) == 0
        tables[t] = tables[t].with_columns(pl.when(first).then(pl.col(c)).alias(c))
    for t, c in emptied:
        tables[t] = tables[t].with_columns(pl.lit(None, dtype=col.SCHEMAS[t][c]).alias(c))
    shortcut = col.validate(tables)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cv, "_no_values", lambda frame, column, height: False)
        patch.setattr(cv, "_sparse", lambda frame, column, height: False)
        full = col.validate(tables)
    for t in shortcut[0]:
        assert shortcut[0][t].equals(full[0][t], null_equal=True), t
    assert shortcut[1].equals(full[1], null_equal=True)
    for t, frame in tables.items():  # and the columns found dirty are the same
        with_rows = frame.with_columns(pl.lit(None, dtype=pl.UInt32).alias("__hrow"))
        fast = cv._dirty_text(t, with_rows, None)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(cv, "_no_values", lambda frame, column, height: False)
            patch.setattr(cv, "_sparse", lambda frame, column, height: False)
            assert fast == cv._dirty_text(t, with_rows, None), t


# ----------------------------------------------------------------------------------------------
# list columns whose items need neither stripping nor refusing (columnar_validation._clean_lists)

_LIST_COLUMNS = [
    (t, c) for t, schema in col.SCHEMAS.items() for c, d in schema.items() if d == col.LS
]
_ITEMS = st.one_of(st.none(), st.sampled_from(["a", " a", "b\t", "", "村 ", "x y", "\u200b"]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_LIST_COLUMNS),
            st.one_of(st.none(), st.lists(_ITEMS, max_size=3)),
            st.integers(0, 30),
        ),
        max_size=4,
    )
)
def test_clean_list_columns_are_read_as_the_per_row_path_reads_them(changes) -> None:
    tables = dict(_TABLES)
    for (t, c), cell, row in changes:  # one cell of a list column replaced
        frame = tables[t]
        if not frame.height:
            continue
        at = pl.int_range(pl.len()) == row % frame.height
        value = pl.lit(pl.Series([cell], dtype=col.LS)).first()
        tables[t] = frame.with_columns(pl.when(at).then(value).otherwise(pl.col(c)).alias(c))
    fast = col.validate(tables)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cv, "_clean_lists", lambda t, frame: set())
        slow = col.validate(tables)
    for t in fast[0]:
        assert fast[0][t].equals(slow[0][t], null_equal=True), t
    assert fast[1].equals(slow[1], null_equal=True)
