"""Core variables first needed by the jimo_2022 pack (to be merged into topic modules on review).

Define variables here with :func:`fangfan_rules.variables.registry.variable`, each with a
docstring-worthy label and a hand-worked test in tests/test_variables_jimo_2022.py.

- ``receives_social_assistance(kinds)``: a 低保 / 特困 / 低保边缘 spell is running on ``as_of``
  (``social_assistance_since`` only says a spell *started* after a date, ended or not).
- ``has_clue(channels)`` / ``open_clue(channels)``: a risk clue via one of the channels is on
  record by ``as_of`` / is on record and not closed (办结) by ``as_of`` (``clue_received`` needs a
  window and does not look at closure).
- ``medical_personal_burden_year_to_date(care)``: ``medical_personal_burden`` over 1 January of
  ``as_of``'s year to ``as_of`` (当年度累计); the condition language has no "start of year" operand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fangfan_rules.dates import DateRange
from fangfan_rules.variables.registry import Context, get_variable, variable
from fangfan_rules.vocabulary import CareType, Channel, DibaoKind


@variable(
    "receives_social_assistance",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=DibaoKind,
    zh="评估日正在享受{kinds}",
    en="receiving {kinds} on the evaluation date",
)
def _receives(ctx: Context, kinds: Sequence[DibaoKind]) -> bool:
    # ctx.household is the view known on as_of: spells starting later are left out and an end
    # after as_of is blanked (still running as far as as_of knew). A spell ending on as_of runs
    # that day (both ends inclusive).
    wanted = frozenset(kinds)
    return any(
        a.kind in wanted and a.start <= ctx.as_of and (a.end is None or a.end >= ctx.as_of)
        for a in ctx.household.social_assistance
    )


@variable(
    "has_clue",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="有经{channels}收到的风险线索（截至评估日）",
    en="a risk clue via {channels} is on record",
)
def _has_clue(ctx: Context, channels: Sequence[Channel]) -> bool:
    wanted = frozenset(channels)
    return any(c.channel in wanted and c.received_on <= ctx.as_of for c in ctx.household.clues)


@variable(
    "open_clue",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="有经{channels}收到、尚未办结的风险线索",
    en="an open (not closed) risk clue via {channels}",
)
def _open_clue(ctx: Context, channels: Sequence[Channel]) -> bool:
    # A closure is a recorded act: no closing date (or one after as_of, blanked by known_at)
    # means the clue is still open, not "unknown".
    wanted = frozenset(channels)
    return any(
        c.channel in wanted
        and c.received_on <= ctx.as_of
        and (c.closed_on is None or c.closed_on > ctx.as_of)
        for c in ctx.household.clues
    )


@variable(
    "medical_personal_burden_year_to_date",
    value_type="money",
    args={"care": "enum_list"},
    enum=CareType,
    zh="当年度医疗费用个人负担累计（{care}，1月1日至评估日）",
    en="personal medical burden this calendar year to date ({care})",
)
def _burden_ytd(ctx: Context, care: Sequence[CareType]) -> object:
    # The same sum as medical_personal_burden (unknown care type → unknown), over the calendar
    # year of as_of up to as_of.
    window = DateRange(start=date(ctx.as_of.year, 1, 1), end=ctx.as_of)
    return get_variable("medical_personal_burden")(ctx, window=window, care=tuple(care))
