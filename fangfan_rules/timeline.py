"""Case timelines: a household's procedure record, the deadlines that apply, procedure checks.

A :class:`Case` is the dated record of one household's procedure (clue received, home
verification, democratic evaluation, publicity, town review, county approval, system entry, helper,
plan, measures, and the same steps for elimination). A pack's ``timeline.yaml`` states, with
citations, which deadlines run from which event (natural or working days, or a fixed date), which
steps must come in which order and how long publicity must last. :func:`deadlines` and
:func:`check_procedure` apply them; :func:`worklist` lists what falls due across many cases.

Counting follows CONVENTIONS.md: N 个工作日 on the official calendar (:mod:`fangfan_rules.calendar`);
N 日/天 are natural days from the day after the trigger, ending on the next working day when the
last day is a rest day (民法典 第201、203条). A parameter whose value changed (jimo's 5 → 3 working
days from 2022-04-07) is read on the date of the *triggering event*, not the evaluation date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fangfan_rules import calendar as cal
from fangfan_rules.errors import PackError, RuleError
from fangfan_rules.facts.base import Fact
from fangfan_rules.facts.forms import Day, Identifier, Text
from fangfan_rules.idnumber import masked
from fangfan_rules.results import NORMAL_LIMIT_EN, NORMAL_LIMIT_ZH, Deadline
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.yamlload import load_yaml

if TYPE_CHECKING:
    import pandas as pd

    from fangfan_rules.packs.pack import Pack


class Step(StrEnum):
    """Procedure steps (identification and elimination) and the events that start deadlines."""

    RISK_OCCURRED = "risk_occurred"  # 风险发生
    CLUE_RECEIVED = "clue_received"  # 线索 / 预警信息收到 (also department list received)
    APPLICATION = "application"  # 农户申请 / 自主申报
    # 行业部门“线上排查”名单 entry received by the town (rongan_2022 二、(一)2): a department-list
    # clue, told apart from other clues because only list entries carry the 3月15日 verification date
    DEPARTMENT_LIST_RECEIVED = "department_list_received"
    RESPONSE = "response"  # 快速响应并上报 (rongan 二(一)3)
    HOME_VERIFICATION = "home_verification"  # 入户核查 / 入户核实
    CASE_MEETING = "case_meeting"  # 专题会议分析研判
    DEMOCRATIC_EVALUATION = "democratic_evaluation"  # 村级民主评议
    INFORMATION_COMPARISON = "information_comparison"  # 信息比对
    PUBLICITY_START = "publicity_start"  # 村级公示 开始
    PUBLICITY_END = "publicity_end"  # 村级公示 结束
    TOWN_REVIEW = "town_review"  # 乡镇联合审核
    COUNTY_APPROVAL = "county_approval"  # 县级比对审定 (公告)
    SYSTEM_ENTRY = "system_entry"  # 录入系统
    APPLICANT_INFORMED = "applicant_informed"  # 告知农户 / 书面告知
    CASE_CLOSED = "case_closed"  # 办结销号: closed without identification (e.g. not eligible)
    HELPER_ASSIGNED = "helper_assigned"  # 安排帮扶责任人
    PLAN_FILED = "plan_filed"  # 帮扶计划制定
    MEASURES_DECLARED = "measures_declared"  # 帮扶措施申报 (qianshan_2023 一、(一)4)
    MEASURES_STARTED = "measures_started"  # 帮扶措施落实
    ELIMINATION_NOMINATED = "elimination_nominated"  # 村提名 (风险消除)
    ELIMINATION_HOME_VERIFICATION = "elimination_home_verification"
    ELIMINATION_DEMOCRATIC_EVALUATION = "elimination_democratic_evaluation"
    ELIMINATION_PUBLICITY_START = "elimination_publicity_start"
    ELIMINATION_PUBLICITY_END = "elimination_publicity_end"
    ELIMINATION_TOWN_REVIEW = "elimination_town_review"
    ELIMINATION_COUNTY_APPROVAL = "elimination_county_approval"  # 审核批准和公告

    @property
    def zh(self) -> str:
        """The step's name as officials write it."""
        return _STEP_ZH[self.value]

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.value.replace("_", " ")


