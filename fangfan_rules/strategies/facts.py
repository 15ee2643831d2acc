"""Hypothesis strategies that draw valid households and their parts: the implementation of
:mod:`fangfan_rules.strategies` (import them from there)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import MissingExtraError
from fangfan_rules.facts import (
    Area,
    AreaTag,
    ChildStatusRecord,
    Clue,
    Disability,
    Expenditure,
    GreenChannelRecord,
    Guarantees,
    Health,
    Household,
    HousingRenovation,
    IncomeRecord,
    Livestock,
    Member,
    MonitoringRecord,
    Provenance,
    RecordedJudgement,
    RiskEvent,
    SocialAssistance,
)
from fangfan_rules.idnumber import check_digit
from fangfan_rules.money import to_yuan
from fangfan_rules.strategies.edges import PackEdges, SpendingSum, Threshold, pack_edges
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    CareType,
    Channel,
    ChildStatus,
    ClueKind,
    Department,
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

try:  # the optional [hypothesis] extra: only property-based test suites need hypothesis
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:
    raise MissingExtraError(
        "fangfan_rules.strategies (hypothesis strategies)", "hypothesis"
    ) from exc

from fangfan_rules.strategies import records as _rec  # after the check: needs hypothesis

__all__ = [
    "CALENDAR_LAST_DAY",
    "Amount",
    "PackEdges",
    "Profile",
    "SpendingSum",
    "Threshold",
    "as_of_dates",
    "dates",
    "expenditures",
    "household_lists",
    "households",
    "id_numbers",
    "income_records",
    "members",
    "pack_edges",
    "parameter_sets",
    "per_capita_levels",
    "risk_events",
    "villages",
    "yuan",
]

T = TypeVar("T")

#: A money amount as accepted by :func:`fangfan_rules.money.to_yuan` (``"9999.99"``, ``10000``…).
Amount = Decimal | int | str | float

#: Last day the bundled working-day calendar settles (``chinese-calendar``'s last known year).
CALENDAR_LAST_DAY = date(2026, 12, 28)

# qianshan_2023's windows (the defaults without a pack; public names deprecated): 上年度 (2021), 参照年度 (2022) and the income 周期 2022-05-01..2023-04-30.
_QIANSHAN_PREVIOUS_YEAR = DateRange.year(2021)
_QIANSHAN_REFERENCE_YEAR = DateRange.year(2022)
_QIANSHAN_INCOME_WINDOW = DateRange(start=date(2022, 5, 1), end=date(2023, 4, 30))
_QIANSHAN_WINDOWS: tuple[DateRange, ...] = (
    _QIANSHAN_PREVIOUS_YEAR,
    _QIANSHAN_REFERENCE_YEAR,
    _QIANSHAN_INCOME_WINDOW,
)

#: Money edges of qianshan_2023 (a typical supplied monitoring line of 6,900 and the 1万元 of ①).
_QIANSHAN_MONEY_EDGES: tuple[Decimal, ...] = tuple(
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
_QIANSHAN_DATE_EDGES: tuple[date, ...] = (
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

_DEFAULT_DATE_EDGES = _QIANSHAN_DATE_EDGES
_DAY = timedelta(days=1)
_HUGE = 10**9  # yuan
# Strategies are built once at import (or once per option set): building one inside a draw makes
# hypothesis validate it again on every draw, which was most of the generation time.
_BOOL = st.booleans()


# --------------------------------------------------------------------------------------------
# Drawing inside a composite without hypothesis's wrappers
#
# Hypothesis spends most of a household's generation time on per-draw bookkeeping (a span per
# strategy drawn, and the engine's mutations walk every span). ``st.one_of`` costs three spans
# (itself, its branch index, the branch) and ``.map`` three and a warnings context. Inside our
# composites, _Branches draws the *same choices* as one_of (a branch index as one_of's own
# sampler draws it, then the branch) with one span each, and decodes in plain Python: the same
# values for the same choices. yuan(), dates() and per_capita_levels() are built on it; the
# records of a household go further (records.py: a record's facts as a few packed choices).


@lru_cache(maxsize=256)
def _index(n: int) -> SearchStrategy[int]:
    """A branch index among ``n``, drawn as ``st.one_of``'s branch sampler draws it."""
    return st.sampled_from(range(n))


class _Just:
    """A branch that is a constant (``st.just``: no choice drawn)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


#: A branch: a strategy, a function of ``draw`` or a constant; ``None`` is ``st.none()``.
_Branch = SearchStrategy[Any] | Callable[[st.DrawFn], Any] | _Just | None


class _Branches:
    """``st.one_of(*branches)`` drawn with a ``draw`` function: the branches as one_of lists
    them once nested one_ofs are flattened (``dates()`` is two branches), so the choices and
    their odds are one_of's."""

    __slots__ = ("branches", "index_s")

    def __init__(self, *branches: _Branch) -> None:
        self.branches = branches
        self.index_s = _index(len(branches))

    def __call__(self, draw: st.DrawFn) -> Any:
        branch = self.branches[draw(self.index_s)] if len(self.branches) > 1 else self.branches[0]
        if branch is None:
            return None
        if isinstance(branch, _Just):
            return branch.value
        if isinstance(branch, SearchStrategy):
            return draw(branch)
        return branch(draw)

    def strategy(self) -> SearchStrategy[Any]:
        """The same draw as a strategy (for a public function or ``st.lists``)."""
        return st.composite(lambda draw: self(draw))()


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
    return _yuan(min_value, max_value, edges).strategy()


def _yuan(min_value: Amount, max_value: Amount, edges: Iterable[Amount] = ()) -> _Branches:
    """:func:`yuan` for a composite's ``draw``."""
    return _Branches(*_yuan_branches(min_value, max_value, edges))


def _yuan_branches(
    min_value: Amount, max_value: Amount, edges: Iterable[Amount] = ()
) -> tuple[Callable[[st.DrawFn], Decimal], ...]:
    """The branches :func:`yuan` has inside a ``st.one_of``: an edge (when there are edges) and
    any amount (one_of flattens ``one_of(edge, any).map(f)`` into ``edge.map(f), any.map(f)``)."""
    lo, hi = _fen(min_value), _fen(max_value)
    if lo > hi:
        raise ValueError(f"yuan(): min_value {min_value!r} is above max_value {max_value!r}")
    every = st.integers(lo, hi)
    edge_fen = sorted({f for f in (_fen(e) for e in edges) if lo <= f <= hi})

    def any_amount(draw: st.DrawFn) -> Decimal:
        return _from_fen(draw(every))

    if not edge_fen:
        return (any_amount,)
    on_edge = st.sampled_from(edge_fen)

    def edge_amount(draw: st.DrawFn) -> Decimal:
        return _from_fen(draw(on_edge))

    return edge_amount, any_amount


def per_capita_levels(*, edges: Iterable[Amount] | None = None) -> SearchStrategy[Decimal]:
    """Per-capita net income levels: on the money edges, ordinary and huge incomes.

    Mostly 0–30,000 yuan, often exactly on ``edges`` (default: qianshan_2023's 1万元 and a
    typical supplied line of 6,900, ± 0.01; :func:`households` passes a pack's own edges),
    sometimes up to 10**9 yuan, and sometimes negative (a business loss larger than every other
    income).
    """
    return _levels(edges).strategy()


def _levels(edges: Iterable[Amount] | None) -> _Branches:
    """:func:`per_capita_levels` for a composite's ``draw``."""
    chosen = tuple(to_yuan(e) for e in edges) if edges is not None else _QIANSHAN_MONEY_EDGES
    on_edge = st.sampled_from(chosen or (Decimal("0.00"),))
    # as st.one_of lists them: it drops a repeated branch (strategies are told apart by
    # identity) and flattens each yuan() into its edge and its range
    return _Branches(
        on_edge,
        *_yuan_branches(0, 30000),
        *_yuan_branches(30000, _HUGE, (_HUGE,)),
        *_yuan_branches(-5000, 0),
    )


def dates(
    min_value: date = date(2021, 1, 1),
    max_value: date = date(2023, 12, 31),
    *,
    edges: Iterable[date] = _QIANSHAN_DATE_EDGES,
) -> SearchStrategy[date]:
    """Dates in ``[min_value, max_value]``, drawing ``edges`` inside the range often."""
    edge_s, any_day = _day_branches(min_value, max_value, tuple(edges))
    return st.one_of(edge_s, st.composite(any_day)())


def _day_branches(
    min_value: date, max_value: date, edges: tuple[date, ...]
) -> tuple[SearchStrategy[date], Callable[[st.DrawFn], date]]:
    """The two branches of :func:`dates`: an edge, or any day (new objects on each call, as
    one_of would merge branches that are the same object)."""
    if min_value > max_value:
        raise ValueError(f"dates(): {min_value} is after {max_value}")
    inside = sorted({d for d in (*edges, min_value, max_value) if min_value <= d <= max_value})
    # One integer (days after min_value) rather than st.dates' year / month / day parts: a third
    # of the choices, and it still shrinks towards min_value.
    days = st.integers(0, (max_value - min_value).days)

    def any_day(draw: st.DrawFn) -> date:
        return min_value + timedelta(days=draw(days))

    return st.sampled_from(inside), any_day


