"""Member-level variables (used inside ``any_member`` conditions)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import EmploymentStability, LabourCapacity, Relation, SchoolingStage


def _member(ctx: Context):
    assert ctx.member is not None, "member variable evaluated without a member"
    return ctx.member


def _known(value: object, fact: str, ctx: Context) -> object:
    return Missing((f"members[{_member(ctx).id}].{fact}",)) if value is None else value


@variable(
    "relation",
    level="member",
    value_type="enum",
    enum=Relation,
    zh="与户主关系",
    en="relation to head",
)
def _relation(ctx: Context) -> Relation:
    return _member(ctx).relation


@variable("age", level="member", value_type="int", zh="年龄", en="age")
def _age(ctx: Context) -> object:
    born = _member(ctx).birth_date
    if born is None:
        return _known(None, "birth_date", ctx)
    return relativedelta(ctx.as_of, born).years


@variable(
    "labour",
    level="member",
    value_type="enum",
    enum=LabourCapacity,
    zh="劳动能力",
    en="labour capacity",
)
def _labour(ctx: Context) -> object:
    return _known(_member(ctx).labour, "labour", ctx)


@variable(
    "schooling",
    level="member",
    value_type="enum",
    enum=SchoolingStage,
    zh="在校情况",
    en="schooling stage",
)
def _schooling(ctx: Context) -> object:
    return _known(_member(ctx).schooling, "schooling", ctx)


@variable(
    "in_non_compulsory_school",
    level="member",
    value_type="bool",
    zh="非义务教育阶段在读",
    en="in school at a non-compulsory stage",
)
def _non_compulsory(ctx: Context) -> object:
    stage = _member(ctx).schooling
    return _known(None if stage is None else stage.is_non_compulsory_in_school, "schooling", ctx)


@variable(
    "employment",
    level="member",
    value_type="enum",
    enum=EmploymentStability,
    zh="就业情况",
    en="employment",
)
def _employment(ctx: Context) -> object:
    return _known(_member(ctx).employment, "employment", ctx)


@variable("major_illness", level="member", value_type="bool", zh="患大病", en="major illness")
def _major(ctx: Context) -> object:
    return _known(_member(ctx).health.major_illness, "health.major_illness", ctx)


@variable(
    "chronic_illness", level="member", value_type="bool", zh="患长期慢性病", en="chronic illness"
)
def _chronic(ctx: Context) -> object:
    return _known(_member(ctx).health.chronic_illness, "health.chronic_illness", ctx)


@variable(
    "disability_grade", level="member", value_type="int", zh="残疾等级", en="disability grade"
)
def _disability_grade(ctx: Context) -> int | None:
    d = _member(ctx).disability
    return None if d is None else d.grade


@variable(
    "disability_certificate_date",
    level="member",
    value_type="date",
    zh="残疾人证发证日期",
    en="disability certificate date",
)
def _disability_date(ctx: Context) -> date | None:
    d = _member(ctx).disability
    return None if d is None else d.certificate_date