_STEP_ZH = {
    "risk_occurred": "风险发生",
    "clue_received": "收到风险线索（预警信息）",
    "department_list_received": "收到行业部门排查名单",
    "application": "农户申请（自主申报）",
    "response": "快速响应并上报",
    "home_verification": "入户核实",
    "case_meeting": "专题会议分析研判",
    "democratic_evaluation": "村级民主评议",
    "information_comparison": "信息比对",
    "publicity_start": "村级公示开始",
    "publicity_end": "村级公示结束",
    "town_review": "乡镇联合审核",
    "county_approval": "县级比对审定（公告）",
    "system_entry": "录入系统",
    "applicant_informed": "告知农户（书面告知）",
    "case_closed": "办结销号",
    "helper_assigned": "安排帮扶责任人",
    "plan_filed": "制定帮扶计划",
    "measures_declared": "帮扶措施申报",
    "measures_started": "落实帮扶措施",
    "elimination_nominated": "风险消除：村提名",
    "elimination_home_verification": "风险消除：入户核实",
    "elimination_democratic_evaluation": "风险消除：村级民主评议",
    "elimination_publicity_start": "风险消除：公示开始",
    "elimination_publicity_end": "风险消除：公示结束",
    "elimination_town_review": "风险消除：乡镇联合审核",
    "elimination_county_approval": "风险消除：县级审核批准和公告",
}


class CaseEvent(Fact):
    """One dated step of a case (``date``, not ``on``: YAML 1.1 reads a bare ``on`` as true).

    Read as household facts are (:mod:`fangfan_rules.facts.forms`): ``date`` is ``YYYY-MM-DD``
    only (never epoch seconds or a datetime), ``note`` is free text (no control characters but
    tab and line breaks)."""

    step: Step
    date: Day
    note: Text | None = None


