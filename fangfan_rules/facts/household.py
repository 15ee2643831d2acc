"""The household (以家庭为单位), the unit every document identifies and eliminates."""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_serializer, model_validator

from fangfan_rules.facts.base import Fact
from fangfan_rules.facts.forms import Day, Flag, Identifier, Text, WholeNumber
from fangfan_rules.facts.member import Member
from fangfan_rules.facts.records import (
    Clue,
    Expenditure,
    HousingRenovation,
    IncomeRecord,
    RiskEvent,
)
from fangfan_rules.money import NonNegativeYuan
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    DibaoKind,
    HousingGrade,
    HukouKind,
    MonitoringCategory,
    RiskType,
)


class AreaTag(StrEnum):
    """Area-level facts about a household's village/town that make it a key area (重点区域).

    They are supplied by the caller (or computed over a batch by population-level rules).
    """

    NO_MONITORING_OBJECT = "no_monitoring_object"  # 有农村户籍人口但没有监测对象
    HEAVY_CONSOLIDATION_TASK = "heavy_consolidation_task"  # 巩固拓展脱贫攻坚成果任务较重
    EPIDEMIC_OR_DISASTER_HIT = "epidemic_or_disaster_hit"  # 受疫情灾情影响较大
    RELOCATION_SITE = "relocation_site"  # 易地扶贫搬迁安置区
    FORMER_DEEP_POVERTY_VILLAGE = "former_deep_poverty_village"  # 原深度贫困村
    DISASTER_SITE = "disaster_site"  # 受灾地区 / 自然灾害发生地
    LIFTED_INCOME_FALL_CONCENTRATION = (
        "lifted_income_fall_concentration"  # 脱贫户收入下降户较为集中
    )
    LIVESTOCK_CONCENTRATION = "livestock_concentration"  # 牲畜养殖数量较多
    MANY_LIFTED_FEW_MONITORED = "many_lifted_few_monitored"  # 脱贫户较多但监测户较少
    NON_POOR_VILLAGE = "non_poor_village"  # 非贫困村 / 非脱贫村
    LIFTED_VILLAGE = "lifted_village"  # 脱贫村
    LARGE_RELOCATION_SITE = "large_relocation_site"  # 大型易地搬迁安置点


class Area(Fact):
    """Where the household lives: county (区县/旗), town (乡镇/街道/苏木), village (村/社区/嘎查)."""

    county: Annotated[Identifier, Field(min_length=1)]
    town: Annotated[Identifier, Field(min_length=1)]
    village: Annotated[Identifier, Field(min_length=1)]
    tags: frozenset[AreaTag] = frozenset()

    @field_serializer("tags")
    def _tags_in_order(self, tags: frozenset[AreaTag]) -> list[AreaTag]:
        # A set's order follows the process's string hashes: written sorted, the same facts are
        # the same text (and the same snapshot hash) in every process.
        return sorted(tags)


class Guarantees(Fact):
    """三保障 + 饮水安全. ``None`` means not assessed (unknown), never "fine"."""

    housing_grade: HousingGrade | None = Field(None, description="住房安全等级 A–D")
    basic_medical_insured: Flag | None = Field(None, description="全员参加基本医疗保险")
    compulsory_education_ok: Flag | None = Field(
        None, description="义务教育有保障 (no compulsory-age child out of school)"
    )
    drinking_water_safe: Flag | None = Field(None, description="饮水安全有保障")
    only_house: Flag | None = Field(
        None, description="the appraised house is the only house (唯一住房)"
    )
    housing_appraised_on: Day | None = Field(
        None,
        description=(
            "date of the appraisal (鉴定) that graded the house; no date: the appraisal is not "
            "dated (jimo_2022 附件1 住房和城乡建设局 新增经鉴定唯一住房为C、D级)"
        ),
    )


class SocialAssistance(Fact):
    """A spell of 低保 / 特困 support (or being on the dibao margin)."""

    kind: DibaoKind
    start: Day
    end: Day | None = None
    full_or_top_grade: Flag | None = Field(None, description="全额 / 最高档 dibao")

    @model_validator(mode="after")
    def _order(self) -> SocialAssistance:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"assistance ends ({self.end}) before it starts ({self.start})")
        return self


class MonitoringRecord(Fact):
    """One spell of monitoring (监测帮扶) with its procedure dates."""

    category: MonitoringCategory
    identified_on: Day
    system_entry_on: Day | None = Field(None, description="录入全国防返贫监测信息系统")
    risk_types: tuple[RiskType, ...] = Field((), description="risk points recorded at inclusion")
    measures: tuple[AssistanceMeasure, ...] = ()
    helper: Text | None = Field(None, description="帮扶责任人")
    second_helper: Text | None = Field(None, description="第二帮扶人 / 帮扶联系人 (double helper)")
    helper_assigned_on: Day | None = Field(None, description="帮扶责任人安排日期")
    plan_filed_on: Day | None = Field(None, description="帮扶计划制定和措施申报")
    eliminated_on: Day | None = Field(None, description="风险消除")
    risk_resolved: Flag | None = Field(
        None,
        description=(
            "officials' finding: the risk points of inclusion are gone (稳定消除或自然消除 where the "
            "document says so; rongan_2022 prints only 风险点是否消除)"
        ),
    )
    new_risk: Flag | None = Field(None, description="officials' finding: a new risk has appeared")
    willing_to_develop: Flag | None = Field(
        None, description="有劳动能力、有意愿 (development-type help)"
    )
    development_confirmed_on: Day | None = Field(
        None, description="已实施开发式帮扶 confirmed by town and village (ewenki_2024 一、(二))"
    )
    safety_net_determined_on: Day | None = Field(
        None,
        description=(
            "整户无劳动能力兜底保障户 determined (认定) by the officials the document names, e.g. "
            "苏木乡镇嘎查两级 (ewenki_2024 一、(二)); no date: not determined (pending)"
        ),
    )

    @model_validator(mode="after")
    def _order(self) -> MonitoringRecord:
        if self.eliminated_on is not None and self.eliminated_on < self.identified_on:
            raise ValueError("eliminated_on is before identified_on")
        return self


