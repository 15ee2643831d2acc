"""Property-based tests of the engine and the income arithmetic, on the public strategies.

Every property draws households from :mod:`fangfan_rules.strategies` (the same strategies users
import for their own suites) and evaluates them with qianshan_2023 and a supplied monitoring line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.logic import Missing
from fangfan_rules.variables import counted_members
from tests.helpers import QIANSHAN_WINDOWS

LINE = Decimal("6900")
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=LINE)
#: Packs with other supplied lines, built once (a line on, just under and far from the edges).
PACKS_BY_LINE = {
    line: ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=line)
    for line in (Decimal("0.00"), Decimal("6900.00"), Decimal("10000.01"), Decimal("1000000000.00"))
}
DAY = timedelta(days=1)
RANK = {
    ff.Outcome.NOT_ELIGIBLE: 0,
    ff.Outcome.NEEDS_REVIEW: 1,
    ff.Outcome.IDENTIFY: 2,
}
#: A rule's status in Kleene order: more income may only move an income rule down this order.
KLEENE = {"not_fired": 0, "unknown": 1, "fired": 2}
INCOME_RULES = ("qianshan_2023.risk.income_below_line", "qianshan_2023.key_attention.1")
RAISABLE = ("wage_income", "business_income", "property_income", "transfer_income")

relaxed = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
households = fs.households()
rural = fs.households(hukou=ff.HukouKind.RURAL)
as_of_dates = fs.as_of_dates(PACK)


def statuses(result: ff.Identification) -> dict[str, str]:
    return {rule.rule_id: rule.status for rule in result.trace.rules}


def content_hash(result: ff.Identification) -> str:
    return hashlib.sha256(result.model_dump_json().encode("utf-8")).hexdigest()


def revalidated(household: ff.Household, **changes: Any) -> ff.Household:
    """``household`` with ``changes``, validated again (model_copy alone would skip validation)."""
    data = household.model_dump(context={"reveal_ids": True})
    data.update(changes)
    return ff.Household.model_validate(data)


# -- facts ------------------------------------------------------------------------------------


@relaxed
@given(households)
def test_households_validate_and_round_trip_exactly(household):
    revealed = household.model_dump_json(context={"reveal_ids": True})
    assert ff.Household.model_validate_json(revealed) == household
    assert ff.load_household(revealed) == household
    numbers = [m.id_number for m in household.members if m.id_number is not None]
    masked_dumps = (
        household.model_dump_json(),
        json.dumps(household.model_dump(mode="json"), ensure_ascii=False),
        repr(household),
    )
    for number in numbers:
        assert number in revealed
        for dump in masked_dumps:
            assert number not in dump
        assert ff.mask_id_number(number) in masked_dumps[0]


# -- income monotonicity ----------------------------------------------------------------------


@relaxed
@given(rural, as_of_dates, st.data())
def test_more_income_never_strengthens_the_income_criterion(household, as_of, data):
    """Raising a non-negative-direction component of one record (wage, business, property or
    transfer income) can only switch the income rules off. Under Kleene logic a rule's status is
    ordered not_fired < unknown < fired, and more income never moves it up: a rule that fires
    afterwards fired before, and an unknown may resolve to not_fired (qianshan key_attention.1
    with a negative property income: more income settles "below the line" as false) but never to
    fired. The outcome never gets stronger (identify > needs_review > not_eligible) — in
    particular not_eligible never becomes identify."""
    assume(household.income)
    index = data.draw(st.integers(0, len(household.income) - 1), label="record")
    component = data.draw(st.sampled_from(RAISABLE), label="component")
    raise_by = data.draw(fs.yuan("0.01", 10**9, edges=("0.01", "1.00", 10**9)), label="by")
    record = household.income[index]
    richer_record = record.model_copy(update={component: getattr(record, component) + raise_by})
    income = list(household.income)
    income[index] = ff.IncomeRecord.model_validate(richer_record.model_dump())
    richer = revalidated(household, income=income)

    before = PACK.identify(household, as_of=as_of)
    after = PACK.identify(richer, as_of=as_of)
    s_before, s_after = statuses(before), statuses(after)
    for rule in INCOME_RULES:
        assert KLEENE[s_after[rule]] <= KLEENE[s_before[rule]], (
            rule,
            s_before[rule],
            s_after[rule],
        )
    assert RANK[after.outcome] <= RANK[before.outcome]
    if before.outcome == ff.Outcome.NOT_ELIGIBLE:
        assert after.outcome == ff.Outcome.NOT_ELIGIBLE


# -- order and determinism --------------------------------------------------------------------

_POSITIONAL = re.compile(r"^(\w+)\[(\d+)\](.*)$")
_COLLECTIONS = (
    "members",
    "income",
    "expenditures",
    "risk_events",
    "social_assistance",
    "monitoring",
)


def _named_path(household: ff.Household, path: str) -> str:
    """``members[2].disability`` → ``members[m7].disability``: name the fact, not its position."""
    match = _POSITIONAL.match(path)
    if not match:
        return path
    name, index, rest = match.group(1), int(match.group(2)), match.group(3)
    item = getattr(household, name)[index]
    key = item.id if name == "members" else item.model_dump_json()
    return f"{name}[{key}]{rest}"


def _excluded_named(household: ff.Household, result: ff.Identification) -> list[tuple[str, ...]]:
    return sorted(
        (_named_path(household, e.path), e.dated.isoformat(), e.reason)
        for e in result.trace.excluded_facts
    )


def _listing(text: str, head: str, opening: str, closing: str) -> list[str]:
    """``head`` + ``opening`` + details joined by ``；`` / ``; `` + ``closing``, with the details
    (per-member checks or missing facts, listed in input order) as a sorted multiset."""
    # A reason that fired: "title（detail；detail）"; one not met (negated): "detail；detail，不符合
    # “title”" / "detail; detail, so not met: title"; a missing-facts point: "缺少：…；…".
    for start, end in (
        (head + opening, closing),
        ("", f"，不符合“{head}”"),
        ("", f", so not met: {head}"),
    ):
        if text.startswith(start) and text.endswith(end) and len(text) > len(start) + len(end):
            body = text[len(start) : len(text) - len(end)]
            return [start, *sorted(re.split(r"；|; ", body)), end]
    return [text]


_MISSING_POINT = {"zh": "缺少：", "en": "find out: "}


def canonical(household: ff.Household, result: ff.Identification) -> dict[str, Any]:
    """The full result, with positional paths named and per-member listings put in one order."""
    dump = result.model_dump(mode="json")
    dump["trace"]["excluded_facts"] = _excluded_named(household, result)
    for rule in dump["trace"]["rules"]:
        rule["checks"] = sorted(rule["checks"], key=lambda c: json.dumps(c, sort_keys=True))
        rule["missing_facts"] = sorted(rule["missing_facts"])
    dump["missing_facts"] = sorted(dump["missing_facts"])
    for reason in dump["reasons"]:
        title = PACK.rule(reason["rule_id"]).title
        reason["text_zh"] = _listing(reason["text_zh"], title.zh, "（", "）")
        reason["text_en"] = _listing(reason["text_en"], title.en, " (", ")")
    dump["review_points"] = [
        {lang: _listing(point[lang], _MISSING_POINT[lang], "", "") for lang in ("zh", "en")}
        for point in dump["review_points"]
    ]
    return dump


@st.composite
def shuffled(draw: st.DrawFn, household: ff.Household) -> ff.Household:
    return household.model_copy(
        update={
            name: tuple(draw(st.permutations(getattr(household, name)), label=name))
            for name in _COLLECTIONS
        }
    )


@relaxed
@given(households, as_of_dates, st.data())
def test_order_of_members_and_records_changes_nothing_but_listing_order(household, as_of, data):
    """Permuting members, income records and the other dated lists leaves the whole result equal,
    once positional paths (``members[2]``) name their fact and per-member details (trace checks,
    missing facts, the clauses of a reason) are compared as multisets."""
    other = data.draw(shuffled(household), label="permuted")
    first = PACK.identify(household, as_of=as_of)
    second = PACK.identify(other, as_of=as_of)
    assert canonical(household, first) == canonical(other, second)
    # The decision itself is equal without any canonicalisation.
    for field in (
        "outcome",
        "category",
        "risk_types",
        "key_attention",
        "key_areas",
        "must_visit",
        "green_channel",
        "deadlines",
        "reforms",
    ):
        assert getattr(first, field) == getattr(second, field), field
    assert [r.rule_id for r in first.reasons] == [r.rule_id for r in second.reasons]
    assert Counter(first.missing_facts) == Counter(second.missing_facts)


_TWO_UNKNOWN_CHILDREN = ff.Household(
    id="order",
    area=ff.Area(county="千山区", town="千山镇", village="红旗村"),
    hukou=ff.HukouKind.RURAL,
    members=(
        ff.Member(id="m1", relation=ff.Relation.HEAD),
        ff.Member(id="m2", relation=ff.Relation.CHILD),
    ),
)


@relaxed
@given(households, as_of_dates)
@example(_TWO_UNKNOWN_CHILDREN, date(2023, 5, 20))
def test_order_of_members_changes_nothing_at_all(household, as_of):
    """Full equality of ``model_dump`` with members and records in reverse order (only positional
    fact paths are named, since a path necessarily points into the input as given)."""
    other = household.model_copy(
        update={name: tuple(reversed(getattr(household, name))) for name in _COLLECTIONS}
    )
    first = PACK.identify(household, as_of=as_of).model_dump(mode="json")
    second = PACK.identify(other, as_of=as_of).model_dump(mode="json")
    for dump, h in ((first, household), (second, other)):
        dump["trace"]["excluded_facts"] = sorted(
            (_named_path(h, e["path"]), e["dated"], e["reason"])
            for e in dump["trace"]["excluded_facts"]
        )
    assert first == second


@relaxed
@given(households, households, as_of_dates)
def test_results_are_deterministic(household, other, as_of):
    first = PACK.identify(household, as_of=as_of)
    PACK.identify(other, as_of=as_of)  # evaluating another household leaves no state behind
    again = PACK.identify(household, as_of=as_of)
    fresh_pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=LINE)
    fresh = fresh_pack.identify(household, as_of=as_of)
    assert first == again == fresh
    assert first.model_dump(mode="json") == fresh.model_dump(mode="json")
    assert content_hash(first) == content_hash(again) == content_hash(fresh)
    assert first.pack_hash == fresh.pack_hash == PACK.content_hash == fresh_pack.content_hash


# -- scope and unknowns -----------------------------------------------------------------------


@relaxed
@given(
    fs.households(hukou=st.sampled_from(ff.HukouKind)),
    as_of_dates,
    st.sampled_from(sorted(PACKS_BY_LINE)),
)
def test_every_household_gets_a_result_and_scope_is_hukou(household, as_of, line):
    result = PACKS_BY_LINE[line].identify(household, as_of=as_of)  # never raises
    known, _ = ff.known_at(household, as_of)  # a member born after as_of is not known yet
    rural = known.hukou == ff.HukouKind.RURAL or any(
        m.hukou == ff.HukouKind.RURAL for m in known.members
    )  # 农村户籍人口 are persons: the household's or a member's own hukou
    # a household under monitoring or a 脱贫户 stays in scope whatever its hukou (⑧'s 一兜了之
    # check, 一、(一)4's 10日, ① and ② name them without one); whether it is a 脱贫户 unknown →
    # scope unknown, never out of scope
    monitored = any(r.eliminated_on is None for r in known.monitoring)
    kept = monitored or known.lifted_out_of_poverty is not False
    assert (result.outcome == ff.Outcome.OUT_OF_SCOPE) == (not rural and not kept)
    if result.outcome != ff.Outcome.OUT_OF_SCOPE:
        assert result.reforms == (f"monitoring_income_line={line} (caller)",)
    json.loads(result.model_dump_json())
    result.explain("zh")
    result.explain("en")


@relaxed
@given(
    st.one_of(
        fs.households(hukou=ff.HukouKind.RURAL, profile="calm", income_per_capita=(LINE, 10**9)),
        fs.households(hukou=ff.HukouKind.RURAL, profile="calm"),
        rural,
    ),
    as_of_dates,
)
def test_unknown_income_is_not_no(household, as_of):
    """A not_eligible household whose income records are removed is not not_eligible: the
    income rule becomes unknown and the outcome needs review."""
    before = PACK.identify(household, as_of=as_of)
    assume(before.outcome == ff.Outcome.NOT_ELIGIBLE)
    after = PACK.identify(revalidated(household, income=()), as_of=as_of)
    assert statuses(after)["qianshan_2023.risk.income_below_line"] == "unknown"
    assert after.outcome == ff.Outcome.NEEDS_REVIEW
    assert any("income records" in fact for fact in after.missing_facts)


# -- facts known later --------------------------------------------------------------------------


@st.composite
def with_later_facts(
    draw: st.DrawFn, household: ff.Household, as_of: date
) -> tuple[ff.Household, list[tuple[str, str, str]]]:
    """``household`` plus facts dated after ``as_of`` (appended, so existing paths keep their
    index), and the excluded-fact entries (path, date, reason) they must add to the trace."""
    later = (as_of + DAY, as_of + 400 * DAY)
    added: list[tuple[str, str, str]] = []
    changes: dict[str, Any] = {}

    people = list(household.members)
    for i, member in enumerate(people):
        known_member = member.birth_date is None or member.birth_date <= as_of
        if member.disability is None and known_member and draw(st.booleans()):
            cert = draw(fs.dates(*later))
            people[i] = member.model_copy(
                update={
                    "disability": ff.Disability(
                        grade=draw(st.integers(1, 4)), certificate_date=cert
                    )
                }
            )
            added.append(
                (f"members[{i}].disability", cert.isoformat(), "certificate issued after as_of")
            )
    for k in range(draw(st.integers(0, 2))):
        newborn = draw(
            fs.members(ids=f"late{k}", birth_range=later, date_range=later, allow_unknown=False)
        )
        added.append(
            (f"members[{len(people)}]", newborn.birth_date.isoformat(), "born after as_of")
        )
        people.append(newborn)
    changes["members"] = people

    if draw(st.booleans()):
        start = max([as_of, *(r.end for r in household.income)]) + DAY
        window = ff.DateRange(start=start, end=start + draw(st.integers(0, 400)) * DAY)
        (record,) = draw(fs.income_records(window, max_records=1))
        changes["income"] = (*household.income, record)
        added.append(
            (f"income[{len(household.income)}]", record.end.isoformat(), "period ends after as_of")
        )

    def append(name: str, strategy: st.SearchStrategy[Any], dated: str, what: str) -> None:
        # monitoring spells: one per identification day (two on a day are refused as ambiguous)
        unique = (lambda item: item.identified_on) if name == "monitoring" else None
        items = draw(st.lists(strategy, max_size=2, unique_by=unique))
        existing = getattr(household, name)
        for j, item in enumerate(items):
            added.append((f"{name}[{len(existing) + j}]", getattr(item, dated).isoformat(), what))
        changes[name] = (*existing, *items)

    append("expenditures", fs.expenditures(date_range=later), "date", "spent after as_of")
    append("risk_events", fs.risk_events(date_range=later), "date", "occurred after as_of")
    append(
        "social_assistance",
        st.builds(ff.SocialAssistance, kind=st.sampled_from(ff.DibaoKind), start=fs.dates(*later)),
        "start",
        "started after as_of",
    )
    append(
        "monitoring",
        st.builds(
            ff.MonitoringRecord,
            category=st.sampled_from(ff.MonitoringCategory),
            # one spell per identification day (two on a day are refused as ambiguous)
            identified_on=fs.dates(*later).filter(
                lambda day: day not in {r.identified_on for r in household.monitoring}
            ),
        ),
        "identified_on",
        "identified after as_of",
    )

    green = household.green_channel or ff.GreenChannelRecord()
    confirmations = {}
    for name in ("town_confirmed_on", "village_confirmed_on"):
        if getattr(green, name) is None and draw(st.booleans()):
            confirmations[name] = draw(fs.dates(*later))
            added.append(
                (f"green_channel.{name}", confirmations[name].isoformat(), "confirmed after as_of")
            )
    if confirmations:
        changes["green_channel"] = green.model_copy(update=confirmations)
    return revalidated(household, **changes), added


@relaxed
@given(households, as_of_dates, st.data())
def test_facts_after_as_of_only_show_up_as_excluded(household, as_of, data):
    extended, added = data.draw(with_later_facts(household, as_of), label="later facts")
    before = PACK.identify(household, as_of=as_of)
    after = PACK.identify(extended, as_of=as_of)

    # Paths name facts by id / period (order-independent); compare them without the key.
    def kind(path: str) -> str:
        return re.sub(r"\[[^\]]*\]", "[]", path)

    excluded = lambda r: sorted(  # noqa: E731
        (kind(e.path), e.dated.isoformat()) for e in r.trace.excluded_facts
    )
    assert excluded(after) == sorted(excluded(before) + [(kind(p), d) for p, d, _ in added])
    first, second = before.model_dump(mode="json"), after.model_dump(mode="json")
    del first["trace"]["excluded_facts"], second["trace"]["excluded_facts"]
    assert first == second


# -- arithmetic ---------------------------------------------------------------------------------


def exact_net(records: tuple[ff.IncomeRecord, ...], window: ff.DateRange) -> Fraction | None:
    """Independent oracle: Σ net × overlap days / record days, or None if a day is uncovered."""
    total, covered = Fraction(0), 0
    for record in records:
        lo, hi = max(record.start, window.start), min(record.end, window.end)
        if lo > hi:
            continue
        days = (hi - lo).days + 1
        covered += days
        total += Fraction(record.net) * Fraction(days, record.days)
    return total if covered == window.days else None


def half_even_fen(value: Fraction) -> Decimal:
    """Round an exact fraction of yuan to the fen, ties to the even fen (independent of money.py)."""
    scaled = value * 100
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        floor += 1
    return Decimal(floor).scaleb(-2)


income_windows = st.tuples(st.dates(date(2020, 12, 1), date(2023, 5, 31)), st.integers(0, 500)).map(
    lambda t: ff.DateRange(start=t[0], end=t[0] + t[1] * DAY)
)


TINY = Fraction(1, 10**30)  # far below a fen: derived amounts are exact to 40 digits


@relaxed
@given(households, st.one_of(st.sampled_from(QIANSHAN_WINDOWS), income_windows))
def test_per_capita_times_members_is_net_income_exactly(household, window):
    """Contract: net income is the exact pro-rata sum F and per-capita income is F / n, neither
    rounded to the fen before a comparison (money.fraction_to_yuan keeps 40 digits)."""
    exact = exact_net(household.income, window)
    n = counted_members(household)
    net = ff.net_income(household, window)
    per_capita = ff.per_capita_net_income(household, window)
    if exact is None:
        assert isinstance(net, Missing) and isinstance(per_capita, Missing)
        return
    assert abs(Fraction(net) - exact) < TINY
    if n == 0:
        assert isinstance(per_capita, Missing)
        return
    assert abs(Fraction(per_capita) - exact / n) < TINY


def test_no_fen_rounding_before_comparison():
    """0.045 yuan over 3 members stays 0.045 and 0.015 (a fen rounding would give 0.04 / 0.02)."""
    record = ff.IncomeRecord(
        start=date(2023, 1, 1),
        end=date(2023, 1, 2),
        wage_income="0.09",
        business_income=0,
        property_income=0,
        transfer_income=0,
        business_expense=0,
    )
    members = tuple(ff.Member(id=f"m{i}", relation=ff.Relation.OTHER) for i in range(3))
    household = ff.Household(
        id="h",
        area=ff.Area(county="c", town="t", village="v"),
        hukou="rural",
        members=members,
        income=(record,),
    )
    window = ff.DateRange(start=date(2023, 1, 1), end=date(2023, 1, 1))
    assert ff.net_income(household, window) == Decimal("0.045")
    assert ff.per_capita_net_income(household, window) == Decimal("0.015")


@relaxed
@given(st.data())
def test_one_record_over_its_own_period_is_its_net(data):
    window = data.draw(income_windows, label="window")
    (record,) = data.draw(fs.income_records(window, max_records=1), label="record")
    household = ff.Household(
        id="h", area=ff.Area(county="c", town="t", village="v"), hukou="rural", income=(record,)
    )
    assert (record.start, record.end) == (window.start, window.end)
    assert ff.net_income(household, window) == record.net


@relaxed
@given(st.data())
def test_pro_rata_halves_add_up_to_the_whole(data):
    """Records cover a span; any window inside it split into two halves: the halves' exact net
    incomes add up to the whole window's, and each is exact pro rata."""
    span = data.draw(income_windows.filter(lambda w: w.days >= 2), label="span")
    records = data.draw(fs.income_records(span, max_records=3), label="records")
    household = ff.Household(
        id="h", area=ff.Area(county="c", town="t", village="v"), hukou="rural", income=records
    )
    offset = data.draw(st.integers(0, span.days - 2), label="offset")
    length = data.draw(st.integers(2, span.days - offset), label="length")
    window = ff.DateRange(
        start=span.start + offset * DAY, end=span.start + (offset + length - 1) * DAY
    )
    middle = window.start + (window.days // 2 - 1) * DAY
    first = ff.DateRange(start=window.start, end=middle)
    second = ff.DateRange(start=middle + DAY, end=window.end)
    whole = ff.net_income(household, window)
    halves = Fraction(ff.net_income(household, first)) + Fraction(ff.net_income(household, second))
    assert abs(halves - Fraction(whole)) < 2 * TINY
    assert abs(Fraction(whole) - exact_net(records, window)) < TINY
