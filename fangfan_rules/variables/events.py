"""Dated risk events a rule must not drop silently or read twice: outside a look-back, not yet
handled by a closed clue, or after the household's latest risk elimination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from fangfan_rules.dates import DateRange
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.variables.warnings import is_closed
from fangfan_rules.vocabulary import RiskType


@variable(
    "risk_event_before",
    value_type="bool",
    args={"before": "date", "types": "enum_list"},
    enum=RiskType,
    zh="{before}以前发生风险事件（{types}）",
    en="risk event ({types}) dated before {before}",
)
def _event_before(ctx: Context, before: date, types: Sequence[RiskType]) -> bool:
    # A document that prints no period for risk events (ewenki_2024 二、(二)) leaves an older
    # event to the officials' judgement: a pack reads recent events by its own look-back and
    # recommends a review for this one instead of ignoring it. Events dated after as_of are not
    # in the view (known_at).
    wanted = frozenset(types)
    return any(e.type in wanted and e.date < before for e in ctx.household.risk_events)


@variable(
    "risk_event_not_closed",
    value_type="bool",
    args={"window": "window", "types": "enum_list"},
    enum=RiskType,
    zh="发生风险事件（{types}，{window}），其后未有办结的风险线索",
    en="risk event ({types}) in {window} with no clue received on or after it closed since",
)
def _event_not_closed(ctx: Context, window: DateRange, types: Sequence[RiskType]) -> bool:
    # A risk event makes a household a suspected one the town must respond to (rongan_2022 二、(一)3)
    # until the procedure has dealt with it: a clue received on or after the event and closed (办结)
    # by as_of closes that event (the recorded decision stands, whatever it found). An event after
    # the last closed clue is new and still waits.
    closed = [c.received_on for c in ctx.household.clues if is_closed(c, ctx.as_of)]
    return _event_after(ctx, types, max(closed, default=None), lambda day: day in window)


@variable(
    "risk_event_since_elimination",
    value_type="bool",
    args={"types": "enum_list"},
    enum=RiskType,
    zh="在最近一次风险消除之后（从未消除过风险的户：任何时候）发生风险事件（{types}）",
    en="risk event ({types}) dated after the household's latest risk elimination (or never eliminated)",
)
def _event_since_elimination(ctx: Context, types: Sequence[RiskType]) -> bool:
    # An event before a spell's elimination (风险消除) was the procedure's to weigh when it
    # identified and then eliminated the household: a way back in (a green channel) rests on an
    # event after it (ewenki_2024 二、(二)). A household never eliminated: any event counts.
    as_of = ctx.as_of
    return _event_after(ctx, types, _latest_elimination(ctx), lambda day: day <= as_of)


@variable(
    "risk_event_since_elimination_before",
    value_type="bool",
    args={"before": "date", "types": "enum_list"},
    enum=RiskType,
    zh="最近一次风险消除之后、{before}以前发生风险事件（{types}）",
    en=(
        "risk event ({types}) dated after the household's latest risk elimination (or never"
        " eliminated) and before {before}"
    ),
)
def _event_since_elimination_before(ctx: Context, before: date, types: Sequence[RiskType]) -> bool:
    # An older event left to the officials' judgement (risk_event_before) is, for a household
    # whose risk was eliminated, one dated after that elimination: 对标注风险消除后又出现新增风险的，
    # 按监测对象认定程序重新识别 (ewenki_2024 一、(三)); an earlier one was weighed by the procedure.
    as_of = ctx.as_of
    return _event_after(
        ctx, types, _latest_elimination(ctx), lambda day: day <= as_of and day < before
    )


@variable(
    "risk_event_until_elimination",
    value_type="bool",
    args={"types": "enum_list"},
    enum=RiskType,
    zh="最近一次风险消除（含当日）以前发生风险事件（{types}）",
    en="risk event ({types}) dated on or before the household's latest risk elimination",
)
def _event_until_elimination(ctx: Context, types: Sequence[RiskType]) -> bool:
    # The other side of risk_event_since_elimination: an event the elimination came after is no
    # 新增风险 for 重新识别, but the 回头看 still weighs whether the risk was stably removed
    # (ewenki_2024 一、(三) 监测对象识别时返贫致贫风险是否稳定消除). False when never eliminated.
    last = _latest_elimination(ctx)
    if last is None:
        return False
    wanted = frozenset(types)
    return any(e.type in wanted and e.date <= last for e in ctx.household.risk_events)


@variable(
    "risk_event_since_identification",
    value_type="bool",
    args={"types": "enum_list"},
    enum=RiskType,
    zh="最近一次纳入监测（识别）之后发生风险事件（{types}）",
    en="risk event ({types}) dated after the household's latest identification for monitoring",
)
def _event_since_identification(ctx: Context, types: Sequence[RiskType]) -> bool:
    # The officials' finding that no new risk exists (不存在新增返贫致贫风险, puan_2025 四、(二)③) is
    # recorded without a date: an event after the latest identification is one it may not have
    # weighed. False for a household never identified (no spell on or before as_of).
    identified = [r.identified_on for r in ctx.household.monitoring if r.identified_on <= ctx.as_of]
    if not identified:
        return False
    as_of = ctx.as_of
    return _event_after(ctx, types, max(identified), lambda day: day <= as_of)


def _latest_elimination(ctx: Context) -> date | None:
    """The household's latest 风险消除 on or before as_of (None: never eliminated)."""
    ended = [
        r.eliminated_on
        for r in ctx.household.monitoring
        if r.eliminated_on is not None and r.eliminated_on <= ctx.as_of
    ]
    return max(ended, default=None)


def _event_after(
    ctx: Context, types: Sequence[RiskType], last: date | None, dated: Callable[[date], bool]
) -> bool:
    """An event of ``types`` whose date passes ``dated`` and is after ``last`` (any, when None)."""
    wanted = frozenset(types)
    return any(
        e.type in wanted and dated(e.date) and (last is None or e.date > last)
        for e in ctx.household.risk_events
    )
