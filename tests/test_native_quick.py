"""The native engine's shortcuts give what the long way gives.

* ``known_at``: a household with nothing dated after as_of is its own view; otherwise only the
  parts holding a later date are copied. Both equal the full walk, and ``latest_day`` is exactly
  the date from which nothing is left out.
* Age: full years in plain arithmetic equal relativedelta's.
* Income: the pro-rata sum in exact integers equals ``Fraction`` arithmetic record by record.
* Quick closures: an answer read long after other households were evaluated (its reasons and
  trace replayed then) equals the answer built at once; a day on which a figure the document
  needs is missing raises the same error for the same households as the recording closures.
* Assembly: a deferred answer assembled without validation (``trusted``) has the same fields,
  types, fields set, private state, dump and pickle as the validated one.
"""

from __future__ import annotations

import pickle
import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

import fangfan_rules as ff
from fangfan_rules.dates import DateRange
from fangfan_rules.engines.native import _identify, identify, population_for
from fangfan_rules.errors import MissingParameterError
from fangfan_rules.facts.known import (
    _as_known,
    _copy_with,
    _later_parts,
    excluded_facts,
    known_at,
    known_view,
    latest_by_part,
    latest_day,
)
from fangfan_rules.facts.records import IncomeRecord
from fangfan_rules.logic import Missing
from fangfan_rules.results import Identification, Trace
from fangfan_rules.variables import income
from fangfan_rules.variables.member import full_years
from tests.helpers import latency_pack, latency_packs, sample_households

PACKS = latency_packs()


@pytest.fixture(scope="module")
def households() -> list[ff.Household]:
    return sample_households()


# -- known_at ----------------------------------------------------------------------------------


def test_latest_day_is_where_the_walk_stops_leaving_facts_out(households):
    for household in households:
        latest = latest_day(household)
        assert latest is not None  # every sample household has a dated fact
        view, left_out = _as_known(household, latest)
        assert left_out == () and view == household
        view, left_out = _as_known(household, latest - timedelta(days=1))
        assert left_out or view != household, household.id


def test_known_at_equals_the_full_walk_on_every_kind_of_day(households):
    days = [date(2021, 1, 1), date(2022, 5, 15), date(2023, 6, 5), date(2024, 6, 5)]
    days += [date(2025, 7, 1), date(2030, 1, 1)]
    quick_ones = 0
    for household in households:
        for day in days:
            view, excluded = known_at(household, day)
            walked, left_out = _as_known(household, day)
            assert view == walked
            assert excluded == excluded_facts(left_out)
            quick_ones += view is household
            latest = latest_by_part(household)
            assert _later_parts(household, day) == {
                part for part, d in latest.items() if d is not None and d > day
            }
            kept_view, kept_left_out = known_view(household, day, latest)
            assert kept_view == view and excluded_facts(kept_left_out) == excluded
    assert quick_ones  # some days need no copy at all


def test_copy_with_equals_model_copy(households):
    for household in households:
        parts = [(household, {"income": (), "lifted_year": None})]
        for m in household.members:
            parts.append((m, {"disability": None, "child_status": ()}))
            parts.append((m.health, {"special_major_disease_since": None}))
        parts += [(a, {"end": None}) for a in household.social_assistance]
        for model, update in parts:
            mine, theirs = _copy_with(model, update), model.model_copy(update=update)
            assert type(mine) is type(theirs) and mine == theirs
            assert list(mine.__dict__.items()) == list(theirs.__dict__.items())
            assert mine.__pydantic_fields_set__ == theirs.__pydantic_fields_set__
            assert mine.__pydantic_extra__ == theirs.__pydantic_extra__
            assert mine.__pydantic_private__ == theirs.__pydantic_private__
            assert mine.model_dump_json(exclude_unset=True) == theirs.model_dump_json(
                exclude_unset=True
            )


# -- income ------------------------------------------------------------------------------------


def _reference(records: list[IncomeRecord], window: DateRange) -> Fraction | Missing:
    """The pro-rata sum as written before: a Fraction per record."""
    total, covered = Fraction(0), 0
    for r in records:
        overlap = window.overlap_days(r.start, r.end)
        if overlap:
            covered += overlap
            total += Fraction(r.net) * Fraction(overlap, r.days)
    if covered < window.days:
        return Missing(
            (f"income records for {window.days - covered} of {window.days} days of {window}",)
        )
    return total


