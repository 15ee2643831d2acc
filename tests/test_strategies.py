"""The public strategies' knobs do what they say (fangfan_rules.strategies)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, find, given, seed, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.idnumber import check_digit
from fangfan_rules.logic import Missing

PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
#: qianshan_2023's windows as its parameters state them (the strategies' defaults without a pack)
WINDOWS = fs.pack_edges(PACK).windows
REFERENCE_YEAR = ff.DateRange.year(2022)
INCOME_WINDOW = ff.DateRange(start=date(2022, 5, 1), end=date(2023, 4, 30))
DAY = timedelta(days=1)
slow = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def covered_days(records: tuple[ff.IncomeRecord, ...]) -> set[date]:
    return {r.start + DAY * i for r in records for i in range(r.days)}


def window_days(*windows: ff.DateRange) -> set[date]:
    return {w.start + DAY * i for w in windows for i in range(w.days)}


# -- money ------------------------------------------------------------------------------------


@given(fs.yuan(-5000, "10000.01", edges=("9999.99", "10000.00", "10000.01", 99999)))
def test_yuan_is_exact_fen_in_range(amount):
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2
    assert Decimal("-5000") <= amount <= Decimal("10000.01")
    assert ff.Livestock(head_count=1, estimated_value=abs(amount)).estimated_value == abs(amount)


@pytest.mark.parametrize("edge", ["9999.99", "10000.00", "10000.01"])
def test_yuan_edges_are_drawn(edge):
    strategy = fs.yuan(0, 10**9, edges=("9999.99", "10000.00", "10000.01"))
    assert find(strategy, lambda v: v == Decimal(edge)) == Decimal(edge)


def test_yuan_rejects_an_empty_range_and_sub_fen_bounds():
    with pytest.raises(ValueError):
        fs.yuan(10, 5)
    with pytest.raises(ValueError):
        fs.yuan("0.001", 5)


# -- ID numbers -------------------------------------------------------------------------------


@given(fs.id_numbers())
def test_id_numbers_are_valid(number):
    assert ff.validate_id_number(number) == number
    assert number[-1] == check_digit(number[:17])


@given(
    st.dates(date(1930, 1, 1), date(2023, 12, 31)).flatmap(
        lambda d: st.tuples(st.just(d), fs.id_numbers(d))
    )
)
def test_id_numbers_carry_the_birth_date(pair):
    born, number = pair
    assert number[6:14] == born.strftime("%Y%m%d")
    assert ff.validate_id_number(number) == number


def test_id_numbers_sometimes_end_in_x():
    assert find(fs.id_numbers(), lambda n: n.endswith("X")).endswith("X")


# -- income records ---------------------------------------------------------------------------


windows = st.tuples(st.dates(date(2019, 1, 1), date(2024, 12, 31)), st.integers(0, 800)).map(
    lambda t: ff.DateRange(start=t[0], end=t[0] + DAY * t[1])
)


@slow
@given(st.data())
def test_income_records_cover_the_window_exactly(data):
    window = data.draw(windows)
    records = data.draw(fs.income_records(window, max_records=5))
    assert 1 <= len(records) <= 5
    assert list(records) == sorted(records, key=lambda r: r.start)
    assert records[0].start == window.start and records[-1].end == window.end
    for earlier, later in itertools.pairwise(records):
        assert later.start == earlier.end + DAY
    household = ff.Household(
        id="h", area=ff.Area(county="c", town="t", village="v"), hukou="rural", income=records
    )
    assert not isinstance(ff.net_income(household, window), Missing)


@slow
@given(st.data())
def test_income_records_hit_an_aimed_total(data):
    window = data.draw(windows)
    total = data.draw(fs.yuan(-(10**6), 10**9, edges=("0.00", "0.01", "-0.01")))
    records = data.draw(fs.income_records(window, total_net=total))
    assert sum((r.net for r in records), Decimal(0)) == total
    household = ff.Household(
        id="h", area=ff.Area(county="c", town="t", village="v"), hukou="rural", income=records
    )
    assert ff.net_income(household, window) == total


@slow
@given(st.data())
def test_partial_income_records_leave_a_day_uncovered(data):
    window = data.draw(windows)
    records = data.draw(fs.income_records(window, partial=True))
    days = covered_days(records)
    assert days < window_days(window)
    household = ff.Household(
        id="h", area=ff.Area(county="c", town="t", village="v"), hukou="rural", income=records
    )
    assert isinstance(ff.net_income(household, window), Missing)


def test_income_records_refuse_an_aimed_partial_cover():
    with pytest.raises(ValueError):
        fs.income_records(INCOME_WINDOW, partial=True, total_net=100)


# -- households -------------------------------------------------------------------------------


@slow
@given(
    fs.households(
        income_window=REFERENCE_YEAR,
        income_per_capita=st.sampled_from([Decimal("9999.99"), Decimal("10000.00")]),
    )
)
def test_households_hit_an_exact_per_capita_aim(household):
    pc = ff.per_capita_net_income(household, REFERENCE_YEAR)
    assert pc in (Decimal("9999.99"), Decimal("10000.00"))


@slow
@given(fs.households(income_per_capita=("6899.99", "6900.01"), max_members=6))
def test_households_per_capita_range_is_hit_in_every_aimed_window(household):
    for window in WINDOWS:
        pc = ff.per_capita_net_income(household, window)
        assert Decimal("6899.99") <= pc <= Decimal("6900.01")


@slow
@given(fs.households(income_per_capita=10**9))
def test_households_reach_huge_incomes(household):
    assert ff.per_capita_net_income(household, INCOME_WINDOW) == Decimal(10**9)


CUSTOM_WINDOWS = (
    ff.DateRange(start=date(2020, 1, 1), end=date(2020, 6, 30)),
    ff.DateRange(start=date(2020, 3, 1), end=date(2020, 8, 31)),
    ff.DateRange(start=date(2021, 2, 1), end=date(2021, 2, 28)),
)


@slow
@given(fs.households(cover_windows=CUSTOM_WINDOWS, income_coverage="full"))
def test_cover_windows_are_covered_exactly(household):
    assert covered_days(household.income) == window_days(*CUSTOM_WINDOWS)
    assert len(covered_days(household.income)) == sum(r.days for r in household.income)


@slow
@given(fs.households(income_coverage="partial", min_members=1))
def test_partial_coverage_leaves_some_window_unknown(household):
    assert covered_days(household.income) < window_days(*WINDOWS)
    assert any(isinstance(ff.net_income(household, w), Missing) for w in WINDOWS)


@slow
@given(fs.households(income_coverage="none"))
def test_no_coverage_means_no_income_records(household):
    assert household.income == ()


@slow
@given(fs.households(min_members=2, max_members=3))
def test_member_count_and_unique_member_ids(household):
    assert 2 <= len(household.members) <= 3
    assert len({m.id for m in household.members}) == len(household.members)


@slow
@given(fs.households(max_members=0))
def test_empty_households_are_drawn(household):
    assert household.members == ()
    assert isinstance(ff.per_capita_net_income(household, INCOME_WINDOW), Missing)


@slow
@given(fs.households(hukou=ff.HukouKind.URBAN, lifted=False, area_tags=frozenset(), ids="fixed-1"))
def test_fixed_household_knobs(household):
    assert household.hukou == ff.HukouKind.URBAN
    assert household.lifted_out_of_poverty is False and household.lifted_year is None
    assert household.area.tags == frozenset()
    assert household.id == "fixed-1"


@slow
@given(fs.households(lifted=st.none()))
def test_lifted_can_be_forced_unknown(household):
    assert household.lifted_out_of_poverty is None


@slow
@given(fs.households(date_range=(date(2022, 6, 1), date(2022, 6, 30))))
def test_dated_facts_fall_in_date_range(household):
    lo, hi = date(2022, 6, 1), date(2022, 6, 30)
    assert all(lo <= e.date <= hi for e in household.expenditures)
    assert all(lo <= a.start <= hi for a in household.social_assistance)
    assert all(lo <= m.identified_on <= hi for m in household.monitoring)
    for m in household.members:
        if m.disability is not None:
            assert lo <= m.disability.certificate_date <= hi


@slow
@given(
    fs.households(allow_unknown=False, hukou=ff.HukouKind.RURAL),
    fs.as_of_dates(PACK).filter(lambda d: d >= date(2023, 5, 1)),
)
def test_allow_unknown_false_leaves_nothing_missing(household, as_of):
    assert household.lifted_out_of_poverty is not None
    g = household.guarantees
    assert None not in (
        g.housing_grade,
        g.basic_medical_insured,
        g.compulsory_education_ok,
        g.drinking_water_safe,
    )
    assert household.self_coping is not None and household.serious_difficulty is not None
    head = household.members[0]
    assert head.counted_in_household and head.birth_date < date(2021, 1, 1)
    # every figure the plan leaves to the caller is supplied (收入较低, the look-back start, ⑤'s
    # 较大 / 大幅 and the periods of its income fall)
    supplied = PACK.with_parameters(
        low_income_threshold=8000,
        screening_lookback_start="2022-05-01",
        rigid_spending_threshold=10000,
        sharp_income_fall_amount=3000,
        income_fall_window="2022-01-01..2022-12-31",
        income_fall_previous_window="2021-01-01..2021-12-31",
    )
    result = supplied.identify(household, as_of=as_of)
    assert result.missing_facts == ()
    assert result.outcome != ff.Outcome.NEEDS_REVIEW or result.review_points


@slow
@given(fs.households(profile="calm"))
def test_calm_profile_has_no_risk_but_income(household):
    g = household.guarantees
    assert g.housing_grade in (ff.HousingGrade.A, ff.HousingGrade.B)
    assert g.basic_medical_insured and g.compulsory_education_ok and g.drinking_water_safe
    assert household.risk_events == () and household.expenditures == ()
    assert household.green_channel is None


@slow
@given(
    fs.households(profile="green_channel", hukou=ff.HukouKind.RURAL),
    fs.as_of_dates(PACK),
)
def test_green_channel_profile_reaches_the_green_channel_once_confirmed(household, as_of):
    record = household.green_channel
    confirmed = record.town_confirmed_on is not None and record.village_confirmed_on is not None
    known, _ = ff.known_at(household, as_of)
    # a household already under monitoring is in the system already: no green channel, its
    # hardship serves its assistance (outcome.already_monitored)
    monitored = any(r.eliminated_on is None for r in known.monitoring)
    result = PACK.identify(household, as_of=as_of)
    assert result.green_channel.applies == (confirmed and not monitored)
    if confirmed:  # entered, helped at once; identification by the procedure (qianshan 一、(一)4)
        assert result.outcome == ff.Outcome.NEEDS_REVIEW


@settings(  # expensive: up to six households per example
    max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    fs.household_lists(
        min_size=2, max_size=6, ids=st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])
    )
)
def test_household_lists_have_unique_ids(households):
    assert 2 <= len(households) <= 6
    assert len({h.id for h in households}) == len(households)


@given(fs.as_of_dates(PACK))
def test_as_of_dates_stay_in_force_and_in_the_calendar(day):
    assert PACK.valid_from <= day <= fs.CALENDAR_LAST_DAY == date(2026, 12, 28)


@pytest.mark.parametrize(
    "day", [date(2023, 4, 28), date(2023, 4, 30), date(2023, 5, 1), date(2026, 12, 28)]
)
def test_as_of_dates_draw_the_window_edges(day):
    assert find(fs.as_of_dates(PACK), lambda d: d == day) == day


@slow
@given(fs.members(ids="x", relation=ff.Relation.CHILD, counted=False, allow_unknown=False))
def test_member_knobs(member):
    assert member.id == "x" and member.relation == ff.Relation.CHILD
    assert member.counted_in_household is False
    assert None not in (member.birth_date, member.labour, member.schooling, member.employment)
    if member.id_number is not None:
        assert member.id_number[6:14] == member.birth_date.strftime("%Y%m%d")


@given(
    fs.expenditures(kinds=ff.ExpenditureKind.MEDICAL), fs.risk_events(types=ff.RiskType.ACCIDENT)
)
def test_spending_and_event_knobs(spending, event):
    assert spending.kind == ff.ExpenditureKind.MEDICAL
    assert spending.reimbursed + spending.compliant_self_paid <= spending.total
    assert event.type == ff.RiskType.ACCIDENT


def test_households_refuse_contradictory_knobs():
    with pytest.raises(ValueError):
        fs.households(income_per_capita=100, income_coverage="none")
    with pytest.raises(ValueError):
        fs.households(income_per_capita=100, max_members=0)
    with pytest.raises(ValueError):
        fs.households(min_members=3, max_members=2)


# -- shrinking --------------------------------------------------------------------------------


def test_a_failure_needing_one_member_shrinks_to_one_member():
    """Generation is fast because small facts are packed and groups gated (issue 14 target 4);
    shrinking must still reach a small household: a property failing for any household with a
    member shrinks to one member and no extra facts."""
    found = find(
        fs.households(),
        lambda h: len(h.members) >= 1,
        settings=settings(database=None, max_examples=200),
    )
    assert len(found.members) == 1
    assert found.clues == () and found.monitoring == () and found.risk_events == ()
    assert found.members[0].child_status == ()


def test_a_failure_needing_a_child_shrinks_to_the_child_and_at_most_a_head():
    """The first member is usually drawn as the head (shrinking prefers it, then a child comes
    second); drawn directly as a child it is a minimal household of its own."""
    # derandomize: an unseeded search occasionally stopped at [sibling, child] (CI, 2026-12-07):
    # the packed record's relation digit can sit in a local minimum of the shrinker. The fixed
    # walk checks what shrinking reaches; the occasional local minimum is noted for the strategies.
    found = find(
        fs.households(),
        lambda h: any(m.relation == ff.Relation.CHILD for m in h.members),
        settings=settings(database=None, max_examples=200, derandomize=True),
    )
    relations = [m.relation for m in found.members]
    assert relations in ([ff.Relation.CHILD], [ff.Relation.HEAD, ff.Relation.CHILD]), relations


def test_qianshan_windows_are_read_from_the_pack_and_old_names_are_deprecated():
    assert WINDOWS == (ff.DateRange.year(2021), REFERENCE_YEAR, INCOME_WINDOW)
    with pytest.warns(DeprecationWarning, match="pack's own edges"):
        assert fs.QIANSHAN_WINDOWS == WINDOWS
    assert "QIANSHAN_WINDOWS" not in fs.__all__


# -- sums of spending and helpers on a pack's own edges ----------------------------------------

JIMO = ff.load_pack("jimo_2022").with_parameters(
    monitoring_income_line=7000, income_window="2021-05-01..2022-04-30"
)
JIMO_AS_OF = date(2022, 5, 17)
JIMO_CARE = ("inpatient", "chronic_special_outpatient")
RONGAN = ff.load_pack("rongan_2022").with_parameters(
    monitoring_income_line=6500, income_window="2021-01-01..2021-12-31"
)


def _variable(name: str, household: ff.Household, as_of: date, **args):
    from fangfan_rules.variables.registry import Context

    view, _ = ff.known_at(household, as_of)
    return ff.VARIABLES[name](Context(view, as_of), **args)


def test_pack_edges_read_the_days_each_spending_sum_reads():
    """Jimo's 附件1 医保局 item is the day a calendar year's burden went above the line, read up to
    the last fed day (the end of the previous month): the days come from the variable's own reading
    of as_of, the figure from the pack (an argument of the variable, not the rule's operand)."""
    sums = {(s.threshold.variable, s.threshold.op): s for s in fs.pack_edges(JIMO, JIMO_AS_OF).sums}
    (feed,) = sums.values()
    assert (feed.threshold.variable, feed.threshold.op) == ("medical_burden_feed_open", "gt")
    assert feed.window == ff.DateRange(start=date(2022, 1, 1), end=date(2022, 4, 30))
    assert feed.part == "burden"
    assert {c.value for c in feed.care} == set(JIMO_CARE)
    assert feed.threshold.value == Decimal("20000.00")
    assert feed.threshold.source == "medical_burden_threshold"
    # without as_of only sums over a stated window are known (ewenki's income window)
    assert fs.pack_edges(JIMO).sums == ()
    ewenki = fs.pack_edges(ff.load_pack("ewenki_2024")).sums
    assert {(s.threshold.rule_id, s.threshold.value) for s in ewenki} >= {
        ("ewenki_2024.key_attention.major_illness_self_paid", Decimal("10000.00"))
    }
    assert {s.part for s in ewenki} == {"self_paid"}


def _drawn(strategy, value, examples: int = 600) -> set:
    """Every ``value(household)`` of a bounded, reproducible run (generation only: no shrinking).

    600 households: a seeded run's hits on one edge come in clusters (hypothesis's engine
    mutates a test case into near copies), so 300 missed an edge in about one seed in twelve
    even before generation was packed into fewer choices (benchmarks/strategies_speed.py: 600
    now take about the time 300 took then)."""
    found = set()

    @seed(0)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(household):
        found.add(value(household))

    draw()
    return found


def test_jimo_medical_burden_lands_on_each_edge_through_the_last_fed_day():
    """Does any household just below Jimo's 20,000-yuan medical burden get a warning? Households
    are drawn with the year's burden through the last fed day exactly 0.01 below, on and above it,
    and the feed variable answers both ways."""
    feed = {
        "since": date(2022, 4, 1),
        "care": JIMO_CARE,
        "threshold": Decimal("20000.00"),
        "due_day": 7,
    }
    found = _drawn(
        fs.households(pack=JIMO, as_of=JIMO_AS_OF),
        lambda h: (
            _variable("medical_burden_through_month", h, JIMO_AS_OF, care=JIMO_CARE, back=1),
            _variable("medical_burden_feed_open", h, JIMO_AS_OF, **feed) is True,
        ),
    )
    sums = {f[0] for f in found}
    for amount in ("19999.99", "20000.00", "20000.01"):
        assert Decimal(amount) in sums, amount
    assert {f[1] for f in found} == {True, False}


def test_a_household_just_below_jimo_medical_burden_shrinks_to_its_spending():
    target = Decimal("19999.99")
    found = find(
        fs.households(pack=JIMO, as_of=JIMO_AS_OF),
        lambda h: (
            _variable("medical_burden_through_month", h, JIMO_AS_OF, care=JIMO_CARE, back=1)
            == target
        ),
        settings=settings(database=None, max_examples=1000),
    )
    # shrinking keeps only what the burden needs: one record, no other dated facts
    assert len(found.expenditures) == 1 and found.expenditures[0].personal_burden == target
    assert found.monitoring == () and found.risk_events == () and found.clues == ()


def test_ewenki_major_illness_self_paid_lands_on_each_edge():
    window = ff.DateRange(start=date(2023, 5, 1), end=date(2024, 4, 30))
    found = _drawn(
        fs.households(pack=ff.load_pack("ewenki_2024")),
        lambda h: _variable(
            "compliant_self_paid",
            h,
            date(2024, 6, 20),
            window=window,
            kinds=(ff.ExpenditureKind.MEDICAL,),
        ),
    )
    assert {Decimal("9999.99"), Decimal("10000.00"), Decimal("10000.01")} <= found


def test_monitoring_records_name_no_helper_one_or_two():
    """Rongan's double-helper system (二、(二)1) compares the helpers of the open spell with 2."""

    def helpers(h: ff.Household) -> tuple[int, bool] | None:
        view, _ = ff.known_at(h, date(2022, 12, 31))  # the records as known that day
        records = [r for r in view.monitoring if r.eliminated_on is None]
        if not records:
            return None
        latest = max(records, key=lambda r: r.identified_on)
        named = [x for x in (latest.helper, latest.second_helper) if x]
        count = _variable("monitoring_helper_count", h, date(2022, 12, 31))
        return count, len(named) == len(set(named)) == count

    found = _drawn(fs.households(pack=RONGAN), helpers)
    assert {(0, True), (1, True), (2, True)} <= found
    assert all(ok for count, ok in filter(None, found))


# -- fast draws -------------------------------------------------------------------------------
# Inside the composites, one_of and .map are drawn by hand (fewer hypothesis spans, faster). For
# the same choices they must give what the plain strategies give: st.one_of flattens nested
# one_ofs, pushes .map into its branches, drops a branch repeated by identity and turns a
# one-value sampled_from into just (no choice). The references below are the plain expressions.


def _draw(strategy, *, seed=None, choices=None):
    """One value of ``strategy`` from random choices (``seed``) or given ones, and the choices."""
    import random

    from hypothesis.control import BuildContext
    from hypothesis.internal.conjecture.data import ConjectureData

    if choices is None:
        data = ConjectureData(random=random.Random(seed))
    else:
        data = ConjectureData.for_choices(choices)
    with BuildContext(data, wrapped_test=lambda: None):
        data.start_span(0)
        value = data.draw(strategy)
    return value, tuple(node.value for node in data.nodes)


def _plain_yuan(lo, hi, edges=()):
    fen = [int(Decimal(e) * 100) for e in edges]
    body = st.integers(lo * 100, hi * 100)
    if fen:
        body = st.one_of(st.sampled_from(fen), body)
    return body.map(lambda n: Decimal(n).scaleb(-2))


def _plain_dates(lo, hi, edges):
    inside = sorted({d for d in (*edges, lo, hi) if lo <= d <= hi})
    days = st.integers(0, (hi - lo).days).map(lambda n: lo + timedelta(days=n))
    return st.one_of(st.sampled_from(inside), days)


_LEVEL_EDGES = (Decimal("6899.99"), Decimal("6900.00"), Decimal("6900.01"))
_ON_EDGE = st.sampled_from(_LEVEL_EDGES)
_PLAIN = {
    "yuan": (_plain_yuan(0, 10**9, (10**9,)), fs.yuan(0, 10**9, edges=(10**9,))),
    "levels": (
        st.one_of(
            _ON_EDGE,
            _ON_EDGE,
            _plain_yuan(0, 30000),
            _plain_yuan(30000, 10**9, (10**9,)),
            _plain_yuan(-5000, 0),
        ),
        fs.per_capita_levels(edges=_LEVEL_EDGES),
    ),
    "dates": (
        _plain_dates(date(2021, 1, 1), date(2023, 12, 31), (date(2023, 1, 1),)),
        fs.dates(date(2021, 1, 1), date(2023, 12, 31), edges=(date(2023, 1, 1),)),
    ),
    "one-day dates": (
        _plain_dates(date(2023, 1, 1), date(2023, 1, 1), ()),
        fs.dates(date(2023, 1, 1), date(2023, 1, 1), edges=()),
    ),
}


@pytest.mark.parametrize("name", sorted(_PLAIN))
def test_fast_draws_give_what_the_plain_strategies_give(name):
    plain, fast = _PLAIN[name]
    for i in range(200):
        for one, other in ((plain, fast), (fast, plain)):
            value, choices = _draw(one, seed=i)
            assert _draw(other, choices=choices)[0] == value, (name, i, choices)


# -- packed records ---------------------------------------------------------------------------


def test_a_packed_record_reaches_every_combination_and_shrinks_to_the_first_values():
    """A record's facts are digits of a few integer choices (fangfan_rules.strategies.records):
    every combination of values is some choice sequence, the all-zero one decodes to each
    option's first value (what shrinking goes to), and a gated record stops at its gate."""
    from itertools import product
    from math import prod

    from fangfan_rules.strategies import records as rec

    options = ((False, True, True), tuple(range(7)), tuple("abcdefghij"), (None, 1, 2))
    record = rec.Record(
        rec.Of(options[0]),
        rec.Of(options[1]),
        rec.Of(options[2], loose=True),
        rec.Of(options[3]),
        gated=True,
    )
    sizes = [chunk.sizes for chunk in record.chunks]
    assert all(prod(s) <= 2**24 for s in sizes)
    strategy = st.composite(lambda draw: record(draw))()
    seen = set()
    for choices in product(*(range(prod(s)) for s in sizes)):
        values, used = _draw(strategy, choices=choices)
        if values is None:
            assert len(used) == 1  # the gate is in the first choice: nothing more is drawn
            continue
        seen.add(tuple(values))
    assert seen == {v for v in product(*options) if v[0]}
    assert _draw(strategy, choices=(0,) * len(sizes))[0] is None  # gate first: no element
    assert set(rec.gate(0, 6)) == {False, True}


def test_every_value_of_the_enums_rules_select_by_is_drawn():
    """Enums the rules compare against (risk types, spending kinds, hukou, schooling, employment,
    monitoring categories, departments, channels) are uniform digits of their records, not
    "loose" ones that a wide packed integer mostly draws as their first value: 1,000 seeded
    households draw every risk type, spending kind and hukou kind, no risk type or spending kind
    in over 40 % of the draws (an earlier packing drew one risk type in half the events and three
    almost never) and rural hukou, drawn half the time by design plus its share of the other
    half (60 %), in at most 75 %."""
    from collections import Counter

    from fangfan_rules.vocabulary import ExpenditureKind, HukouKind, RiskType

    seen: dict[str, Counter[str]] = {"risk": Counter(), "spending": Counter(), "hukou": Counter()}

    # 1,000 draws, not 300: hypothesis's generate phase also mutates (copies spans of earlier
    # examples), so a short seeded run depends on its version's walk (6.170.23–27 drew no 农转非
    # in 300 under this seed, rural in 80 %) — the check is about the strategy, not one walk.
    @seed(20261206)
    @settings(
        max_examples=1000,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(fs.households())
    def draw(household: ff.Household) -> None:
        seen["hukou"][household.hukou.value] += 1
        seen["risk"].update(e.type.value for e in household.risk_events)
        seen["spending"].update(e.kind.value for e in household.expenditures)

    draw()
    for name, enum, most in (
        ("risk", RiskType, 0.4),
        ("spending", ExpenditureKind, 0.4),
        ("hukou", HukouKind, 0.75),
    ):
        assert set(seen[name]) == {v.value for v in enum}, (name, seen[name])
        top = seen[name].most_common(1)[0][1]
        assert top <= most * sum(seen[name].values()), (name, seen[name])
