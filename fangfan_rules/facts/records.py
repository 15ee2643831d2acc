"""Dated records: income per period, spending, risk events."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from fangfan_rules.facts.base import Fact
from fangfan_rules.money import NonNegativeYuan, Yuan
from fangfan_rules.vocabulary import ExpenditureKind, RiskType


class IncomeRecord(Fact):
    """Household income over a period (both ends inclusive), by the four components.

    Net income = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出. 财产性收入 may be negative
    (a loss); every other component is non-negative.
    """

    start: dt.date
    end: dt.date
    wage_income: NonNegativeYuan = Field(description="工资性收入")
    business_income: NonNegativeYuan = Field(description="生产经营性收入")
    property_income: Yuan = Field(description="财产性收入")
    transfer_income: NonNegativeYuan = Field(description="转移性收入")
    business_expense: NonNegativeYuan = Field(description="生产经营性支出")
    source: str | None = Field(None, description="where the figures come from (survey, ledger…)")

    @model_validator(mode="after")
    def _period_order(self) -> IncomeRecord:
        if self.end < self.start:
            raise ValueError(f"income period ends ({self.end}) before it starts ({self.start})")
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
    date: dt.date
    total: NonNegativeYuan
    reimbursed: NonNegativeYuan = Field(description="报销/救助 amount")
    compliant_self_paid: NonNegativeYuan = Field(description="合规自付 (out of pocket, compliant)")
    description: str | None = None

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
    date: dt.date
    description: str | None = None