def _amount(rnd: random.Random, signed: bool = False) -> Decimal:
    value = Decimal(rnd.randint(0, 5_000_000)) / (100 if rnd.random() < 0.5 else 1)
    return -value if signed and value and rnd.random() < 0.3 else value


def test_integer_pro_rata_equals_fraction_arithmetic():
    rnd = random.Random(20231)
    covered = 0
    for _ in range(2000):
        records, day = [], date(2020, 1, 1) + timedelta(days=rnd.randint(0, 300))
        for _ in range(rnd.randint(0, 4)):
            length = rnd.choice([1, 30, 180, 365, 366, rnd.randint(1, 800)])
            records.append(
                IncomeRecord(
                    start=day,
                    end=day + timedelta(days=length - 1),
                    wage_income=_amount(rnd),
                    business_income=_amount(rnd),
                    property_income=_amount(rnd, signed=True),
                    transfer_income=_amount(rnd),
                    business_expense=_amount(rnd),
                )
            )
            day += timedelta(days=length + rnd.choice([0, 0, 0, 1, 10]))
        start = date(2020, 1, 1) + timedelta(days=rnd.randint(0, 900))
        window = DateRange(start=start, end=start + timedelta(days=rnd.randint(0, 400)))
        expected = _reference(records, window)
        assert income._net_fraction(records, window) == expected
        if isinstance(expected, Fraction):
            covered += 1
            num, den = income._net_ratio(records, window)  # type: ignore[misc]
            for size in (1, 3, 7):
                assert Fraction(num, den * size) == expected / size
    assert covered > 200  # enough windows fully covered to compare figures


# -- member age ---------------------------------------------------------------------------------


def test_full_years_equals_relativedelta():
    # Every birthday of a leap and a common year (and 29 February), against evaluation days on
    # both sides of each month's end, through February and March of a common and a leap year.
    born_days = [date(2000, 1, 1) + timedelta(days=k) for k in range(366)]
    born_days += [date(2001, 1, 1) + timedelta(days=k) for k in range(365)]
    born_days.append(date(2004, 2, 29))
    as_of_days = {date(y, 2, 1) + timedelta(days=k) for y in (2023, 2024) for k in range(59)}
    for month in range(1, 13):
        first = date(2023, month, 1)
        as_of_days |= {first, first + timedelta(days=1), first - timedelta(days=1)}
        as_of_days.add(first - timedelta(days=2))
    for born in born_days:
        for as_of in as_of_days:
            assert full_years(born, as_of) == relativedelta(as_of, born).years, (born, as_of)
    for born, as_of in [
        (date(2024, 3, 1), date(2024, 2, 29)),
        (date(2030, 1, 1), date(2023, 6, 5)),
    ]:
        assert full_years(born, as_of) == relativedelta(as_of, born).years


# -- quick closures and replay -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PACKS))
def test_answers_read_after_the_whole_batch_equal_the_eager_ones(name, households):
    pack, as_of = latency_pack(name)
    population = population_for(pack, households, as_of=as_of)
    batch = households[::4]
    lazy = [identify(pack, h, as_of=as_of, population=population) for h in batch]
    for household, answer in zip(reversed(batch), reversed(lazy), strict=True):
        eager = _identify(pack, household, as_of, None, population, deferred=False)
        assert answer.explain("en", trace=True) == eager.explain("en", trace=True)
        assert answer.model_dump_json() == eager.model_dump_json()


@pytest.mark.parametrize("name", ["qianshan_2023", "jimo_2022", "rongan_2022"])
def test_a_missing_figure_raises_for_the_same_households_as_before(name, households):
    pack = ff.load_pack(name)  # without the caller's figures
    as_of = PACKS[name][0]

    def outcome(deferred: bool, household: ff.Household) -> str:
        try:
            return _identify(pack, household, as_of, None, None, deferred=deferred).outcome
        except MissingParameterError as exc:
            return f"error: {exc}"

    results = [(outcome(True, h), outcome(False, h)) for h in households[::5]]
    assert all(quick == recorded for quick, recorded in results)
    assert any(quick.startswith("error") for quick, _ in results)


