"""A household member (家庭成员)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fangfan_rules.facts.base import Fact
from fangfan_rules.facts.forms import Day, Flag, Identifier, Text, WholeNumber
from fangfan_rules.idnumber import IdNumber
from fangfan_rules.vocabulary import (
    ChildStatus,
    EmploymentStability,
    HukouKind,
    LabourCapacity,
    Relation,
    SchoolingStage,
)


class Health(Fact):
    """健康状况. ``None`` means not known."""

    major_illness: Flag | None = Field(None, description="患大病 (major / serious illness)")
    chronic_illness: Flag | None = Field(None, description="患长期慢性病")
    diseases: tuple[Text, ...] = Field((), description="diagnoses as recorded, free text")
    special_major_disease_since: Day | None = Field(
        None, description="treated under the 30 special major diseases programme (30种大病) since"
    )
    loses_self_care: Flag | None = Field(None, description="失能 (cannot look after oneself)")


class Disability(Fact):
    """残疾人证: grade 1–4 (一级 … 四级; 一、二级 are 重度) and the certificate's issue date."""

    grade: Annotated[WholeNumber, Field(ge=1, le=4)]
    certificate_date: Day = Field(description="date the current certificate was issued / changed")


class ChildStatusRecord(Fact):
    """A child's recognised status (留守 / 困境 / 孤儿…) and since when."""

    kind: ChildStatus
    since: Day


class Member(Fact):
    """One member of the household. ``id`` is unique within the household."""

    id: Annotated[Identifier, Field(min_length=1)]
    name: Text | None = None
    relation: Relation
    birth_date: Day | None = None
    hukou: HukouKind | None = Field(None, description="member's own hukou if it differs")
    labour: LabourCapacity | None = Field(None, description="劳动能力")
    health: Health = Health()
    disability: Disability | None = Field(None, description="None: no certificate on record")
    schooling: SchoolingStage | None = Field(None, description="在校情况; None: unknown")
    employment: EmploymentStability | None = Field(None, description="就业情况; None: unknown")
    id_number: IdNumber | None = Field(
        None, repr=False, description="居民身份证号码, validated (GB 11643) and masked on output"
    )
    counted_in_household: Flag = Field(
        True, description="counted as a household member for per-capita income (家庭人口)"
    )
    has_urban_social_security: Flag | None = Field(
        None, description="receives urban dibao or employee pension (city/collective hukou members)"
    )
    child_status: tuple[ChildStatusRecord, ...] = ()
    dropout_since: Day | None = Field(None, description="义务教育阶段失学辍学 since")
    education_aid_since: Day | None = Field(
        None,
        description=(
            "自主申请并获得教育资助 since: aid granted on the student's own application (jimo_2022 附件1"
            " 教体局); aid granted without an application is not recorded here"
        ),
    )
    solitary: Flag | None = Field(None, description="鳏寡孤独 (no spouse, child or carer)")
