"""Columnar side of :mod:`fangfan_rules.variables.clue_visits` (clues still owed a home visit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from fangfan_rules.engines.columnar_variables import Value, VarContext, _lit_date, _values, columnar


def _awaiting_visit(ctx: VarContext) -> pl.Expr:
    day = _lit_date(ctx.as_of)
    return (
        (pl.col("received_on") <= day)
        & (pl.col("closed_on").is_null() | (pl.col("closed_on") > day))
        & (pl.col("verified_on").is_null() | (pl.col("verified_on") > day))
    )


@columnar("unverified_clue")
def _unverified_clue(ctx: VarContext, channels: Sequence[Any]) -> Value:
    mask = pl.col("channel").is_in(_values(channels)) & _awaiting_visit(ctx)
    return Value(ctx.has("clues", mask))


@columnar("unverified_department_warning")
def _unverified_warning(ctx: VarContext, departments: Sequence[Any]) -> Value:
    mask = pl.col("department").is_in(_values(departments)) & _awaiting_visit(ctx)
    return Value(ctx.has("clues", mask))
