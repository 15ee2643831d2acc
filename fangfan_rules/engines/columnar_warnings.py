"""Columnar implementations of :mod:`fangfan_rules.variables.warnings` (same names, same values).

Representation as in :mod:`fangfan_rules.engines.columnar_variables`: unknown is null, a date
that does not exist is ``Value.absent``, money is integer fen. The tables are the batch's as_of
view, so a closing date after as_of is already blank; every test still bounds dates by as_of, as
the row variables do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import polars as pl

from fangfan_rules.dates import DateRange, month_end, month_start
from fangfan_rules.engines.columnar_variables import (
    I128,
    Value,
    VarContext,
    columnar,
    get_columnar,
    in_window,
)


def _values(items: Sequence[Any]) -> list[str]:
    return [getattr(i, "value", i) for i in items]


def _closed(ctx: VarContext) -> pl.Expr:
    day = pl.lit(ctx.as_of, dtype=pl.Date)
    return (
        (pl.col("received_on") <= day)
        & pl.col("closed_on").is_not_null()
        & (pl.col("closed_on") <= day)
    )


def _closed_via(ctx: VarContext, channels: Sequence[Any]) -> pl.Expr:
    return pl.col("channel").is_in(_values(channels)) & _closed(ctx)


@columnar("closed_clue_kind")
def _closed_kind(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    mask = pl.col("kind").is_in(_values(kinds)) & in_window("received_on", window) & _closed(ctx)
    return Value(ctx.has("clues", mask))


def _any_finding(ctx: VarContext, channels: Sequence[Any], finding: pl.Expr) -> Value:
    # Kleene "any" over the closed clues' recorded finding: a clue whose finding is not recorded
    # (null) makes the answer unknown unless another clue answers true. No closed clue: false.
    frame = (
        ctx.tables["clues"]
        .filter(_closed_via(ctx, channels))
        .group_by("household_id")
        .agg(finding.any(ignore_nulls=False).alias("v"), pl.lit(True).alias("has"))
    )
    cols = ctx.join(frame)
    return Value(pl.when(cols["has"].is_null()).then(False).otherwise(cols["v"]))


@columnar("closed_clue_meets_criteria")
def _meets(ctx: VarContext, channels: Sequence[Any]) -> Value:
    return _any_finding(ctx, channels, pl.col("meets_criteria"))


@columnar("closed_clue_fails_criteria")
def _fails(ctx: VarContext, channels: Sequence[Any]) -> Value:
    return _any_finding(ctx, channels, ~pl.col("meets_criteria"))


@columnar("closed_clue_without_reason")
def _without_reason(ctx: VarContext, channels: Sequence[Any]) -> Value:
    blank = pl.col("reason_not_met").is_null() | (pl.col("reason_not_met").str.strip_chars() == "")
    mask = _closed_via(ctx, channels) & (pl.col("meets_criteria") == False) & blank  # noqa: E712
    return Value(ctx.has("clues", mask))


@columnar("closed_clue_not_informed")
def _not_informed(ctx: VarContext, channels: Sequence[Any]) -> Value:
    mask = _closed_via(ctx, channels) & ~pl.col("applicant_informed").fill_null(False)
    return Value(ctx.has("clues", mask))


def _burden(ctx: VarContext, window: DateRange, care: Sequence[Any]) -> Value:
    spec = get_columnar("medical_personal_burden")
    assert spec is not None  # a core variable: always registered
    return spec.compute(ctx, window=window, care=care)


@columnar("medical_burden_through_month")
def _through_month(ctx: VarContext, care: Sequence[Any], back: int) -> Value:
    first = month_start(ctx.as_of, back)
    end = month_end(ctx.as_of, back)
    return _burden(ctx, DateRange(start=first.replace(month=1), end=end), care)


@columnar("medical_burden_before_month")
def _before_month(ctx: VarContext, care: Sequence[Any], back: int) -> Value:
    first = month_start(ctx.as_of, back)
    if first.month == 1:
        return Value(pl.lit(0, dtype=I128))
    return _burden(
        ctx, DateRange(start=first.replace(month=1), end=first - timedelta(days=1)), care
    )


@columnar("housing_appraised_on")
def _appraised(ctx: VarContext) -> Value:
    return Value(pl.col("housing_appraised_on"), absent=pl.col("housing_appraised_on").is_null())


@columnar("monitoring_identified_in")
def _identified_in(ctx: VarContext, window: DateRange) -> Value:
    return Value(ctx.has("monitoring", in_window("identified_on", window)))
