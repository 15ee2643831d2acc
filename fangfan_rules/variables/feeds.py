"""Department feed items still on a town's ledger (jimo_2022 一、(二)1–2, 一、(三)1, 附件1).

A department sends, by the 4th of each month, the rows 新增 in the previous month ("每月4日前将上月
新增的预警信息提供给区乡村振兴局", 一、(二)1); the towns get them by the 7th (一、(二)2) and keep each on
a ledger until it is verified and closed ("逐条建立工作台账…办理一条销号一条", 一、(三)1). No time
limit of the notice ends an item. So an **item** is a dated fact (a member's dropout date, the start
of a social-assistance spell…); it **belongs to a feed** when its date is on or after ``since`` (the
first feed month the rule reads) and on or before the last day of as_of's previous month (a month's
rows are sent only after it ends). The towns' copy is due by the end of the ``due_day`` of the
next month (一、(二)2 "每月7日前将汇总后的预警信息反馈镇街"; jimo_2022 passes its parameter
``town_feed_due_day``, 7): after that day last month's items are on the town's ledger; up to it they may or may not have reached it, so such an
item is **pending** — the town has it once a department warning (channel ``department_push``) of
the feed's kind is recorded as received since the 1st of the items' month (a labelled reading: the
town records the feed's rows as they arrive), and otherwise whether it has arrived is unknown,
named as such (:func:`pending_name`). Items of earlier months were due before and count as fed
(a reading too: the bureau is taken to have met its due day).
It **stays open** until a warning of the feed's kind, received
on or after the first day of the item's month and on or before as_of, is closed by as_of, or the
household is identified for monitoring on or after the item's own day (by as_of: an
identification and a dated item can be compared by day, a warning and its item cannot be paired,
hence the month). The second is a reading:
the notice's closed loop ends in 录入系统 (二、(一) "确保每一条监测预警信息从发现到办结形成工作闭环"),
and an identification after the item is the strongest record that it was handled, even when no
warning row of its kind was recorded.

The warning kind that closes an item is the kind of its feed (:class:`~fangfan_rules.vocabulary.ClueKind`
names one per 附件1 line), fixed here per item source: a variable takes a single enum, and the feeds
with a selection of their own (``kinds`` of spells or child statuses, ``care`` of spending) need it
for that selection.

医保局's item is the day a calendar year's personal burden first went above the line
(``medical_burden_feed_open``): at most one a year. Spending of unknown care type on or before it
makes its day uncertain (between the day with every untyped amount counted and the day with none);
the item is unknown only when those possible days do not all give the same answer.

A household (member) has an open item when any of its items is open. With that closing test the
latest item decides: a closing warning received on or after the first day of the latest item's
month was received on or after that of every earlier item too. Both engines compute it that way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import month_end, month_start
from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import ArgType, Context, Level, get_variable, variable
from fangfan_rules.variables.warnings import is_closed
from fangfan_rules.vocabulary import (
    CareType,
    Channel,
    ChildStatus,
    ClueKind,
    DibaoKind,
    HousingGrade,
)

#: The months an item's date is read against: feeds are sent for the months before as_of's.
FEED_BACK = 1


def last_feed_day(as_of: date) -> date:
    """The last day a fed item can be dated on ``as_of``: the end of the previous month."""
    return month_end(as_of, FEED_BACK)


def certain_feed_day(as_of: date, due_day: int) -> date:
    """The last day an item can be dated and have reached the town for certain on ``as_of``: the
    end of last month once the copy's ``due_day`` has passed, else the end of the month before."""
    return last_feed_day(as_of) if as_of.day > due_day else month_end(as_of, FEED_BACK + 1)


def pending_arrived(ctx: Context, kind: ClueKind) -> bool:
    """Last month's feed of ``kind`` has reached the town before its due day: a department
    warning of ``kind`` is recorded as received from the 1st of last month (the items' month, as
    for closing them) to as_of."""
    first = month_start(ctx.as_of, FEED_BACK)
    return any(
        c.kind == kind
        and c.channel == Channel.DEPARTMENT_PUSH
        and first <= c.received_on <= ctx.as_of
        for c in ctx.household.clues
    )


