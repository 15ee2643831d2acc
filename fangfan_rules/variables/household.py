"""Household-level variables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import AreaTag, SocialAssistance
from fangfan_rules.logic import Missing
from fangfan_rules.variables import income
from fangfan_rules.variables.registry import Context, known, variable
from fangfan_rules.vocabulary import DibaoKind, ExpenditureKind, HousingGrade, HukouKind, RiskType


@variable("hukou", value_type="enum", enum=HukouKind, zh="户籍类型", en="hukou kind")
def _hukou(ctx: Context) -> HukouKind:
    return ctx.household.hukou


@variable(
    "lifted_out_of_poverty", value_type="bool", zh="脱贫户", en="lifted-out-of-poverty household"
)
def _lifted(ctx: Context) -> object:
    return known(ctx.household.lifted_out_of_poverty, "lifted_out_of_poverty")


@variable("member_count", value_type="int", zh="家庭人口数", en="household size")
def _member_count(ctx: Context) -> int:
    return income.counted_members(ctx.household)


@variable(
    "net_income",
    value_type="money",
    args={"window": "window"},
    zh="家庭纯收入（{window}）",
    en="household net income ({window})",
)
def _net_income(ctx: Context, window: DateRange) -> object:
    return income.net_income(ctx.household, window)


@variable(
    "per_capita_net_income",
    value_type="money",
    args={"window": "window"},
    zh="家庭人均纯收入（{window}）",
    en="per-capita net income ({window})",
)
def _pcni(ctx: Context, window: DateRange) -> object:
    return income.per_capita_net_income(ctx.household, window)


@variable(
    "per_capita_net_income_change",
    value_type="money",
    args={"window": "window", "previous": "window"},
    zh="人均纯收入变化（{window}较{previous}）",
    en="change in per-capita net income ({window} vs {previous})",
)
def _pcni_change(ctx: Context, window: DateRange, previous: DateRange) -> object:
    return income.per_capita_change(ctx.household, window, previous)


@variable(
    "per_capita_net_income_fall",
    value_type="money",
    args={"window": "window", "previous": "window"},
    zh="人均纯收入减少额（{window}较{previous}）",
    en="fall in per-capita net income ({window} vs {previous})",
)
def _pcni_fall(ctx: Context, window: DateRange, previous: DateRange) -> object:
    # The change read the other way round (previous minus window, positive when income fell), so
    # a rule can compare a fall with a non-negative caller figure ("收入大幅缩", qianshan_2023 ⑤).
    change = income.per_capita_change(ctx.household, window, previous)
    return change if isinstance(change, Missing) else change.copy_negate()  # exact, no context


@variable(
    "compliant_self_paid",
    value_type="money",
    args={"window": "window", "kinds": "enum_list"},
    enum=ExpenditureKind,
    zh="合规自付支出（{kinds}，{window}）",
    en="compliant self-paid spending ({kinds}, {window})",
)
def _self_paid(ctx: Context, window: DateRange, kinds: Sequence[ExpenditureKind]) -> object:
    return income.compliant_self_paid(ctx.household.expenditures, window, kinds)


@variable(
    "has_risk_event",
    value_type="bool",
    args={"window": "window", "types": "enum_list"},
    enum=RiskType,
    zh="发生风险事件（{types}，{window}）",
    en="risk event ({types}) in {window}",
)
def _has_event(ctx: Context, window: DateRange, types: Sequence[RiskType]) -> bool:
    wanted = frozenset(types)
    return any(e.type in wanted and e.date in window for e in ctx.household.risk_events)


@variable(
    "social_assistance_since",
    value_type="bool",
    args={"since": "date", "kinds": "enum_list"},
    enum=DibaoKind,
    zh="{since}以来新纳入{kinds}",
    en="newly receiving {kinds} since {since}",
)
def _assistance_since(ctx: Context, since: date, kinds: Sequence[DibaoKind]) -> bool:
    # 新识别 / 新纳入: a spell that continues one of the same kind (it starts the day after the
    # earlier one's recorded end) is a renewal — the yearly 动态管理 re-approval — not a new
    # identification (qianshan_2023 ⑧, ewenki_2024 二、(二); a labelled reading in both packs).
    wanted = frozenset(kinds)
    spells = ctx.household.social_assistance
    return any(a.kind in wanted and a.start >= since and not renews(a, spells) for a in spells)


def renews(spell: SocialAssistance, spells: Sequence[SocialAssistance]) -> bool:
    """Does ``spell`` continue an earlier spell of the same kind in ``spells`` (one that began
    before it and ended the day before it began)? A spell that begins while an earlier one of its
    kind still runs — with no end, or an end on or after its first day — stands beside it: it is
    another person's, 新识别 (no fact says whose a spell is). So the answer never changes with the
    evaluation date (audit 2026-12-08 F5: an overlap with a recorded end had been a renewal)."""
    eve = spell.start - timedelta(days=1)
    return any(
        other.kind == spell.kind and other.start < spell.start and other.end == eve
        for other in spells
    )


@variable(
    "social_assistance_started",
    value_type="bool",
    args={"window": "window", "kinds": "enum_list"},
    enum=DibaoKind,
    zh="{window}新纳入{kinds}",
    en="newly receiving {kinds} in {window}",
)
def _assistance_started(ctx: Context, window: DateRange, kinds: Sequence[DibaoKind]) -> bool:
    # A spell that started inside the window (新纳入 in a period), both ends included. jimo_2022's
    # 附件1 民政局 feed reads its spells as ledger items instead (social_assistance_feed_open).
    wanted = frozenset(kinds)
    return any(a.kind in wanted and a.start in window for a in ctx.household.social_assistance)


@variable("area_tags", value_type="set", enum=AreaTag, zh="所在区域特征", en="area characteristics")
def _area_tags(ctx: Context) -> frozenset[AreaTag]:
    return ctx.household.area.tags


@variable("self_coping", value_type="bool", zh="有能力自主应对", en="able to cope on its own")
def _self_coping(ctx: Context) -> object:
    return known(ctx.household.self_coping, "self_coping")


@variable(
    "serious_difficulty", value_type="bool", zh="生活陷入严重困难", en="life in serious difficulty"
)
def _serious(ctx: Context) -> object:
    return known(ctx.household.serious_difficulty, "serious_difficulty")


@variable(
    "housing_grade", value_type="enum", enum=HousingGrade, zh="住房安全等级", en="housing grade"
)
def _housing(ctx: Context) -> object:
    return known(ctx.household.guarantees.housing_grade, "guarantees.housing_grade")


@variable(
    "basic_medical_insured", value_type="bool", zh="参加基本医疗保险", en="basic medical insurance"
)
def _insured(ctx: Context) -> object:
    return known(ctx.household.guarantees.basic_medical_insured, "guarantees.basic_medical_insured")


@variable(
    "compulsory_education_ok",
    value_type="bool",
    zh="义务教育有保障",
    en="compulsory education secured",
)
def _education(ctx: Context) -> object:
    value = ctx.household.guarantees.compulsory_education_ok
    return known(value, "guarantees.compulsory_education_ok")


@variable("drinking_water_safe", value_type="bool", zh="饮水安全有保障", en="drinking water safe")
def _water(ctx: Context) -> object:
    return known(ctx.household.guarantees.drinking_water_safe, "guarantees.drinking_water_safe")


@variable(
    "green_channel_facts_clear",
    value_type="bool",
    zh="严重困难事实清楚",
    en="serious difficulty is clearly established",
)
def _gc_clear(ctx: Context) -> object:
    record = ctx.household.green_channel
    return known(record.facts_clear if record else None, "green_channel.facts_clear")


@variable("green_channel_urgent", value_type="bool", zh="急需帮扶", en="help is urgent")
def _gc_urgent(ctx: Context) -> object:
    record = ctx.household.green_channel
    return known(record.urgent if record else None, "green_channel.urgent")


@variable(
    "green_channel_confirmed",
    value_type="bool",
    zh="经镇（街）村两级确认",
    en="confirmed by both town and village",
)
def _gc_confirmed(ctx: Context) -> bool:
    # A confirmation is a recorded act: no record means it has not happened (not "unknown").
    record = ctx.household.green_channel
    return bool(record and record.town_confirmed_on and record.village_confirmed_on)


@variable(
    "system_entry_date", value_type="date", zh="录入系统日期", en="date entered in the system"
)
def _system_entry(ctx: Context) -> date | None:
    record = _current_entry(ctx)
    return record.system_entry_on if record else None


def _current_entry(ctx: Context):
    """The open monitoring record entered in the system most recently (deadlines follow it)."""
    entered = [
        r
        for r in ctx.household.monitoring
        if r.eliminated_on is None and r.system_entry_on is not None
    ]
    return max(entered, key=lambda r: (r.system_entry_on, r.identified_on)) if entered else None


@variable(
    "plan_filed_date",
    value_type="date",
    zh="帮扶计划制定日期",
    en="date the assistance plan was filed",
)
def _plan_filed(ctx: Context) -> date | None:
    # The plan of the same record as system_entry_date: never another spell's plan.
    record = _current_entry(ctx)
    return record.plan_filed_on if record else None
