"""Columnar implementation of :mod:`fangfan_rules.variables.events`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_variables import (
    Value,
    VarContext,
    _lit_date,
    _values,
    columnar,
    in_window,
)


@columnar("risk_event_before")
def _event_before(ctx: VarContext, before: date, types: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "risk_events",
            pl.col("type").is_in(_values(types)) & (pl.col("date") < _lit_date(before)),
        )
    )


@columnar("risk_event_not_closed")
def _event_not_closed(ctx: VarContext, window: DateRange, types: Sequence[Any]) -> Value:
    day = _lit_date(ctx.as_of)
    last_closed = (
        ctx.tables["clues"]
        .filter((pl.col("received_on") <= day) & (pl.col("closed_on") <= day))
        .group_by("household_id")
        .agg(pl.col("received_on").max().alias("__last_closed"))
    )
    waiting = (
        ctx.tables["risk_events"]
        .filter(pl.col("type").is_in(_values(types)) & in_window("date", window))
        .join(last_closed, on="household_id", how="left")
        .filter(pl.col("__last_closed").is_null() | (pl.col("date") > pl.col("__last_closed")))
    )
    return Value(
        pl.col("household_id").is_in(waiting.get_column("household_id").unique().implode())
    )


@columnar("risk_event_since_elimination")
def _event_since_elimination(ctx: VarContext, types: Sequence[Any]) -> Value:
    day = _lit_date(ctx.as_of)
    last_eliminated = (
        ctx.tables["monitoring"]
        .filter(pl.col("eliminated_on") <= day)
        .group_by("household_id")
        .agg(pl.col("eliminated_on").max().alias("__last_eliminated"))
    )
    after = (
        ctx.tables["risk_events"]
        .filter(pl.col("type").is_in(_values(types)) & (pl.col("date") <= day))
        .join(last_eliminated, on="household_id", how="left")
        .filter(
            pl.col("__last_eliminated").is_null() | (pl.col("date") > pl.col("__last_eliminated"))
        )
    )
    return Value(pl.col("household_id").is_in(after.get_column("household_id").unique().implode()))