def _strategy(value: T | SearchStrategy[T]) -> SearchStrategy[T]:
    return value if isinstance(value, SearchStrategy) else st.just(value)


def _maybe_values(values: Iterable[T], allow_unknown: bool) -> tuple[T | None, ...]:
    """``values``, preceded by unknowns (``None``) when unknowns are allowed: unknown one time in
    three, and first, so shrinking goes towards unknown (as few values as give those odds: each
    is a digit of a packed choice)."""
    known = tuple(values)
    if not allow_unknown:
        return known
    if len(known) % 2 == 0:
        return (None,) * (len(known) // 2) + known
    return (None,) * len(known) + known + known


def _combinations(values: Sequence[T], max_size: int) -> list[tuple[T, ...]]:
    """Subsets of ``values`` (in their order) with at most ``max_size`` items, smaller first (so
    shrinking goes towards the empty one): one digit instead of a unique list's choice per item."""
    return [c for size in range(max_size + 1) for c in combinations(values, size)]


# --------------------------------------------------------------------------------------------
# Cheap dynamic draws (strategies are built once; only integer bounds vary per draw)


@lru_cache(maxsize=8192)
def _offsets(span: int) -> _Branches:
    return _Branches(st.sampled_from((0, span)), st.integers(0, span))


def _day_between(draw: st.DrawFn, lo: date, hi: date) -> date:
    """A day in ``lo..hi`` (both ends drawn often)."""
    return lo + timedelta(days=_offsets((hi - lo).days)(draw))


# --------------------------------------------------------------------------------------------
# ID numbers

_AREA_CODES = ("210311", "210302", "210303", "210304", "110101", "440305", "510104", "650102")
_AREA_CODE_S = st.one_of(st.sampled_from(_AREA_CODES), st.integers(110000, 829999).map(str))
_SEQUENCE_S = st.integers(0, 999)
_ANY_BIRTH_S = dates(date(1900, 1, 1), date(2026, 12, 31), edges=(date(2000, 2, 29),))


def _id_number(draw: st.DrawFn, born: date, codes: SearchStrategy[str] = _AREA_CODE_S) -> str:
    code = draw(codes)
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"id_numbers(): area code {code!r} is not 6 digits")
    if not 1000 <= born.year <= 9999:
        raise ValueError(f"id_numbers(): birth year {born.year} cannot be written in 4 digits")
    first17 = f"{code}{born.year:04d}{born.month:02d}{born.day:02d}{draw(_SEQUENCE_S):03d}"
    return first17 + check_digit(first17)


def id_numbers(
    birth_dates: date | SearchStrategy[date] | None = None,
    *,
    area_codes: SearchStrategy[str] | None = None,
) -> SearchStrategy[str]:
    """Valid GB 11643-1999 resident ID numbers (area code, birth date, sequence, check digit).

    ``birth_dates`` fixes (or draws) the date written in the number; default 1900-01-01 … 2026-12-31.
    ``area_codes`` draws the 6-digit area code. The check character is ``X`` about one time in 11.
    """
    born_s = _strategy(birth_dates) if birth_dates is not None else _ANY_BIRTH_S
    codes = area_codes if area_codes is not None else _AREA_CODE_S

    @st.composite
    def build(draw: st.DrawFn) -> str:
        return _id_number(draw, draw(born_s), codes)

    return build()


# --------------------------------------------------------------------------------------------
# Members

_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞")
_DISEASES = _combinations(("高血压", "糖尿病", "尿毒症", "恶性肿瘤", "脑梗塞"), 2)
_CHILD_RELATIONS = (Relation.CHILD, Relation.GRANDCHILD)
# School stages the rules read (compulsory, non-compulsory in school) twice as often as the rest.
_SCHOOLING_VALUES = (
    *(s for s in SchoolingStage if s.is_non_compulsory_in_school or s.is_compulsory),
    *SchoolingStage,
)


def members(
    *,
    ids: str | SearchStrategy[str] = "m1",
    relation: Relation | SearchStrategy[Relation] | None = None,
    birth_range: tuple[date, date] = (date(1925, 1, 1), date(2023, 12, 31)),
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    counted: bool | SearchStrategy[bool] | None = None,
    allow_unknown: bool = True,
    birth_edges: Iterable[date] = (),
    date_edges: Iterable[date] = (),
) -> SearchStrategy[Member]:
    """One valid household member.

    ``ids`` fixes or draws the member id (unique ids within a household are the caller's job;
    :func:`households` takes care of it). ``relation`` defaults to any relation, children and
    grandchildren more often (group ⑥). Birth dates fall in ``birth_range`` (its last day, a
    newborn, often). Disability certificates are dated in ``date_range``, often exactly around
    2023-01-01 (group ⑦); an ID number, when drawn, carries the member's birth date if known.
    ``counted`` (``counted_in_household``) defaults to true three times in four. With
    ``allow_unknown=False`` birth date, labour, schooling, employment and health flags are known.
    """
    drawn = _MemberDraw(
        relation=relation,
        birth_range=birth_range,
        date_range=date_range,
        counted=counted,
        allow_unknown=allow_unknown,
        birth_edges=tuple(birth_edges),
        date_edges=tuple(date_edges),
    ).record(None, None, _strategy(ids))
    return _strategy_of(drawn)


