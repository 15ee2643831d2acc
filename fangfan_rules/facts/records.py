"""Dated records: income per period, spending, risk events."""

from __future__ import annotations

from pydantic import Field, model_validator

from fangfan_rules.facts.base import Fact
from fangfan_rules.facts.forms import Day, Flag, Text
from fangfan_rules.money import NonNegativeYuan, Yuan
from fangfan_rules.vocabulary import (
    CareType,
    Channel,
    ClueKind,
    Department,
    ExpenditureKind,
    RiskType,
)


class IncomeRecord(Fact):
    """Household income over a period (both ends inclusive), by the four components.

    Net income = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出. 财产性收入 may be negative
    (a loss); every other component is non-negative.
    """

    start: Day
    end: Day
    wage_income: NonNegativeYuan = Field(description="工资性收入")
    business_income: NonNegativeYuan = Field(description="生产经营性收入")
    property_income: Yuan = Field(description="财产性收入")
    transfer_income: NonNegativeYuan = Field(description="转移性收入")
    business_expense: NonNegativeYuan = Field(description="生产经营性支出")
    policy_transfer_income: NonNegativeYuan | None = Field(
        None,
        description=(
            "其中：政策性转移收入 — the part of transfer_income from policy (兜底保障 such as dibao "
            "and 特困 support, pensions, subsidies); the rest (remittances, family support) is "
            "private. None: not recorded (a rule that needs it answers unknown)"
        ),
    )
    source: Text | None = Field(None, description="where the figures come from (survey, ledger…)")

    @model_validator(mode="after")
    def _period_order(self) -> IncomeRecord:
        if self.end < self.start:
            raise ValueError(f"income period ends ({self.end}) before it starts ({self.start})")
        if self.policy_transfer_income is not None and (
            self.policy_transfer_income > self.transfer_income
        ):
            raise ValueError(
                f"policy transfer income {self.policy_transfer_income} exceeds transfer income "
                f"{self.transfer_income} (it is a part of it)"
            )
        return self

    @property
    def net(self) -> Yuan:
        return (
            self.wage_income
            + self.business_income
            + self.property_income
            + self.transfer_income
            - self.business_expense
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Expenditure(Fact):
    """A rigid spending (刚性支出): total, reimbursed, and the compliant self-paid part (合规自付)."""

    kind: ExpenditureKind
    date: Day
    total: NonNegativeYuan
    reimbursed: NonNegativeYuan = Field(description="报销/救助 amount")
    compliant_self_paid: NonNegativeYuan = Field(description="合规自付 (out of pocket, compliant)")
    care: CareType | None = Field(
        None, description="medical spending: inpatient / chronic outpatient…"
    )
    description: Text | None = None

    @property
    def personal_burden(self) -> NonNegativeYuan:
        """个人负担部分: what the household paid after reimbursement (total − reimbursed)."""
        return self.total - self.reimbursed

    @model_validator(mode="after")
    def _parts_fit(self) -> Expenditure:
        if self.reimbursed > self.total:
            raise ValueError(f"reimbursed {self.reimbursed} exceeds total {self.total}")
        if self.compliant_self_paid > self.total - self.reimbursed:
            raise ValueError(
                f"compliant self-paid {self.compliant_self_paid} exceeds total minus reimbursed "
                f"({self.total - self.reimbursed})"
            )
        return self


class RiskEvent(Fact):
    """A dated risk event (因病、因灾、因意外事故…), typed from the shared vocabulary."""

    type: RiskType
    date: Day
    description: Text | None = None


class Clue(Fact):
    """A risk clue or department warning (风险线索 / 预警信息) and how it was handled.

    One record per clue: it feeds identification rules, case timelines and the warning ledger
    (jimo_2022 附件2).
    """

    channel: Channel
    received_on: Day
    kind: ClueKind = ClueKind.OTHER
    department: Department | None = Field(None, description="pushing department, if any")
    source: Text | None = Field(None, description="预警信息来源 as written (e.g. 民政局, 12317)")
    description: Text | None = Field(None, description="具体预警信息")
    verified_on: Day | None = Field(None, description="入户核实 date")
    feedback_on: Day | None = Field(None, description="信息反馈日期")
    meets_criteria: Flag | None = Field(None, description="是否符合认定标准")
    reason_not_met: Text | None = Field(None, description="不符合认定标准的主要原因")
    applicant_informed: Flag | None = Field(None, description="办理结果是否已告知本人")
    checker: Text | None = Field(None, description="核查人员")
    closed_on: Day | None = Field(None, description="办结日期")


class HousingRenovation(Fact):
    """A dangerous-house renovation (危房改造) the household was included in."""

    included_on: Day
    description: Text | None = None