class Case(Fact):
    """A household's procedure record — one procedure, from its clue (or application) to its
    end: a new clue after a closure (case_closed) opens a new case, and a case holding one is
    refused (:func:`check_one_procedure`). ``household_id`` is an id as in the household facts
    (no control, zero-width or other invisible characters, no space at either end)."""

    household_id: Annotated[Identifier, Field(min_length=1)]
    events: tuple[CaseEvent, ...] = ()

    def first(self, steps: Iterable[Step], *, not_before: date | None = None) -> date | None:
        """The earliest date of any of ``steps`` (on or after ``not_before``)."""
        wanted = frozenset(steps)
        days = [
            e.date
            for e in self.events
            if e.step in wanted and (not_before is None or e.date >= not_before)
        ]
        return min(days) if days else None


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeadlineRule(_Spec):
    """A time limit from ``start`` (first of these steps) until one of ``met_by`` happens."""

    id: str
    title: LocalText
    citation: str
    quote: str | None = None
    interpretation: str | None = None
    start: tuple[Step, ...] = Field(description="the step(s) whose first occurrence starts it")
    met_by: tuple[Step, ...]
    met_when: Literal["any", "all"] = Field(
        "any",
        description="met by the first of met_by ('any') or once every one of them is done ('all')",
    )
    met_before_start: bool = Field(
        False,
        description=(
            "a met_by step done before the start also meets it (e.g. a plan drafted in parallel "
            "with the other steps, qianshan_2023 二、(三)2); otherwise only steps on or after it"
        ),
    )
    implied_by: tuple[Step, ...] = Field(
        (),
        description=(
            "later steps that presuppose the step (a town review presupposes the village's report): "
            "when no met_by step is recorded, the step was done on or before the first of these — "
            "met if that is within the limit, else done on a date not recorded "
            "(done_date_unknown), never reported as not done or late"
        ),
    )
    days: int | dict[str, str] | None = Field(None, description="N, or {param: NAME}")
    count: Literal["natural", "working"] | None = None
    due: dict[str, str] | None = Field(None, description="a fixed due date: {param: NAME}")
    normal_limit: bool = Field(False, description="原则上 / 一般: a norm, exceptions possible")
    start_is_reading: bool = Field(
        False,
        description=(
            "the document prints the period but not when it starts: ``start`` is the pack's "
            "reading (named in the interpretation; the status text and the card say so), so the "
            "deadline is shown as counted "
            "from it and a late step is never asserted as a procedure violation"
        ),
    )
    start_is_reading_before: dict[Step, date] = Field(
        default_factory=dict,
        description=(
            "a case with one of these steps dated before its date is counted as start_is_reading "
            "(shown, never asserted): the start steps before the day an undated document is known "
            "to exist (the period may have started before it), or a step another clause gives "
            "until a fixed date (a first-quarter list entry, whichever channel came first)"
        ),
    )
    closing_ends_it: bool = Field(
        False,
        description=(
            "the period concerns a step only some cases owe (e.g. the publicity of an identified "
            "household): a closure (case_closed) without the step ends it whenever it comes — "
            "status closed, never closed_overdue or a breach. Otherwise a closure after the due "
            "date leaves the limit missed (closed_overdue)"
        ),
    )
    valid_from: date | None = Field(None, description="applies to cases triggered on/after")
    valid_to: date | None = Field(None, description="applies to cases triggered on/before")

    def start_is_reading_for(self, case: Case) -> bool:
        """Is the start of this period the pack's reading for ``case``?"""
        if self.start_is_reading:
            return True
        for step, before in self.start_is_reading_before.items():
            day = case.first((step,))
            if day is not None and day < before:
                return True
        return False


class OrderRule(_Spec):
    """Steps that, when present, must happen in this order (and none may be skipped)."""

    id: str
    title: LocalText
    citation: str
    quote: str | None = None
    interpretation: str | None = Field(None, description="how the words were read into an order")
    steps: tuple[Step, ...]
    required: bool = Field(True, description="a later step without an earlier one is a violation")


class MinimumSpan(_Spec):
    """A minimum length between two steps (e.g. 公示不少于5天)."""

    id: str
    title: LocalText
    citation: str
    quote: str | None = None
    interpretation: str | None = None
    start: Step
    end: Step
    at_least_days: int


class MonthlyDue(_Spec):
    """A task due by a day of every month (e.g. jimo's feeds by the 4th / 7th / 30th).

    A month without that day (the 30th in February) is due on its last day: "每月30日前" is read
    as "by the end of the month's 30th day, or of the month if it is shorter". No extension past a
    rest day unless ``extend_past_rest_day`` (the documents state none).
    """

    id: str
    title: LocalText
    citation: str
    quote: str | None = None
    interpretation: str | None = None
    day: int = Field(ge=1, le=31)
    covers: Literal["previous_month", "current_month"] = "previous_month"
    extend_past_rest_day: bool = False


class Timeline(_Spec):
    """A pack's timeline rules (``timeline.yaml``)."""

    deadlines: tuple[DeadlineRule, ...] = ()
    order: tuple[OrderRule, ...] = ()
    spans: tuple[MinimumSpan, ...] = ()
    monthly: tuple[MonthlyDue, ...] = ()


