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
from fangfan_rules.variables.feeds import (
    SOURCES,
    FeedSource,
    certain_feed_day,
    last_feed_day,
    may_cross_from,
)
from fangfan_rules.vocabulary import Channel, ClueKind


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


def _kleene_any(ctx: VarContext, rows: pl.DataFrame, value: pl.Expr) -> Value:
    """Kleene "any" of ``value`` over each household's ``rows``: a null makes the answer unknown
    unless another row answers true; a household without rows: false."""
    frame = rows.group_by("household_id").agg(
        value.any(ignore_nulls=False).alias("v"), pl.lit(True).alias("has")
    )
    cols = ctx.join(frame)  # no fill: an unknown household's null must stay null
    return Value(pl.when(cols["has"].is_null()).then(False).otherwise(cols["v"]))


def _any_finding(
    ctx: VarContext, channels: Sequence[Any], finding: pl.Expr, mask: pl.Expr | None = None
) -> Value:
    # Kleene "any" over the closed clues' (and ``mask``'s) recorded finding: a clue whose finding
    # is not recorded (null) makes the answer unknown unless another clue answers true.
    closed = _closed_via(ctx, channels)
    rows = ctx.tables["clues"].filter(closed if mask is None else closed & mask)
    return _kleene_any(ctx, rows, finding)


@columnar("closed_clue_meets_criteria")
def _meets(ctx: VarContext, channels: Sequence[Any]) -> Value:
    return _any_finding(ctx, channels, pl.col("meets_criteria"))


@columnar("closed_clue_meets_criteria_not_entered")
def _meets_not_entered(ctx: VarContext, channels: Sequence[Any]) -> Value:
    # A closed clue is answered by a spell identified by as_of and not eliminated before its
    # receipt (identified after it, or open when it came): its finding no longer counts (false).
    spells = (
        ctx.tables["monitoring"]
        .filter(pl.col("identified_on") <= pl.lit(ctx.as_of, dtype=pl.Date))
        .select("household_id", "eliminated_on", pl.lit(True).alias("spell"))
    )
    clues = ctx.tables["clues"].filter(_closed_via(ctx, channels)).with_row_index("clue")
    answers = pl.col("spell").is_not_null() & (
        pl.col("eliminated_on").is_null() | (pl.col("eliminated_on") >= pl.col("received_on"))
    )
    per_clue = (
        clues.join(spells, on="household_id", how="left")
        .group_by("clue")
        .agg(
            pl.col("household_id").first(),
            pl.col("meets_criteria").first(),
            answers.any().alias("answered"),
        )
    )
    finding = pl.when(pl.col("answered")).then(False).otherwise(pl.col("meets_criteria"))
    return _kleene_any(ctx, per_clue, finding)


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


@columnar("closed_clue_informed_blank")
def _informed_blank(ctx: VarContext, channels: Sequence[Any]) -> Value:
    mask = _closed_via(ctx, channels) & pl.col("applicant_informed").is_null()
    return Value(ctx.has("clues", mask))


@columnar("closed_clue_refused_not_told")
def _refused_not_told(ctx: VarContext, channels: Sequence[Any]) -> Value:
    # the closed rows recorded 否: their finding 不符合 (unrecorded: unknown)
    told_no = pl.col("applicant_informed") == False  # noqa: E712
    return _any_finding(ctx, channels, ~pl.col("meets_criteria"), told_no)


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
    """household_id → ``closed``: the latest receipt of a warning of ``kind`` closed by as_of, and
    ``identified``: the latest identification for monitoring by as_of
    (:func:`fangfan_rules.variables.feeds.item_closed`)."""
    warnings = (
        ctx.tables["clues"]
        .filter((pl.col("kind") == kind.value) & is_closed(ctx))
        .group_by("household_id")
        .agg(pl.col("received_on").max().alias("closed"))
    )
    identified = (
        ctx.tables["monitoring"]
        .filter(pl.col("identified_on") <= pl.lit(ctx.as_of, dtype=pl.Date))
        .group_by("household_id")
        .agg(pl.col("identified_on").max().alias("identified"))
    )
    return warnings.join(identified, on="household_id", how="full", coalesce=True)


