"""Variables about what a record shows: a clue still waiting for its 入户核实, a recorded finding.

Each answers a question about the *record* (has a verification been recorded? has a visit recorded
serious difficulty?), so an unrecorded date or finding is an answer ("not recorded"), not an unknown:
they serve rules that act on what officials have recorded, e.g. a visit still owed, or a
recommendation that only a recorded finding should trigger.
"""

from __future__ import annotations

from collections.abc import Sequence

from fangfan_rules.dates import DateRange
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import Channel


@variable(
    "unverified_clue_received",
    value_type="bool",
    args={"window": "window", "channels": "enum_list"},
    enum=Channel,
    zh="收到风险线索（{channels}，{window}）且尚未入户核实、尚未办结",
    en="a risk clue via {channels} received in {window}, not yet verified at home nor closed",
)
def _unverified_clue(ctx: Context, window: DateRange, channels: Sequence[Channel]) -> bool:
    # A verification or a closure is a recorded act: no date (or one after as_of, which the as_of
    # view blanks) means the clue still waits for it. A time limit never makes it expire.
    wanted = frozenset(channels)
    return any(
        c.channel in wanted
        and c.received_on in window
        and c.verified_on is None
        and c.closed_on is None
        for c in ctx.household.clues
    )


@variable(
    "difficulty_recorded",
    value_type="bool",
    zh="已记录生活陷入严重困难或无法自主应对",
    en="serious difficulty, or a household unable to cope on its own, is on record",
)
def _difficulty_recorded(ctx: Context) -> bool:
    # The visit's findings as recorded: serious_difficulty true or self_coping false. A finding not
    # recorded is "not on record" (false here); rules that need the finding itself read
    # serious_difficulty / self_coping, which stay unknown when unrecorded.
    h = ctx.household
    return h.serious_difficulty is True or h.self_coping is False