class Violation(BaseModel):
    """A procedure problem found in a case."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["missing_step", "wrong_order", "deadline_missed", "too_short"]
    rule_id: str
    citation: str
    text_zh: str
    text_en: str
    normal_limit: bool = False


def load_timeline(pack: str, path: Path) -> Timeline:
    """Read and validate ``timeline.yaml``; ids and citations get the pack's namespace."""
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise PackError(f"{path}: expected a mapping with deadlines / order / spans")
    unknown = set(data) - {"deadlines", "order", "spans", "monthly"}
    if unknown:
        raise PackError(f"{path}: unknown keys {sorted(unknown)}")

    def namespaced(items: Any) -> list[dict[str, Any]]:
        out = []
        for item in items or []:
            if not isinstance(item, Mapping) or not item.get("citation") or not item.get("id"):
                raise RuleError(
                    f"{path}: every timeline entry needs an id and a citation: {item!r}"
                )
            out.append(
                {**item, "id": f"{pack}.{item['id']}", "citation": f"{pack}:{item['citation']}"}
            )
        return out

    try:
        timeline = Timeline(
            deadlines=namespaced(data.get("deadlines")),
            order=namespaced(data.get("order")),
            spans=namespaced(data.get("spans")),
            monthly=namespaced(data.get("monthly")),
        )
    except ValidationError as exc:
        raise RuleError(f"{path}: {exc}") from None
    for rule in timeline.deadlines:
        if (rule.due is None) == (rule.days is None):
            raise RuleError(f"{rule.id}: give either days (with count) or a fixed due date")
        if rule.days is not None and rule.count is None:
            raise RuleError(f"{rule.id}: a period in days needs count: natural or working")
    return timeline


#: Steps that open a procedure: a clue, a department list entry, an application, a risk. A case is
#: one procedure (:class:`Case`), so one of them dated after a closure (case_closed) is a new
#: procedure that belongs in a new case.
OPENING_STEPS = frozenset(
    {Step.RISK_OCCURRED, Step.CLUE_RECEIVED, Step.DEPARTMENT_LIST_RECEIVED, Step.APPLICATION}
)


def check_one_procedure(case: Case) -> None:
    """Refuse a case holding a second procedure: a step that opens one (:data:`OPENING_STEPS`)
    dated after a closure (case_closed). Only the first start of a limit is counted, so the later
    clue's limits would silently never run; a new clue after a closure opens a new case.

    Raises :class:`~fangfan_rules.errors.FactError` naming the household, the step and its date.
    """
    closed = case.first((Step.CASE_CLOSED,))
    if closed is None:
        return
    problems: list[tuple[str, object, str]] = [
        (
            f"events[{i}].step",
            e.step.value,
            f"dated {e.date}, after the case was closed (case_closed {closed}): a case is one "
            "procedure — a new clue or application after a closure opens a new case "
            "(一个案件为一次程序，办结后的新线索应另立案件)",
        )
        for i, e in enumerate(case.events)
        if e.step in OPENING_STEPS and e.date > closed
    ]
    if problems:
        from fangfan_rules.errors import FactError

        raise FactError(case.household_id, problems)


def procedures(case: Case) -> tuple[Case, ...]:
    """``case``'s events split into the procedures they record, in date order: a step that opens
    one (:data:`OPENING_STEPS`) dated after the current procedure's closure (case_closed) begins
    the next. Each part passes :func:`check_one_procedure`; a case of one procedure is returned
    whole. For a record kept per household (the service's case store), where a new clue after a
    closure is written beside the old ones: the last part is the procedure that runs now."""
    parts: list[list[CaseEvent]] = [[]]
    closed: date | None = None
    for event in sorted(case.events, key=lambda e: e.date):
        if closed is not None and event.step in OPENING_STEPS and event.date > closed:
            parts.append([])
            closed = None
        parts[-1].append(event)
        if event.step == Step.CASE_CLOSED and closed is None:
            closed = event.date
    if len(parts) == 1:
        return (case,)
    return tuple(case.model_copy(update={"events": tuple(part)}) for part in parts)


def procedures_known_on(case: Case, day: date) -> tuple[Case, ...]:
    """:func:`procedures` of ``case`` as known on ``day`` (a clue recorded for a later day opens
    no procedure yet)."""
    return procedures(known_on(case, day))


