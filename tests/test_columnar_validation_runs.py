"""Validation reads each child table's runs of household ids once, for two uses.

The runs (:func:`~fangfan_rules.engines.columnar_layout.household_runs`) serve both the id
check (once per run; not at all when the runs are the households' own clean ids in order) and
the integer keys (the run number is the key when the households are numbered 0, 1, …). These
tests put a bad id among many good ones on each path and check every kept child row's key.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_layout import CHILDREN, LINE_ERROR, household_runs

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:40]
]
ZWSP = "\u200b"


def _assert_keys_point_at_their_households(clean: dict[str, pl.DataFrame]) -> None:
    rows = dict(zip(*clean["households"].select("household_id", "__hrow"), strict=True))
    for t in CHILDREN:
        frame = clean[t]
        got = frame["__hkey"].to_list()
        assert got == [rows[hid] for hid in frame["household_id"].to_list()], t


def _rename(tables: dict[str, pl.DataFrame], old: str, new: str) -> dict[str, pl.DataFrame]:
    hid = pl.col("household_id")
    return {
        t: frame.with_columns(
            pl.when(hid == old).then(pl.lit(new)).otherwise(hid).alias("household_id")
        )
        for t, frame in tables.items()
    }


def test_a_bad_household_id_repeated_in_members_is_reported_for_both_tables() -> None:
    """The members' runs are the households' ids in order, but one of those ids is bad: the
    members' ids are checked too (the shortcut holds only for clean households ids)."""
    tables = col.to_tables(HOUSEHOLDS)
    target = tables["households"]["household_id"][17]
    tables = _rename(tables, target, target + ZWSP)
    clean, errors = col.validate(tables)
    assert errors["household_id"].to_list() == [target + ZWSP]
    message = errors["error"].item()
    assert "households.household_id" in message and "members.household_id" in message
    assert target + ZWSP not in clean["households"]["household_id"].to_list()
    assert clean["households"].height == len(HOUSEHOLDS) - 1
    _assert_keys_point_at_their_households(clean)


def test_a_bad_id_in_one_members_row_breaks_the_equal_runs_and_is_reported() -> None:
    tables = col.to_tables(HOUSEHOLDS)
    members = tables["members"]
    target = members["household_id"][100]
    tables["members"] = members.with_columns(
        pl.when(pl.int_range(pl.len()) == 100)
        .then(pl.lit(target + ZWSP))
        .otherwise(pl.col("household_id"))
        .alias("household_id")
    )
    clean, errors = col.validate(tables)
    # the row names a household that does not exist (the bad id): reported under that id
    assert errors["household_id"].to_list() == [target + ZWSP]
    assert "members.household_id" in errors["error"].item()
    assert clean["members"].height == tables["members"].height - 1
    _assert_keys_point_at_their_households(clean)


def test_keys_follow_the_households_row_numbers_when_a_households_line_is_unreadable() -> None:
    """A households row dropped before typing leaves a gap in ``__hrow``: the run numbers are
    not the keys then, the households' row numbers are."""
    tables = col.to_tables(HOUSEHOLDS)
    broken = tables["households"]["household_id"][3]
    h = tables["households"].with_columns(
        pl.when(pl.col("household_id") == broken)
        .then(pl.lit("line 4: unreadable"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(LINE_ERROR)
    )
    tables["households"] = h
    tables = {
        t: f.filter(pl.col("household_id") != broken) if t != "households" else f
        for t, f in tables.items()
    }
    clean, errors = col.validate(tables)
    assert errors["household_id"].to_list() == [broken]
    assert clean["households"]["__hrow"].to_list()[3] == 4
    _assert_keys_point_at_their_households(clean)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shuffled=st.sets(st.sampled_from(CHILDREN), max_size=4))
def test_keys_are_the_same_with_or_without_the_runs_given(seed: int, shuffled: set[str]) -> None:
    tables = col.to_tables(HOUSEHOLDS)
    tables = {
        t: f.sample(fraction=1.0, shuffle=True, seed=seed) if t in shuffled else f
        for t, f in tables.items()
    }
    tables["households"] = tables["households"].with_row_index("__hrow")
    runs = {t: household_runs(tables[t]) for t in CHILDREN}
    given_runs = col.household_keys(tables, runs)
    computed = col.household_keys(tables)
    for t in CHILDREN:
        assert given_runs[t]["__hkey"].to_list() == computed[t]["__hkey"].to_list(), t
    clean, errors = col.validate({t: f.drop("__hrow", strict=False) for t, f in tables.items()})
    assert errors.height == 0
    _assert_keys_point_at_their_households(clean)
