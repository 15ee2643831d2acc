"""Columnar implementations of :mod:`fangfan_rules.variables.on_record` (latest record dates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from fangfan_rules.engines.columnar_variables import Value, VarContext, _lit_date, _values, columnar


def _latest(ctx: VarContext, table: str, mask: pl.Expr) -> Value:
    frame = (
        ctx.tables[table]
        .lazy()
        .filter(mask & (pl.col("date") <= _lit_date(ctx.as_of)))
        .group_by("household_id")
        .agg(pl.col("date").max().alias("latest"))
    )
    latest = ctx.join(frame)["latest"]
    return Value(latest, absent=latest.is_null())


@columnar("latest_risk_event_date")
def _latest_event(ctx: VarContext, types: Sequence[Any]) -> Value:
    return _latest(ctx, "risk_events", pl.col("type").is_in(_values(types)))


@columnar("latest_self_paid_date")
def _latest_self_paid(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    return _latest(
        ctx,
        "expenditures",
        pl.col("kind").is_in(_values(kinds)) & (pl.col("compliant_self_paid_fen") > 0),
    )


@columnar("serious_difficulty_recorded")
def _serious_recorded(ctx: VarContext) -> Value:
    return Value(pl.col("serious_difficulty").fill_null(False))