def known_on(case: Case, day: date) -> Case:
    """``case`` as known on ``day``: its events dated after it left out."""
    if all(e.date <= day for e in case.events):
        return case
    return case.model_copy(update={"events": tuple(e for e in case.events if e.date <= day)})


def _resolve(pack: Pack, value: int | dict[str, str], day: date) -> Any:
    if isinstance(value, dict):
        return pack.stated_value(value["param"], day).value
    return value


def _met_on(case: Case, rule: DeadlineRule, trigger: date) -> date | None:
    """When ``rule`` was met: the first of its steps, or the last one once all are done."""
    not_before = None if rule.met_before_start else trigger
    if rule.met_when == "any":
        return case.first(rule.met_by, not_before=not_before)
    done = [case.first((step,), not_before=not_before) for step in rule.met_by]
    return None if any(d is None for d in done) else max(d for d in done if d is not None)


def _implied(case: Case, rule: DeadlineRule, trigger: date, deadline: Deadline) -> Deadline | None:
    """``deadline`` when no met_by step is recorded but a later step that presupposes it is
    (``rule.implied_by``): the step was done on or before that day, on a date not recorded."""
    not_before = None if rule.met_before_start else trigger
    hits = [
        (d, step)
        for step in rule.implied_by
        if (d := case.first((step,), not_before=not_before)) is not None
    ]
    if not hits:
        return None
    day, step = min(hits)
    note = (
        f"完成日期未记录：不晚于{day}（已有后续步骤“{step.zh}”）; the date it was done is not "
        f"recorded: on or before {day} ({step.value} is recorded)"
    )
    if deadline.due is not None:
        certain = day <= deadline.due
    else:  # the calendar cannot date the end; a period never ends before start + N days
        certain = day <= deadline.start + dt.timedelta(days=deadline.days)
    if certain:
        return deadline.model_copy(update={"status": "met", "note": note})
    return deadline.model_copy(update={"status": "done_date_unknown", "note": note})


def deadlines(
    pack: Pack, case: Case, *, as_of: date, calendar: cal.WorkingDayCalendar | None = None
) -> tuple[Deadline, ...]:
    """Every deadline of ``pack`` that applies to ``case``, with its status on ``as_of``.

    A deadline applies to a case triggered within its rule's validity (a pack's rules start on
    its first day at the earliest): a day before the pack exists simply has none, so a worklist
    across packs of different years answers for each; after a pack's last day the periods that
    started within it still run."""
    case = known_on(case, as_of)
    check_one_procedure(case)
    out = []
    for rule in pack.timeline.deadlines:
        trigger = case.first(rule.start)  # the case as known on as_of: never after it
        if trigger is None:
            continue
        if (rule.valid_from and trigger < rule.valid_from) or (
            rule.valid_to and trigger > rule.valid_to
        ):
            continue
        met_on = _met_on(case, rule, trigger)
        reading = rule.start_is_reading_for(case)
        shared: dict[str, Any] = dict(
            name=rule.id,
            label=rule.title,
            start=trigger,
            met_on=met_on,
            as_of=as_of,
            normal_limit=rule.normal_limit,
            start_is_reading=reading,
            citation=rule.citation,
            note=rule.interpretation,
        )
        if rule.due is not None:
            deadline = Deadline.compute(**shared, due=_resolve(pack, rule.due, trigger))
        else:
            assert rule.days is not None and rule.count is not None
            deadline = Deadline.compute(
                **shared,
                days=int(_resolve(pack, rule.days, trigger)),  # the value in force when triggered
                count=rule.count,
                calendar=calendar,
            )
        implied = (
            _implied(case, rule, trigger, deadline) if met_on is None and rule.implied_by else None
        )
        if implied is not None:
            out.append(implied)
            continue
        closed = case.first((Step.CASE_CLOSED,), not_before=trigger)
        if met_on is None and closed is not None and deadline.status == "calendar_unknown":
            # when it was due cannot be said, so neither whether the closure came in time
            deadline = deadline.model_copy(
                update={"note": f"{deadline.note}; case closed on {closed}"}
            )
        elif met_on is None and closed is not None:
            if deadline.due is not None and closed > deadline.due and not rule.closing_ends_it:
                # Closed (办结销号) after the day the step was due, without it: the limit was
                # already missed when the case was closed, and closing does not undo that.
                deadline = deadline.model_copy(
                    update={"status": "closed_overdue", "note": f"case closed on {closed}"}
                )
            else:
                # Closed (e.g. found not eligible) before the step was due to happen, or a limit
                # only some cases owe (closing_ends_it): the time limit no longer runs. Reported,
                # never counted as overdue.
                deadline = deadline.model_copy(
                    update={
                        "days": 0,
                        "count": rule.count or "natural",
                        "due": None,
                        "status": "closed",
                        "note": f"case closed on {closed}",
                    }
                )
        out.append(deadline)
    return tuple(out)


