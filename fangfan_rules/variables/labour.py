"""Labour capacity (劳动能力) that keeps "unknown" apart from "no".

A rule asking "有劳动能力" must not conclude "no" from a gap in the record (CONVENTIONS.md,
"Unknown is not no"): ``has_able_member`` answers three-valued, over the members counted in the
household (a count of members recorded ``able`` would read an unrecorded capacity as "not able").
"""

from __future__ import annotations

from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import LabourCapacity


@variable(
    "able_member_recorded",
    value_type="bool",
    zh="有成员记录为有劳动能力",
    en="a member counted in the household is recorded able to work",
)
def _able_member_recorded(ctx: Context) -> bool:
    # What the record says, never unknown: a class a document presumes without labour (a dispersed
    # 特困 person, puan_2025 四、(一)①) is contradicted only by a member recorded able; labour not
    # recorded contradicts nothing (has_able_member asks for it instead).
    return any(
        m.counted_in_household and m.labour == LabourCapacity.ABLE for m in ctx.household.members
    )


@variable(
    "has_able_member",
    value_type="bool",
    zh="家庭有劳动能力成员",
    en="a member counted in the household is able to work",
)
def _has_able_member(ctx: Context) -> object:
    # True as soon as one counted member is recorded able; false only when every counted member's
    # labour is recorded and none is able (weak / half labour is not "有劳动能力"); otherwise the
    # unrecorded members are listed.
    counted = [m for m in ctx.household.members if m.counted_in_household]
    if not counted:
        return Missing(("household members (none counted)",))
    if any(m.labour == LabourCapacity.ABLE for m in counted):
        return True
    unknown = tuple(f"members[{m.id}].labour" for m in counted if m.labour is None)
    return Missing(unknown) if unknown else False
