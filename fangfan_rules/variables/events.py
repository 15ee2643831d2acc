"""Dated risk events outside a window: what a look-back must not drop silently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fangfan_rules.variables.registry import Context, variable
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