def check_procedure(
    pack: Pack,
    case: Case,
    *,
    as_of: date | None = None,
    calendar: cal.WorkingDayCalendar | None = None,
) -> tuple[Violation, ...]:
    """Missing steps, steps out of order, missed deadlines and publicity that was too short.

    Only what the document governs is checked: an ``as_of`` given before the pack is in force
    raises :class:`~fangfan_rules.errors.NotInForceError` (without one, the case's last event is
    the day and nothing before the pack is judged), and a step done before the document's first day
    (``pack.valid_from``) is never the one a violation is asserted on — a missing step is reported
    only when the step it should precede happened on or after that day, an order only when both
    steps did, a publicity only when it started then. (A period that started within the pack's
    validity still runs after its last day: a pack's ``valid_to`` does not end the check.)
    """
    since = pack.valid_from
    if as_of is not None:
        if as_of < since:
            pack.check_in_force(as_of)
        # A step recorded for a later day had not happened on as_of: it neither completes a
        # procedure nor shows a missing or misordered step yet.
        case = known_on(case, as_of)
    check_one_procedure(case)
    found: list[Violation] = []
    for rule in pack.timeline.order:
        dates = [case.first((step,)) for step in rule.steps]
        last_present = max((i for i, d in enumerate(dates) if d is not None), default=-1)
        if last_present < 0:
            continue  # none of this procedure's steps happened (e.g. no elimination yet)
        last_date = dates[last_present]
        for i, step in enumerate(rule.steps[:last_present]):
            if dates[i] is None and rule.required and last_date is not None and last_date >= since:
                later = rule.steps[last_present]
                found.append(
                    Violation(
                        kind="missing_step",
                        rule_id=rule.id,
                        citation=rule.citation,
                        text_zh=f"缺少“{step.zh}”步骤（已有后续步骤“{later.zh}”）",
                        text_en=f"step {step.value} is missing although {later.value} happened",
                    )
                )
        present = [(d, s) for d, s in zip(dates, rule.steps, strict=True) if d is not None]
        for (d1, s1), (d2, s2) in itertools.pairwise(present):
            if d2 < d1 and d2 >= since:
                found.append(
                    Violation(
                        kind="wrong_order",
                        rule_id=rule.id,
                        citation=rule.citation,
                        text_zh=f"“{s2.zh}”（{d2}）早于“{s1.zh}”（{d1}）",
                        text_en=f"{s2.value} ({d2}) happened before {s1.value} ({d1})",
                    )
                )
    for span in pack.timeline.spans:
        start, end = case.first((span.start,)), case.first((span.end,))
        if (
            start is not None
            and start >= since
            and end is not None
            and (end - start).days < span.at_least_days
        ):
            found.append(
                Violation(
                    kind="too_short",
                    rule_id=span.id,
                    citation=span.citation,
                    text_zh=f"{span.title.zh}：{start}至{end}仅{(end - start).days}天（开始当日不计入），应不少于{span.at_least_days}天",
                    text_en=f"{span.title.en}: {start} to {end} is {(end - start).days} days, "
                    f"at least {span.at_least_days} required",
                )
            )
    day = as_of or max((e.date for e in case.events), default=date.today())
    for d in deadlines(pack, case, as_of=day, calendar=calendar):
        # A limit counted from a start the document does not print is the pack's reading: the
        # deadline shows it (late under that reading), but no breach is asserted on it.
        if d.status in ("missed", "overdue", "closed_overdue") and not d.start_is_reading:
            closed = d.status == "closed_overdue"
            found.append(
                Violation(
                    kind="deadline_missed",
                    rule_id=d.name,
                    citation=d.citation,
                    text_zh=f"{d.label.zh}：应于{d.due}前完成"
                    + (
                        f"，实际{d.met_on}"
                        if d.met_on
                        else ("，办结时仍未完成" if closed else "，尚未完成")
                    )
                    + (NORMAL_LIMIT_ZH if d.normal_limit else ""),
                    text_en=f"{d.label.en}: due {d.due}"
                    + (
                        f", done {d.met_on}"
                        if d.met_on
                        else (", not done when the case was closed" if closed else ", not done")
                    )
                    + (NORMAL_LIMIT_EN if d.normal_limit else ""),
                    normal_limit=d.normal_limit,
                )
            )
    return tuple(found)


