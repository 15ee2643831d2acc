"""Columnar side of :mod:`fangfan_rules.variables.lookback` (caller-supplied look-backs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from fangfan_rules.engines.columnar_variables import (
    I128,
    Value,
    VarContext,
    _lit_date,
    _values,
    columnar,
    in_window,
)
from fangfan_rules.variables.lookback import lookback_window


@columnar("risk_event_on_record")
def _event_on_record(ctx: VarContext, types: Sequence[Any]) -> Value:
    mask = pl.col("type").is_in(_values(types)) & (pl.col("date") <= _lit_date(ctx.as_of))
    return Value(ctx.has("risk_events", mask))


@columnar("risk_event_within")
def _event_within(ctx: VarContext, months: int, types: Sequence[Any]) -> Value:
    window = lookback_window(ctx.as_of, months)
    mask = pl.col("type").is_in(_values(types)) & in_window("date", window)
    return Value(ctx.has("risk_events", mask))


def _self_paid(ctx: VarContext, kinds: Sequence[Any], mask: pl.Expr) -> Value:
    frame = (
        ctx.tables["expenditures"]
        .filter(mask & pl.col("kind").is_in(_values(kinds)))
        .group_by("household_id")
        .agg(pl.col("compliant_self_paid_fen").cast(I128).sum().alias("fen"))
    )
    return Value(ctx.join(frame, fill={"fen": 0})["fen"])


@columnar("compliant_self_paid_on_record")
def _self_paid_on_record(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    return _self_paid(ctx, kinds, pl.col("date") <= _lit_date(ctx.as_of))


@columnar("compliant_self_paid_within")
def _self_paid_within(ctx: VarContext, months: int, kinds: Sequence[Any]) -> Value:
    return _self_paid(ctx, kinds, in_window("date", lookback_window(ctx.as_of, months)))


@columnar("compliant_self_paid_since")
def _self_paid_since(ctx: VarContext, since: date, kinds: Sequence[Any]) -> Value:
    # from the caller's start to as_of, both included (a start after as_of: nothing, 0)
    mask = (pl.col("date") >= _lit_date(since)) & (pl.col("date") <= _lit_date(ctx.as_of))
    return _self_paid(ctx, kinds, mask)
