"""Income and spending arithmetic in exact yuan.

Household net income over a window = Σ (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) of the
income records, where a record that only partly overlaps the window counts **pro rata by days**
(overlap days / record days). The sum is kept as an exact fraction; per-capita income divides the
exact household figure by the number of members counted in the household. Neither is rounded to the
fen before a comparison (see :func:`fangfan_rules.money.fraction_to_yuan`); reasons display fen. If the records do not cover every day of the
window the value is *unknown* (a partial year would understate income), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import Household
from fangfan_rules.facts.records import Expenditure, IncomeRecord
from fangfan_rules.logic import Missing
from fangfan_rules.money import fraction_to_yuan
from fangfan_rules.vocabulary import ExpenditureKind


def _net_ratio(records: Iterable[IncomeRecord], window: DateRange) -> tuple[int, int] | Missing:
    """Σ net × overlap days / record days over ``window`` as an exact integer ratio
    (numerator, positive denominator, not reduced), or what is missing.

    Exact integers throughout: each record's net yuan is its own exact ratio
    (``Decimal.as_integer_ratio``) and the sum is kept over a common denominator, so the value is
    the one ``Fraction`` arithmetic gives, without a ``Fraction`` per record; only the caller's
    final figure becomes one."""
    w_start, w_end = window.start, window.end
    num, den = 0, 1
    covered = 0
    for record in records:
        start, end = record.start, record.end
        lo = start if start > w_start else w_start
        hi = end if end < w_end else w_end
        if hi < lo:
            continue
        overlap = (hi - lo).days + 1
        covered += overlap  # records never overlap each other (Household validates this)
        n, d = record.net.as_integer_ratio()
        days = (end - start).days + 1
        if overlap != days:  # a record partly inside the window counts pro rata by days
            n *= overlap
            d *= days
        if d == den:
            num += n
        else:
            num, den = num * d + n * den, den * d
    window_days = (w_end - w_start).days + 1
    if covered < window_days:
        return Missing(
            (f"income records for {window_days - covered} of {window_days} days of {window}",)
        )
    return num, den


def _net_fraction(records: Iterable[IncomeRecord], window: DateRange) -> Fraction | Missing:
    ratio = _net_ratio(records, window)
    return ratio if isinstance(ratio, Missing) else Fraction(*ratio)


def net_income(household: Household, window: DateRange) -> Decimal | Missing:
    """家庭纯收入 over ``window`` (exact, pro rata by days)."""
    total = _net_fraction(household.income, window)
    return total if isinstance(total, Missing) else fraction_to_yuan(total)


def counted_members(household: Household) -> int:
    """家庭人口 for per-capita figures: members marked ``counted_in_household``."""
    return sum(1 for m in household.members if m.counted_in_household)


def _per_capita_fraction(household: Household, window: DateRange) -> Fraction | Missing:
    # A rule set reads the same window's figure more than once (the figure itself and its
    # change on the year before): remembered for the last households seen, each entry holding
    # its household so the id it is keyed by cannot be another's.
    key = (id(household), window.start, window.end)
    seen = _RECENT.get(key)
    if seen is not None and seen[0] is household:
        return seen[1]
    value = _per_capita_uncached(household, window)
    if len(_RECENT) >= _RECENT_KEPT:
        _RECENT.clear()
    _RECENT[key] = (household, value)
    return value


_RECENT: dict[tuple[int, object, object], tuple[Household, Fraction | Missing]] = {}
_RECENT_KEPT = 64


def _per_capita_uncached(household: Household, window: DateRange) -> Fraction | Missing:
    total = _net_ratio(household.income, window)
    size = counted_members(household)
    missing: tuple[str, ...] = ()
    if isinstance(total, Missing):
        missing += total.facts
    if size == 0:
        missing += ("household members (none counted)",)
    if missing:
        return Missing(missing)
    assert not isinstance(total, Missing)
    return Fraction(total[0], total[1] * size)  # one reduction, exact


def per_capita_net_income(household: Household, window: DateRange) -> Decimal | Missing:
    """家庭人均纯收入 over ``window``: exact household net income / counted members."""
    value = _per_capita_fraction(household, window)
    return value if isinstance(value, Missing) else fraction_to_yuan(value)


def per_capita_change(
    household: Household, window: DateRange, previous: DateRange
) -> Decimal | Missing:
    """Year-on-year change of per-capita net income: ``window`` minus ``previous`` (signed yuan).

    Computed from the two exact fractions, then converted once (no intermediate rounding)."""
    now, before = _per_capita_fraction(household, window), _per_capita_fraction(household, previous)
    missing = tuple(f for v in (now, before) if isinstance(v, Missing) for f in v.facts)
    if missing:
        return Missing(missing)
    assert isinstance(now, Fraction) and isinstance(before, Fraction)
    return fraction_to_yuan(now - before)


def compliant_self_paid(
    expenditures: Iterable[Expenditure],
    window: DateRange,
    kinds: Iterable[ExpenditureKind] | None = None,
) -> Decimal:
    """合规自付 spending dated inside ``window`` (optionally of the given kinds), exact."""
    wanted = None if kinds is None else frozenset(kinds)
    return sum(
        (
            e.compliant_self_paid
            for e in expenditures
            if e.date in window and (wanted is None or e.kind in wanted)
        ),
        Decimal("0.00"),
    )
