"""Hypothesis strategies that draw *valid* fangfan-rules facts, for property-based tests.

Public API: your own property suites can use these to feed a pack every kind of household it must
handle. Every value drawn passes the fact models' validation; the defaults are aimed at the edges
the policy documents care about:

* money is an exact ``Decimal`` with fen precision (never a float), biased toward thresholds such
  as 9,999.99 / 10,000.00 / 10,000.01 yuan and toward huge amounts (10**9 yuan);
* dates are biased toward the days where windows start and end (2021-12-31, 2022-01-01,
  2022-04-30, 2022-05-01, 2022-12-31, 2023-01-01, 2023-04-28, 2023-04-30, 2023-05-01);
* income records never overlap and, unless asked otherwise, cover the income windows exactly, with
  the per-capita net income of each window *aimed* at a drawn level, so a test can land on a
  threshold exactly (``households(income_per_capita=Decimal("10000.00"))``);
* unknown facts (``None``) are drawn as often as known ones unless ``allow_unknown=False``.

>>> from fangfan_rules import strategies as fs
>>> from hypothesis import given
>>> @given(fs.households(), fs.as_of_dates(pack))  # doctest: +SKIP
... def test_never_crashes(household, as_of):
...     pack.identify(household, as_of=as_of)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import (
    Area,
    AreaTag,
    Disability,
    Expenditure,
    GreenChannelRecord,
    Guarantees,
    Health,
    Household,
    IncomeRecord,
    Livestock,
    Member,
    MonitoringRecord,
    RiskEvent,
    SocialAssistance,
)
from fangfan_rules.idnumber import check_digit
from fangfan_rules.money import to_yuan
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    DibaoKind,
    EmploymentStability,
    ExpenditureKind,
    HousingGrade,
    HukouKind,
    LabourCapacity,
    MonitoringCategory,
    Relation,
    RiskType,
    SchoolingStage,
)

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

__all__ = [
    "CALENDAR_LAST_DAY",
    "QIANSHAN_DATE_EDGES",
    "QIANSHAN_INCOME_WINDOW",
    "QIANSHAN_MONEY_EDGES",
    "QIANSHAN_PREVIOUS_YEAR",
    "QIANSHAN_REFERENCE_YEAR",
    "QIANSHAN_WINDOWS",
    "Amount",
    "as_of_dates",
    "dates",
    "expenditures",
    "household_lists",
    "households",
    "id_numbers",
    "income_records",
    "members",
    "per_capita_levels",
    "risk_events",
    "yuan",
]

T = TypeVar("T")

#: A money amount as accepted by :func:`fangfan_rules.money.to_yuan` (``"9999.99"``, ``10000``…).
Amount = Decimal | int | str | float

#: Last day the bundled working-day calendar settles (``chinese-calendar``'s last known year).
CALENDAR_LAST_DAY = date(2026, 12, 28)

#: qianshan_2023's windows: 上年度 (2021), 参照年度 (2022) and the income 周期 2022-05-01..2023-04-30.
QIANSHAN_PREVIOUS_YEAR = DateRange.year(2021)
QIANSHAN_REFERENCE_YEAR = DateRange.year(2022)
QIANSHAN_INCOME_WINDOW = DateRange(start=date(2022, 5, 1), end=date(2023, 4, 30))
QIANSHAN_WINDOWS: tuple[DateRange, ...] = (
    QIANSHAN_PREVIOUS_YEAR,
    QIANSHAN_REFERENCE_YEAR,
    QIANSHAN_INCOME_WINDOW,
)

#: Money edges of qianshan_2023 (a typical supplied monitoring line of 6,900 and the 1万元 of ①).
QIANSHAN_MONEY_EDGES: tuple[Decimal, ...] = tuple(
    Decimal(v)
    for v in (
        "0.00",
        "0.01",
        "6899.99",
        "6900.00",
        "6900.01",
        "9999.99",
        "10000.00",
        "10000.01",
        "1000000000.00",
    )
)

#: Days where qianshan_2023's windows and "since 2023" cut-offs start or end.
QIANSHAN_DATE_EDGES: tuple[date, ...] = (
    date(2021, 1, 1),
    date(2021, 12, 31),
    date(2022, 1, 1),
    date(2022, 4, 30),
    date(2022, 5, 1),
    date(2022, 12, 31),
    date(2023, 1, 1),
    date(2023, 1, 2),
    date(2023, 4, 28),
    date(2023, 4, 30),
    date(2023, 5, 1),
)

_DAY = timedelta(days=1)
_HUGE = 10**9  # yuan

# --------------------------------------------------------------------------------------------
# Scalars


def _fen(value: Amount) -> int:
    return int(to_yuan(value) * 100)


def _from_fen(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)  # exponent -2: Decimal("12.30"), never a float


def yuan(
    min_value: Amount = 0,
    max_value: Amount = _HUGE,
    *,
    edges: Iterable[Amount] = (),
) -> SearchStrategy[Decimal]:
    """Exact ``Decimal`` yuan amounts with fen precision in ``[min_value, max_value]``.

    ``edges`` (e.g. ``("9999.99", "10000.00", "10000.01")``) are drawn often; those outside the
    range are ignored. Values always have exactly two decimals (``Decimal("10000.00")``).
    """
    lo, hi = _fen(min_value), _fen(max_value)
    if lo > hi:
        raise ValueError(f"yuan(): min_value {min_value!r} is above max_value {max_value!r}")
    body: SearchStrategy[int] = st.integers(lo, hi)
    edge_fen = sorted({f for f in (_fen(e) for e in edges) if lo <= f <= hi})
    if edge_fen:
        body = st.one_of(st.sampled_from(edge_fen), body)
    return body.map(_from_fen)


def per_capita_levels() -> SearchStrategy[Decimal]:
    """The default per-capita net income levels: qianshan's thresholds, ordinary and huge incomes.

    Mostly 0–30,000 yuan, often exactly on :data:`QIANSHAN_MONEY_EDGES`, sometimes up to 10**9
    yuan, and sometimes negative (a business loss larger than every other income).
    """
    return st.one_of(
        st.sampled_from(QIANSHAN_MONEY_EDGES),
        yuan(0, 30000),
        yuan(30000, _HUGE, edges=(_HUGE,)),
        yuan(-5000, 0),
    )


def dates(
    min_value: date = date(2021, 1, 1),
    max_value: date = date(2023, 12, 31),
    *,
    edges: Iterable[date] = QIANSHAN_DATE_EDGES,
) -> SearchStrategy[date]:
    """Dates in ``[min_value, max_value]``, drawing ``edges`` inside the range often."""
    if min_value > max_value:
        raise ValueError(f"dates(): {min_value} is after {max_value}")
    inside = sorted({d for d in (*edges, min_value, max_value) if min_value <= d <= max_value})
    return st.one_of(st.sampled_from(inside), st.dates(min_value, max_value))


def _strategy(value: T | SearchStrategy[T]) -> SearchStrategy[T]:
    return value if isinstance(value, SearchStrategy) else st.just(value)


def _maybe(strategy: SearchStrategy[T], allow_unknown: bool) -> SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy) if allow_unknown else strategy


def _flag(allow_unknown: bool) -> SearchStrategy[bool | None]:
    return _maybe(st.booleans(), allow_unknown)


# --------------------------------------------------------------------------------------------
# ID numbers

_AREA_CODES = ("210311", "210302", "210303", "210304", "110101", "440305", "510104", "650102")


def id_numbers(
    birth_dates: date | SearchStrategy[date] | None = None,
    *,
    area_codes: SearchStrategy[str] | None = None,
) -> SearchStrategy[str]:
    """Valid GB 11643-1999 resident ID numbers (area code, birth date, sequence, check digit).

    ``birth_dates`` fixes (or draws) the date written in the number; default 1900-01-01 … 2026-12-31.
    The check character is ``X`` about one time in eleven.
    """
    born_s = (
        _strategy(birth_dates)
        if birth_dates is not None
        else dates(date(1900, 1, 1), date(2026, 12, 31), edges=(date(2000, 2, 29),))
    )
    codes = (
        area_codes
        if area_codes is not None
        else st.one_of(
            st.sampled_from(_AREA_CODES),
            st.integers(110000, 829999).map(str),
        )
    )

    @st.composite
    def build(draw: st.DrawFn) -> str:
        code = draw(codes)
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"id_numbers(): area code {code!r} is not 6 digits")
        born = draw(born_s)
        if not 1000 <= born.year <= 9999:
            raise ValueError(f"id_numbers(): birth year {born.year} cannot be written in 4 digits")
        sequence = draw(st.integers(0, 999))
        first17 = f"{code}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
        return first17 + check_digit(first17)

    return build()


# --------------------------------------------------------------------------------------------
# Members

_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞")
_DISEASES = ("高血压", "糖尿病", "尿毒症", "恶性肿瘤", "脑梗塞")
_CHILD_RELATIONS = (Relation.CHILD, Relation.GRANDCHILD)


def members(
    *,
    ids: str | SearchStrategy[str] = "m1",
    relation: Relation | SearchStrategy[Relation] | None = None,
    birth_range: tuple[date, date] = (date(1925, 1, 1), date(2023, 12, 31)),
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    counted: bool | SearchStrategy[bool] | None = None,
    allow_unknown: bool = True,
) -> SearchStrategy[Member]:
    """One valid household member.

    ``ids`` fixes or draws the member id (unique ids within a household are the caller's job;
    :func:`households` takes care of it). ``relation`` defaults to any relation, children and
    grandchildren more often (group ⑥). Disability certificates are dated in ``date_range``, often
    exactly around 2023-01-01 (group ⑦); ID numbers carry the member's birth date when it is known.
    ``counted`` (``counted_in_household``) defaults to true three times in four. With
    ``allow_unknown=False`` birth date, labour, schooling, employment and health flags are known.
    """
    relation_s = (
        _strategy(relation)
        if relation is not None
        else st.one_of(st.sampled_from(_CHILD_RELATIONS), st.sampled_from(Relation))
    )
    counted_s = (
        _strategy(counted)
        if counted is not None
        else st.sampled_from((True, True, True, False))
    )
    born_s = dates(*birth_range, edges=(birth_range[1], date(2023, 1, 1)))
    cert_s = dates(*date_range, edges=(date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)))
    schooling_s = st.one_of(
        st.sampled_from(
            [s for s in SchoolingStage if s.is_non_compulsory_in_school or s.is_compulsory]
        ),
        st.sampled_from(SchoolingStage),
    )

    @st.composite
    def build(draw: st.DrawFn) -> Member:
        born = draw(_maybe(born_s, allow_unknown))
        has_id_number = draw(st.booleans())
        id_number = draw(id_numbers(born)) if has_id_number and born is not None else None
        if has_id_number and born is None:
            id_number = draw(id_numbers())
        disability = draw(
            st.one_of(
                st.none(),
                st.builds(Disability, grade=st.integers(1, 4), certificate_date=cert_s),
            )
        )
        health = Health(
            major_illness=draw(_flag(allow_unknown)),
            chronic_illness=draw(_flag(allow_unknown)),
            diseases=tuple(draw(st.lists(st.sampled_from(_DISEASES), max_size=2, unique=True))),
        )
        return Member(
            id=draw(_strategy(ids)),
            name=draw(st.one_of(st.none(), st.sampled_from(_NAMES))),
            relation=draw(relation_s),
            birth_date=born,
            hukou=draw(st.one_of(st.none(), st.sampled_from(HukouKind))),
            labour=draw(_maybe(st.sampled_from(LabourCapacity), allow_unknown)),
            health=health,
            disability=disability,
            schooling=draw(_maybe(schooling_s, allow_unknown)),
            employment=draw(_maybe(st.sampled_from(EmploymentStability), allow_unknown)),
            id_number=id_number,
            counted_in_household=draw(counted_s),
            has_urban_social_security=draw(_flag(allow_unknown)),
        )

    return build()


# --------------------------------------------------------------------------------------------
# Income

Coverage = Literal["full", "partial", "none"]
_SOURCES = (None, "入户调查", "统计监测", "部门数据比对")


def _merge(windows: Sequence[DateRange]) -> list[DateRange]:
    """The union of windows as disjoint blocks (overlapping or adjacent windows merge)."""
    blocks: list[DateRange] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if blocks and w.start <= blocks[-1].end + _DAY:
            if w.end > blocks[-1].end:
                blocks[-1] = DateRange(start=blocks[-1].start, end=w.end)
        else:
            blocks.append(w)
    return blocks


def _split(draw: st.DrawFn, total: Decimal, parts: int) -> list[Decimal]:
    """``total`` split into ``parts`` exact fen amounts that add up to it exactly."""
    fen = _fen(total)
    if parts == 1:
        return [total]
    weights = draw(st.lists(st.integers(0, 100), min_size=parts, max_size=parts))
    if sum(weights) == 0:
        weights = [1] * parts
    shares = [fen * w // sum(weights) for w in weights[:-1]]
    shares.append(fen - sum(shares))
    return [_from_fen(s) for s in shares]


def _record(draw: st.DrawFn, start: date, end: date, net: Decimal) -> IncomeRecord:
    """A record over ``start..end`` whose net income (components − business expense) is ``net``."""
    expense = draw(st.one_of(st.just(Decimal("0.00")), yuan(0, 50000)))
    prop = draw(st.one_of(st.just(Decimal("0.00")), yuan(-20000, 20000)))
    positive = net - prop + expense
    if positive < 0:  # property income absorbs a loss larger than the other components
        prop, positive = net + expense, Decimal("0.00")
    fen = _fen(positive)
    a, b = sorted((draw(st.integers(0, fen)), draw(st.integers(0, fen))))
    return IncomeRecord(
        start=start,
        end=end,
        wage_income=_from_fen(a),
        business_income=_from_fen(b - a),
        property_income=prop,
        transfer_income=_from_fen(fen - b),
        business_expense=expense,
        source=draw(st.sampled_from(_SOURCES)),
    )


def _timeline(
    draw: st.DrawFn,
    windows: Sequence[DateRange],
    aims: dict[DateRange, Decimal],
    coverage: Coverage,
    max_extra_cuts: int,
    nets: SearchStrategy[Decimal],
) -> tuple[IncomeRecord, ...]:
    """Non-overlapping records over the union of ``windows``; ``aims`` fixes a window's total net.

    Every aimed window's ends are cut points, so each record lies inside or outside it and the
    window's net income is the exact sum of its records' nets (no pro rata rounding). Boundaries of
    the other windows are cut or not (a record straddling a window boundary is split pro rata by
    the engine). Windows are aimed in order; one made only of records already fixed by earlier
    aims keeps the total they imply.
    """
    if coverage == "none" or not windows:
        return ()
    cuts: set[date] = set()
    for w in windows:
        if w in aims or draw(st.booleans()):
            cuts |= {w.start, w.end + _DAY}
    first = min(w.start for w in windows)
    last = max(w.end for w in windows)
    cuts |= set(draw(st.lists(st.dates(first, last), max_size=max_extra_cuts)))
    segments: list[tuple[date, date]] = []
    for block in _merge(windows):
        points = sorted(c for c in cuts if block.start < c <= block.end)
        starts = [block.start, *points]
        ends = [p - _DAY for p in points] + [block.end]
        segments.extend(zip(starts, ends, strict=True))
    net_of: dict[int, Decimal] = {}
    for w, total in aims.items():
        inside = [k for k, (s, e) in enumerate(segments) if w.start <= s and e <= w.end]
        free = [k for k in inside if k not in net_of]
        if not free:
            continue
        remainder = total - sum((net_of[k] for k in inside if k in net_of), Decimal("0.00"))
        for k, part in zip(free, _split(draw, remainder, len(free)), strict=True):
            net_of[k] = part
    for k in range(len(segments)):
        if k not in net_of:
            net_of[k] = draw(nets)
    if coverage == "partial":
        if draw(st.booleans()) and any(e > s for s, e in segments):
            # Leave out one day at a segment's edge: the window edges are where coverage breaks.
            k = draw(st.sampled_from([k for k, (s, e) in enumerate(segments) if e > s]))
            s, e = segments[k]
            segments[k] = (s + _DAY, e) if draw(st.booleans()) else (s, e - _DAY)
        else:
            dropped = draw(st.sets(st.sampled_from(range(len(segments))), min_size=1))
            segments = [seg for k, seg in enumerate(segments) if k not in dropped]
            net_of = {
                new: net_of[old]
                for new, old in enumerate(k for k in range(len(net_of)) if k not in dropped)
            }
    return tuple(_record(draw, s, e, net_of[k]) for k, (s, e) in enumerate(segments))


def _default_nets() -> SearchStrategy[Decimal]:
    return st.one_of(yuan(0, 200000, edges=(0,)), yuan(-20000, 0), yuan(0, _HUGE, edges=(_HUGE,)))


def income_records(
    window: DateRange,
    *,
    partial: bool = False,
    total_net: Amount | SearchStrategy[Decimal] | None = None,
    max_records: int = 4,
) -> SearchStrategy[tuple[IncomeRecord, ...]]:
    """Non-overlapping income records (sorted by start) that cover ``window`` exactly.

    ``total_net`` fixes (or draws) the household's exact net income over the window; the records'
    nets then add up to it exactly. ``partial=True`` leaves at least one day of the window
    uncovered instead (possibly every day: an empty tuple), so net income is *unknown*; it cannot
    be combined with ``total_net``. At most ``max_records`` records are drawn (at least 1).
    """
    if partial and total_net is not None:
        raise ValueError("income_records(): a partially covered window has no net income to aim")
    if max_records < 1:
        raise ValueError("income_records(): max_records must be at least 1")
    total_s = None if total_net is None else _strategy(total_net)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[IncomeRecord, ...]:
        aims = {} if total_s is None else {window: to_yuan(draw(total_s))}
        return _timeline(
            draw,
            [window],
            aims,
            "partial" if partial else "full",
            max_records - 1,
            _default_nets(),
        )

    return build()


# --------------------------------------------------------------------------------------------
# Dated records


def expenditures(
    *,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    kinds: ExpenditureKind | SearchStrategy[ExpenditureKind] | None = None,
    max_total: Amount = 1_000_000,
) -> SearchStrategy[Expenditure]:
    """A valid rigid spending: ``reimbursed <= total`` and ``self-paid <= total − reimbursed``.

    Self-paid is often exactly 0 or 0.01 (the ``> 0`` edge of qianshan's spending rules), and
    reimbursement often covers everything.
    """
    kind_s = _strategy(kinds) if kinds is not None else st.sampled_from(ExpenditureKind)
    max_fen = _fen(max_total)

    @st.composite
    def build(draw: st.DrawFn) -> Expenditure:
        total = draw(st.one_of(st.sampled_from((0, 1, 100, max_fen)), st.integers(0, max_fen)))
        reimbursed = draw(st.one_of(st.sampled_from((0, total)), st.integers(0, total)))
        room = total - reimbursed
        self_paid = draw(st.one_of(st.sampled_from((0, min(1, room), room)), st.integers(0, room)))
        return Expenditure(
            kind=draw(kind_s),
            date=draw(dates(*date_range)),
            total=_from_fen(total),
            reimbursed=_from_fen(reimbursed),
            compliant_self_paid=_from_fen(self_paid),
            description=draw(st.one_of(st.none(), st.sampled_from(("住院", "学费", "房屋修缮")))),
        )

    return build()


def risk_events(
    *,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    types: RiskType | SearchStrategy[RiskType] | None = None,
) -> SearchStrategy[RiskEvent]:
    """A dated risk event of any :class:`RiskType` (default) on a day in ``date_range``."""
    type_s = _strategy(types) if types is not None else st.sampled_from(RiskType)
    return st.builds(
        RiskEvent,
        type=type_s,
        date=dates(*date_range),
        description=st.one_of(st.none(), st.sampled_from(("突发", "住院治疗", "洪涝"))),
    )


def _social_assistance(date_range: tuple[date, date], allow_unknown: bool):
    @st.composite
    def build(draw: st.DrawFn) -> SocialAssistance:
        start = draw(dates(*date_range, edges=(date(2022, 12, 31), date(2023, 1, 1))))
        end = draw(st.one_of(st.none(), dates(start, max(start, date_range[1]), edges=(start,))))
        return SocialAssistance(
            kind=draw(st.sampled_from(DibaoKind)),
            start=start,
            end=end,
            full_or_top_grade=draw(_flag(allow_unknown)),
        )

    return build()


def _monitoring(date_range: tuple[date, date]):
    day = dates(*date_range, edges=(*QIANSHAN_DATE_EDGES, date(2023, 4, 27)))

    @st.composite
    def build(draw: st.DrawFn) -> MonitoringRecord:
        identified = draw(day)
        later = dates(identified, max(identified, date_range[1]), edges=(identified,))
        return MonitoringRecord(
            category=draw(st.sampled_from(MonitoringCategory)),
            identified_on=identified,
            system_entry_on=draw(st.one_of(st.none(), later)),
            risk_types=tuple(draw(st.lists(st.sampled_from(RiskType), max_size=2, unique=True))),
            measures=tuple(
                draw(st.lists(st.sampled_from(AssistanceMeasure), max_size=2, unique=True))
            ),
            helper=draw(st.one_of(st.none(), st.sampled_from(_NAMES))),
            plan_filed_on=draw(st.one_of(st.none(), later)),
            eliminated_on=draw(st.one_of(st.none(), later)),
        )

    return build()


def _green_channel(date_range: tuple[date, date], allow_unknown: bool):
    likely = st.sampled_from((True, True, False)) if not allow_unknown else st.sampled_from(
        (True, True, False, None)
    )
    return st.builds(
        GreenChannelRecord,
        facts_clear=likely,
        urgent=likely,
        town_confirmed_on=st.one_of(st.none(), dates(*date_range)),
        village_confirmed_on=st.one_of(st.none(), dates(*date_range)),
    )


# --------------------------------------------------------------------------------------------
# Households

_COUNTIES = ("千山区",)
_TOWNS = ("千山镇", "大孤山镇", "东鞍山镇", "宁远镇")
_VILLAGES = ("红旗村", "东沟村", "小岭子村", "韩家峪村", "社区")


def households(
    *,
    min_members: int = 0,
    max_members: int = 6,
    hukou: HukouKind | SearchStrategy[HukouKind] | None = None,
    lifted: bool | SearchStrategy[bool | None] | None = None,
    income_window: DateRange | Sequence[DateRange] | None = None,
    income_per_capita: Amount
    | tuple[Amount, Amount]
    | SearchStrategy[Decimal]
    | None = None,
    cover_windows: Sequence[DateRange] = QIANSHAN_WINDOWS,
    income_coverage: Literal["any", "full", "partial", "none"] = "any",
    allow_unknown: bool = True,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    area_tags: frozenset[AreaTag] | SearchStrategy[frozenset[AreaTag]] | None = None,
    ids: str | SearchStrategy[str] | None = None,
) -> SearchStrategy[Household]:
    """Valid households exercising every group of qianshan_2023 (and any pack on the same facts).

    Members: ``min_members``..``max_members`` (0 allowed: an empty household has no per-capita
    income), unique ids ``m<n>``, non-compulsory schooling, disability certificates around
    2023-01-01. Dated facts (risk events of every type, rigid spending, dibao/特困 starts,
    monitoring spells, green-channel confirmations) fall in ``date_range``, often on the qianshan
    window edges.

    Income: records never overlap and cover ``cover_windows`` (default: 2021, 2022 and
    2022-05-01..2023-04-30). ``income_window`` (one window or several; default: every cover window,
    which are then also covered) is *aimed*: its per-capita net income equals a level drawn from
    ``income_per_capita`` exactly — an amount, an inclusive ``(low, high)`` range, or a strategy;
    default :func:`per_capita_levels` (thresholds, ordinary and 10**9 yuan incomes). Each aimed
    window draws its own level; an aim needs a counted member, so one is always present when
    ``income_per_capita`` is given. ``income_coverage``: ``"full"``, ``"partial"`` (some day of the
    cover windows is missing), ``"none"`` (no records) or ``"any"`` (mostly full; only full when
    ``income_per_capita`` is given or ``allow_unknown=False``).

    ``hukou`` defaults to rural three times in four, ``lifted`` (脱贫户) to true / false / unknown;
    pass ``st.none()`` for "always unknown". ``allow_unknown=False`` draws every fact the rules
    could need as known (a counted head born before ``date_range``, all 三保障 findings…).
    ``ids`` fixes or draws the household id; use :func:`household_lists` for unique ids in a list.
    """
    if not 0 <= min_members <= max_members:
        raise ValueError("households(): need 0 <= min_members <= max_members")
    aim_given = income_per_capita is not None
    if aim_given and income_coverage in ("partial", "none"):
        raise ValueError("households(): income_per_capita needs the aimed windows fully covered")
    if aim_given or not allow_unknown:
        if max_members < 1:
            raise ValueError("households(): an aimed or fully known household needs a member")
        min_members = max(min_members, 1)
    if income_window is None:
        aim_windows = tuple(cover_windows)
    elif isinstance(income_window, DateRange):
        aim_windows = (income_window,)
    else:
        aim_windows = tuple(income_window)
    windows = tuple(dict.fromkeys((*cover_windows, *aim_windows)))

    if income_per_capita is None:
        level_s: SearchStrategy[Decimal] = per_capita_levels()
    elif isinstance(income_per_capita, tuple):
        low, high = income_per_capita
        level_s = yuan(low, high, edges=(low, high, *QIANSHAN_MONEY_EDGES))
    elif isinstance(income_per_capita, SearchStrategy):
        level_s = income_per_capita
    else:
        level_s = st.just(to_yuan(income_per_capita))

    if income_coverage != "any":
        coverage_s: SearchStrategy[Coverage] = st.just(income_coverage)
    elif aim_given or not allow_unknown:
        coverage_s = st.just("full")
    else:
        coverage_s = st.sampled_from(("full", "full", "full", "partial", "none"))

    hukou_s = (
        _strategy(hukou)
        if hukou is not None
        else st.one_of(st.just(HukouKind.RURAL), st.sampled_from(HukouKind))
    )
    if lifted is None:
        lifted_s: SearchStrategy[bool | None] = _flag(allow_unknown)
    else:
        lifted_s = _strategy(lifted)
    tags_s = (
        _strategy(area_tags)
        if area_tags is not None
        else st.frozensets(st.sampled_from(AreaTag), max_size=3)
    )
    ids_s = (
        _strategy(ids) if ids is not None else st.integers(0, 10**7).map(lambda n: f"HH{n:08d}")
    )
    lo, hi = date_range
    if lo > hi:
        raise ValueError("households(): date_range starts after it ends")
    event_s = risk_events(date_range=date_range)
    spending_s = expenditures(date_range=date_range)

    @st.composite
    def build(draw: st.DrawFn) -> Household:
        size = draw(st.integers(min_members, max_members))
        numbers = draw(st.lists(st.integers(1, 99), min_size=size, max_size=size, unique=True))
        people: list[Member] = []
        for i, n in enumerate(numbers):
            must_count = i == 0 and (aim_given or not allow_unknown)
            first_known = i == 0 and not allow_unknown
            people.append(
                draw(
                    members(
                        ids=f"m{n}",
                        relation=Relation.HEAD if i == 0 and draw(st.booleans()) else None,
                        birth_range=(date(1925, 1, 1), lo - _DAY) if first_known else (
                            date(1925, 1, 1),
                            hi,
                        ),
                        date_range=date_range,
                        counted=True if must_count else None,
                        allow_unknown=allow_unknown,
                    )
                )
            )
        counted = sum(1 for m in people if m.counted_in_household)
        aims: dict[DateRange, Decimal] = {}
        if counted:
            for w in aim_windows:
                aims[w] = to_yuan(draw(level_s)) * counted
        income = _timeline(draw, windows, aims, draw(coverage_s), 3, _default_nets())

        is_lifted = draw(lifted_s)
        lifted_year = (
            draw(st.one_of(st.none(), st.integers(2013, 2020))) if is_lifted is True else None
        )
        guarantees = Guarantees(
            housing_grade=draw(_maybe(st.sampled_from(HousingGrade), allow_unknown)),
            basic_medical_insured=draw(_flag(allow_unknown)),
            compulsory_education_ok=draw(_flag(allow_unknown)),
            drinking_water_safe=draw(_flag(allow_unknown)),
        )
        return Household(
            id=draw(ids_s),
            area=Area(
                county=draw(st.sampled_from(_COUNTIES)),
                town=draw(st.sampled_from(_TOWNS)),
                village=draw(st.sampled_from(_VILLAGES)),
                tags=draw(tags_s),
            ),
            hukou=draw(hukou_s),
            members=tuple(people),
            lifted_out_of_poverty=is_lifted,
            lifted_year=lifted_year,
            social_assistance=tuple(
                draw(st.lists(_social_assistance(date_range, allow_unknown), max_size=2))
            ),
            has_urban_social_security=draw(_flag(allow_unknown)),
            monitoring=tuple(draw(st.lists(_monitoring(date_range), max_size=2))),
            income=income,
            expenditures=tuple(draw(st.lists(spending_s, max_size=3))),
            risk_events=tuple(draw(st.lists(event_s, max_size=4))),
            guarantees=guarantees,
            self_coping=draw(_flag(allow_unknown)),
            serious_difficulty=draw(
                st.sampled_from((True, True, False, None) if allow_unknown else (True, False))
            ),
            green_channel=draw(
                st.one_of(st.none(), _green_channel(date_range, allow_unknown))
            ),
            livestock=draw(
                st.one_of(
                    st.none(),
                    st.builds(
                        Livestock,
                        head_count=st.integers(0, 500),
                        estimated_value=st.one_of(st.none(), yuan(0, 10**6)),
                    ),
                )
            ),
            synthetic=True,
        )

    return build()


def household_lists(
    *, min_size: int = 0, max_size: int = 5, **household_options: object
) -> SearchStrategy[list[Household]]:
    """Lists of :func:`households` (same keyword options) whose household ids are unique."""
    return st.lists(
        households(**household_options),  # type: ignore[arg-type]
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda h: h.id,
    )


# --------------------------------------------------------------------------------------------
# Evaluation dates


def as_of_dates(pack: Pack, *, last: date = CALENDAR_LAST_DAY) -> SearchStrategy[date]:
    """Evaluation dates inside ``pack``'s validity, never after ``last`` (the calendar's end).

    The pack's first day, the days around each date / window parameter (e.g. 2023-04-30 and
    2023-05-01 for qianshan's income window) and the last day are drawn often.
    """
    lo = pack.valid_from
    hi = min(pack.valid_to or last, last)
    if lo > hi:
        raise ValueError(f"as_of_dates(): {pack.name} is not in force before {last}")
    edges: set[date] = {lo, lo + _DAY, hi}
    for parameter in pack.parameters.values():
        for value in parameter.values:
            found: list[date] = []
            if isinstance(value.value, DateRange):
                found = [value.value.start, value.value.end]
            elif isinstance(value.value, date):
                found = [value.value]
            for d in found:
                edges |= {d - _DAY, d, d + _DAY}
    return dates(lo, hi, edges=edges)
