"""Columnar implementation of :mod:`fangfan_rules.variables.events`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_layout import IN_MEMORY
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
    closed = ctx.tables["clues"].filter(
        (pl.col("received_on") <= day) & (pl.col("closed_on") <= day)
    )
    return _event_after(ctx, types, in_window("date", window), closed, "received_on")


@columnar("risk_event_since_elimination")
def _event_since_elimination(ctx: VarContext, types: Sequence[Any]) -> Value:
    day = _lit_date(ctx.as_of)
    return _event_after(ctx, types, pl.col("date") <= day, _eliminations(ctx), "eliminated_on")


@columnar("risk_event_since_elimination_before")
def _event_since_elimination_before(ctx: VarContext, before: date, types: Sequence[Any]) -> Value:
    dated = (pl.col("date") <= _lit_date(ctx.as_of)) & (pl.col("date") < _lit_date(before))
    return _event_after(ctx, types, dated, _eliminations(ctx), "eliminated_on")


@columnar("risk_event_until_elimination")
def _event_until_elimination(ctx: VarContext, types: Sequence[Any]) -> Value:
    return _against_latest(
        ctx, types, pl.lit(True), _eliminations(ctx), "eliminated_on", after=False
    )


@columnar("risk_event_since_identification")
def _event_since_identification(ctx: VarContext, types: Sequence[Any]) -> Value:
    day = _lit_date(ctx.as_of)
    spells = ctx.tables["monitoring"].lazy().filter(pl.col("identified_on") <= day)
    # never identified (no spell on or before as_of): False, as native
    return _against_latest(
        ctx, types, pl.col("date") <= day, spells, "identified_on", after=True, unmarked=False
    )


def _eliminations(ctx: VarContext) -> pl.LazyFrame:
    """The spells eliminated on or before as_of (a plan: read with the variable's own)."""
    return ctx.tables["monitoring"].lazy().filter(pl.col("eliminated_on") <= _lit_date(ctx.as_of))


def _event_after(
    ctx: VarContext,
    types: Sequence[Any],
    dated: pl.Expr,
    marks: pl.DataFrame | pl.LazyFrame,
    column: str,
) -> Value:
    """True where the household has an event of ``types`` passing ``dated`` and dated after its
    latest ``column`` in ``marks`` (any such event, when it has no row there)."""
    return _against_latest(ctx, types, dated, marks, column, after=True)


def _against_latest(
    ctx: VarContext,
    types: Sequence[Any],
    dated: pl.Expr,
    marks: pl.DataFrame | pl.LazyFrame,
    column: str,
    *,
    after: bool,
    unmarked: bool = True,
) -> Value:
    """True where the household has an event of ``types`` passing ``dated`` and dated after its
    latest ``column`` in ``marks`` (``after``; any such event when it has no row there, unless
    not ``unmarked``), or on or before it (not ``after``; none when it has no row there)."""
    latest = marks.lazy().group_by("household_id").agg(pl.col(column).max().alias("__latest"))
    joined = (
        ctx.tables["risk_events"]
        .lazy()
        .filter(pl.col("type").is_in(_values(types)) & dated)
        .join(latest, on="household_id", how="left")
    )
    if not after:
        kept = pl.col("date") <= pl.col("__latest")
    elif unmarked:
        kept = pl.col("__latest").is_null() | (pl.col("date") > pl.col("__latest"))
    else:
        kept = pl.col("date") > pl.col("__latest")  # a null mark: null, not kept
    if ctx.level == "household":  # a lazy frame of the households that have one (ctx.join)
        found = joined.filter(kept).select(
            pl.col("household_id").unique(), pl.lit(True).alias("has")
        )
        return Value(ctx.join(found, fill={"has": False})["has"])
    ids = joined.filter(kept).select(pl.col("household_id").unique()).collect(engine=IN_MEMORY)
    return Value(pl.col("household_id").is_in(ids.to_series().implode()))
