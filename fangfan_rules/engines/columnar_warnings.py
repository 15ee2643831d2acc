"""Columnar implementations of :mod:`fangfan_rules.variables.warnings` and
:mod:`fangfan_rules.variables.feeds` (same names, same values).

Representation as in :mod:`fangfan_rules.engines.columnar_variables`: unknown is null, a date
that does not exist is ``Value.absent``, money is integer fen. The tables are the batch's as_of
view, so a closing date after as_of is already blank; every test still bounds dates by as_of, as
the row variables do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
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
from fangfan_rules.variables.feeds import SOURCES, FeedSource, last_feed_day
from fangfan_rules.vocabulary import ClueKind


def _values(items: Sequence[Any]) -> list[str]:
    return [getattr(i, "value", i) for i in items]


def is_closed(ctx: VarContext) -> pl.Expr:
    """Received and closed (办结) by as_of (:func:`fangfan_rules.variables.warnings.is_closed`)."""
    day = pl.lit(ctx.as_of, dtype=pl.Date)
    return (
        (pl.col("received_on") <= day)
        & pl.col("closed_on").is_not_null()
        & (pl.col("closed_on") <= day)
    )


def _closed_via(ctx: VarContext, channels: Sequence[Any]) -> pl.Expr:
    return pl.col("channel").is_in(_values(channels)) & is_closed(ctx)


@columnar("closed_clue_kind")
def _closed_kind(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    mask = pl.col("kind").is_in(_values(kinds)) & in_window("received_on", window) & is_closed(ctx)
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


# ----------------------------------------------------------------------------------------------
# Department feed items still open (fangfan_rules.variables.feeds). Each source gives a frame of
# its items, one row per dated fact keyed like the variable's level (``household_id``, and
# ``member_id`` for member sources), date column ``d``. The latest item in a feed decides: it is
# open unless the latest warning of the feed's kind received and closed by as_of was received on
# or after the first day of its month.


def _column(table: str, column: str, keys: Sequence[str]) -> Callable[..., pl.DataFrame]:
    """The items of a source that is one date column of ``table``."""

    def items(ctx: VarContext) -> pl.DataFrame:
        return ctx.tables[table].select(*keys, pl.col(column).alias("d"))

    return items


def _selected(table: str, column: str, keys: Sequence[str]) -> Callable[..., pl.DataFrame]:
    """The items of a source that selects rows of ``table`` by ``kind``."""

    def items(ctx: VarContext, kinds: Sequence[Any]) -> pl.DataFrame:
        rows = ctx.tables[table].filter(pl.col("kind").is_in(_values(kinds)))
        return rows.select(*keys, pl.col(column).alias("d"))

    return items


_HOUSEHOLD = ("household_id",)
_MEMBER = ("household_id", "member_id")

#: The item frame of every source of :data:`fangfan_rules.variables.feeds.SOURCES`.
ITEMS: dict[str, Callable[..., pl.DataFrame]] = {
    "dropout_feed_open": _column("members", "dropout_since", _MEMBER),
    "education_aid_feed_open": _column("members", "education_aid_since", _MEMBER),
    "special_major_disease_feed_open": _column("members", "special_major_disease_since", _MEMBER),
    "disability_certificate_feed_open": _column("members", "disability_certificate_date", _MEMBER),
    "housing_appraisal_feed_open": _column("households", "housing_appraised_on", _HOUSEHOLD),
    "renovation_feed_open": _column("renovations", "included_on", _HOUSEHOLD),
    "social_assistance_feed_open": _selected("social_assistance", "start", _HOUSEHOLD),
    "child_status_feed_open": _selected("child_status", "since", _MEMBER),
}


def _closing(ctx: VarContext, kind: ClueKind) -> pl.DataFrame:
    """household_id → ``closed``: the latest receipt of a warning of ``kind`` closed by as_of."""
    return (
        ctx.tables["clues"]
        .filter((pl.col("kind") == kind.value) & is_closed(ctx))
        .group_by("household_id")
        .agg(pl.col("received_on").max().alias("closed"))
    )


def _not_closed_since(first: pl.Expr) -> pl.Expr:
    return pl.col("closed").is_null() | (pl.col("closed") < first.dt.month_start())


def _open(ctx: VarContext, items: pl.DataFrame, source: FeedSource, since: date) -> Value:
    first = pl.lit(since, dtype=pl.Date)
    last = pl.lit(last_feed_day(ctx.as_of), dtype=pl.Date)
    latest = (
        items.filter((pl.col("d") >= first) & (pl.col("d") <= last))
        .group_by(ctx.keys)
        .agg(pl.col("d").max())
    )
    frame = latest.join(_closing(ctx, source.kind), on="household_id", how="left").select(
        *ctx.keys, _not_closed_since(pl.col("d")).alias("open")
    )
    return Value(ctx.join(frame, fill={"open": False})["open"])


def _register(source: FeedSource) -> None:
    items = ITEMS[source.name]

    def compute(ctx: VarContext, since: date, **selection: Any) -> Value:
        return _open(ctx, items(ctx, **selection), source, since)

    columnar(source.name)(compute)


for _source in SOURCES:
    _register(_source)


@columnar("medical_burden_feed_open")
def _medical_burden_open(
    ctx: VarContext, since: date, care: Sequence[Any], threshold: Any
) -> Value:
    # Per household and calendar year: the day the year's sum first went above the line
    # (``crossed``) and the first day with spending of unknown care type (``untyped``); that
    # spending on or before the crossing (or the last day read) leaves the crossing's day unknown.
    last = pl.lit(last_feed_day(ctx.as_of), dtype=pl.Date)
    line = int(Decimal(str(threshold)) * 100)
    days = (
        ctx.tables["expenditures"]
        .filter(
            (pl.col("kind") == "medical")
            & (pl.col("date") >= pl.lit(date(since.year, 1, 1), dtype=pl.Date))
            & (pl.col("date") <= last)
        )
        .group_by("household_id", "date")
        .agg(
            (pl.col("total_fen") - pl.col("reimbursed_fen"))
            .filter(pl.col("care").is_in(_values(care)))
            .cast(I128)
            .sum()
            .alias("fen"),
            pl.col("care").is_null().any().alias("untyped"),
        )
        .with_columns(pl.col("date").dt.year().alias("year"))
        .sort("household_id", "date")
        .with_columns(pl.col("fen").cum_sum().over("household_id", "year").alias("sum"))
    )
    years = days.group_by("household_id", "year").agg(
        pl.col("date").filter(pl.col("sum") > line).min().alias("crossed"),
        pl.col("date").filter(pl.col("untyped")).min().alias("untyped"),
    )
    end = pl.min_horizontal(pl.date(pl.col("year"), 12, 31), last)
    reach = pl.coalesce(pl.col("crossed"), end)
    unknown = pl.col("untyped").is_not_null() & (pl.col("untyped") <= reach)
    crossed = pl.col("crossed")
    frame = (
        years.join(_closing(ctx, ClueKind.MEDICAL_BURDEN), on="household_id", how="left")
        .with_columns(
            (
                ~unknown
                & crossed.is_not_null()
                & (crossed >= pl.lit(since, dtype=pl.Date))
                & _not_closed_since(crossed)
            ).alias("known"),
            (
                unknown
                & (reach >= pl.lit(since, dtype=pl.Date))
                & _not_closed_since(pl.min_horizontal(reach, last))
            ).alias("maybe"),
        )
        .group_by("household_id")
        .agg(pl.col("known").any(), pl.col("maybe").any())
    )
    cols = ctx.join(frame, fill={"known": False, "maybe": False})
    return Value(pl.when(cols["known"]).then(True).when(cols["maybe"]).then(None).otherwise(False))
