"""Household-level variables over statuses, warnings, housing works and record-keeping facts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import Clue
from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import Context, get_variable, known, variable
from fangfan_rules.vocabulary import CareType, Channel, ClueKind, Department


@variable(
    "has_urban_social_security",
    value_type="bool",
    zh="享受城镇低保或职工基本养老保险等城镇保障",
    en="receives urban dibao / employee pension",
)
def _urban(ctx: Context) -> object:
    return known(ctx.household.has_urban_social_security, "has_urban_social_security")


@variable("livestock_head_count", value_type="int", zh="存栏牲畜头数", en="livestock head count")
def _livestock(ctx: Context) -> object:
    stock = ctx.household.livestock
    return Missing(("livestock",)) if stock is None else stock.head_count


@variable(
    "under_monitoring",
    value_type="bool",
    zh="正在监测帮扶（未消除风险）",
    en="currently monitored (risk not eliminated)",
)
def _under_monitoring(ctx: Context) -> bool:
    return any(r.eliminated_on is None for r in ctx.household.monitoring)


@variable(
    "monitoring_helper_count",
    value_type="int",
    zh="监测期间帮扶人数",
    en="helpers assigned to the current monitoring",
)
def _helpers(ctx: Context) -> int:
    open_records = [r for r in ctx.household.monitoring if r.eliminated_on is None]
    if not open_records:
        return 0
    record = max(open_records, key=lambda r: r.identified_on)
    return sum(1 for h in (record.helper, record.second_helper) if h)


@variable(
    "renovation_since",
    value_type="bool",
    args={"since": "date"},
    zh="{since}以来纳入危房改造",
    en="included in dangerous-house renovation since {since}",
)
def _renovation(ctx: Context, since: date) -> bool:
    return any(r.included_on >= since for r in ctx.household.renovations)


@variable(
    "renovation_started",
    value_type="bool",
    args={"window": "window"},
    zh="{window}纳入危房改造",
    en="included in dangerous-house renovation in {window}",
)
def _renovation_started(ctx: Context, window: DateRange) -> bool:
    return any(r.included_on in window for r in ctx.household.renovations)


@variable(
    "only_house",
    value_type="bool",
    zh="鉴定房屋为唯一住房",
    en="the appraised house is the only house",
)
def _only_house(ctx: Context) -> object:
    return known(ctx.household.guarantees.only_house, "guarantees.only_house")


@variable(
    "clue_received",
    value_type="bool",
    args={"window": "window", "channels": "enum_list"},
    enum=Channel,
    zh="收到风险线索（{channels}，{window}）",
    en="risk clue via {channels} in {window}",
)
def _clue(ctx: Context, window: DateRange, channels: Sequence[Channel]) -> bool:
    wanted = frozenset(channels)
    return any(c.channel in wanted and c.received_on in window for c in ctx.household.clues)


@variable(
    "clue_kind_received",
    value_type="bool",
    args={"window": "window", "kinds": "enum_list"},
    enum=ClueKind,
    zh="收到风险线索（{kinds}，{window}）",
    en="risk clue of kind {kinds} in {window}",
)
def _clue_kind(ctx: Context, window: DateRange, kinds: Sequence[ClueKind]) -> bool:
    wanted = frozenset(kinds)
    return any(c.kind in wanted and c.received_on in window for c in ctx.household.clues)


@variable(
    "department_warning",
    value_type="bool",
    args={"window": "window", "departments": "enum_list"},
    enum=Department,
    zh="部门预警（{departments}，{window}）",
    en="department warning from {departments} in {window}",
)
def _dept(ctx: Context, window: DateRange, departments: Sequence[Department]) -> bool:
    wanted = frozenset(departments)
    return any(c.department in wanted and c.received_on in window for c in ctx.household.clues)


@variable(
    "medical_personal_burden",
    value_type="money",
    args={"window": "window", "care": "enum_list"},
    enum=CareType,
    zh="医疗费用个人负担（{care}，{window}）",
    en="personal medical burden ({care}, {window})",
)
def _burden(ctx: Context, window: DateRange, care: Sequence[CareType]) -> object:
    wanted = frozenset(care)
    medical = [e for e in ctx.household.expenditures if e.kind == "medical" and e.date in window]
    untyped = [e for e in medical if e.care is None]
    if untyped:  # spending whose care type is unknown could belong to the sum: unknown, not 0
        return Missing(tuple(f"expenditures[medical {e.date}].care" for e in untyped))
    return sum((e.personal_burden for e in medical if e.care in wanted), Decimal("0.00"))


@variable(
    "has_recorded_judgement",
    value_type="bool",
    zh="已逐户注明研判结果",
    en="a judgement is recorded for the household",
)
def _judgement(ctx: Context) -> bool:
    return ctx.household.judgement is not None


@variable("special_file_kept", value_type="bool", zh="已建立特殊档案", en="a special file is kept")
def _special_file(ctx: Context) -> bool:
    judgement = ctx.household.judgement
    return bool(judgement and judgement.special_file)


@variable(
    "income_double_signed",
    value_type="bool",
    zh="收入信息经“双签字”确认",
    en="income facts double-signed",
)
def _income_signed(ctx: Context) -> object:
    return known(ctx.household.provenance.income_double_signed, "provenance.income_double_signed")


@variable(
    "guarantees_double_signed",
    value_type="bool",
    zh="“两不愁三保障”信息经“双签字”确认",
    en="两不愁三保障 facts double-signed",
)
def _guarantees_signed(ctx: Context) -> object:
    value = ctx.household.provenance.guarantees_double_signed
    return known(value, "provenance.guarantees_double_signed")


@variable(
    "phone_interview", value_type="bool", zh="采用电话访谈采集", en="collected by phone interview"
)
def _phone(ctx: Context) -> bool:
    return bool(ctx.household.provenance.phone_interview)


@variable(
    "phone_interview_recorded",
    value_type="bool",
    zh="电话访谈已做记载记录",
    en="the phone interview is recorded",
)
def _phone_recorded(ctx: Context) -> object:
    return known(ctx.household.provenance.interview_recorded, "provenance.interview_recorded")


@variable(
    "green_channel_publicly_recognised",
    value_type="bool",
    zh="群众普遍认可",
    en="hardship recognised by the public",
)
def _recognised(ctx: Context) -> object:
    record = ctx.household.green_channel
    return known(
        record.publicly_recognised if record else None, "green_channel.publicly_recognised"
    )


@variable(
    "disabled_member_count",
    value_type="int",
    zh="持残疾人证人数",
    en="members holding a disability certificate",
)
def _disabled(ctx: Context) -> int:
    return sum(1 for m in ctx.household.members if m.disability is not None)


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
    return any(c.channel in wanted and _open(c, ctx.as_of) for c in ctx.household.clues)


def _open(clue: Clue, as_of: date) -> bool:
    """Received by as_of and not closed by then: a time limit never makes a clue expire."""
    return clue.received_on <= as_of and (clue.closed_on is None or clue.closed_on > as_of)


@variable(
    "open_clue_kind",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=ClueKind,
    zh="有尚未办结的风险线索（{kinds}）",
    en="an open (not closed) risk clue of kind {kinds}",
)
def _open_clue_kind(ctx: Context, kinds: Sequence[ClueKind]) -> bool:
    wanted = frozenset(kinds)
    return any(c.kind in wanted and _open(c, ctx.as_of) for c in ctx.household.clues)


@variable(
    "open_department_warning",
    value_type="bool",
    args={"departments": "enum_list"},
    enum=Department,
    zh="有尚未办结的部门预警（{departments}）",
    en="an open (not closed) department warning from {departments}",
)
def _open_department_warning(ctx: Context, departments: Sequence[Department]) -> bool:
    wanted = frozenset(departments)
    return any(c.department in wanted and _open(c, ctx.as_of) for c in ctx.household.clues)


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