def _not_closed_since(day: pl.Expr) -> pl.Expr:
    """The item dated ``day`` is not closed: no warning of its kind received from its month's
    first day is closed, and no identification on or after it."""
    return (pl.col("closed").is_null() | (pl.col("closed") < day.dt.month_start())) & (
        pl.col("identified").is_null() | (pl.col("identified") < day)
    )


def _first_open_day(since: date) -> pl.Expr:
    """The first day an item could be dated and still be open
    (:func:`fangfan_rules.variables.feeds.first_open_day`)."""
    return pl.max_horizontal(
        pl.lit(since, dtype=pl.Date),
        pl.col("closed").dt.month_start().dt.offset_by("1mo"),
        pl.col("identified").dt.offset_by("1d"),
    )


def _open(
    ctx: VarContext, items: pl.DataFrame, source: FeedSource, since: date, to: date
) -> pl.Expr:
    """Some item dated from ``since`` to ``to`` is open (never null)."""
    first = pl.lit(since, dtype=pl.Date)
    last = pl.lit(to, dtype=pl.Date)
    latest = (
        items.filter((pl.col("d") >= first) & (pl.col("d") <= last))
        .group_by(ctx.keys)
        .agg(pl.col("d").max())
    )
    frame = latest.join(_closing(ctx, source.kind), on="household_id", how="left").select(
        *ctx.keys, _not_closed_since(pl.col("d")).alias("open")
    )
    return ctx.join(frame, fill={"open": False})["open"]


def _with_pending(
    ctx: VarContext, kind: ClueKind, due_day: int, answer: Callable[[date], pl.Expr]
) -> pl.Expr:
    """:func:`fangfan_rules.variables.feeds.with_pending`: Kleene ``certain or (all and
    arrived)``, where ``answer(last)`` answers for the items dated up to ``last`` and an arrival
    not recorded is unknown (null)."""
    certain_day = certain_feed_day(ctx.as_of, due_day)
    last = last_feed_day(ctx.as_of)
    certain = answer(certain_day)
    if certain_day == last:
        return certain
    received = (pl.col("received_on") >= pl.lit(month_start(ctx.as_of, 1), dtype=pl.Date)) & (
        pl.col("received_on") <= pl.lit(ctx.as_of, dtype=pl.Date)
    )
    mask = (
        (pl.col("kind") == kind.value)
        & (pl.col("channel") == Channel.DEPARTMENT_PUSH.value)
        & received
    )
    arrived = pl.when(ctx.has("clues", mask)).then(True).otherwise(None)
    return certain | (answer(last) & arrived)


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
    if since > last:
        return Value(pl.lit(False))
    rows = ctx.tables["households"].filter(UNDATED[source.name]).select("household_id")
    frame = rows.join(_closing(ctx, source.kind), on="household_id", how="left").select(
        "household_id", _not_closed_since(pl.lit(last, dtype=pl.Date)).alias("maybe")
    )
    return Value(ctx.join(frame, fill={"maybe": False})["maybe"])


def _register(source: FeedSource) -> None:
    items = ITEMS[source.name]

    def compute(ctx: VarContext, since: date, due_day: int, **selection: Any) -> Value:
        frame = items(ctx, **selection)
        known = _with_pending(
            ctx, source.kind, due_day, lambda last: _open(ctx, frame, source, since, last)
        )
        if source.name not in UNDATED:
            return Value(known)
        maybe = _undated_unknown(ctx, source, since)
        # Kleene: a known item open answers true; else an undated one that may be open, unknown
        return Value(known | pl.when(maybe.value).then(None).otherwise(False))

    columnar(source.name)(compute)


for _source in SOURCES:
    _register(_source)


@columnar("medical_burden_feed_open")
def _medical_burden_open(
    ctx: VarContext, since: date, care: Sequence[Any], threshold: Any, due_day: int
) -> Value:
    return Value(
        _with_pending(
            ctx,
            ClueKind.MEDICAL_BURDEN,
            due_day,
            lambda last: _medical_burden_by(ctx, since, care, threshold, last),
        )
    )


