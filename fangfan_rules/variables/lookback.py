"""Look-backs whose length the caller supplies: risk events and spending within N months of as_of.

A document that weighs "存在的实际困难" or "合规自付支出" without printing a period leaves the
look-back to the caller (a ``not_stated`` parameter passed as ``months``). The ``*_on_record``
variables need no period: a rule pairs them with the look-back (``all: [on_record, within]``) so
that a household with nothing on record is answered without the caller's figure, and only one
with something on record depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import ParameterError
from fangfan_rules.variables import income
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import ExpenditureKind, RiskType


def lookback_window(as_of: date, months: int) -> DateRange:
    """as_of − ``months`` months .. as_of, both ends included (one definition for every engine)."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ParameterError(f"a look-back takes a whole number of months ≥ 0, not {months!r}")
    return DateRange(start=as_of - relativedelta(months=months), end=as_of)


@variable(
    "risk_event_on_record",
    value_type="bool",
    args={"types": "enum_list"},
    enum=RiskType,
    zh="有风险事件记录（{types}）",
    en="a risk event ({types}) on record",
)
def _event_on_record(ctx: Context, types: Sequence[RiskType]) -> bool:
    wanted = frozenset(types)
    return any(e.type in wanted and e.date <= ctx.as_of for e in ctx.household.risk_events)


@variable(
    "risk_event_within",
    value_type="bool",
    args={"months": "int", "types": "enum_list"},
    enum=RiskType,
    zh="近{months}个月内发生风险事件（{types}）",
    en="risk event ({types}) within {months} months",
)
def _event_within(ctx: Context, months: int, types: Sequence[RiskType]) -> bool:
    window = lookback_window(ctx.as_of, months)
    wanted = frozenset(types)
    return any(e.type in wanted and e.date in window for e in ctx.household.risk_events)


@variable(
    "compliant_self_paid_on_record",
    value_type="money",
    args={"kinds": "enum_list"},
    enum=ExpenditureKind,
    zh="有记录的合规自付支出（{kinds}）",
    en="compliant self-paid spending on record ({kinds})",
)
def _self_paid_on_record(ctx: Context, kinds: Sequence[ExpenditureKind]) -> Decimal:
    wanted = frozenset(kinds)
    return sum(
        (
            e.compliant_self_paid
            for e in ctx.household.expenditures
            if e.kind in wanted and e.date <= ctx.as_of
        ),
        Decimal("0.00"),
    )


@variable(
    "compliant_self_paid_within",
    value_type="money",
    args={"months": "int", "kinds": "enum_list"},
    enum=ExpenditureKind,
    zh="近{months}个月合规自付支出（{kinds}）",
    en="compliant self-paid spending within {months} months ({kinds})",
)
def _self_paid_within(ctx: Context, months: int, kinds: Sequence[ExpenditureKind]) -> Decimal:
    return income.compliant_self_paid(
        ctx.household.expenditures, lookback_window(ctx.as_of, months), kinds
    )


@variable(
    "compliant_self_paid_since",
    value_type="money",
    args={"since": "date", "kinds": "enum_list"},
    enum=ExpenditureKind,
    zh="{since}以来合规自付支出（{kinds}）",
    en="compliant self-paid spending since {since} ({kinds})",
)
def _self_paid_since(ctx: Context, since: date, kinds: Sequence[ExpenditureKind]) -> Decimal:
    # Spending dated from the caller's look-back start to as_of, both included (a start after
    # as_of is an empty period: 0, not an error — the caller's date is not the household's fault).
    if since > ctx.as_of:
        return Decimal("0.00")
    window = DateRange(start=since, end=ctx.as_of)
    return income.compliant_self_paid(ctx.household.expenditures, window, kinds)
