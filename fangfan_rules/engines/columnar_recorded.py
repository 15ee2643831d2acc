"""Columnar side of :mod:`fangfan_rules.variables.recorded` (what a record shows)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

import polars as pl

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_variables import Value, VarContext, columnar, in_window


@columnar("unverified_clue_received")
def _unverified_clue(ctx: VarContext, window: DateRange, channels: Sequence[Any]) -> Value:
    # The as_of view keeps clues received by as_of and blanks verifications / closures after it.
    wanted = [c.value if isinstance(c, Enum) else str(c) for c in channels]
    return Value(
        ctx.has(
            "clues",
            pl.col("channel").is_in(wanted)
            & in_window("received_on", window)
            & pl.col("verified_on").is_null()
            & pl.col("closed_on").is_null(),
        )
    )


@columnar("difficulty_recorded")
def _difficulty_recorded(ctx: VarContext) -> Value:
    # null (not recorded) is "not on record": never null itself
    return Value(
        pl.col("serious_difficulty").eq(True).fill_null(False)
        | pl.col("self_coping").eq(False).fill_null(False)
    )