def pending_name(kind: ClueKind, as_of: date, due_day: int) -> str:
    """The fact left unknown by a pending item: whether last month's feed of ``kind`` has reached
    the town (worded by :func:`fangfan_rules.rules.wording.fact_text`)."""
    month = month_start(as_of, FEED_BACK).strftime("%Y-%m")
    # "每月N日前" in a month shorter than N: by its last day
    due = min(as_of.replace(day=1) + timedelta(days=due_day - 1), month_end(as_of)).isoformat()
    return f"department feed {kind.value} of {month} (due at the town by {due})"


def latest_item(
    items: Iterable[date | None], since: date, as_of: date, last: date | None = None
) -> date | None:
    """The latest of ``items`` in a feed on ``as_of`` (from ``since`` to ``last``, by default the
    end of last month)."""
    last = last_feed_day(as_of) if last is None else last
    return max((d for d in items if d is not None and since <= d <= last), default=None)


def closed_since(ctx: Context, kind: ClueKind, first: date) -> bool:
    """A warning of ``kind`` received from ``first`` to as_of is closed by as_of (销号)."""
    return any(
        c.kind == kind and c.received_on >= first and is_closed(c, ctx.as_of)
        for c in ctx.household.clues
    )


def identified_since(ctx: Context, day: date) -> bool:
    """The household was identified for monitoring on or after ``day``, by as_of (录入系统)."""
    return any(day <= r.identified_on <= ctx.as_of for r in ctx.household.monitoring)


def item_closed(ctx: Context, kind: ClueKind, day: date) -> bool:
    """The item dated ``day`` is handled: a warning of ``kind`` received from the first day of its
    month is closed (the facts cannot pair a warning with its item), or the household was
    identified on or after the item's own day (the two can be compared by day)."""
    return closed_since(ctx, kind, month_start(day)) or identified_since(ctx, day)


def first_open_day(ctx: Context, kind: ClueKind, since: date) -> date:
    """The first day an item of ``kind`` could be dated and still be open on as_of: ``since``,
    after the month of the latest warning of ``kind`` received and closed, and after the latest
    identification (whether an item is closed only falls as its day grows)."""
    days = [since]
    received = [
        c.received_on for c in ctx.household.clues if c.kind == kind and is_closed(c, ctx.as_of)
    ]
    if received:
        days.append(month_start(max(received)) + relativedelta(months=1))
    identified = [r.identified_on for r in ctx.household.monitoring if r.identified_on <= ctx.as_of]
    if identified:
        days.append(max(identified) + timedelta(days=1))
    return max(days)


def item_open(
    ctx: Context, items: Iterable[date | None], kind: ClueKind, since: date, last: date
) -> bool:
    """Some item of a feed dated from ``since`` to ``last`` is open on as_of (see the module
    docstring)."""
    latest = latest_item(items, since, ctx.as_of, last)
    return latest is not None and not item_closed(ctx, kind, latest)


def with_pending(
    ctx: Context, kind: ClueKind, due_day: int, answer: Callable[[date], object]
) -> object:
    """A feed's answer on as_of from ``answer(last)`` (its answer for the items dated up to
    ``last``): items due at the town for certain, or (pending) last month's before its due day —
    Kleene ``certain or (all and arrived)``, an arrival not recorded being unknown
    (:func:`pending_name`)."""
    last = last_feed_day(ctx.as_of)
    certain_day = certain_feed_day(ctx.as_of, due_day)
    certain = answer(certain_day)
    if certain is True or certain_day == last:
        return certain
    everything = answer(last)
    if everything is False or pending_arrived(ctx, kind):
        return everything
    names = [*(certain.facts if isinstance(certain, Missing) else ())]
    names += [
        n for n in (everything.facts if isinstance(everything, Missing) else ()) if n not in names
    ]
    return Missing((*names, pending_name(kind, ctx.as_of, due_day)))