def _medical_burden_by(
    ctx: VarContext, since: date, care: Sequence[Any], threshold: Any, to: date
) -> pl.Expr:
    # Per household and calendar year (:func:`fangfan_rules.variables.feeds.crossing_answer`):
    # an item dated on or after the first open day ``L`` (and by the last fed day) is open. Some
    # reading of the spending of unknown care type crosses on or after L iff the counted spending
    # before L stays within the line and the counted spending plus the untyped from L goes over;
    # some reading does not cross, or crosses before L, iff the counted spending never crosses or
    # all of it counted crosses before L.
    last = pl.lit(to, dtype=pl.Date)
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
        )
        .with_columns(pl.col("date").dt.year().alias("year"))
        .sort("household_id", "date")
        .with_columns(
            pl.col("fen").cum_sum().over("household_id", "year").alias("known"),
            (pl.col("fen") + pl.col("ufen")).cum_sum().over("household_id", "year").alias("all"),
        )
        .join(_closing(ctx, ClueKind.MEDICAL_BURDEN), on="household_id", how="left")
        .with_columns(_first_open_day(since).alias("L"))
    )
    before, after = pl.col("date") < pl.col("L"), pl.col("date") >= pl.col("L")
    years = days.group_by("household_id", "year").agg(
        pl.col("date").filter(pl.col("known") > line).min().alias("latest"),
        pl.col("date").filter(pl.col("all") > line).min().alias("earliest"),
        pl.col("fen").filter(before).sum().alias("counted_before"),
        pl.col("fen").sum().alias("counted"),
        pl.col("ufen").filter(after).sum().alias("untyped_after"),
        (pl.col("ufen").filter(before) > 0).any().alias("untyped_before"),
        pl.col("L").first(),
    )
    years = _with_untyped_choice(ctx, years, line)
    end = pl.min_horizontal(pl.date(pl.col("year"), 12, 31), last)
    may_open = (pl.col("L") <= end) & pl.coalesce(
        pl.col("choice"),
        (pl.col("counted_before") <= line) & (pl.col("counted") + pl.col("untyped_after") > line),
    )
    may_not = pl.col("latest").is_null() | (pl.col("earliest") < pl.col("L")).fill_null(True)
    year_open = pl.when(~may_open).then(False).when(~may_not).then(True).otherwise(None)
    return _kleene_any(ctx, years, year_open).value


def _with_untyped_choice(ctx: VarContext, years: pl.DataFrame, line: int) -> pl.DataFrame:
    """``choice``: :func:`fangfan_rules.variables.feeds.may_cross_from` for the household-years
    with spending of unknown care type before the first open day (a subset sum over those
    amounts, computed row by row: such rows are few), null elsewhere (no choice to make)."""
    rows = years.filter(pl.col("untyped_before"))
    if rows.height == 0:
        return years.with_columns(pl.lit(None, dtype=pl.Boolean).alias("choice"))
    untyped = (
        ctx.tables["expenditures"]
        .filter((pl.col("kind") == "medical") & pl.col("care").is_null())
        .select(
            "household_id",
            pl.col("date").dt.year().alias("year"),
            "date",
            (pl.col("total_fen") - pl.col("reimbursed_fen")).cast(I128).alias("fen"),
        )
        .join(rows.select("household_id", "year", "L"), on=["household_id", "year"])
        .filter(pl.col("date") < pl.col("L"))
        .group_by("household_id", "year")
        .agg(pl.col("fen"))
    )
    line_yuan = Decimal(line) / 100
    chosen = []
    for row in rows.join(untyped, on=["household_id", "year"]).iter_rows(named=True):
        chosen.append(
            {
                "household_id": row["household_id"],
                "year": row["year"],
                "choice": may_cross_from(
                    Decimal(row["counted_before"]) / 100,
                    Decimal(row["counted"]) / 100,
                    [Decimal(f) / 100 for f in row["fen"]],
                    Decimal(row["untyped_after"]) / 100,
                    line_yuan,
                ),
            }
        )
    frame = pl.DataFrame(
        chosen,
        schema={
            "household_id": years.schema["household_id"],
            "year": years.schema["year"],
            "choice": pl.Boolean,
        },
    )
    return years.join(frame, on=["household_id", "year"], how="left")
