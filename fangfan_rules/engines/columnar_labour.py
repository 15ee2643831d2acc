"""Columnar implementation of :mod:`fangfan_rules.variables.labour`."""

from __future__ import annotations

import polars as pl

from fangfan_rules.engines.columnar_variables import Value, VarContext, columnar


@columnar("able_member_recorded")
def _able_member_recorded(ctx: VarContext) -> Value:
    return Value(ctx.has("members", pl.col("counted_in_household") & (pl.col("labour") == "able")))


@columnar("has_able_member")
def _has_able_member(ctx: VarContext) -> Value:
    counted = ctx.tables["members"].filter(pl.col("counted_in_household"))
    frame = counted.group_by("household_id").agg(
        (pl.col("labour") == "able").any().alias("able"),
        pl.col("labour").is_null().any().alias("unknown"),
    )
    cols = ctx.join(frame)
    return Value(
        pl.when(cols["able"].is_null())
        .then(None)  # no counted member: unknown
        .when(cols["able"])
        .then(True)
        .when(cols["unknown"])
        .then(None)
        .otherwise(False)
    )