@dataclass(frozen=True)
class FeedSource:
    """Where a feed's items come from, and the kind of warning that closes them.

    ``items(ctx, **selection)`` gives the item dates (None where there is no item);
    ``selection`` names the arguments beyond ``since`` (with ``enum``) the source selects by;
    ``undated(ctx)`` names the fact missing when an item exists but its date is not recorded
    (empty: none such).
    """

    name: str
    level: Level
    kind: ClueKind
    items: Callable[..., Iterable[date | None]]
    zh: str
    en: str
    selection: tuple[str, ...] = ()
    enum: type | None = None
    undated: Callable[[Context], tuple[str, ...]] | None = None


def _date_variable(name: str) -> Callable[[Context], Iterable[date | None]]:
    """The items of a source that is one date variable (a member's dropout date…)."""

    def items(ctx: Context) -> Iterable[date | None]:
        return (get_variable(name)(ctx),)

    return items


def _spells(ctx: Context, kinds: Sequence[DibaoKind]) -> Iterable[date]:
    wanted = frozenset(kinds)
    return (a.start for a in ctx.household.social_assistance if a.kind in wanted)


def _child_statuses(ctx: Context, kinds: Sequence[ChildStatus]) -> Iterable[date]:
    assert ctx.member is not None  # a member-level source
    wanted = frozenset(kinds)
    return (c.since for c in ctx.member.child_status if c.kind in wanted)


def _undated_appraisal(ctx: Context) -> tuple[str, ...]:
    # A C or D grade exists only through an appraisal (鉴定): with its date not recorded the item
    # exists and may lie in a fed month — unknown, not "no" (CONVENTIONS "Unknown is not no").
    g = ctx.household.guarantees
    if g.housing_appraised_on is None and g.housing_grade in (HousingGrade.C, HousingGrade.D):
        return ("guarantees.housing_appraised_on",)
    return ()


def undated_item_unknown(ctx: Context, kind: ClueKind, since: date) -> bool:
    """An item whose date is not recorded could be open on as_of: some month is fed (``since`` to
    the end of last month) and no warning of ``kind`` closed by as_of was received on or after
    the first day of the last fed month (which would close an item of any fed month)."""
    last = last_feed_day(ctx.as_of)
    return since <= last and not item_closed(ctx, kind, last)


def _renovations(ctx: Context) -> Iterable[date]:
    return (r.included_on for r in ctx.household.renovations)


#: How every source's variable reads: "{since}至上月末新增<item>，且该月起收到的<kind>预警未销号".
_OPEN_ZH = (
    "{{since}}至上月末新增{item}（上月新增的于每月{{due_day}}日前反馈镇街），"
    "且该月起收到的{kind}预警未销号、此后未认定为监测对象"
)
_OPEN_EN = (
    "{item} dated {{since}} to the end of last month (last month's reach the town by day"
    ' {{due_day}} of the month), no "{kind}" warning received since that month closed and no identification'
    " for monitoring since the item"
)

