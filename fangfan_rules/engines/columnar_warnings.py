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


@columnar("closed_clue_meets_criteria_not_entered")
def _meets_not_entered(ctx: VarContext, channels: Sequence[Any]) -> Value:
    # A closed clue followed (on or after its receipt) by an identification is answered: its
    # finding no longer counts (false), whatever it was.
    latest = (
        ctx.tables["monitoring"]
        .filter(pl.col("identified_on") <= pl.lit(ctx.as_of, dtype=pl.Date))
        .group_by("household_id")
        .agg(pl.col("identified_on").max().alias("identified"))
    )
    clues = ctx.tables["clues"].filter(_closed_via(ctx, channels))
    entered = pl.col("identified").is_not_null() & (pl.col("identified") >= pl.col("received_on"))
    frame = (
        clues.join(latest, on="household_id", how="left")
        .group_by("household_id")
        .agg(
            pl.when(entered)
            .then(False)
            .otherwise(pl.col("meets_criteria"))
            .any(ignore_nulls=False)
            .alias("v"),
            pl.lit(True).alias("has"),
        )
    )
    cols = ctx.join(frame)
    return Value(pl.when(cols["has"].is_null()).then(False).otherwise(cols["v"]))


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
    """household_id → ``closed``: the latest receipt of a warning of ``kind`` closed by as_of, or
    the latest identification for monitoring by as_of if later
    (:func:`fangfan_rules.variables.feeds.closed_since`)."""
    warnings = (
        ctx.tables["clues"]
        .filter((pl.col("kind") == kind.value) & is_closed(ctx))
        .select("household_id", pl.col("received_on").alias("closed"))
    )
    identified = (
        ctx.tables["monitoring"]
        .filter(pl.col("identified_on") <= pl.lit(ctx.as_of, dtype=pl.Date))
        .select("household_id", pl.col("identified_on").alias("closed"))
    )
    return pl.concat([warnings, identified]).group_by("household_id").agg(pl.col("closed").max())


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


#: Sources whose item may exist undated: an expression over the level's rows that is true then
#: (:func:`fangfan_rules.variables.feeds._undated_appraisal`).
UNDATED: dict[str, pl.Expr] = {
    "housing_appraisal_feed_open": pl.col("housing_appraised_on").is_null()
    & pl.col("housing_grade").is_in(["C", "D"]),
}


def _undated_unknown(ctx: VarContext, source: FeedSource, since: date) -> Value:
    """True where an undated item could be open (:func:`~fangfan_rules.variables.feeds.
    undated_item_unknown`): it needs a fed month and no closing on or after the last one's start."""
    last = last_feed_day(ctx.as_of)
    rows = ctx.tables["households"].filter(UNDATED[source.name]).select("household_id")
    if since > last:
        return Value(pl.lit(False))
    frame = rows.join(_closing(ctx, source.kind), on="household_id", how="left").select(
        "household_id", _not_closed_since(pl.lit(last, dtype=pl.Date)).alias("maybe")
    )
    return Value(ctx.join(frame, fill={"maybe": False})["maybe"])


def _register(source: FeedSource) -> None:
    items = ITEMS[source.name]

    def compute(ctx: VarContext, since: date, **selection: Any) -> Value:
        known = _open(ctx, items(ctx, **selection), source, since)
        if source.name not in UNDATED:
            return known
        maybe = _undated_unknown(ctx, source, since)
        return Value(pl.when(known.value).then(True).when(maybe.value).then(None).otherwise(False))

    columnar(source.name)(compute)


for _source in SOURCES:
    _register(_source)


@columnar("medical_burden_feed_open")
def _medical_burden_open(
    ctx: VarContext, since: date, care: Sequence[Any], threshold: Any
) -> Value:
    # Per household and calendar year (:func:`fangfan_rules.variables.feeds.crossings`): the day
    # the known spending crosses the line (``latest``), the day it crosses with every amount of
    # unknown care type counted (``earliest``), and whether such spending comes on or before the
    # crossing (or the last day read). Whether a day's item is open rises with the day (it must be
    # on or after ``since`` and its month after the latest closing), so the possible days all
    # answer alike when the earliest is open (and a crossing is certain) or the latest possible
    # one is not.
    last_day = last_feed_day(ctx.as_of)
    last = pl.lit(last_day, dtype=pl.Date)
    line = int(Decimal(str(threshold)) * 100)
    burden = (pl.col("total_fen") - pl.col("reimbursed_fen")).cast(I128)
    counted = pl.col("care").is_in(_values(care))
    untyped = pl.col("care").is_null()
    days = (
        ctx.tables["expenditures"]
        .filter(
            (pl.col("kind") == "medical")
            & (pl.col("date") >= pl.lit(date(since.year, 1, 1), dtype=pl.Date))
            & (pl.col("date") <= last)
        )
        .group_by("household_id", "date")
        .agg(
            burden.filter(counted).sum().alias("fen"),
            burden.filter(untyped).sum().alias("ufen"),
            untyped.any().alias("untyped"),
            (counted | untyped).any().alias("candidate"),
        )
        .with_columns(pl.col("date").dt.year().alias("year"))
        .sort("household_id", "date")
        .with_columns(
            pl.col("fen").cum_sum().over("household_id", "year").alias("known"),
            (pl.col("fen") + pl.col("ufen")).cum_sum().over("household_id", "year").alias("all"),
        )
    )
    years = days.group_by("household_id", "year").agg(
        pl.col("date").filter(pl.col("known") > line).min().alias("latest"),
        pl.col("date").filter(pl.col("all") > line).min().alias("earliest"),
        pl.col("date").filter(pl.col("untyped")).min().alias("untyped"),
        pl.col("date").filter(pl.col("candidate")).max().alias("last_candidate"),
    )
    end = pl.min_horizontal(pl.date(pl.col("year"), 12, 31), last)
    latest, earliest = pl.col("latest"), pl.col("earliest")
    reach = pl.coalesce(latest, end)
    uncertain = pl.col("untyped").is_not_null() & (pl.col("untyped") <= reach)
    # the latest possible day: the known crossing, else the last day with spending that may count
    highest = pl.coalesce(latest, pl.col("last_candidate"))

    def is_open(day: pl.Expr) -> pl.Expr:
        return (day >= pl.lit(since, dtype=pl.Date)) & (day <= last) & _not_closed_since(day)

    frame = (
        years.join(_closing(ctx, ClueKind.MEDICAL_BURDEN), on="household_id", how="left")
        .with_columns(
            pl.when(~uncertain)
            .then(latest.is_not_null() & is_open(latest).fill_null(False))
            .when(earliest.is_null())
            .then(False)
            .when(latest.is_not_null() & is_open(earliest))
            .then(True)
            .when(~is_open(highest))
            .then(False)
            .otherwise(None)
            .alias("v")
        )
        .group_by("household_id")
        .agg(pl.col("v").any(ignore_nulls=False), pl.lit(True).alias("has"))
    )
    cols = ctx.join(frame)  # no fill: an unknown year's null must stay null
    return Value(pl.when(cols["has"].is_null()).then(False).otherwise(cols["v"]))
