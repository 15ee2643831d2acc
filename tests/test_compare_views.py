"""The dates the batch engine's views of the input households start from: each household's latest
date per part, read from the prepared tables by polars
(:meth:`fangfan_rules.engines.vectorized.PreparedBatch.latest_dates`), must be exactly
:func:`fangfan_rules.facts.known.latest_by_part` of the household — the view of a household on
a day filters a part when, and only when, that part holds a date after it."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings

from fangfan_rules import strategies as fs
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.facts import Household
from fangfan_rules.facts.known import latest_by_part
from tests.helpers import sample_households


def _same_dates(households: list[Household]) -> None:
    got = vz.prepare(households).latest_dates()
    expected = [latest_by_part(h) for h in households]
    assert got == expected
    assert [list(d) for d in got] == [list(d) for d in expected]  # the parts in the same order


def test_latest_dates_of_the_sample_with_a_duplicated_id() -> None:
    households = sample_households()
    # a duplicated id is an error row (not in the tables): its dates are walked as before
    _same_dates([*households, households[7]])
    assert any(d["members"] is not None for d in vz.prepare(households).latest_dates())


@settings(max_examples=60, deadline=None)
@given(households=fs.household_lists(max_size=6))
def test_latest_dates_of_drawn_households(households: list[Household]) -> None:
    _same_dates(households)


def test_latest_dates_with_every_part_dated_late() -> None:
    """A 脱贫 year counts as its 1 January; a member's child status and certificate count."""
    households = sample_households()
    dated = [d for d in vz.prepare(households).latest_dates() if d["household"] is not None]
    assert dated, "the sample has a household with a dated single fact"
    assert all(isinstance(day, date) for d in dated for day in d.values() if day is not None)