#: Every feed item source (附件1), by variable name.
SOURCES: tuple[FeedSource, ...] = (
    FeedSource(
        "dropout_feed_open",
        "member",
        ClueKind.DROPOUT,
        _date_variable("dropout_since"),
        "义务教育阶段失学辍学",
        "out of compulsory education",
    ),
    FeedSource(
        "education_aid_feed_open",
        "member",
        ClueKind.EDUCATION_AID,
        _date_variable("education_aid_since"),
        "自主申请并获得教育资助",
        "granted education aid on own application",
    ),
    FeedSource(
        "special_major_disease_feed_open",
        "member",
        ClueKind.MAJOR_DISEASE,
        _date_variable("special_major_disease_since"),
        "纳入30种大病专项救治",
        "treated under the 30 special major diseases",
    ),
    FeedSource(
        "disability_certificate_feed_open",
        "member",
        ClueKind.SEVERE_DISABILITY,
        _date_variable("disability_certificate_date"),
        "办理或变更残疾人证",
        "disability certificate issued or changed",
    ),
    FeedSource(
        "housing_appraisal_feed_open",
        "household",
        ClueKind.UNSAFE_HOUSING,
        _date_variable("housing_appraised_on"),
        "住房经鉴定",
        "house appraised",
        undated=_undated_appraisal,
    ),
    FeedSource(
        "renovation_feed_open",
        "household",
        ClueKind.UNSAFE_HOUSING,
        _renovations,
        "纳入危房改造",
        "included in dangerous-house renovation",
    ),
    FeedSource(
        "social_assistance_feed_open",
        "household",
        ClueKind.NEW_DIBAO_OR_TEKUN,
        _spells,
        "纳入{kinds}",
        "newly receiving {kinds}",
        ("kinds",),
        DibaoKind,
    ),
    FeedSource(
        "child_status_feed_open",
        "member",
        ClueKind.DISTRESSED_CHILD,
        _child_statuses,
        "认定为{kinds}",
        "recorded as {kinds}",
        ("kinds",),
        ChildStatus,
    ),
)


def _register(source: FeedSource) -> None:
    def compute(ctx: Context, since: date, due_day: int, **selection: Any) -> object:
        items = tuple(source.items(ctx, **selection))
        answer = with_pending(
            ctx, source.kind, due_day, lambda last: item_open(ctx, items, source.kind, since, last)
        )
        if answer is True:
            return True
        missing = source.undated(ctx) if source.undated is not None else ()
        if missing and undated_item_unknown(ctx, source.kind, since):
            return Missing((*(answer.facts if isinstance(answer, Missing) else ()), *missing))
        return answer

    args: dict[str, ArgType] = {"since": "date", "due_day": "int"}
    args.update((name, "enum_list") for name in source.selection)
    variable(
        source.name,
        level=source.level,
        value_type="bool",
        args=args,
        enum=source.enum,
        zh=_OPEN_ZH.format(item=source.zh, kind=source.kind.zh),
        en=_OPEN_EN.format(item=source.en, kind=source.kind.en),
    )(compute)


for _source in SOURCES:
    _register(_source)

# --- 医保局: the month in which the calendar year's burden first went above the line ------------


def crossing_answer(
    ctx: Context,
    care: Sequence[CareType],
    threshold: Decimal,
    first: date,
    year: int,
    last: date | None = None,
) -> object:
    """Whether ``year``'s crossing of ``threshold`` (> : 超过; the day the 当年度 personal burden of
    ``care`` first went above it) is an open item on as_of: True, False or unknown (naming the
    spending of unknown care type that leaves it open).

    An item dated on or after ``first`` (:func:`first_open_day`, and by ``last``, by default the
    last fed day) is open. Spending of
    unknown care type may or may not count, so the crossing may fall on several days, or not
    happen: some reading crosses on or after that day iff some choice of the untyped spending
    before it keeps the sum before it within the line while the year's counted spending, that
    choice and all untyped from that day go over (:func:`may_cross_from`); some reading does not
    cross, or crosses before it, iff the counted spending alone never crosses or everything
    counted crosses before it.
    """
    last = last_feed_day(ctx.as_of) if last is None else last
    end = min(date(year, 12, 31), last)
    wanted = frozenset(care)
    medical = [
        e
        for e in ctx.household.expenditures
        if e.kind == "medical" and date(year, 1, 1) <= e.date <= end
    ]
    counted = sorted((e for e in medical if e.care in wanted), key=lambda e: e.date)
    untyped = sorted((e for e in medical if e.care is None), key=lambda e: e.date)
    latest = _first_over(counted, threshold)
    earliest = _first_over(sorted([*counted, *untyped], key=lambda e: e.date), threshold)
    may_open = first <= end and may_cross_from(
        sum((e.personal_burden for e in counted if e.date < first), Decimal(0)),
        sum((e.personal_burden for e in counted), Decimal(0)),
        [e.personal_burden for e in untyped if e.date < first],
        sum((e.personal_burden for e in untyped if e.date >= first), Decimal(0)),
        threshold,
    )
    may_not = latest is None or earliest is None or earliest < first
    if not may_open:
        return False
    if not may_not:
        return True
    return Missing(
        tuple(f"expenditures[medical {e.date}].care" for e in untyped if e.date <= (latest or end))
    )


