"""Columnar twin of ``per_capita_net_income_fall`` (:mod:`fangfan_rules.variables.household`): a
fall of per-capita income between two of the caller's periods (qianshan_2023 ⑤ "收入大幅缩")."""

from __future__ import annotations

import polars as pl

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_variables import COLUMNAR, I128, Value, VarContext, columnar


@columnar("per_capita_net_income_fall")
def _pcni_fall(ctx: VarContext, window: DateRange, previous: DateRange) -> Value:
    # The exact change (numerator over a positive denominator, overflow-guarded) read the other
    # way round, as the native variable does (polars has no negation for Int128: 0 − value).
    change = COLUMNAR["per_capita_net_income_change"].compute(ctx, window, previous)
    return Value(pl.lit(0, dtype=I128) - change.value, den=change.den)
