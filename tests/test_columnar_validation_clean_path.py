"""The columnar validation's shortcuts for clean columns give the same answers as the full checks.

A text column found clean in one pass over its raw values is neither stripped nor checked again,
child household ids are checked once per run of equal ids, ID numbers that pass as given are not
normalized, and duplicated member ids are found by a hash of the pair first. These tests show
that each shortcut reports what the full check reports: the same households, fields, values and
messages, and the same typed values for the rows that pass.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_validation
from fangfan_rules.idnumber import check_digit, validate_id_number

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:40]
]
BLANKS = " \t\n\r\x0b\x0c"


def _tables() -> dict[str, pl.DataFrame]:
    return col.to_tables(HOUSEHOLDS)


def _eighteen(body: str) -> str:
    return body + check_digit(body)


_BODIES = st.builds(
    lambda area, year, month, day, seq: f"{area:06d}{year:04d}{month:02d}{day:02d}{seq:03d}",
    st.integers(110000, 659999),
    st.integers(1900, 2024),
    st.integers(1, 13),
    st.integers(1, 31),
    st.integers(0, 999),
)
_NUMBERS = st.one_of(
    _BODIES.map(_eighteen),  # valid, or an impossible date
    _BODIES.map(lambda b: b + "0"),  # a check digit that may be wrong
    _BODIES.map(lambda b: _eighteen(b).lower()),  # lower-case x
    _BODIES.map(lambda b: f" {_eighteen(b)}\t"),  # blanks to strip
    _BODIES.map(lambda b: b[:6] + b[8:]),  # 15 digits
    st.text(alphabet="0123456789Xx -", max_size=20),  # anything of these characters
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_NUMBERS, min_size=1, max_size=12))
def test_id_numbers_are_checked_and_normalized_as_validate_id_number(numbers: list[str]) -> None:
    tables = _tables()
    members = tables["members"]
    firsts = members.with_row_index("__i").group_by("household_id", maintain_order=True).first()
    chosen = firsts.head(len(numbers)).with_columns(pl.Series("__n", numbers))
    given_numbers = dict(zip(chosen["__i"].to_list(), numbers, strict=True))
    column = [given_numbers.get(i) for i in range(members.height)]
    tables["members"] = members.with_columns(pl.Series("id_number", column, dtype=pl.String))
    clean, errors = col.validate(tables)
    owner = dict(zip(chosen["household_id"].to_list(), numbers, strict=True))
    messages = dict(zip(errors["household_id"].to_list(), errors["error"].to_list(), strict=True))
    for hid, number in owner.items():
        try:
            expected = validate_id_number(number)
        except ValueError as exc:
            assert hid in messages, (hid, number)
            assert str(exc) in messages[hid]
        else:
            assert hid not in messages, (hid, number, messages.get(hid))
            kept = clean["members"].filter(pl.col("household_id") == hid)
            assert expected in kept["id_number"].to_list()


@pytest.mark.parametrize("column", ["household_id", "member_id"])
def test_a_forbidden_character_in_one_child_row_of_a_run_is_reported(column: str) -> None:
    tables = _tables()
    members = tables["members"]
    bad_id = members["household_id"][5]
    # the third row of the run: a check of the run's first value alone would miss it
    rows = members.with_row_index("__i").filter(pl.col("household_id") == bad_id)["__i"]
    target = rows[-1]
    value = members[column][target] + "\u200b"
    tables["members"] = members.with_columns(
        pl.when(pl.int_range(pl.len()) == target)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    _, errors = col.validate(tables)
    reported = dict(zip(errors["household_id"].to_list(), errors["error"].to_list(), strict=True))
    assert "an id cannot contain control, format or invisible characters" in "".join(
        reported.values()
    )
    if column == "member_id":
        assert bad_id in reported


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("households", "county"),
        ("households", "hukou"),
        ("members", "relation"),
        ("income", "source"),
        ("members", "name"),
        ("income", "household_id"),
    ],
)
def test_blanks_around_text_are_stripped_and_clean_text_kept(table: str, column: str) -> None:
    tables = _tables()
    frame = tables[table]
    padded = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.lit(BLANKS[:2]) + pl.col(column) + pl.lit(BLANKS[2:]))
        .otherwise(pl.col(column))
        .alias(column)
    )
    plain_clean, plain_errors = col.validate(tables)
    padded_clean, padded_errors = col.validate({**tables, table: padded})
    assert padded_errors.equals(plain_errors)
    for t in plain_clean:
        assert padded_clean[t].equals(plain_clean[t]), t


def test_blanks_or_bad_values_in_an_enum_column_are_reported_as_before() -> None:
    tables = _tables()
    members = tables["members"].with_row_index("__i")
    first = members.group_by("household_id", maintain_order=True).first()
    bad_row, padded_row = first["__i"][0], first["__i"][5]
    tables["members"] = members.with_columns(
        pl.when(pl.col("__i") == bad_row)
        .then(pl.lit("cousin"))
        .when(pl.col("__i") == padded_row)
        .then(pl.lit(" spouse "))
        .otherwise(pl.col("relation"))
        .alias("relation")
    ).drop("__i")
    clean, errors = col.validate(tables)
    assert errors["household_id"].to_list() == [first["household_id"][0]]
    assert "relation" in errors["error"][0] and "cousin" in errors["error"][0]
    kept = clean["members"].filter(pl.col("household_id") == first["household_id"][5])
    assert "spouse" in kept["relation"].to_list()
    assert " spouse " not in kept["relation"].to_list()


def test_a_member_id_twice_in_a_household_is_found_among_hash_candidates() -> None:
    tables = _tables()
    members = tables["members"]
    twice = members.filter(pl.col("household_id") == members["household_id"][0]).head(1)
    tables["members"] = pl.concat([members, twice])
    _, errors = col.validate(tables)
    assert errors["household_id"].to_list() == [members["household_id"][0]]
    assert "member id appears twice" in errors["error"][0]


def _in_parts(frame: pl.DataFrame, cuts: list[int]) -> pl.DataFrame:
    """The frame as chunks cut at ``cuts`` (empty parts included), as a concatenation keeps them."""
    bounds = sorted({0, frame.height // 2, frame.height, *(c % (frame.height + 1) for c in cuts)})
    parts = [frame.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    return pl.concat([frame.head(0), *parts, frame.head(0)], rechunk=False)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 10_000), max_size=6), st.integers(0, 2**32))
def test_chunked_input_with_bad_rows_gives_what_one_chunk_gives(cuts: list[int], seed: int) -> None:
    """A table concatenated from parts, with bad rows (messages written with their positions,
    pola-rs/polars#25339), reports exactly what the same table in one chunk reports, whether
    validation copies it into one chunk (many small chunks) or keeps its chunks (large ones)."""
    tables = _tables()
    income = tables["income"]
    members = tables["members"]
    bad_income = pl.int_range(pl.len()).shuffle(seed) < 3
    bad_member = pl.int_range(pl.len()).shuffle(seed + 1) < 2
    tables["income"] = income.with_columns(
        pl.when(bad_income).then(-1).otherwise(pl.col("wage_income_fen")).alias("wage_income_fen")
    )
    tables["members"] = members.with_columns(
        pl.when(bad_member).then(pl.lit("x\u200b")).otherwise(pl.col("name")).alias("name"),
        pl.when(bad_member).then(pl.lit("cousin")).otherwise(pl.col("relation")).alias("relation"),
    )
    whole_clean, whole_errors = col.validate(tables)
    parts = {t: _in_parts(f, cuts) for t, f in tables.items()}
    assert parts["income"].n_chunks() > 1
    for small_chunk in (columnar_validation._SMALL_CHUNK, 0):  # copied into one chunk, or not
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(columnar_validation, "_SMALL_CHUNK", small_chunk)
            clean, errors = col.validate(parts)
        assert errors.equals(whole_errors)
        assert errors.height >= 2
        for t in whole_clean:
            assert clean[t].equals(whole_clean[t]), t