#: Untyped amounts before the first open day enumerated exactly up to this many (a subset sum);
#: beyond it the answer assumes a crossing may come (unknown, never a wrong "no").
SUBSET_LIMIT = 16


def may_cross_from(
    counted_before: Decimal,
    counted: Decimal,
    untyped_before: Sequence[Decimal],
    untyped_after: Decimal,
    threshold: Decimal,
) -> bool:
    """Some choice of the untyped amounts before a day keeps the sum before it within
    ``threshold`` (so any crossing comes on or after the day) while the whole year's counted
    spending, that choice and every untyped amount from the day go over (one engine-neutral
    definition: the columnar engine calls it for the rows that have untyped amounts before)."""
    room = threshold - counted_before
    if room < 0:
        return False
    amounts = [a for a in untyped_before if a > 0]
    if len(amounts) > SUBSET_LIMIT:
        return True  # conservative: at worst an unknown the facts could settle
    sums = {Decimal(0)}
    for amount in amounts:
        sums |= {t + amount for t in sums if t + amount <= room}
    return counted + max(sums) + untyped_after > threshold


def _first_over(spending: list[Any], threshold: Decimal) -> date | None:
    total = Decimal("0.00")
    for e in spending:
        total += e.personal_burden
        if total > threshold:
            return e.date  # type: ignore[no-any-return]
    return None


@variable(
    "medical_burden_feed_open",
    value_type="bool",
    args={"since": "date", "care": "enum_list", "threshold": "money", "due_day": "int"},
    enum=CareType,
    zh="{since}至上月末当年度医疗费用个人负担（{care}）累计超过{threshold}（上月新增于每月{due_day}日前"
    "反馈镇街），且该月起收到的" + ClueKind.MEDICAL_BURDEN.zh + "预警未销号、此后未认定为监测对象",
    en="the calendar year's personal medical burden ({care}) went above {threshold} between "
    + "{since} and the end of last month (last month's reach the town by day {due_day} of the"
    + " month)"
    + ', no "'
    + ClueKind.MEDICAL_BURDEN.en
    + '" warning received since that month closed and no identification for monitoring since',
)
def _medical_burden_open(
    ctx: Context, since: date, care: Sequence[CareType], threshold: Decimal, due_day: int
) -> object:
    # 附件1 医保局 "新增…当年度…累计超过2万元": the item is the crossing, dated on the day the
    # year's sum went above the line; one a year at most (the sum only grows). Unknown only when
    # the readings of spending of unknown care type would not all give the same answer.
    first = first_open_day(ctx, ClueKind.MEDICAL_BURDEN, since)  # the same for every year
    line = Decimal(str(threshold))

    def answer(last: date) -> object:
        missing: list[str] = []
        for year in range(since.year, last.year + 1):
            year_answer = crossing_answer(ctx, care, line, first, year, last)
            if year_answer is True:
                return True
            if isinstance(year_answer, Missing):
                missing.extend(year_answer.facts)
        return Missing(tuple(missing)) if missing else False

    return with_pending(ctx, ClueKind.MEDICAL_BURDEN, due_day, answer)


#: The names of the feed variables (the strategies read the days they compare on as_of).
FEED_VARIABLES: frozenset[str] = frozenset(
    (*(source.name for source in SOURCES), "medical_burden_feed_open")
)
