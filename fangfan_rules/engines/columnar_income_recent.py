"""Columnar implementation of :mod:`fangfan_rules.variables.income_recent`."""

from __future__ import annotations

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_variables import Value, VarContext, columnar


@columnar(
    "per_capita_net_income_months_back",
    windows=lambda ctx, months: [DateRange.months_back(ctx.as_of, months)],
)
def _pcni_months_back(ctx: VarContext, months: int) -> Value:
    cols = ctx.join(ctx.per_capita(DateRange.months_back(ctx.as_of, months)))
    return Value(cols["num"], den=cols["den"])
