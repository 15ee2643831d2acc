"""Member-level variables (used inside ``any_member`` conditions)."""

from __future__ import annotations

import calendar
from datetime import date

from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import Missing
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import (
    ChildStatus,
    EmploymentStability,
    HukouKind,
    LabourCapacity,
    Relation,
    SchoolingStage,
)


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
    return full_years(born, ctx.as_of)


def full_years(born: date, as_of: date) -> int:
    """``relativedelta(as_of, born).years`` in plain arithmetic (it is read for every member).

    As relativedelta counts, the birthday in a month too short for it (29 February in a common
    year) falls on that month's last day."""
    if born > as_of:  # not reached in practice (known_at leaves a later birth out)
        return relativedelta(as_of, born).years
    months = (as_of.year - born.year) * 12 + as_of.month - born.month
    if as_of.day < born.day and as_of.day < calendar.monthrange(as_of.year, as_of.month)[1]:
        months -= 1  # this month's birthday (or the month's last day, standing in) not reached
    return months // 12


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


@variable(
    "member_hukou",
    level="member",
    value_type="enum",
    enum=HukouKind,
    zh="成员户籍类型",
    en="member's hukou",
)
def _member_hukou(ctx: Context) -> object:
    # None: the member shares the household's hukou.
    return _member(ctx).hukou or ctx.household.hukou


@variable(
    "member_urban_social_security",
    level="member",
    value_type="bool",
    zh="享受城镇低保或职工养老保险",
    en="receives urban dibao / employee pension",
)
def _member_urban(ctx: Context) -> object:
    return _known(_member(ctx).has_urban_social_security, "has_urban_social_security", ctx)


@variable(
    "counted_in_household",
    level="member",
    value_type="bool",
    zh="计入家庭人口",
    en="counted as a household member",
)
def _counted(ctx: Context) -> bool:
    return _member(ctx).counted_in_household


@variable(
    "child_status_since",
    level="member",
    value_type="bool",
    args={"since": "date", "kinds": "enum_list"},
    enum=ChildStatus,
    zh="{since}以来为{kinds}",
    en="{kinds} since {since}",
)
def _child_status_since(ctx: Context, since: date, kinds: tuple[ChildStatus, ...]) -> bool:
    wanted = frozenset(kinds)
    return any(c.kind in wanted and c.since >= since for c in _member(ctx).child_status)


@variable(
    "child_status_started",
    level="member",
    value_type="bool",
    args={"window": "window", "kinds": "enum_list"},
    enum=ChildStatus,
    zh="{window}新认定为{kinds}",
    en="recorded as {kinds} from a date in {window}",
)
def _child_status_started(ctx: Context, window: DateRange, kinds: tuple[ChildStatus, ...]) -> bool:
    wanted = frozenset(kinds)
    return any(c.kind in wanted and c.since in window for c in _member(ctx).child_status)


@variable(
    "has_child_status",
    level="member",
    value_type="bool",
    args={"kinds": "enum_list"},
    enum=ChildStatus,
    zh="属于{kinds}",
    en="is a {kinds}",
)
def _has_child_status(ctx: Context, kinds: tuple[ChildStatus, ...]) -> bool:
    wanted = frozenset(kinds)
    return any(c.kind in wanted for c in _member(ctx).child_status)


@variable(
    "special_major_disease_since",
    level="member",
    value_type="date",
    zh="纳入30种大病专项救治日期",
    en="date treated under the 30 special major diseases",
)
def _special_disease(ctx: Context) -> date | None:
    return _member(ctx).health.special_major_disease_since


@variable(
    "loses_self_care", level="member", value_type="bool", zh="失能", en="cannot look after oneself"
)
def _loses_self_care(ctx: Context) -> object:
    return _known(_member(ctx).health.loses_self_care, "health.loses_self_care", ctx)


@variable(
    "solitary", level="member", value_type="bool", zh="鳏寡孤独", en="no spouse, child or carer"
)
def _solitary(ctx: Context) -> object:
    return _known(_member(ctx).solitary, "solitary", ctx)


@variable(
    "dropout_since",
    level="member",
    value_type="date",
    zh="失学辍学日期",
    en="date dropped out of compulsory education",
)
def _dropout(ctx: Context) -> date | None:
    return _member(ctx).dropout_since


@variable(
    "education_aid_since",
    level="member",
    value_type="date",
    zh="自主申请并获得教育资助日期",
    en="date granted education aid on own application",
)
def _education_aid(ctx: Context) -> date | None:
    return _member(ctx).education_aid_since
