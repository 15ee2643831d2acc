"""Household variables over what is on record up to the evaluation date, whatever its date.

A document may name a kind of event or spending without stating a period (qianshan_2023
一、(一)1.(2)⑤ "因病因灾因意外事故等刚性支出较大…的农户", 一、(一)2.(2)). The period is then the
caller's figure, and a rule asks two questions: is anything of that kind on record at all, and does
it fall in the caller's period? These variables answer the first. Without the caller's figure the
second is unknown, and ``all`` of a false first and an unknown second is false: a household with
nothing on record is not held up by a period that cannot matter to it.

Each returns the date of the latest record (None when there is none, so comparisons are false and
the date is shown in the reasons). As for ``has_risk_event`` and ``compliant_self_paid``, an
unrecorded list means "none recorded", never unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import ExpenditureKind, RiskType


@variable(
    "latest_risk_event_date",
    value_type="date",
    args={"types": "enum_list"},
    enum=RiskType,
    zh="最近一次风险事件（{types}）的日期",
    en="date of the latest risk event on record ({types})",
)
def _latest_event(ctx: Context, types: Sequence[RiskType]) -> date | None:
    wanted = frozenset(types)
    days = [e.date for e in ctx.household.risk_events if e.type in wanted and e.date <= ctx.as_of]
    return max(days) if days else None


@variable(
    "latest_self_paid_date",
    value_type="date",
    args={"kinds": "enum_list"},
    enum=ExpenditureKind,
    zh="最近一笔合规自付支出（{kinds}）的日期",
    en="date of the latest compliant self-paid spending on record ({kinds})",
)
def _latest_self_paid(ctx: Context, kinds: Sequence[ExpenditureKind]) -> date | None:
    wanted = frozenset(kinds)
    days = [
        e.date
        for e in ctx.household.expenditures
        if e.kind in wanted and e.compliant_self_paid > 0 and e.date <= ctx.as_of
    ]
    return max(days) if days else None


@variable(
    "serious_difficulty_recorded",
    value_type="bool",
    zh="入户记录为生活陷入严重困难",
    en="the visit recorded serious difficulty in living",
)
def _serious_recorded(ctx: Context) -> bool:
    # Whether a finding of serious difficulty is on record (a recommendation rests on it); an
    # unrecorded finding is "not on record", which is known. ``serious_difficulty`` is the finding
    # itself, unknown when unrecorded.
    return ctx.household.serious_difficulty is True
