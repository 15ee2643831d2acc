"""Columnar implementation of :mod:`fangfan_rules.variables.events`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from fangfan_rules.engines.columnar_variables import Value, VarContext, _lit_date, _values, columnar


@columnar("risk_event_before")
def _event_before(ctx: VarContext, before: date, types: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "risk_events",
            pl.col("type").is_in(_values(types)) & (pl.col("date") < _lit_date(before)),
        )
    )