_MEMBER_NUMBERS = tuple(range(1, 100))
_SEQUENCES = tuple(range(1000))  # an ID number's sequence number
_RELATIONS = (*_CHILD_RELATIONS * (len(Relation) // 2), *Relation)
_ID_BIRTH = _rec.Day([(date(1900, 1, 1), date(2026, 12, 31))], (date(2000, 2, 29),))


class _AreaCode(_rec.Field):
    """An ID number's area code: a listed one or any 6 digits, as often (one digit)."""

    __slots__ = ()
    _ANY_S = st.integers(110000, 829999)

    def __init__(self) -> None:
        super().__init__((_AREA_CODES + (_rec.ANY,) * len(_AREA_CODES),), loose=True)

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> str:
        return str(draw(self._ANY_S)) if digits[0] is _rec.ANY else digits[0]


class _MemberDraw:
    """A member's facts as one record (see :mod:`.records`): the same facts and odds as each
    drawn on its own, in a few choices. ``record(gate, extras)`` is the record, as a list
    element (``gate``: the "one more?" digit, and a member number 1..99 to pick the id from)
    and with the later packs' facts (``extras``: :func:`_member_extra_fields`) or not."""

    def __init__(
        self,
        *,
        relation: Relation | SearchStrategy[Relation] | tuple[Relation, ...] | None,
        birth_range: tuple[date, date],
        date_range: tuple[date, date],
        counted: bool | SearchStrategy[bool] | None,
        allow_unknown: bool,
        birth_edges: tuple[date, ...],
        date_edges: tuple[date, ...],
    ) -> None:
        flags = _maybe_values((False, True), allow_unknown)
        self.fields: list[_rec.Field] = [
            _rec.of(_RELATIONS if relation is None else relation, loose=True),
            _rec.of((True, True, True, False) if counted is None else counted),
            _rec.Day(
                [birth_range],
                (birth_range[1], date(2023, 1, 1), *birth_edges),
                unknown=allow_unknown,
            ),
            _rec.Of((False, True), loose=True),  # an ID number
            _AreaCode(),
            _rec.Of(_SEQUENCES, loose=True),
            _ID_BIRTH,  # the ID number's birth date when the member's is unknown
            _rec.Of((None, *_NAMES), loose=True),
            _rec.Of((None, *HukouKind)),
            _rec.Of(_maybe_values(LabourCapacity, allow_unknown)),
            _rec.Of(flags),  # major illness
            _rec.Of(flags),  # chronic illness
            _rec.Of(_maybe_values(_SCHOOLING_VALUES, allow_unknown)),
            _rec.Of(_maybe_values(EmploymentStability, allow_unknown)),
            _rec.Of(flags),  # urban social security
            _rec.Of(_DISEASES),
            _rec.Maybe(
                _rec.Of((1, 2, 3, 4), loose=True),
                _rec.Day(
                    [date_range],
                    (date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2), *date_edges),
                ),
            ),
        ]

    def record(
        self,
        gate: tuple[bool, ...] | None,
        extras: _MemberExtras | None,
        ids: SearchStrategy[str] | None = None,
    ) -> Callable[[st.DrawFn], Any]:
        head: list[_rec.Field] = []
        if gate is not None:
            head = [_rec.Of(gate), _rec.Of(_MEMBER_NUMBERS, loose=True)]
        tail = [extras, _MEMBER_EXTRA_FLAGS] if extras is not None else []
        record = _rec.Record(*head, *self.fields, *tail, gated=gate is not None)

        def build(draw: st.DrawFn) -> Any:
            values = record(draw)
            if values is None:
                return None
            number = None
            if gate is not None:
                number, values = values[1], values[2:]
            (
                relation,
                counted,
                born,
                has_id,
                code,
                sequence,
                id_birth,
                name,
                hukou,
                labour,
                major,
                chronic,
                schooling,
                employment,
                urban,
                diseases,
                disability,
                *extra,
            ) = values
            id_number = None
            if has_id:
                id_number = _id_from(code, born if born is not None else id_birth, sequence)
            member = Member(
                # a list element's id is m<number>, given once the household's are known
                id=draw(ids) if ids is not None else "m1",
                name=name,
                relation=relation,
                birth_date=born,
                hukou=hukou,
                labour=labour,
                health=Health(major_illness=major, chronic_illness=chronic, diseases=diseases),
                disability=None
                if disability is None
                else Disability(grade=disability[0], certificate_date=disability[1]),
                schooling=schooling,
                employment=employment,
                id_number=id_number,
                counted_in_household=counted,
                has_urban_social_security=urban,
            )
            if extra and extra[0] is not None:
                member = _with_extras(member, {**extra[0], "flags": extra[1]})
            return member if number is None else (number, member)

        return build


def _id_from(code: str, born: date, sequence: int) -> str:
    if not 1000 <= born.year <= 9999:
        raise ValueError(f"id_numbers(): birth year {born.year} cannot be written in 4 digits")
    first17 = f"{code}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
    return first17 + check_digit(first17)


# --------------------------------------------------------------------------------------------
# Income

Coverage = Literal["full", "partial", "none"]
_EXPENSE_S = st.integers(0, 50000 * 100)
_PROPERTY_S = st.integers(-20000 * 100, 20000 * 100)
_SOURCES = (None, "入户调查", "统计监测", "部门数据比对")
#: a share of an income record's positive income (in _SHARE-ths): none or all a quarter of the
#: time each, else one of six in between (a digit; a fraction drawn over its whole range would
#: be a choice of its own)
_SHARE = 7
_SHARES = (0, 0, 0, _SHARE, _SHARE, _SHARE, *range(1, _SHARE))
#: the policy part of a record's transfers (in _SHARE-ths; None: not recorded, what shrinking goes
#: to — the fact is optional)
_POLICY_SHARES = (None, 0, _SHARE, *range(1, _SHARE))
#: how an aimed total splits over its records: a weight 0..3 each (all 0: equal parts)
_WEIGHTS = tuple(range(4))


class _Pick(_rec.Field):
    """One of ``values`` where a strategy among them stands for its own draw (a branch of a
    one_of drawn as a digit: an edge, or an amount anywhere in a range)."""

    __slots__ = ()

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> Any:
        picked = digits[0]
        return draw(picked) if isinstance(picked, SearchStrategy) else picked


#: a segment's net income (in fen) when no aim fixes it: the branches of the plain
#: one_of(yuan(0, 200000, edges=(0,)), yuan(-20000, 0), yuan(0, 10**9, edges=(10**9,)))
_DEFAULT_NET = _Pick(
    (
        (
            0,
            st.integers(0, 200000 * 100),
            st.integers(-20000 * 100, 0),
            _HUGE * 100,
            st.integers(0, _HUGE * 100),
        ),
    )
)


class _Level(_rec.Field):
    """A per-capita level (fen) as :func:`per_capita_levels` draws it: on an edge, ordinary,
    huge or negative (its branches as a digit, the edge as another)."""

    __slots__ = ("edges",)

    def __init__(self, edges: Iterable[Amount] | None) -> None:
        chosen = tuple(to_yuan(e) for e in edges) if edges is not None else _QIANSHAN_MONEY_EDGES
        self.edges = tuple(_fen(e) for e in chosen) or (0,)
        branches = (
            None,  # on an edge
            st.integers(0, 30000 * 100),
            _HUGE * 100,
            st.integers(30000 * 100, _HUGE * 100),
            st.integers(-5000 * 100, 0),
        )
        super().__init__((branches, self.edges))

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> Decimal:
        branch, edge = digits
        if branch is None:
            return _from_fen(edge)
        return _from_fen(draw(branch) if isinstance(branch, SearchStrategy) else branch)


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


@lru_cache(maxsize=64)
def _weights(parts: int) -> _rec.Record:
    return _rec.Record(*(_rec.Of(_WEIGHTS) for _ in range(parts)))


def _split(draw: st.DrawFn, total: Decimal, parts: int) -> list[Decimal]:
    """``total`` split into ``parts`` exact fen amounts that add up to it exactly."""
    if parts == 1:
        return [total]
    fen = _fen(total)
    weights = _weights(parts)(draw)
    assert weights is not None
    if sum(weights) == 0:
        weights = [1] * parts
    shares = [fen * w // sum(weights) for w in weights[:-1]]
    shares.append(fen - sum(shares))
    return [_from_fen(s) for s in shares]


#: an income record's small facts: a business expense, a property income, its source and how
#: its positive income splits into wages, business and transfers; and its net when not aimed
_RECORD = _rec.Record(
    _rec.Of((False, True)),
    _rec.Of((False, True)),
    _rec.Of(_SOURCES, loose=True),
    # how the positive income splits (no stated edge: the net is what the rules compare)
    _rec.Of(_SHARES, loose=True),
    _rec.Of(_SHARES, loose=True),
    _rec.Of(_POLICY_SHARES, loose=True),
    # the branch (loose: zero and 10**9 yuan are no stated edge), drawn further only for a
    # record no aim fixes
    _rec.Field(_DEFAULT_NET.options, loose=True),
)


def _record(draw: st.DrawFn, start: date, end: date, net: Decimal | None) -> IncomeRecord:
    """A record over ``start..end`` whose net income (components − business expense) is ``net``
    (drawn when ``None``)."""
    values = _RECORD(draw)
    assert values is not None
    has_expense, has_property, source, a, b, policy, branch = values
    if net is None:
        net = _from_fen(_DEFAULT_NET.value(draw, [branch]))
    expense = _from_fen(draw(_EXPENSE_S)) if has_expense else Decimal("0.00")
    prop = _from_fen(draw(_PROPERTY_S)) if has_property else Decimal("0.00")
    positive = net - prop + expense
    if positive < 0:  # property income absorbs a loss larger than the other components
        prop, positive = net + expense, Decimal("0.00")
    fen = _fen(positive)
    a, b = sorted((fen * a // _SHARE, fen * b // _SHARE))
    transfer = fen - b
    return IncomeRecord(
        start=start,
        end=end,
        wage_income=_from_fen(a),
        business_income=_from_fen(b - a),
        property_income=prop,
        transfer_income=_from_fen(transfer),
        business_expense=expense,
        policy_transfer_income=None if policy is None else _from_fen(transfer * policy // _SHARE),
        source=source,
    )


class _Timeline:
    """Non-overlapping income records over the union of ``windows``; the windows in
    ``aim_windows`` have their net income aimed at ``level`` × the counted members.

    Every aimed window's ends are cut points, so each record lies inside or outside it and the
    window's net income is the exact sum of its records' nets (no pro rata rounding). Boundaries of
    the other windows are cut or not (a record straddling a window boundary is split pro rata by
    the engine). Windows are aimed in order; one made only of records already fixed by earlier
    aims keeps the total they imply. Which boundaries are cut, the extra cuts, the coverage and a
    level drawn as :func:`per_capita_levels` are digits of one record (see :mod:`.records`).
    """

    def __init__(
        self,
        windows: Sequence[DateRange],
        aim_windows: Sequence[DateRange],
        level: _Level | Callable[[st.DrawFn], Decimal],
        coverage: Coverage | tuple[Coverage, ...],
        max_extra_cuts: int,
    ) -> None:
        self.windows = tuple(windows)
        self.aim_windows = tuple(aim_windows)
        self.level = level
        self.max_extra_cuts = max_extra_cuts
        first = min((w.start for w in windows), default=date.min)
        last = max((w.end for w in windows), default=date.min)
        cut_day = _rec.Day([(first, last)], (first, last), loose=True)
        levels = [level] * len(self.aim_windows) if isinstance(level, _Level) else []
        self.record = _rec.Record(
            _rec.of(coverage),
            *(_rec.Of((False, True)) for _ in self.windows),  # a window's ends cut
            # how many extra cuts: none half the time
            _rec.Of(
                (0,) * max(max_extra_cuts, 1) + tuple(range(1, max_extra_cuts + 1)), loose=True
            ),
            *(cut_day for _ in range(max_extra_cuts)),
            *levels,
        )

    def __call__(self, draw: st.DrawFn, counted: int) -> tuple[IncomeRecord, ...]:
        windows = self.windows
        if not windows:
            return ()
        values = self.record(draw)
        assert values is not None
        coverage: Coverage = values[0]
        if coverage == "none":
            return ()
        k = 1 + len(windows)
        cut_flags, extra = values[1:k], values[k]
        days = values[k + 1 : k + 1 + self.max_extra_cuts]
        levels = values[k + 1 + self.max_extra_cuts :]
        aims: dict[DateRange, Decimal] = {}
        if counted:
            for i, w in enumerate(self.aim_windows):
                level = levels[i] if levels else self.level(draw)  # type: ignore[operator]
                aims[w] = to_yuan(level) * counted
        cuts: set[date] = set()
        for w, cut in zip(windows, cut_flags, strict=True):
            if w in aims or cut:
                cuts |= {w.start, w.end + _DAY}
        cuts.update(days[:extra])
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
        nets: list[Decimal | None] = [net_of.get(k) for k in range(len(segments))]
        if coverage == "partial":
            trimmable = [k for k, (s, e) in enumerate(segments) if e > s]
            if trimmable and draw(_BOOL):  # type: ignore[arg-type]
                # Leave out one day at a segment's edge: the window edges are where coverage
                # breaks.
                k = draw(st.sampled_from(trimmable))
                s, e = segments[k]
                segments[k] = (s + _DAY, e) if draw(_BOOL) else (s, e - _DAY)
            else:
                dropped = draw(st.sets(st.sampled_from(range(len(segments))), min_size=1))
                kept = [k for k in range(len(segments)) if k not in dropped]
                segments, nets = [segments[k] for k in kept], [nets[k] for k in kept]
        return tuple(_record(draw, s, e, n) for (s, e), n in zip(segments, nets, strict=True))


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
    total_s = _strategy(total_net) if total_net is not None else st.just(Decimal("0.00"))
    timeline = _Timeline(
        [window],
        [window] if total_net is not None else [],
        lambda draw: to_yuan(draw(total_s)),
        "partial" if partial else "full",
        max_records - 1,
    )

    @st.composite
    def build(draw: st.DrawFn) -> tuple[IncomeRecord, ...]:
        return timeline(draw, 1)

    return build()


# --------------------------------------------------------------------------------------------
# Dated records

_SPENDING_NOTES = (None, None, None, "住院", "学费", "房屋修缮")  # unknown half the time
_EVENT_NOTES = (None, None, None, "突发", "住院治疗", "洪涝")


def _days_in(
    date_range: tuple[date, date], edges: Iterable[date], windows: Sequence[DateRange]
) -> _rec.Day:
    """Days in ``date_range``, or (as often) inside one of ``windows`` (a pack's income and
    spending periods, where its rules sum spending and look for events)."""
    spans = [date_range] + [
        (max(w.start, date_range[0]), min(w.end, date_range[1]))
        for w in windows
        if max(w.start, date_range[0]) <= min(w.end, date_range[1])
    ]
    return _rec.Day(spans, tuple(edges))


class _OneOf(_rec.Field):
    """One of ``values`` or any integer of ``any_s``, as often (two digits)."""

    __slots__ = ("any_s",)

    def __init__(self, values: Sequence[int], any_s: SearchStrategy[int]) -> None:
        self.any_s = any_s
        super().__init__(((True, _rec.ANY), values))

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> int:
        branch, picked = digits
        return draw(self.any_s) if branch is _rec.ANY else picked


def _element(
    fields: Sequence[_rec.Field],
    build: Callable[[st.DrawFn, Callable[[int], Any]], T],
    gate: tuple[bool, ...] | None = None,
) -> Callable[[st.DrawFn], T | None]:
    """One record of ``fields`` built by ``build(draw, field)`` (``field(k)``: the k-th field's
    value, decoded when asked); with ``gate``, a list element whose first digit says whether
    there is one (``None``: the list ends)."""
    head = [_rec.Of(gate)] if gate is not None else []
    record = _rec.Record(*head, *fields, gated=gate is not None)
    skip = len(head)

    def one(draw: st.DrawFn) -> T | None:
        digits = record.digits(draw)
        if digits is None:
            return None
        return build(draw, lambda k: record.field(draw, digits, k + skip))

    return one


def _strategy_of(one: Callable[[st.DrawFn], T | None]) -> SearchStrategy[T]:
    """An ungated record's draw as a strategy (for a public function)."""

    def build(draw: st.DrawFn) -> T:
        value = one(draw)
        assert value is not None  # only a gated record (a list element) ends a list
        return value

    return st.composite(build)()


class _Spending:
    """A rigid spending's facts as one record (see :func:`expenditures`)."""

    def __init__(
        self,
        *,
        date_range: tuple[date, date],
        kinds: ExpenditureKind
        | SearchStrategy[ExpenditureKind]
        | tuple[ExpenditureKind, ...]
        | None,
        max_total: Amount,
        money_edges: Iterable[Amount],
        date_edges: Iterable[date],
        windows: Sequence[DateRange],
        care: tuple[CareType | None, ...] = (None,),
    ) -> None:
        max_fen = _fen(max_total)
        edge_fen = sorted({f for f in map(_fen, money_edges) if 0 <= f <= max_fen})
        self.fields = (
            _OneOf((0, 1, 100, max_fen, *edge_fen), st.integers(0, max_fen)),  # total
            _rec.Share(loose=True),  # reimbursed
            # the self-paid part or the personal burden (total − reimbursed) exactly on an edge
            _rec.Of((None, None, *edge_fen) if edge_fen else (None,)),
            _rec.Of((False, True)),  # self-paid at most 0.01
            _rec.Share(loose=True),  # self-paid otherwise
            _rec.Of((False, True)),  # self-paid on the edge too
            # the kind as a uniform digit (a pack's favoured kinds half the time: _favouring)
            _rec.of(tuple(ExpenditureKind) if kinds is None else kinds),
            _days_in(date_range, date_edges, windows),
            _rec.Of(_SPENDING_NOTES, loose=True),
            _rec.Of(care),
        )

    def build(self, draw: st.DrawFn, field: Callable[[int], Any]) -> Expenditure:
        total = field(0)
        reimbursed = _rec.scaled(total, field(1))
        edge, at_most_fen = field(2), field(3)
        if edge is not None and edge <= total:
            reimbursed = total - edge
        room = total - reimbursed
        self_paid = min(room, 1) if at_most_fen else _rec.scaled(room, field(4))
        if edge is not None and edge <= room and field(5):
            self_paid = edge
        kind = field(6)
        return Expenditure(
            kind=kind,
            care=field(9) if kind == ExpenditureKind.MEDICAL else None,
            date=field(7),
            total=_from_fen(total),
            reimbursed=_from_fen(reimbursed),
            compliant_self_paid=_from_fen(self_paid),
            description=field(8),
        )

    def one(self, gate: tuple[bool, ...] | None = None) -> Callable[[st.DrawFn], Any]:
        return _element(self.fields, self.build, gate)


def expenditures(
    *,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    kinds: ExpenditureKind | SearchStrategy[ExpenditureKind] | None = None,
    max_total: Amount = 1_000_000,
    money_edges: Iterable[Amount] = (),
    date_edges: Iterable[date] = _DEFAULT_DATE_EDGES,
    windows: Sequence[DateRange] = (),
) -> SearchStrategy[Expenditure]:
    """A valid rigid spending: ``reimbursed <= total`` and ``self-paid <= total − reimbursed``.

    Totals go up to ``max_total`` yuan. Self-paid is often exactly 0 or 0.01 (the ``> 0`` edge of
    qianshan's spending rules), and reimbursement often covers everything.
    """
    spending = _Spending(
        date_range=date_range,
        kinds=kinds,
        max_total=max_total,
        money_edges=money_edges,
        date_edges=date_edges,
        windows=windows,
    )
    return _strategy_of(spending.one())


#: + 0.01, on, − 0.01 (in fen), each a third of the time (above first, as free draws land below
#: a stated figure far more often than above it), and 1–3 records adding up to it
_AIM_SHAPE = _rec.Record(_rec.Of((1, 0, -1)), _rec.Of((1, 2, 3)))


_Aim = tuple[date, date, str, tuple[ExpenditureKind, ...], tuple[CareType | None, ...], int]
#: at most this many sums aimed in one household, and this many sets of them to choose from
_MAX_AIMS = 3
_MAX_AIM_SETS = 4096


def _apart(one: _Aim, other: _Aim) -> bool:
    """Whether no record aimed at ``one`` can count in ``other``'s sum (disjoint days or kinds),
    so both land exactly on their edges in one household."""
    return one[1] < other[0] or other[1] < one[0] or not set(one[3]) & set(other[3])


def _aim_sets(aims: Sequence[_Aim]) -> list[tuple[_Aim, ...]]:
    """Sets of up to _MAX_AIMS sums pairwise apart, largest first (each is one choice; free
    draws reach few of a pack's sums, so a household aims at as many as it can at once)."""
    found: list[tuple[_Aim, ...]] = []
    for size in range(min(_MAX_AIMS, len(aims)), 0, -1):
        for chosen in combinations(aims, size):
            if all(_apart(a, b) for a, b in combinations(chosen, 2)):
                found.append(chosen)
                if len(found) >= _MAX_AIM_SETS:
                    return found + [(a,) for a in aims if (a,) not in found]
    return found


def _aimed_spending(
    sums: Sequence[SpendingSum], date_range: tuple[date, date]
) -> SearchStrategy[tuple[Expenditure, ...]] | None:
    """Spending whose sums for a pack's spending thresholds (:attr:`PackEdges.sums`) are each
    exactly the threshold + 0.01, on it or − 0.01: for one or more sums that no record can count
    in twice, 1–3 records each, dated inside the days that sum reads (the ends often), of the
    kinds / care types it selects, their parts adding up exactly. ``None`` when the pack states
    no such threshold inside ``date_range``."""
    aims: list[_Aim] = []
    for found in sums:
        start = max(found.window.start, date_range[0])
        end = min(found.window.end, date_range[1])
        if start > end or not isinstance(found.threshold.value, Decimal):
            continue
        if found.part == "burden":  # 个人负担 of medical spending of the care types selected
            kinds: tuple[ExpenditureKind, ...] = (ExpenditureKind.MEDICAL,)
            care: tuple[CareType | None, ...] = found.care or tuple(CareType)
        else:  # 合规自付 of the kinds selected; a medical record's care is drawn with the rest
            kinds, care = found.kinds or tuple(ExpenditureKind), (None,)
        aims.append((start, end, found.part, kinds, care, _fen(found.threshold.value)))
    if not aims:
        return None
    aims = list(dict.fromkeys(aims))
    sets_s = st.sampled_from(_aim_sets(tuple(aims)))
    # per aim, each record's facts as one record (see .records): the reimbursed share, the
    # share of the other part, the day (either end of the days the sum reads often) and which
    # of the kinds and care types the sum selects
    records = {
        aim: _rec.Record(
            _rec.Share(),
            _rec.Share(),
            _rec.Day([(aim[0], aim[1])], (aim[0], aim[1])),
            _rec.Of(aim[3], loose=True),
            _rec.Of(aim[4], loose=True),
        )
        for aim in aims
    }

    def aimed(draw: st.DrawFn, aim: _Aim) -> list[Expenditure]:
        part, value = aim[2], aim[5]
        side, parts = _AIM_SHAPE(draw) or (0, 1)
        fen = max(value + side, 0)
        out = []
        for share in _split(draw, _from_fen(fen), parts):
            amount = _fen(share)
            values = records[aim](draw)
            assert values is not None
            reimbursed_share, other_share, day, kind, care_type = values
            reimbursed = _rec.scaled(amount, reimbursed_share)
            if part == "burden":
                total, self_paid = amount + reimbursed, _rec.scaled(amount, other_share)
            else:  # a non-compliant part on top, paid by the household too
                total = amount + reimbursed + _rec.scaled(amount, other_share)
                self_paid = amount
            out.append(
                Expenditure(
                    kind=kind,
                    care=care_type,
                    date=day,
                    total=_from_fen(total),
                    reimbursed=_from_fen(reimbursed),
                    compliant_self_paid=_from_fen(self_paid),
                )
            )
        return out

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Expenditure, ...]:
        return tuple(record for aim in draw(sets_s) for record in aimed(draw, aim))

    return build()


def _event_fields(
    date_range: tuple[date, date],
    types: RiskType | SearchStrategy[RiskType] | tuple[RiskType, ...] | None,
    date_edges: Iterable[date],
    windows: Sequence[DateRange],
) -> tuple[_rec.Field, ...]:
    return (
        # the type as a uniform digit (a pack's favoured types half the time: _favouring)
        _rec.of(tuple(RiskType) if types is None else types),
        _days_in(date_range, date_edges, windows),
        _rec.Of(_EVENT_NOTES, loose=True),
    )


def _event(draw: st.DrawFn, field: Callable[[int], Any]) -> RiskEvent:
    kind, day, note = (field(k) for k in range(3))
    return RiskEvent(type=kind, date=day, description=note)


def risk_events(
    *,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    types: RiskType | SearchStrategy[RiskType] | None = None,
    date_edges: Iterable[date] = _DEFAULT_DATE_EDGES,
    windows: Sequence[DateRange] = (),
) -> SearchStrategy[RiskEvent]:
    """A dated risk event of any :class:`RiskType` (default) on a day in ``date_range``."""
    return _strategy_of(_element(_event_fields(date_range, types, date_edges, windows), _event))


#: a day after another, up to a last day: unknown (a third of the time), either end or any day
_LATER = (None, None, 0, 1, _rec.ANY, _rec.ANY)


def _later(draw: st.DrawFn, digit: Any, lo: date, hi: date) -> date | None:
    if digit is None:
        return None
    if digit is _rec.ANY:
        return lo + timedelta(days=draw(_rec.integers(0, (hi - lo).days)))
    return hi if digit else lo


def _assistance_fields(
    date_range: tuple[date, date], allow_unknown: bool, date_edges: tuple[date, ...]
) -> tuple[_rec.Field, ...]:
    return (
        _rec.Day([date_range], (date(2022, 12, 31), date(2023, 1, 1), *date_edges)),
        _rec.Of(_LATER),
        _rec.Of(tuple(DibaoKind)),
        _rec.Of(_maybe_values((False, True), allow_unknown)),
    )


def _assistance_of(hi: date) -> Callable[[st.DrawFn, Callable[[int], Any]], SocialAssistance]:
    def build(draw: st.DrawFn, field: Callable[[int], Any]) -> SocialAssistance:
        start = field(0)
        end = _later(draw, field(1), start, max(start, hi))
        kind, full_or_top = field(2), field(3)
        return SocialAssistance(kind=kind, start=start, end=end, full_or_top_grade=full_or_top)

    return build


_RISK_TYPES = _combinations(tuple(RiskType), 2)
_MEASURES = _combinations(tuple(AssistanceMeasure), 2)


def _monitoring_fields(
    date_range: tuple[date, date], date_edges: tuple[date, ...]
) -> tuple[_rec.Field, ...]:
    return (
        _rec.Day([date_range], (*date_edges, date(2023, 4, 27))),  # identified
        _rec.Of(_LATER),  # entered in the system
        _rec.Of(_LATER),  # plan filed
        _rec.Of(_LATER),  # eliminated
        _rec.Of(tuple(MonitoringCategory)),
        # how many helpers the record names (0, 1 or 2: 帮扶责任人 and a second helper, the
        # double-helper edge) and who they are; shrinking goes towards no helper
        _rec.Of((0, 1, 2)),
        _rec.Of(tuple(range(len(_NAMES))), loose=True),
        _rec.Of(tuple(range(1, len(_NAMES))), loose=True),
        _rec.Of(_RISK_TYPES),
        _rec.Of(_MEASURES, loose=True),
    )


def _monitoring_of(hi: date) -> Callable[[st.DrawFn, Callable[[int], Any]], MonitoringRecord]:
    def build(draw: st.DrawFn, field: Callable[[int], Any]) -> MonitoringRecord:
        identified = field(0)
        last = max(identified, hi)
        helpers, first, step = field(5), field(6), field(7)
        # the second helper is another person than the first (step ≥ 1 round the names)
        return MonitoringRecord(
            category=field(4),
            identified_on=identified,
            system_entry_on=_later(draw, field(1), identified, last),
            risk_types=field(8),
            measures=field(9),
            helper=_NAMES[first] if helpers >= 1 else None,
            second_helper=_NAMES[(first + step) % len(_NAMES)] if helpers == 2 else None,
            plan_filed_on=_later(draw, field(2), identified, last),
            eliminated_on=_later(draw, field(3), identified, last),
        )

    return build


class _GreenChannel(_rec.Field):
    """A green-channel record: findings likely true, each confirmation unknown, on an edge or
    any day (a third of the time each)."""

    __slots__ = ("day",)

    def __init__(
        self, date_range: tuple[date, date], allow_unknown: bool, date_edges: tuple[date, ...]
    ) -> None:
        likely = (True, True, False, None) if allow_unknown else (True, True, False)
        self.day = _rec.Day([date_range], date_edges, unknown=True)
        super().__init__((likely, likely))

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> GreenChannelRecord:
        return GreenChannelRecord(
            facts_clear=digits[0],
            urgent=digits[1],
            town_confirmed_on=self.day.alone(draw),
            village_confirmed_on=self.day.alone(draw),
        )


# --------------------------------------------------------------------------------------------
# Households

Profile = Literal["any", "calm", "green_channel"]
_GREEN_CHANNEL_BY = date(2023, 4, 28)
_QUARTER_S = st.integers(0, 3)
_SUDDEN_EVENT_S = risk_events(
    date_range=(date(2022, 1, 1), _GREEN_CHANNEL_BY),
    types=st.sampled_from((RiskType.NATURAL_DISASTER, RiskType.ACCIDENT)),
)
_AREAS = tuple(
    Area(county="千山区", town=town, village=village)
    for town in ("千山镇", "大孤山镇", "东鞍山镇", "宁远镇")
    for village in ("红旗村", "东沟村", "小岭子村", "韩家峪村", "社区")
)
_HEAD_COUNT_S = st.integers(0, 500)
_LIVESTOCK_VALUE_S = st.integers(0, 10**6 * 100)  # fen


_HOUSEHOLD_NUMBER_S = st.integers(0, 10**7)
_HANDLED_DAYS_S = st.integers(0, 30)


def _household_id(draw: st.DrawFn) -> str:
    return f"HH{draw(_HOUSEHOLD_NUMBER_S):08d}"


def _clue_fields(
    date_range: tuple[date, date], date_edges: Iterable[date]
) -> tuple[_rec.Field, ...]:
    return (
        _rec.Day([date_range], tuple(date_edges)),  # received
        _rec.Of((None, _rec.ANY)),  # handled 0–30 days later, or open
        _rec.Of(tuple(ClueKind)),
        _rec.Of((None,) * len(Department) + tuple(Department)),
        _rec.Of(tuple(Channel)),
        _rec.Of((None, None, False, True)),  # meets the criteria
    )


def _clue(draw: st.DrawFn, field: Callable[[int], Any]) -> Clue:
    received = field(0)
    closed = None if field(1) is None else received + timedelta(days=draw(_HANDLED_DAYS_S))
    return Clue(
        channel=field(4),
        kind=field(2),
        department=field(3),
        received_on=received,
        verified_on=closed,
        meets_criteria=field(5),
        closed_on=closed,
    )


def clues(
    *,
    date_range: tuple[date, date] = (date(2021, 1, 1), date(2023, 12, 31)),
    date_edges: Iterable[date] = _DEFAULT_DATE_EDGES,
) -> SearchStrategy[Clue]:
    """Risk clues / department warnings received in ``date_range`` (some handled, some open)."""
    return _strategy_of(_element(_clue_fields(date_range, date_edges), _clue))


class _MemberExtras(_rec.Field):
    """The facts later packs read about a member (child statuses, feeds, urban hukou…), as the
    fields to update; half the members have none of them (absent first: shrinking drops them).
    Which facts are present and the small ones are digits of the member's record, then a day
    (a choice of its own) for each dated one that is present."""

    __slots__ = ("day",)
    _FLAGS: tuple[tuple[Any, ...], ...] = (
        (None, _rec.ANY),  # any of these facts
        (None,) * len(ChildStatus) + tuple(ChildStatus),  # a child status half the time
        (False, True),  # dropout_since known
        (False, True),  # education_aid_since known
        (False, True),  # special_major_disease_since known
    )
    _LOOSE: tuple[tuple[Any, ...], ...] = (
        (None, False, True),  # solitary
        (None, *HukouKind),
        (None, False, True),  # urban social security
        (None, False, True),  # loses self-care
    )

    def __init__(self, date_range: tuple[date, date], date_edges: tuple[date, ...]) -> None:
        self.day = _rec.Day([date_range], date_edges)
        super().__init__(self._FLAGS)

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> dict[str, Any] | None:
        present, status, dropout, aid, special = digits
        if present is None:
            return None
        day = self.day.alone
        return {
            "child_status": (ChildStatusRecord(kind=status, since=day(draw)),)
            if status is not None
            else (),
            "dropout_since": day(draw) if dropout else None,
            "education_aid_since": day(draw) if aid else None,
            "special_major_disease_since": day(draw) if special else None,
        }


#: solitary, own hukou, urban social security and loss of self-care: variety, loose digits
_MEMBER_EXTRA_FLAGS = _rec.Digits(_MemberExtras._LOOSE, loose=True)


def _with_extras(member: Member, extra: dict[str, Any] | None) -> Member:
    if extra is None:
        return member
    solitary, hukou, urban, loses_self_care = extra.pop("flags")
    extra.update(solitary=solitary, hukou=hukou, has_urban_social_security=urban)
    health = member.health.model_copy(
        update={
            "special_major_disease_since": extra.pop("special_major_disease_since"),
            "loses_self_care": loses_self_care,
        }
    )
    return member.model_copy(update={**extra, "health": health})


class _HouseholdExtras(_rec.Field):
    """The household facts later packs read besides clues: a dangerous-house renovation (a
    third of the time, as st.lists(max_size=1) draws one) and a recorded judgement (half)."""

    __slots__ = ("day",)

    def __init__(self, date_range: tuple[date, date], date_edges: tuple[date, ...]) -> None:
        self.day = _rec.Day([date_range], date_edges)
        super().__init__(
            (
                (False, False, True),  # a renovation
                (None, _rec.ANY),  # a judgement
                (False, True),
                (False, True),
            )
        )

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> dict[str, Any]:
        renovated, judged, included, special = digits
        renovations: tuple[HousingRenovation, ...] = ()
        if renovated:
            renovations = (HousingRenovation(included_on=self.day.alone(draw)),)
        judgement = None
        if judged is not None:
            judgement = RecordedJudgement(
                decided_on=self.day.alone(draw),
                included=included,
                reason="drawn by fangfan_rules.strategies",
                special_file=special,
            )
        return {"renovations": renovations, "judgement": judgement}


def households(
    *,
    min_members: int = 0,
    max_members: int = 6,
    hukou: HukouKind | SearchStrategy[HukouKind] | None = None,
    lifted: bool | SearchStrategy[bool | None] | None = None,
    income_window: DateRange | Sequence[DateRange] | None = None,
    income_per_capita: Amount | tuple[Amount, Amount] | SearchStrategy[Decimal] | None = None,
    cover_windows: Sequence[DateRange] | None = None,
    income_coverage: Literal["any", "full", "partial", "none"] = "any",
    allow_unknown: bool = True,
    date_range: tuple[date, date] | None = None,
    area_tags: frozenset[AreaTag] | SearchStrategy[frozenset[AreaTag]] | None = None,
    ids: str | SearchStrategy[str] | None = None,
    profile: Profile | SearchStrategy[Profile] | None = None,
    extras: bool = True,
    pack: Pack | None = None,
    as_of: date | None = None,
) -> SearchStrategy[Household]:
    """Valid households exercising every group of qianshan_2023 (and any pack on the same facts).

    Members: ``min_members``..``max_members`` (0 allowed: an empty household has no per-capita
    income), unique ids ``m<n>``, non-compulsory schooling, disability certificates around
    2023-01-01, members born on the last day of ``date_range``. Dated facts (risk events of every
    type, rigid spending, dibao/特困 starts, monitoring spells, green-channel confirmations) fall in
    ``date_range``, often on the qianshan window edges.

    Income: records never overlap and cover ``cover_windows`` (default: 2021, 2022 and
    2022-05-01..2023-04-30). ``income_window`` (one window or several; default: every cover window;
    any not among them is covered too) is *aimed*: its per-capita net income equals a level drawn
    from ``income_per_capita`` exactly — an amount, an inclusive ``(low, high)`` range, or a
    strategy; default :func:`per_capita_levels` (thresholds, ordinary and 10**9 yuan incomes).
    Each aimed window draws its own level; an aim needs a counted member, so the first member is
    counted whenever ``income_per_capita`` is given. ``income_coverage``: ``"full"``,
    ``"partial"`` (some day of the cover windows is missing), ``"none"`` (no records) or ``"any"``
    (mostly full; only full when ``income_per_capita`` is given or ``allow_unknown=False``).

    ``hukou`` defaults to rural five times in eight, ``lifted`` (脱贫户) to true / false /
    unknown; pass ``st.none()`` for "always unknown". ``allow_unknown=False`` draws every fact the
    rules could need as known (a counted first member born before ``date_range``, all 三保障
    findings, a green-channel record with its findings outside the calm profile…). ``ids`` fixes or draws the household id; :func:`household_lists` makes them unique.

    ``profile`` steers the non-income facts (default: drawn, ``"any"`` four times in seven):
    ``"any"`` draws everything independently; ``"calm"`` has 三保障 and drinking water known and
    fine, no risk event, no rigid spending and no green-channel record, so only income decides
    (this is where ``not_eligible`` comes from); ``"green_channel"`` has a disaster or accident
    since 2022-01-01 (no later than 2023-04-28, the first day qianshan is in force), serious
    difficulty, clear facts, urgency and — usually — both confirmations by then.

    ``extras`` (default on) also draws the facts the other packs read: clues and department
    warnings, dangerous-house renovations, a recorded judgement, collection provenance, the
    care type of medical spending, 唯一住房, and per member child statuses, dropout / education-aid /
    30-major-disease dates, 失能, 鳏寡孤独 and a member's own hukou and urban benefits — all dated
    inside ``date_range``.

    ``pack`` aims everything at that pack's own edges, read from its parameters and rules by
    :func:`pack_edges` (no constant of this library): every money threshold − 0.01, on it and
    + 0.01 as the per-capita income of each of its windows, as a spending's self-paid part or
    personal burden, and (half the households with spending) as the exact sum a rule compares
    (:attr:`PackEdges.sums`: a window's 合规自付, a calendar year's medical burden through or
    before a month once ``as_of`` is given); every date parameter and date threshold ± 1 day (certificates, events,
    assistance, monitoring, clues); its windows covered (``cover_windows``) and ``date_range``
    spanning them and the year it takes effect; rural hukou when its rules compare hukou. With
    ``as_of`` too, members are born exactly on each age the rules compare (60, 18…), ± 1 day.
    A caller-supplied figure counts once supplied (``pack.with_parameters(...)``). Without
    ``pack`` the defaults are qianshan_2023's (windows 2021, 2022, 2022-05-01..2023-04-30;
    ``date_range`` 2021..2023).

    >>> from fangfan_rules import load_pack, strategies as fs
    >>> from hypothesis import given, settings
    >>> jimo = load_pack("jimo_2022").with_parameters(
    ...     monitoring_income_line=7000, income_window="2021-05-01..2022-04-30")
    >>> @settings(max_examples=10, deadline=None)
    ... @given(fs.households(pack=jimo), fs.as_of_dates(jimo))
    ... def test_jimo_answers(household, as_of):
    ...     assert jimo.identify(household, as_of=as_of).outcome
    >>> test_jimo_answers()
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
    date_edges: tuple[date, ...] = _DEFAULT_DATE_EDGES
    money_edges: tuple[Decimal, ...] = ()
    birth_edges: tuple[date, ...] = ()
    #: per enum, the values the pack's rules select facts by drawn half the time
    favoured: dict[type, tuple[Any, ...]] = {}
    # rural five times in ten unless the pack compares hukou (its values half the time)
    hukou_values: tuple[HukouKind, ...] = (HukouKind.RURAL,) * len(HukouKind) + tuple(HukouKind)
    fact_windows: tuple[DateRange, ...] = ()
    spending_sums: tuple[SpendingSum, ...] = ()
    if pack is not None:
        edges = pack_edges(pack, as_of)
        spending_sums = edges.sums
        date_edges, money_edges = edges.dates, edges.money
        fact_windows = edges.windows or _calendar_windows(pack)
        if cover_windows is None:
            cover_windows = fact_windows
        if date_range is None:
            date_range = _pack_date_range(pack, edges)
        favoured = {enum: _favouring(values, enum) for enum, values in edges.selected.items()}
        if hukou is None and "hukou" in edges.enums:
            hukou_values = _favouring(edges.enums["hukou"], HukouKind)
        if as_of is not None:
            birth_edges = tuple(d for age in edges.ages for d in _years_before(as_of, age))
    elif as_of is not None:
        raise ValueError("households(): as_of aims at a pack's ages; pass pack= too")
    if cover_windows is None:
        cover_windows = _QIANSHAN_WINDOWS
    if date_range is None:
        date_range = (date(2021, 1, 1), date(2023, 12, 31))
    lo, hi = date_range
    if lo > hi:
        raise ValueError("households(): date_range starts after it ends")
    if income_window is None:
        aim_windows = tuple(cover_windows)
    elif isinstance(income_window, DateRange):
        aim_windows = (income_window,)
    else:
        aim_windows = tuple(income_window)
    windows = tuple(dict.fromkeys((*cover_windows, *aim_windows)))

    level: _Level | Callable[[st.DrawFn], Decimal]
    if income_per_capita is None:
        level = _Level(money_edges if pack is not None else None)
    elif isinstance(income_per_capita, tuple):
        low, high = income_per_capita
        level = _yuan(low, high, (low, high, *(money_edges or _QIANSHAN_MONEY_EDGES)))
    elif isinstance(income_per_capita, SearchStrategy):
        level = _Branches(income_per_capita)
    else:
        level = _Branches(_Just(to_yuan(income_per_capita)))

    coverage: Coverage | tuple[Coverage, ...]
    if income_coverage != "any":
        coverage = income_coverage
    elif aim_given or not allow_unknown:
        coverage = "full"
    else:
        coverage = ("full", "full", "full", "partial", "none")
    timeline = _Timeline(windows, aim_windows, level, coverage, 3)

    first_member = _MemberDraw(
        relation=(Relation.HEAD,) * len(Relation) + tuple(Relation),  # the head half the time
        birth_range=(date(1925, 1, 1), lo - _DAY) if not allow_unknown else (date(1925, 1, 1), hi),
        date_range=date_range,
        counted=True if aim_given or not allow_unknown else None,
        allow_unknown=allow_unknown,
        birth_edges=birth_edges,
        date_edges=date_edges,
    )
    other_member = _MemberDraw(
        relation=None,
        birth_range=(date(1925, 1, 1), hi),
        date_range=date_range,
        counted=None,
        allow_unknown=allow_unknown,
        birth_edges=birth_edges,
        date_edges=date_edges,
    )
    member_extras = _MemberExtras(date_range, date_edges) if extras else None
    members_s = _rec.Many(
        "member",
        lambda g: other_member.record(g, member_extras),
        min_members,
        max_members,
        first=lambda g: first_member.record(g, member_extras),
    )
    flags = _maybe_values((False, True), allow_unknown)
    events = _rec.Many(
        "risk event",
        lambda g: _element(
            _event_fields(date_range, favoured.get(RiskType), date_edges, fact_windows),
            _event,
            g,
        ),
        0,
        4,
    )
    care = (None,) * len(favoured.get(CareType, CareType)) + favoured.get(CareType, tuple(CareType))
    spending_record = _Spending(
        date_range=date_range,
        kinds=favoured.get(ExpenditureKind),
        max_total=1_000_000,
        money_edges=money_edges,
        date_edges=date_edges,
        windows=fact_windows,
        care=care if extras else (None,),
    )
    spending = _rec.Many("spending", spending_record.one, 0, 3)
    care_s = st.sampled_from(care)
    # half the time (when the pack sums spending against a stated figure), spending aimed
    # at such a figure exactly: free draws almost never add up to one
    aimed_spending_s = _aimed_spending(spending_sums, date_range)
    assistance = _rec.Many(
        "assistance",
        lambda g: _element(
            _assistance_fields(date_range, allow_unknown, date_edges), _assistance_of(hi), g
        ),
        0,
        2,
    )
    monitoring = _rec.Many(
        "monitoring",
        lambda g: _element(_monitoring_fields(date_range, date_edges), _monitoring_of(hi), g),
        0,
        2,
    )
    clue_list = _rec.Many(
        "clue", lambda g: _element(_clue_fields(date_range, date_edges), _clue, g), 0, 2
    )
    green = _GreenChannel(date_range, allow_unknown, date_edges)
    tags = (
        _rec.of(area_tags)
        if area_tags is not None
        else _rec.Of([frozenset(c) for c in _combinations(tuple(AreaTag), 3)], loose=True)
    )
    # the household's own small facts, as one record (see .records); their order is the
    # field numbers below
    household = _rec.Record(
        _rec.of(_maybe_values((False, True), allow_unknown) if lifted is None else lifted),
        _rec.of(
            ("any", "any", "any", "any", "calm", "calm", "green_channel")
            if profile is None
            else profile
        ),
        _rec.Of((HousingGrade.A, HousingGrade.B), loose=True),  # calm: housing grade
        _rec.Of((None, False) if allow_unknown else (False,), loose=True),  # calm: serious
        _rec.Digits((_maybe_values(HousingGrade, allow_unknown), flags, flags, flags)),
        _rec.Of((True, True, False, None) if allow_unknown else (True, False)),  # serious
        _rec.Of((None, _rec.ANY) if allow_unknown else (_rec.ANY,)),  # a green-channel record
        green,
        # urban social security, self-coping, 唯一住房 and the provenance of the collection
        # (how the facts were collected: variety, loose digits)
        _rec.Digits((flags, flags, flags)),
        _rec.Digits((flags, flags, (False, True), flags), loose=True),
        _rec.Of((None, _rec.ANY)),  # the later packs' household facts
        _HouseholdExtras(date_range, date_edges),
        # (loose: the first listed, rural or the values the pack compares, more often)
        _rec.of(hukou if hukou is not None else hukou_values),
        _rec.Of(_AREAS, loose=True),
        tags,
        _rec.Of((None,) * 8 + tuple(range(2013, 2021)), loose=True),  # lifted year
        _rec.Of((None, _rec.ANY), loose=True),  # livestock
        _rec.Of((None, _rec.ANY), loose=True),  # its estimated value
        # spending aimed at a sum the pack states (when it states one): two times in three
        _rec.Of((False, True, True) if aimed_spending_s is not None else (False,)),
    )
    ids_s = _strategy(ids) if ids is not None else None

    @st.composite
    def build(draw: st.DrawFn) -> Household:
        people = _numbered(members_s(draw))
        counted = sum(1 for m in people if m.counted_in_household)
        income = timeline(draw, counted)

        digits = household.digits(draw)
        assert digits is not None

        def field(k: int) -> Any:
            return household.field(draw, digits, k)

        is_lifted, kind = field(0), field(1)
        spending_out: tuple[Expenditure, ...] = ()
        events_out: tuple[RiskEvent, ...] = ()
        green_out: GreenChannelRecord | None = None
        if kind == "calm":
            guarantees = Guarantees(
                housing_grade=field(2),
                basic_medical_insured=True,
                compulsory_education_ok=True,
                drinking_water_safe=True,
            )
            serious = field(3)
        else:
            grade, medical, education, water = field(4)
            guarantees = Guarantees(
                housing_grade=grade,
                basic_medical_insured=medical,
                compulsory_education_ok=education,
                drinking_water_safe=water,
            )
            events_out = tuple(events(draw))
            if field(18):
                assert aimed_spending_s is not None
                spending_out = tuple(draw(aimed_spending_s))
                if extras:
                    spending_out = tuple(
                        e.model_copy(update={"care": draw(care_s)})
                        if e.kind == ExpenditureKind.MEDICAL and e.care is None
                        else e
                        for e in spending_out
                    )
            else:
                spending_out = tuple(spending(draw))
            serious = field(5)
            green_out = field(7) if field(6) is not None else None
        if kind == "green_channel":
            sudden = draw(_SUDDEN_EVENT_S)
            events_out = (*events_out, sudden)
            serious = True

            def confirmation() -> date | None:
                if draw(_QUARTER_S) == 0:
                    return None
                return _day_between(draw, sudden.date, _GREEN_CHANNEL_BY)

            green_out = GreenChannelRecord(
                facts_clear=True,
                urgent=True,
                town_confirmed_on=confirmation(),
                village_confirmed_on=confirmation(),
            )
        more: dict[str, Any] = {}
        urban, self_coping, only_house = field(8)
        income_signed, guarantees_signed, phone, recorded = field(9)
        if extras:
            guarantees = guarantees.model_copy(update={"only_house": only_house})
            if field(10) is not None:
                more = {**field(11), "clues": tuple(clue_list(draw))}
            more["provenance"] = Provenance(
                income_double_signed=income_signed,
                guarantees_double_signed=guarantees_signed,
                phone_interview=phone,
                interview_recorded=recorded,
            )
        livestock = None
        if field(16) is not None:
            value = draw(_LIVESTOCK_VALUE_S) if field(17) is not None else None
            livestock = Livestock(
                head_count=draw(_HEAD_COUNT_S),
                estimated_value=None if value is None else _from_fen(value),
            )
        return Household(
            **more,
            id=draw(ids_s) if ids_s is not None else _household_id(draw),
            area=field(13).model_copy(update={"tags": field(14)}),
            hukou=field(12),
            members=tuple(people),
            lifted_out_of_poverty=is_lifted,
            lifted_year=field(15) if is_lifted is True else None,
            social_assistance=tuple(assistance(draw)),
            has_urban_social_security=urban,
            monitoring=_first_each(monitoring(draw)),
            income=income,
            expenditures=spending_out,
            risk_events=events_out,
            guarantees=guarantees,
            self_coping=self_coping,
            serious_difficulty=serious,
            green_channel=green_out,
            livestock=livestock,
            synthetic=True,
        )

    return build()


def _favouring(values: Sequence[Any], enum: Any) -> tuple[Any, ...]:
    """``values`` half the time, any of ``enum`` otherwise (each uniformly), as one digit."""
    every = tuple(enum)
    return tuple(values) * len(every) + every * len(values)


def _numbered(numbered: Sequence[tuple[int, Member]]) -> list[Member]:
    """Members with unique ids ``m<n>``: each drawn number picks among the numbers not taken."""
    free = list(_MEMBER_NUMBERS)
    people = []
    for digit, member in numbered:
        number = free.pop(digit % len(free))
        people.append(member.model_copy(update={"id": f"m{number}"}))
    return people


def _first_each(records: Sequence[MonitoringRecord]) -> tuple[MonitoringRecord, ...]:
    """The records with an identification day not drawn before (one spell a day)."""
    seen: set[date] = set()
    kept = []
    for r in records:
        if r.identified_on not in seen:
            seen.add(r.identified_on)
            kept.append(r)
    return tuple(kept)


def household_lists(
    *, min_size: int = 0, max_size: int = 5, **household_options: Any
) -> SearchStrategy[list[Household]]:
    """Lists of :func:`households` (same keyword options) whose household ids are unique."""
    return st.lists(
        households(**household_options),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda h: h.id,
    )


# --------------------------------------------------------------------------------------------
# Evaluation dates


def as_of_dates(pack: Pack, *, last: date = CALENDAR_LAST_DAY) -> SearchStrategy[date]:
    """Evaluation dates on which ``pack`` answers, never after ``last`` (the calendar's end).

    Only dates inside :meth:`Pack.answerable_ranges` are drawn: the pack is in force and every
    parameter its rules read has a value (ewenki_2024's stated income line ends 2024-12-31, so
    later dates are drawn only for a pack given the caller's figure with ``with_parameters``).
    The pack's first day, the days around each date / window parameter (e.g. 2023-04-30 and
    2023-05-01 for qianshan's income window) and the last day are drawn often.
    """
    spans = [(lo, min(hi or last, last)) for lo, hi in pack.answerable_ranges()]
    spans = [(lo, hi) for lo, hi in spans if lo <= hi]
    if not spans:
        raise ValueError(f"as_of_dates(): {pack.name} answers on no date up to {last}")
    edges: set[date] = set()
    for lo, hi in spans:
        edges |= {lo, lo + _DAY, hi}
    for parameter in pack.parameters.values():
        for value in parameter.values:
            found: list[date] = []
            if isinstance(value.value, DateRange):
                found = [value.value.start, value.value.end]
            elif isinstance(value.value, date):
                found = [value.value]
            for d in found:
                edges |= {d - _DAY, d, d + _DAY}
    return st.one_of(*(dates(lo, hi, edges=edges) for lo, hi in spans))


# --------------------------------------------------------------------------------------------
# Pack-derived helpers


def _pack_date_range(pack: Pack, edges: PackEdges) -> tuple[date, date]:
    """Dated facts for ``pack``: from two years before it takes effect (or its first window) to
    the end of its first year (or its last window), so every date edge lies inside."""
    starts = [w.start for w in edges.windows] + [date(pack.valid_from.year - 2, 1, 1)]
    ends = [w.end for w in edges.windows] + [date(pack.valid_from.year, 12, 31)]
    starts += [d for d in edges.dates]
    ends += [d for d in edges.dates]
    return min(starts), min(max(ends), CALENDAR_LAST_DAY)


def _years_before(day: date, years: int) -> tuple[date, ...]:
    """The birth dates around turning ``years`` on ``day``: the day before, on, and after the
    birthday (a 29 February birthday falls on 28 February in other years)."""
    try:
        birthday = day.replace(year=day.year - years)
    except ValueError:
        birthday = day.replace(year=day.year - years, day=28)
    return (birthday - _DAY, birthday, birthday + _DAY)


def _calendar_windows(pack: Pack) -> tuple[DateRange, ...]:
    """Windows a caller might supply: the calendar years around the pack's date and the twelve
    months before it takes effect."""
    year = pack.valid_from.year
    start = pack.valid_from.replace(year=year - 1)
    return (
        DateRange.year(year - 2),
        DateRange.year(year - 1),
        DateRange.year(year),
        DateRange(start=start, end=pack.valid_from - _DAY),
    )


def parameter_sets(pack: Pack) -> SearchStrategy[dict[str, Any]]:
    """A value for every parameter ``pack`` leaves to the caller, within its documented domain.

    Money figures (yuan, ≥ 0) up to 30,000, often on the pack's other money edges and on a
    typical line of 6,900; counts 0..100; dates in the pack's fact range; windows among the
    calendar years around the pack and the twelve months before it takes effect; flags either
    way. Pass the result to ``pack.with_parameters(**values)``.

    >>> from fangfan_rules import load_pack, strategies as fs
    >>> from hypothesis import given, settings
    >>> jimo = load_pack("jimo_2022")
    >>> @settings(max_examples=5, deadline=None)
    ... @given(fs.parameter_sets(jimo))
    ... def test_supplied(values):
    ...     assert jimo.with_parameters(**values).caller_supplied() == ()
    >>> test_supplied()
    """
    edges = pack_edges(pack)
    lo, hi = _pack_date_range(pack, edges)
    drawn: dict[str, SearchStrategy[Any]] = {}
    for name in pack.caller_supplied():
        kind = pack.parameters[name].type
        if kind == "money":
            drawn[name] = yuan(0, 30000, edges=(*edges.money, *_QIANSHAN_MONEY_EDGES))
        elif kind == "int":
            drawn[name] = st.integers(0, 100)
        elif kind == "date":
            drawn[name] = dates(lo, hi, edges=edges.dates)
        elif kind == "window":
            drawn[name] = st.sampled_from((*edges.windows, *_calendar_windows(pack)))
        elif kind == "bool":
            drawn[name] = _BOOL
        else:
            raise ValueError(f"parameter_sets(): {pack.name}.{name} is a {kind}: no domain known")
    return st.fixed_dictionaries(drawn)


def villages(
    pack: Pack,
    *,
    max_households: int = 14,
    village: Area | None = None,
    **household_options: Any,
) -> SearchStrategy[list[Household]]:
    """Whole villages (嘎查村) for population rules: households of one village, with the number
    of 脱贫户 on the pack's count edges (e.g. 9, 10 and 11 around ewenki's 10 per 嘎查村) and
    households sharing incomes (ties at the bottom-20 % edge).

    ``household_options`` are passed to :func:`households` (``pack`` is passed for you).

    >>> from fangfan_rules import load_pack, strategies as fs
    >>> from hypothesis import given, settings
    >>> ewenki = load_pack("ewenki_2024")
    >>> @settings(max_examples=3, deadline=None)
    ... @given(fs.villages(ewenki), fs.as_of_dates(ewenki))
    ... def test_population(village, as_of):
    ...     assert len(ewenki.identify_many(village, as_of=as_of)) == len(village)
    >>> test_population()
    """
    edges = pack_edges(pack)
    counts = [n for n in edges.counts if n <= max_households] or [0, 1]
    area = village or Area(county="千山区", town="千山镇", village="红旗村")
    lifted_s = households(pack=pack, lifted=True, **household_options)
    other_s = households(pack=pack, lifted=st.sampled_from((False, None)), **household_options)

    @st.composite
    def build(draw: st.DrawFn) -> list[Household]:
        n_lifted = draw(st.sampled_from(counts))
        n_other = draw(st.integers(0, max(0, max_households - n_lifted)))
        drawn = [draw(lifted_s) for _ in range(n_lifted)] + [draw(other_s) for _ in range(n_other)]
        if len(drawn) > 1 and draw(_BOOL):  # a tie: two households with the same income
            drawn[1] = drawn[1].model_copy(update={"income": drawn[0].income})
        return [h.model_copy(update={"id": f"V{i:03d}", "area": area}) for i, h in enumerate(drawn)]

    return build()
