"""Clues still awaiting their home verification (入户核实).

A clue is open from the day it is received until it is closed (办结); a time limit never makes it
expire (CONVENTIONS.md). Once verified at home it still awaits the judgement and the
identification, but the visit itself is done: these variables answer "is a visit still owed?".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fangfan_rules.facts import Clue
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import Channel, Department


def awaiting_visit(clue: Clue, as_of: date) -> bool:
    """Received by as_of, neither closed nor verified at home by then."""
    return (
        clue.received_on <= as_of
        and (clue.closed_on is None or clue.closed_on > as_of)
        and (clue.verified_on is None or clue.verified_on > as_of)
    )


@variable(
    "unverified_clue",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="有尚未到户核实的风险线索（{channels}）",
    en="an open risk clue ({channels}) not yet verified at home",
)
def _unverified_clue(ctx: Context, channels: Sequence[Channel]) -> bool:
    wanted = frozenset(channels)
    return any(c.channel in wanted and awaiting_visit(c, ctx.as_of) for c in ctx.household.clues)


@variable(
    "unverified_department_warning",
    value_type="bool",
    args={"departments": "enum_list"},
    enum=Department,
    zh="有尚未到户核实的部门预警（{departments}）",
    en="an open department warning ({departments}) not yet verified at home",
)
def _unverified_warning(ctx: Context, departments: Sequence[Department]) -> bool:
    wanted = frozenset(departments)
    return any(c.department in wanted and awaiting_visit(c, ctx.as_of) for c in ctx.household.clues)