_WORKLIST_COLUMNS = [
    "household_id",
    "pack",
    "deadline",
    "label",
    "start",
    "due",
    "status",
    "status_zh",
    "normal_limit",
    "start_is_reading",
    "citation",
]


def _due_within(
    as_of: date, due: date, horizon: int, calendar: cal.WorkingDayCalendar | None
) -> bool | None:
    """Is ``due`` (on or after ``as_of``) no later than ``horizon`` working days after ``as_of``
    (:func:`~fangfan_rules.calendar.add_working_days`)? None when the calendar cannot tell.

    Asked only when the horizon's last day is beyond the calendar: the days the calendar knows
    still answer (``due`` is within iff fewer than ``horizon`` working days lie strictly between
    ``as_of`` and ``due``; with ``horizon`` 0, iff none lies in ``[as_of, due)``)."""
    from fangfan_rules.errors import CalendarError

    day = as_of if horizon == 0 else as_of + dt.timedelta(days=1)
    needed = max(horizon, 1)
    counted = 0
    try:
        while day < due:
            if cal.is_working_day(day, calendar=calendar):
                counted += 1
                if counted >= needed:
                    return False
            day += dt.timedelta(days=1)
    except CalendarError:
        return None
    return True


def worklist(
    cases: Iterable[Case],
    packs: Iterable[Pack] | Pack,
    *,
    as_of: date,
    horizon: int = 5,
    calendar: cal.WorkingDayCalendar | None = None,
) -> pd.DataFrame:
    """What is overdue, or falls due within ``horizon`` working days after ``as_of``, per case.

    ``status_zh`` is the status as staff read it: a limit counted from the pack's reading of an
    unprinted start says so (never shown as a plain 已逾期), a normal limit (原则上 / 一般) too.

    A horizon running past the calendar's last known day loses nothing that is known: the overdue
    and calendar_unknown rows are listed as ever, a pending limit is listed when the known days
    show it due within the horizon, and one they cannot place is a ``calendar_unknown`` row (its
    due date shown, "due soon" not computed — no working day is guessed); the frame's
    ``attrs["warnings"]`` says so. A case holding a second procedure (a clue after its closure,
    :func:`check_one_procedure`) is an ``error`` row with the reason in ``status_zh`` (and in
    ``attrs["errors"]``); the other cases are answered."""
    import pandas as pd  # here, not at import: evaluating a household needs no data frame

    from fangfan_rules.errors import CalendarError, FactError

    pack_list = [packs] if not isinstance(packs, Iterable) else list(packs)
    warnings: list[str] = []
    errors: list[str] = []
    limit: date | None
    try:
        limit = cal.add_working_days(as_of, horizon, calendar=calendar)
    except CalendarError as exc:
        limit = None
        warnings.append(
            f"the horizon ({horizon} working days after {as_of}) runs past the calendar: what "
            "falls due within it is listed only where the known days show it; a pending limit they "
            f"cannot place is a calendar_unknown row (观察期超出日历已收录的年份，无法计算哪些事项将在"
            f"{horizon}个工作日内到期；已逾期事项照常列出). {exc}"
        )
    rows: list[dict[str, Any]] = []
    for case in cases:
        try:
            found = [
                (pack, d)
                for pack in pack_list
                for d in deadlines(pack, case, as_of=as_of, calendar=calendar)
            ]
        except FactError as exc:
            errors.append(str(exc))
            rows.append(
                {
                    "household_id": masked(case.household_id),
                    "pack": ", ".join(p.name for p in pack_list),
                    "status": "error",
                    "status_zh": str(exc),
                }
            )
            continue
        for pack, d in found:
            status, status_zh = d.status, d.status_text("zh")
            if d.status == "pending" and d.due is not None:
                soon = (
                    d.due <= limit
                    if limit is not None
                    else _due_within(as_of, d.due, horizon, calendar)
                )
                if soon is False:
                    continue
                if soon is None:
                    status = "calendar_unknown"
                    status_zh = (
                        f"待办，{d.due}到期；日历未收录该年，无法计算是否在{horizon}个工作日内到期"
                    )
            elif d.status not in ("overdue", "calendar_unknown"):
                continue
            rows.append(
                {
                    "household_id": masked(case.household_id),
                    "pack": pack.name,
                    "deadline": d.name,
                    "label": d.label.zh,
                    "start": d.start,
                    "due": d.due,
                    "status": status,
                    "status_zh": status_zh,
                    "normal_limit": d.normal_limit,
                    "start_is_reading": d.start_is_reading,
                    "citation": d.citation,
                }
            )
    frame = pd.DataFrame(rows, columns=_WORKLIST_COLUMNS)
    frame = frame.sort_values(["due", "household_id"], na_position="first").reset_index(drop=True)
    frame.attrs["warnings"] = tuple(warnings)
    frame.attrs["errors"] = tuple(errors)
    return frame