# -- assembly ----------------------------------------------------------------------------------


def _types(value: Any) -> Any:
    """The type of ``value`` and of everything inside it (tuples, dicts, result models)."""
    if isinstance(value, tuple | list):
        return (type(value), [_types(v) for v in value])
    if isinstance(value, dict):
        return (type(value), {k: _types(v) for k, v in value.items()})
    if hasattr(type(value), "model_fields"):
        return (type(value), _types(dict(value.__dict__)))
    return type(value)


def test_trusted_assembly_equals_the_validated_one(households, monkeypatch):
    calls: list[dict[str, Any]] = []
    original = Identification.deferred.__func__  # type: ignore[attr-defined]

    def capture(cls: type[Identification], builders: Any, **fields: Any) -> Identification:
        calls.append(fields)
        return original(cls, builders, **fields)  # type: ignore[no-any-return]

    monkeypatch.setattr(Identification, "deferred", classmethod(capture))
    for name in sorted(PACKS):
        pack, as_of = latency_pack(name)
        for household in households[::10]:
            identify(pack, household, as_of=as_of)
    monkeypatch.undo()
    assert calls and all(c["trusted"] for c in calls)
    outcomes = set()
    for fields in calls:
        given = {k: v for k, v in fields.items() if k != "trusted"}
        made = [
            Identification.deferred(
                {"reasons": lambda: (), "trace": lambda: _STANDIN_TRACE},
                trusted=trusted,
                **given,
            )
            for trusted in (True, False)
        ]
        fast, checked = made
        outcomes.add(fast.outcome)
        assert list(fast.__dict__) == list(checked.__dict__)
        assert _types(dict(fast.__dict__)) == _types(dict(checked.__dict__))
        assert fast.__pydantic_fields_set__ == checked.__pydantic_fields_set__
        assert fast.__pydantic_extra__ == checked.__pydantic_extra__
        assert list(fast.__pydantic_private__) == list(checked.__pydantic_private__)  # type: ignore[arg-type]
        assert fast == checked  # builds both (the same empty reasons and stand-in trace)
        # (the bytes of a pickle follow the order of the fields-set, a set: compare round trips)
        again = pickle.loads(pickle.dumps(fast))
        assert again == checked
        assert again.__pydantic_fields_set__ == checked.__pydantic_fields_set__
        assert fast.model_dump_json() == checked.model_dump_json()
    assert len(outcomes) > 1


_STANDIN_TRACE = Trace(rules=(), parameters=(), excluded_facts=())


# -- deadlines ---------------------------------------------------------------------------------


def test_deadlines_and_texts_kept_for_the_day_equal_fresh_ones(households, monkeypatch):
    from fangfan_rules import calendar as cal
    from fangfan_rules.engines import native

    pack, as_of = latency_pack("qianshan_2023")
    population = population_for(pack, households, as_of=as_of)
    kept = [identify(pack, h, as_of=as_of, population=population) for h in households]
    kept += [identify(pack, h, as_of=as_of, population=population) for h in households]
    fresh = []
    for h in households * 2:
        native._DEADLINES.clear()
        native._MISSING_TEXTS.clear()
        native._GROUP_MATCHES.clear()
        fresh.append(identify(pack, h, as_of=as_of, population=population))
    assert [a.model_dump() for a in kept] == [a.model_dump() for a in fresh]
    assert sum(a.outcome.value == "needs_review" for a in kept) > 10
    assert sum(bool(a.key_attention or a.key_areas or a.flags) for a in kept) > 10
    assert sum(bool(a.deadlines) for a in kept) > 10  # the sample has deadlines to keep
    # Another default calendar (FANGFAN_CALENDAR changed) is asked, not answered from the cache.
    asked = []
    real = cal.default_calendar()

    class Counting:
        def __getattr__(self, name):
            asked.append(name)
            return getattr(real, name)

    monkeypatch.setattr(cal, "default_calendar", lambda: Counting())
    again = [identify(pack, h, as_of=as_of, population=population) for h in households[:50]]
    assert [a.deadlines for a in again] == [a.deadlines for a in kept[:50]]
    assert asked