class GreenChannelRecord(Fact):
    """What the green channel (绿色通道) needs beyond the risk event: findings and confirmations."""

    facts_clear: Flag | None = Field(None, description="生活陷入严重困难事实清楚")
    urgent: Flag | None = Field(None, description="急需帮扶")
    town_confirmed_on: Day | None = Field(None, description="镇(街)确认")
    village_confirmed_on: Day | None = Field(None, description="村确认")
    publicly_recognised: Flag | None = Field(None, description="群众普遍认可 (jimo_2022 二(三))")


class Livestock(Fact):
    """Household assets in livestock (herder households)."""

    head_count: Annotated[WholeNumber, Field(ge=0)]
    estimated_value: NonNegativeYuan | None = None


class RecordedJudgement(Fact):
    """The officials' recorded judgement on a household at risk (研判结果, 特殊档案)."""

    decided_on: Day
    included: Flag
    reason: Text
    special_file: Flag = Field(False, description="特殊档案 kept with supporting material")


class Provenance(Fact):
    """How income and 两不愁三保障 facts were collected (ewenki_2024 四(二))."""

    income_double_signed: Flag | None = Field(None, description="household + collector signed")
    guarantees_double_signed: Flag | None = Field(None, description="两不愁三保障 double-signed")
    phone_interview: Flag | None = Field(None, description="collected by phone (household away)")
    interview_recorded: Flag | None = Field(None, description="the phone interview was recorded")


class Household(Fact):
    """A rural household and everything observed about it."""

    id: Annotated[Identifier, Field(min_length=1)]
    area: Area
    hukou: HukouKind = Field(description="户籍 kind of the household")
    members: tuple[Member, ...] = ()
    lifted_out_of_poverty: Flag | None = Field(None, description="脱贫户 (None: unknown)")
    lifted_year: WholeNumber | None = Field(None, ge=2013, le=2030, description="脱贫年度")
    social_assistance: tuple[SocialAssistance, ...] = ()
    has_urban_social_security: Flag | None = Field(
        None, description="household receives urban dibao / employee pension (城镇社保待遇)"
    )
    monitoring: tuple[MonitoringRecord, ...] = Field((), description="监测帮扶 history")
    income: tuple[IncomeRecord, ...] = ()
    expenditures: tuple[Expenditure, ...] = ()
    risk_events: tuple[RiskEvent, ...] = ()
    guarantees: Guarantees = Guarantees()
    self_coping: Flag | None = Field(
        None, description="农户自主应对能力: can the household resolve its problems itself?"
    )
    serious_difficulty: Flag | None = Field(None, description="生活陷入严重困难 (visit finding)")
    green_channel: GreenChannelRecord | None = None
    livestock: Livestock | None = None
    clues: tuple[Clue, ...] = Field((), description="risk clues and department warnings")
    renovations: tuple[HousingRenovation, ...] = Field((), description="危房改造")
    judgement: RecordedJudgement | None = None
    provenance: Provenance = Provenance()
    synthetic: Flag = Field(False, description="True for generated sample/test data")

    @model_validator(mode="after")
    def _consistent(self) -> Household:
        seen: set[str] = set()
        for member in self.members:
            if member.id in seen:
                raise ValueError(f"member id {member.id!r} appears twice")
            seen.add(member.id)
        if self.lifted_year is not None and self.lifted_out_of_poverty is False:
            raise ValueError("lifted_year is set but lifted_out_of_poverty is false")
        # Overlapping income periods would be counted twice in a window: refuse them rather than
        # guess which one is right.
        periods = sorted(self.income, key=lambda r: (r.start, r.end))
        for earlier, later in itertools.pairwise(periods):
            if later.start <= earlier.end:
                raise ValueError(
                    f"income periods overlap: {earlier.start}..{earlier.end} and "
                    f"{later.start}..{later.end} (the overlap would be counted twice)"
                )
        # The current spell is the latest by identification date (variables.elimination.
        # latest_record); two spells identified on the same day leave it ambiguous, and picking one
        # by position would make the answer depend on the order of the input.
        identified = sorted(r.identified_on for r in self.monitoring)
        for earlier_day, later_day in itertools.pairwise(identified):
            if earlier_day == later_day:
                raise ValueError(
                    f"two monitoring spells identified on {later_day}: which one is current "
                    "cannot be told (record one spell per identification)"
                )
        return self