def monthly_due_dates(
    pack: Pack, year: int, month: int, *, calendar: cal.WorkingDayCalendar | None = None
) -> list[tuple[MonthlyDue, date]]:
    """The due date of each monthly task of ``pack`` in ``year``-``month`` (see :class:`MonthlyDue`)."""
    import calendar as gregorian

    from fangfan_rules.errors import NotInForceError

    last = gregorian.monthrange(year, month)[1]
    out = []
    for task in pack.timeline.monthly:
        due = date(year, month, min(task.day, last))
        # A task is owed only for a month the document covers: it is due on or after the document's
        # date, and the month it reports on ("上月新增": the previous month) ends on or after it.
        covered_end = date(year, month, 1) - dt.timedelta(days=1)
        if task.covers == "current_month":
            covered_end = date(year, month, last)
        if due < pack.valid_from or covered_end < pack.valid_from:
            continue
        if pack.valid_to is not None and due > pack.valid_to:
            continue
        if task.extend_past_rest_day:
            due = cal.add_working_days(due, 0, calendar=calendar)
        out.append((task, due))
    if pack.timeline.monthly and not out:
        raise NotInForceError(
            f"{pack.name}: no monthly task is owed in {year}-{month:02d} (the document is in force "
            f"from {pack.valid_from}; a task reporting on a month before it is not owed)"
        )
    return out
