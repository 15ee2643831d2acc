"""Income over the months ending on the evaluation date (a rolling window, not a fixed one)."""

from __future__ import annotations

from fangfan_rules.dates import DateRange
from fangfan_rules.variables.income import per_capita_net_income
from fangfan_rules.variables.registry import Context, variable


@variable(
    "per_capita_net_income_months_back",
    value_type="money",
    args={"months": "int"},
    zh="截至评估日前{months}个月的家庭人均纯收入",
    en="per-capita net income of the {months} months ending on the evaluation date",
)
def _pcni_months_back(ctx: Context, months: int) -> object:
    # The same window income_stably_above checks on as_of (DateRange.months_back): a rule can test
    # the latest window alone, e.g. to find income "not stably above" a line when the document
    # gives no period over which it must stay above (ewenki_2024 一、(三)).
    return per_capita_net_income(ctx.household, DateRange.months_back(ctx.as_of, months))
