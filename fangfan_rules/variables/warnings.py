"""Warnings as handled and recorded (jimo_2022 一、(三)1, 附件1, 附件2), and month-bounded figures.

- **Closed warnings** (办理一条销号一条, 一、(三)1): a clue is closed once its 办结日期 (``closed_on``)
  is on or before as_of (:func:`fangfan_rules.facts.known_at` blanks a later one). A time limit
  never closes a clue.
- **The officials' finding per warning** (附件2 columns 是否符合认定标准, 不符合认定标准的主要原因,
  办理结果是否已告知本人): read from the closed clue as recorded. A finding that is not recorded is
  unknown (:class:`~fangfan_rules.logic.Missing`, naming the clue's field), never "no".
- **Month-end figures of a calendar year**: the year-to-date sum at the end of a calendar month, and
  the sum of the same year before that month began (no pack reads them now: 附件1 医保局's item is
  the day the year's burden went over the line, :mod:`fangfan_rules.variables.feeds`).
- **A recorded visit finding** (二、(三) 生活陷入严重困难): true only when recorded as such.
- **The housing appraisal date** (附件1 住房和城乡建设局 "新增经鉴定唯一住房为C、D级") and a monitoring
  spell identified in a window (一、(二)2 "上月新增的监测帮扶对象").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from fangfan_rules.dates import DateRange, month_end, month_start
from fangfan_rules.facts import Clue
from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import Context, get_variable, variable
from fangfan_rules.vocabulary import CareType, Channel, ClueKind


def is_closed(clue: Clue, as_of: date) -> bool:
    """Received and closed (办结) by ``as_of``."""
    return clue.received_on <= as_of and clue.closed_on is not None and clue.closed_on <= as_of


def clue_path(clue: Clue) -> str:
    """How a clue is named in missing facts (as :func:`fangfan_rules.facts.known_at` names it)."""
    return f"clues[{clue.channel.value} {clue.received_on}]"


def _closed_via(ctx: Context, channels: Sequence[Channel]) -> list[Clue]:
    wanted = frozenset(channels)
    return [c for c in ctx.household.clues if c.channel in wanted and is_closed(c, ctx.as_of)]


def _any_finding(clues: list[Clue], test: Callable[[bool], bool]) -> object:
    """Kleene "any" over the recorded 是否符合认定标准 of ``clues`` (unrecorded → unknown)."""
    unknown = []
    for clue in clues:
        if clue.meets_criteria is None:
            unknown.append(f"{clue_path(clue)}.meets_criteria")
        elif test(clue.meets_criteria):
            return True
    return Missing(tuple(unknown)) if unknown else False


@variable(
    "closed_clue_kind",
    value_type="bool",
    args={"window": "window", "kinds": "enum_list"},
    enum=ClueKind,
    zh="{window}收到的{kinds}监测预警信息已办结",
    en="a warning of kind {kinds} received in {window} is closed",
)
def _closed_kind(ctx: Context, window: DateRange, kinds: Sequence[ClueKind]) -> bool:
    # 办理一条销号一条: once the warning a feed raised is verified and closed, the feed item is done.
    wanted = frozenset(kinds)
    return any(
        c.kind in wanted and c.received_on in window and is_closed(c, ctx.as_of)
        for c in ctx.household.clues
    )


@variable(
    "closed_clue_meets_criteria",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结的监测预警信息记录为符合认定标准",
    en="a closed warning via {channels} is recorded as meeting the identification standard",
)
def _meets(ctx: Context, channels: Sequence[Channel]) -> object:
    return _any_finding(_closed_via(ctx, channels), lambda met: met)


@variable(
    "closed_clue_meets_criteria_not_entered",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结的监测预警信息记录为符合认定标准，收到时不在监测帮扶范围内、收到后也未认定为监测对象",
    en="a closed warning via {channels} is recorded as meeting the identification standard, the "
    "household was not monitored when it came and no identification followed",
)
def _meets_not_entered(ctx: Context, channels: Sequence[Channel]) -> object:
    # 附件2 是否符合认定标准 "是" ends in 录入系统 (二、(一)): a spell identified by as_of and not
    # eliminated before the warning's receipt answers it — identified after it (whatever became
    # of the spell later), or open when it came (no new entry needed).
    spells = [r for r in ctx.household.monitoring if r.identified_on <= ctx.as_of]
    waiting = [
        c
        for c in _closed_via(ctx, channels)
        if not any(r.eliminated_on is None or r.eliminated_on >= c.received_on for r in spells)
    ]
    return _any_finding(waiting, lambda met: met)


@variable(
    "closed_clue_fails_criteria",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结的监测预警信息记录为不符合认定标准",
    en="a closed warning via {channels} is recorded as not meeting the identification standard",
)
def _fails(ctx: Context, channels: Sequence[Channel]) -> object:
    return _any_finding(_closed_via(ctx, channels), lambda met: not met)


@variable(
    "closed_clue_without_reason",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结且不符合认定标准的监测预警信息未记录主要原因",
    en="a closed warning via {channels} found not meeting the standard has no recorded reason",
)
def _without_reason(ctx: Context, channels: Sequence[Channel]) -> bool:
    return any(
        c.meets_criteria is False and not (c.reason_not_met or "").strip()
        for c in _closed_via(ctx, channels)
    )


@variable(
    "closed_clue_not_informed",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结的监测预警信息未记录办理结果已告知本人",
    en="a closed warning via {channels} is not recorded as told to the applicant",
)
def _not_informed(ctx: Context, channels: Sequence[Channel]) -> bool:
    # The 附件2 column asks whether the result has been told: only a recorded "yes" answers it.
    return any(c.applicant_informed is not True for c in _closed_via(ctx, channels))


@variable(
    "closed_clue_informed_blank",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结的监测预警信息未填写办理结果是否已告知本人",
    en="a closed warning via {channels} leaves blank whether the result was told to the applicant",
)
def _informed_blank(ctx: Context, channels: Sequence[Channel]) -> bool:
    # 附件2's column is filled for these rows: an empty one is an incomplete ledger (是 or 否 both
    # complete it).
    return any(c.applicant_informed is None for c in _closed_via(ctx, channels))


@variable(
    "closed_clue_refused_not_told",
    value_type="bool",
    args={"channels": "enum_list"},
    enum=Channel,
    zh="经{channels}收到、已办结且不符合认定标准的监测预警信息记录为未告知本人",
    en="a closed warning via {channels} found not meeting the standard is recorded as not told",
)
def _refused_not_told(ctx: Context, channels: Sequence[Channel]) -> object:
    # 一、(三)2 asks the town to tell a self-applicant found 不符合 (in writing): a recorded 否 on
    # such a row is that step not done; a 否 whose finding is not recorded is unknown.
    told_no = [c for c in _closed_via(ctx, channels) if c.applicant_informed is False]
    return _any_finding(told_no, lambda met: not met)


def _burden(ctx: Context, window: DateRange, care: Sequence[CareType]) -> object:
    return get_variable("medical_personal_burden")(ctx, window=window, care=tuple(care))


@variable(
    "medical_burden_through_month",
    value_type="money",
    args={"care": "enum_list", "back": "int"},
    enum=CareType,
    zh="当年度截至{back}个月前月末的医疗费用个人负担累计（{care}）",
    en="personal medical burden of the calendar year up to the end of the month {back} back ({care})",
)
def _through_month(ctx: Context, care: Sequence[CareType], back: int) -> object:
    return _burden(ctx, _year_through_month(ctx.as_of, back), care)


@lru_cache(maxsize=1024)
def _year_through_month(as_of: date, back: int) -> DateRange:
    # The same window for every household of a day: made (and validated) once, not per household.
    first = month_start(as_of, back)
    return DateRange(start=first.replace(month=1), end=month_end(as_of, back))


@variable(
    "medical_burden_before_month",
    value_type="money",
    args={"care": "enum_list", "back": "int"},
    enum=CareType,
    zh="当年度在{back}个月前那个月之前的医疗费用个人负担累计（{care}）",
    en="personal medical burden of the same calendar year before the month {back} back ({care})",
)
def _before_month(ctx: Context, care: Sequence[CareType], back: int) -> object:
    first = month_start(ctx.as_of, back)
    if first.month == 1:  # nothing of that 当年度 comes before January
        return Decimal("0.00")
    return _burden(
        ctx, DateRange(start=first.replace(month=1), end=first - timedelta(days=1)), care
    )


@variable(
    "housing_appraised_on",
    value_type="date",
    zh="住房安全等级鉴定日期",
    en="date of the housing appraisal",
)
def _appraised(ctx: Context) -> date | None:
    # None: no dated appraisal is recorded (the thing does not exist for a date comparison).
    return ctx.household.guarantees.housing_appraised_on


@variable(
    "monitoring_identified_in",
    value_type="bool",
    args={"window": "window"},
    zh="{window}新认定为监测帮扶对象",
    en="identified for monitoring in {window}",
)
def _identified_in(ctx: Context, window: DateRange) -> bool:
    return any(r.identified_on in window for r in ctx.household.monitoring)
