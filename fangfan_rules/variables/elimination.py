"""Variables for elimination (风险消除), review of eliminated households and the safety net."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import Household, IncomeRecord, MonitoringRecord
from fangfan_rules.logic import Missing
from fangfan_rules.variables.income import per_capita_net_income
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    DibaoKind,
    HousingGrade,
    LabourCapacity,
    RiskType,
)


def latest_record(household: Household) -> MonitoringRecord | None:
    """The most recent monitoring spell (by identification date)."""
    return (
        max(household.monitoring, key=lambda r: r.identified_on) if household.monitoring else None
    )


def _record_fact(ctx: Context, name: str) -> object:
    record = latest_record(ctx.household)
    if record is None:
        return None  # not monitored: the comparison is simply false
    value = getattr(record, name)
    return Missing((f"monitoring[{record.identified_on}].{name}",)) if value is None else value


@variable("eliminated", value_type="bool", zh="已标注风险消除", en="risk already eliminated")
def _eliminated(ctx: Context) -> bool:
    record = latest_record(ctx.household)
    return bool(record and record.eliminated_on is not None)


@variable(
    "income_stably_above",
    value_type="bool",
    args={"line": "money", "months": "int"},
    # the label says how "stably, for N months" was measured (the pack's reading, CLAUSES.md): no
    # document prints the measure, so staff see the method, not the document's words as a finding
    zh="评估日及此前{months}个月每月同日，前12个月人均纯收入均超过{line}（按本包测算）",
    en="per-capita net income of the 12 months to the evaluation date and to each monthly date back {months} months all above {line} (the pack's measure)",
)
def _stably_above(ctx: Context, line: Decimal, months: int) -> object:
    # "Stably above for N months" (持续稳定半年以上 → N = 6): on as_of and on each monthly date
    # going back N months (as_of, as_of − 1 month, …, as_of − N months: N + 1 checkpoints spanning
    # the whole N months), the per-capita net income of the 12 months ending that day exceeds the
    # line. Any of those windows not covered by income records → unknown.
    missing: list[str] = []
    for k in range(months + 1):
        end = ctx.as_of - relativedelta(months=k)
        income = per_capita_net_income(ctx.household, DateRange.months_back(end, 12))
        if isinstance(income, Missing):
            missing.extend(f for f in income.facts if f not in missing)
        elif not income > line:
            return False
    return Missing(tuple(missing)) if missing else True


@variable(
    "guarantees_secure",
    value_type="bool",
    zh="“三保障”和饮水安全有保障",
    en="三保障 and drinking water secured",
)
def _secure(ctx: Context) -> object:
    g = ctx.household.guarantees
    checks = {
        "guarantees.housing_grade": None
        if g.housing_grade is None
        else g.housing_grade in (HousingGrade.A, HousingGrade.B),
        "guarantees.basic_medical_insured": g.basic_medical_insured,
        "guarantees.compulsory_education_ok": g.compulsory_education_ok,
        "guarantees.drinking_water_safe": g.drinking_water_safe,
    }
    if any(v is False for v in checks.values()):
        return False
    missing = tuple(k for k, v in checks.items() if v is None)
    return Missing(missing) if missing else True


@variable(
    "risk_resolved",
    value_type="bool",
    zh="干部核实认定纳入时的返贫致贫风险已消除",
    en="officials found the risk points of inclusion gone",
)
def _risk_resolved(ctx: Context) -> object:
    return _record_fact(ctx, "risk_resolved")


@variable("new_risk", value_type="bool", zh="出现新增返贫致贫风险", en="a new risk has appeared")
def _new_risk(ctx: Context) -> object:
    return _record_fact(ctx, "new_risk")


@variable(
    "willing_to_develop",
    value_type="bool",
    zh="有劳动能力且有意愿",
    en="able and willing (development-type help)",
)
def _willing(ctx: Context) -> object:
    return _record_fact(ctx, "willing_to_develop")


@variable(
    "development_confirmed",
    value_type="bool",
    zh="开发式帮扶经苏木乡镇嘎查两级确认",
    en="development-type help confirmed by town and village",
)
def _development(ctx: Context) -> bool:
    record = latest_record(ctx.household)
    return bool(record and record.development_confirmed_on)


@variable(
    "safety_net_determined",
    value_type="bool",
    # neutral: ewenki_2024 gives the 认定 to 苏木乡镇嘎查两级, puan_2025 has it 标注 in the system
    zh="已记录为整户无劳动能力兜底保障户（干部认定或在系统中标注）",
    en="recorded as a whole household without labour under the safety net (determined or marked)",
)
def _safety_net_determined(ctx: Context) -> bool:
    # The 认定 is the officials' act (CONVENTIONS.md, "Who decides"): a recorded date is the fact;
    # without one the determination is pending, never assumed.
    record = latest_record(ctx.household)
    return bool(record and record.safety_net_determined_on)


@variable(
    "measures_include",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=AssistanceMeasure,
    zh="帮扶措施包括{kinds}",
    en="measures include {kinds}",
)
def _measures(ctx: Context, kinds: Sequence[AssistanceMeasure]) -> bool:
    record = latest_record(ctx.household)
    return record is not None and any(m in frozenset(kinds) for m in record.measures)


@variable(
    "measures_only",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=AssistanceMeasure,
    zh="帮扶措施仅有{kinds}",
    en="measures are only {kinds}",
)
def _measures_only(ctx: Context, kinds: Sequence[AssistanceMeasure]) -> bool:
    record = latest_record(ctx.household)
    return record is not None and bool(record.measures) and set(record.measures) <= set(kinds)


@variable(
    "whole_household_without_labour",
    value_type="bool",
    zh="整户无劳动能力",
    en="no member able to work",
)
def _no_labour(ctx: Context) -> object:
    counted = [m for m in ctx.household.members if m.counted_in_household]
    if not counted:
        return Missing(("household members (none counted)",))
    if any(m.labour in (LabourCapacity.ABLE, LabourCapacity.WEAK) for m in counted):
        return False
    unknown = tuple(f"members[{m.id}].labour" for m in counted if m.labour is None)
    return Missing(unknown) if unknown else True


@variable(
    "assistance_active",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=DibaoKind,
    zh="正在享受{kinds}",
    en="currently receiving {kinds}",
)
def _active(ctx: Context, kinds: Sequence[DibaoKind]) -> bool:
    wanted = frozenset(kinds)
    return any(
        a.kind in wanted and a.start <= ctx.as_of and (a.end is None or a.end >= ctx.as_of)
        for a in ctx.household.social_assistance
    )


@variable(
    "full_dibao_active",
    value_type="bool",
    zh="享受全额或最高档次农村低保",
    en="receiving full / top-grade rural dibao",
)
def _full_dibao(ctx: Context) -> object:
    spells = [
        a
        for a in ctx.household.social_assistance
        if a.kind == DibaoKind.DIBAO
        and a.start <= ctx.as_of
        and (a.end is None or a.end >= ctx.as_of)
    ]
    if any(a.full_or_top_grade for a in spells):
        return True
    unknown = tuple(
        f"social_assistance[dibao {a.start}].full_or_top_grade"
        for a in spells
        if a.full_or_top_grade is None
    )
    return Missing(unknown) if unknown else False


@variable(
    "transfer_income_main_source",
    value_type="bool",
    args={"window": "window"},
    zh="收入主要来源为转移性收入（{window}）",
    en="transfers are the main income source ({window})",
)
def _transfer_main(ctx: Context, window: DateRange) -> object:
    # 主要来源: transfer income is larger than each of the other three components in the window
    # (pro rata by days, like net income). Uncovered days → unknown.
    totals = _sums(ctx, window, _four_parts)
    if not isinstance(totals, dict):
        return totals
    return all(totals["transfer"] > v for k, v in totals.items() if k != "transfer")


@variable(
    "policy_transfer_main_source",
    value_type="bool",
    args={"window": "window"},
    zh="收入主要来源为兜底保障等政策性转移收入（{window}）",
    en="policy transfers (safety net and other subsidies) are the main income source ({window})",
)
def _policy_transfer_main(ctx: Context, window: DateRange) -> object:
    # 收入主要来源为兜底保障等政策性补贴 (ewenki_2024 一、(三)): the policy part of transfer income is
    # larger than each other source — wage, business, property and the private transfers
    # (remittances, family support), which are transfer income but no 政策性补贴. Pro rata by
    # days like net income. When even the whole transfer income is not the largest source, its
    # policy part cannot be (false without the split); otherwise a record that overlaps the window
    # with transfers but no recorded policy part leaves it unknown.
    whole = _transfer_main(ctx, window)
    if whole is not True:
        return whole
    totals = _sums(ctx, window, _policy_parts)
    if not isinstance(totals, dict):
        return totals
    return all(totals["policy"] > v for k, v in totals.items() if k != "policy")


def _four_parts(r: IncomeRecord) -> dict[str, Decimal]:
    return {
        "wage": r.wage_income,
        "business": r.business_income,
        "property": r.property_income,
        "transfer": r.transfer_income,
    }


def _policy_parts(r: IncomeRecord) -> dict[str, Decimal] | str:
    if r.policy_transfer_income is None and r.transfer_income:
        return f"income[{r.start}..{r.end}].policy_transfer_income"
    policy = r.policy_transfer_income or Decimal(0)
    return {
        "wage": r.wage_income,
        "business": r.business_income,
        "property": r.property_income,
        "policy": policy,
        "private": r.transfer_income - policy,
    }


def _sums(
    ctx: Context, window: DateRange, parts: Callable[[IncomeRecord], dict[str, Decimal] | str]
) -> dict[str, Fraction] | Missing:
    """Exact pro rata sums of each record's ``parts`` over ``window``; unknown (naming what is
    missing) when days of the window have no record or a record's part is not recorded."""
    totals: dict[str, Fraction] = {}
    unknown: list[str] = []
    covered = 0
    for r in ctx.household.income:
        days = window.overlap_days(r.start, r.end)
        if not days:
            continue
        covered += days
        amounts = parts(r)
        if isinstance(amounts, str):
            unknown.append(amounts)
            continue
        share = Fraction(days, r.days)  # exact, like net income
        for name, amount in amounts.items():
            totals[name] = totals.get(name, Fraction(0)) + Fraction(amount) * share
    if covered < window.days:
        unknown.insert(
            0, f"income records for {window.days - covered} of {window.days} days of {window}"
        )
    return Missing(tuple(unknown)) if unknown else totals


@variable(
    "ever_monitored",
    value_type="bool",
    zh="纳入过监测（含已消除风险）",
    en="monitored at some time (risk eliminated or not)",
)
def _ever_monitored(ctx: Context) -> bool:
    # ctx.household is the view known on as_of: spells identified after as_of are left out, so
    # "no record" means never identified as far as as_of knew (a recorded act, not "unknown").
    return bool(ctx.household.monitoring)


@variable(
    "monitoring_risk_types",
    value_type="set",
    enum=RiskType,
    zh="纳入监测时记录的风险点",
    en="risk points recorded at inclusion",
)
def _monitoring_risk_types(ctx: Context) -> tuple[RiskType, ...] | None:
    # The risk types of the latest monitoring spell (the one elimination is about), in the order
    # recorded, without repeats. No spell → None (comparisons are false). A spell that records no
    # risk point → () : a recorded record, not an unknown fact, so a rule can flag it
    # (``eq: []``) or show the points (``ne: []``, the check text lists them).
    record = latest_record(ctx.household)
    if record is None:
        return None
    return tuple(dict.fromkeys(record.risk_types))
