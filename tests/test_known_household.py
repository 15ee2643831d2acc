"""The as-of view without its list of facts left out, and its sharing between the packs of a
prepared batch (:func:`fangfan_rules.facts.known.known_household`,
:meth:`fangfan_rules.engines.vectorized.PreparedBatch.views_on`)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.facts.known import known_household, known_view, latest_by_part, latest_day
from tests.helpers import sample_households

DAYS = (date(2021, 1, 1), date(2022, 3, 15), date(2022, 5, 15), date(2023, 6, 5), date(2030, 1, 1))


def assert_same_view(household: ff.Household, day: date) -> None:
    """known_household gives known_view's view: equal, field by field and in the same order,
    with the same fields set; the household itself exactly when known_view gives it. The lazy
    view (:mod:`fangfan_rules.facts.known_lazily`) reads as that view, field by field and whole."""
    from tests.test_known_lazily import (
        assert_reads_as_the_eager_view,
        assert_whole_reads_are_the_eager_views,
    )

    assert_reads_as_the_eager_view(household, day)
    assert_whole_reads_are_the_eager_views(household, day)
    expected = known_view(household, day)[0]
    for got in (
        known_household(household, day),
        known_household(household, day, latest_by_part(household)),
    ):
        assert type(got) is type(expected) and got == expected
        assert list(got.__dict__.items()) == list(expected.__dict__.items())
        assert got.__pydantic_fields_set__ == expected.__pydantic_fields_set__
        assert (got is household) == (expected is household)


def test_known_household_is_known_views_view_on_the_sample() -> None:
    for household in sample_households():
        latest = latest_day(household)
        assert latest is not None
        for day in (*DAYS, latest, latest - timedelta(days=1)):
            assert_same_view(household, day)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(
    households=fs.household_lists(min_size=1, max_size=4),
    day=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
)
def test_known_household_is_known_views_view_on_drawn_households(
    households: list[ff.Household], day: date
) -> None:
    for household in households:
        assert_same_view(household, day)
        latest = latest_day(household)
        if latest is not None:  # the day before a fact and the day of it
            assert_same_view(household, latest - timedelta(days=1))
            assert_same_view(household, latest)


def test_views_on_one_day_are_made_once_for_every_pack() -> None:
    """The packs of one prepared batch on one day share the day's views (one list, made by the
    first); another day's list replaces it."""
    households = sample_households()[:40]
    prepared = vz.prepare(households)
    first = prepared.views_on(date(2024, 6, 5))
    assert prepared.views_on(date(2024, 6, 5)) is first
    assert first == [known_household(h, date(2024, 6, 5)) for h in households]
    other = prepared.views_on(date(2022, 5, 15))
    assert list(prepared.household_views) == [date(2022, 5, 15)]
    assert other == [known_household(h, date(2022, 5, 15)) for h in households]
    assert len(prepared.household_dates) == len(households)


def test_views_are_kept_only_for_a_day_several_packs_word_texts_on() -> None:
    """compare() keeps a day's views only when two packs or more word texts on that day (a
    date per pack: each row's view is made for it and let go, as before)."""
    from fangfan_rules.analysis.compare import _days_shared

    names: list[str | ff.Pack] = ["qianshan_2023", ff.load_pack("ewenki_2024"), "puan_2025"]
    day, other = date(2024, 6, 5), date(2023, 6, 5)
    assert _days_shared(names, day, reasons=True) == [day]
    assert _days_shared(names, day, reasons=False) == []
    per_pack = {"qianshan_2023": other, "ewenki_2024": day, "puan_2025": day}
    assert _days_shared(names, per_pack, reasons=True) == [day]
    assert _days_shared(names, {**per_pack, "puan_2025": date(2025, 6, 1)}, reasons=True) == []

    households = sample_households()[:30]
    pack = ff.load_pack("ewenki_2024")
    for shared in ([], [day]):
        prepared = vz.prepare(households, share_views_on=shared)
        frame = vz.VectorizedBatch(pack, prepared, as_of=day).frame
        assert list(prepared.household_views) == shared
        alone = vz.VectorizedBatch(pack, households, as_of=day).frame
        assert frame.first_reason.tolist() == alone.first_reason.tolist()
        assert frame.missing_facts.tolist() == alone.missing_facts.tolist()
