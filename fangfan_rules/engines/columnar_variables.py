"""Columnar implementations of the core variables (the batch side of :mod:`fangfan_rules.variables`).

Every variable of the core registry has an entry here, keyed by the same name: a function
``fn(ctx, **args) -> Value`` that returns polars expressions over the frame of its level (one row
per household, or per member for member-level variables) of the *as_of view* of a batch
(:func:`fangfan_rules.engines.columnar.view_at`). A function may pre-compute a per-household
column with group-bys over the child tables and attach it with :meth:`VarContext.join`.

Representation of values (what the compiler expects):

* unknown (:class:`~fangfan_rules.logic.Missing`) is null;
* ``None`` ("the thing does not exist": no certificate, no open record) is ``Value.absent``
  (a Boolean expression; comparisons with an absent value are false, as in the native evaluator);
* bool, date, enum (its string value), set (a list of string values) are themselves;
* int and money are *exact rationals*: ``value`` is an integer numerator (Int64 or Int128) and
  ``den`` a positive integer denominator (``None`` = 1). Money is counted in **fen**. A per-capita
  income over a window is ``Σ net_fen × overlap / record_days ÷ members``; only the (at most two)
  records that straddle a window end are pro rata, so the denominator is
  ``days₁ × days₂ × members``. Comparisons multiply through (never divide), in Int128.

Population-level variables (``population=`` in the registry) are computed in three steps so a
stream can run the first over chunks: ``inputs(view, as_of, **args)`` (a small per-household
frame), ``combine(inputs, **args)`` (the group-by over the whole population) and
``lookup(ctx, combined, **args)`` (each household's value), plus ``figures`` (the aggregates the
native trace shows). ``reduce(inputs)`` shrinks a chunk's inputs to an equivalent smaller frame
(``combine`` of reduced chunks = ``combine`` of all inputs), so that a stream keeps per-area
counts rather than a row per household where the aggregate allows it.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any

import polars as pl
from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import DateRange
from fangfan_rules.engines.columnar_attach import attach
from fangfan_rules.engines.columnar_layout import IN_MEMORY
from fangfan_rules.errors import FangfanError
from fangfan_rules.money import format_yuan, fraction_to_yuan
from fangfan_rules.vocabulary import SchoolingStage

I128 = pl.Int128
#: Products the engine forms must stay below this (Int128 holds 1.7e38): checked, never wrapped.
SAFE_MAGNITUDE = 1e37


class ColumnarOverflowError(FangfanError, ArithmeticError):
    """An exact integer product would leave the Int128 range (absurd amounts or spans)."""


@dataclass(frozen=True)
class Value:
    """A variable's column(s): see the module docstring."""

    value: pl.Expr
    den: pl.Expr | None = None
    absent: pl.Expr | None = None


class VarContext:
    """What a columnar variable sees: the batch's as_of view, as_of, and joins onto its level."""

    def __init__(
        self,
        tables: Mapping[str, pl.DataFrame],
        as_of: date,
        level: str,
        population: Mapping[Any, Any] | None = None,
    ):
        self.tables = tables
        self.as_of = as_of
        self.level = level
        self.keys = ["household_id"] if level == "household" else ["household_id", "member_id"]
        self.joins: list[pl.DataFrame | pl.LazyFrame] = []
        self.population = population or {}
        #: (ok expression over the level frame, what) pairs the engine checks after evaluation
        self.guards: list[tuple[pl.Expr, str]] = []
        self._memo: dict[Any, pl.DataFrame] = {}
        self._n = 0

    def per_capita(self, window: DateRange) -> pl.DataFrame:
        """:func:`per_capita_over` of this batch, computed once per window."""
        key = ("per_capita", window)
        if key not in self._memo:
            self._memo[key] = per_capita_over(self.tables, window, self.counted_members())
        return self._memo[key]

    def prefetch_per_capita(self, windows: Sequence[DateRange]) -> None:
        """Compute :meth:`per_capita` of every window not computed yet, all in one polars call
        (:func:`per_capita_many`): the engine calls it with the windows its variables will ask
        for (:attr:`ColumnarVariable.windows`), before computing them."""
        wanted = [w for w in dict.fromkeys(windows) if ("per_capita", w) not in self._memo]
        if len(wanted) < 2:  # one window: per_capita() computes it alone, as before
            return
        try:
            frames = per_capita_many(self.tables, wanted, self.counted_members())
        except ColumnarOverflowError:
            # absurd amounts: left to each variable in turn, so that the error raised is the
            # one the variables, computed one by one, raise first (as without the prefetch)
            return
        for window, frame in frames.items():
            self._memo[("per_capita", window)] = frame

    def by_household_id(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` keyed by string ids (a population aggregate) keyed like this batch.

        The vectorized engine runs on integer household keys, the string id kept in the
        households table as ``__id`` (see ``vectorized._integer_keys``); rows of households
        outside the batch are left out.
        """
        h = self.tables["households"]
        if "__id" not in h.columns:
            return frame
        ids = h.select(pl.col("__id"), pl.col("household_id").alias("__key"))
        return (
            frame.join(ids, left_on="household_id", right_on="__id", how="inner")
            .drop("household_id")
            .rename({"__key": "household_id"})
        )

    def memo(self, key: str, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """A frame several variables read, made once for this batch and level."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def counted_members(self) -> pl.DataFrame:
        """:func:`counted_members` of this batch, computed once."""
        if "counted_members" not in self._memo:
            self._memo["counted_members"] = counted_members(self.tables)
        return self._memo["counted_members"]

    def join(
        self, frame: pl.DataFrame | pl.LazyFrame, fill: Mapping[str, Any] | None = None
    ) -> dict[str, pl.Expr]:
        """Attach ``frame`` (keyed by this level's keys) and return its columns as expressions.

        Rows of the level frame missing from ``frame`` get ``fill[column]`` (else null). A lazy
        frame is collected by :meth:`apply`, with every other lazy frame joined at this level,
        in one polars call (see there).
        """
        fill = fill or {}
        renamed = {}
        names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
        for column in names:
            if column not in self.keys:
                self._n += 1
                renamed[column] = f"__{self.level[0]}j{id(self)}_{self._n}"
        self.joins.append(frame.rename(renamed))
        return {
            c: (pl.col(new).fill_null(fill[c]) if c in fill else pl.col(new))
            for c, new in renamed.items()
        }

    def apply(self, base: pl.DataFrame) -> pl.DataFrame:
        """``base`` with every joined frame attached (left joins on the level's keys; by
        position on the household level, :func:`~fangfan_rules.engines.columnar_attach.attach`)."""
        frames, self.joins = self.joins, []
        # The lazy frames all at once: one polars call instead of a few per variable (a filter,
        # a group-by…, each paying polars' fixed cost of a query), run side by side on the
        # cores, and a table filtered the same way for several variables read once.
        deferred = [i for i, f in enumerate(frames) if isinstance(f, pl.LazyFrame)]
        if deferred:
            done = pl.collect_all([frames[i] for i in deferred], engine=IN_MEMORY)
            for i, frame in zip(deferred, done, strict=True):
                frames[i] = frame
        if self.level == "household":
            return attach(base, frames, "household_id")
        for frame in frames:
            base = base.join(frame, on=self.keys, how="left", maintain_order="left")
        return base

    def has(self, table: str, mask: pl.Expr) -> pl.Expr:
        """True where the household has a row of ``table`` matching ``mask`` (never null)."""
        if self.level == "household":  # a lazy frame of the households that have one
            found = (
                self.tables[table]
                .lazy()
                .filter(mask)
                .select(pl.col("household_id").unique(), pl.lit(True).alias("has"))
            )
            return self.join(found, fill={"has": False})["has"]
        ids = self.tables[table].filter(mask).get_column("household_id").unique()
        return pl.col("household_id").is_in(ids.implode())


@dataclass(frozen=True)
class PopulationSpec:
    inputs: Callable[..., pl.DataFrame]
    combine: Callable[..., Any]
    lookup: Callable[..., Value]
    figures: Callable[..., list[dict[str, Any]]]
    #: inputs → equivalent smaller inputs (default: keep them as they are)
    reduce: Callable[[pl.DataFrame], pl.DataFrame] = field(default=lambda inputs: inputs)


@dataclass(frozen=True)
class ColumnarVariable:
    name: str
    compute: Callable[..., Value]
    population: PopulationSpec | None = field(default=None)
    #: a "set" variable whose native value is an ordered tuple (``eq: [...]`` compares in order)
    sequence: bool = False
    #: ``(ctx, **arguments) → windows``: the windows whose :meth:`VarContext.per_capita` the
    #: variable reads, so that the engine computes every variable's windows together first
    #: (:meth:`VarContext.prefetch_per_capita`); None for a variable that reads none.
    windows: Callable[..., list[DateRange]] | None = None


COLUMNAR: dict[str, ColumnarVariable] = {}


def columnar(
    name: str,
    *,
    population: PopulationSpec | None = None,
    sequence: bool = False,
    windows: Callable[..., list[DateRange]] | None = None,
) -> Callable[..., Any]:
    """Register the columnar implementation of core variable ``name``."""

    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        if name in COLUMNAR:
            raise ValueError(f"columnar variable {name!r} defined twice")
        COLUMNAR[name] = ColumnarVariable(name, fn, population, sequence, windows)
        return fn

    return register


def get_columnar(name: str) -> ColumnarVariable | None:
    return COLUMNAR.get(name)


# ----------------------------------------------------------------------------------------------
# helpers


def _lit_date(day: date) -> pl.Expr:
    return pl.lit(day, dtype=pl.Date)


def in_window(column: str, window: DateRange) -> pl.Expr:
    return (pl.col(column) >= _lit_date(window.start)) & (pl.col(column) <= _lit_date(window.end))


def _values(items: Sequence[Any]) -> list[str]:
    return [i.value if isinstance(i, Enum) else str(i) for i in items]


def check_range(frame: pl.DataFrame, ok: pl.Expr, what: str) -> None:
    """Raise :class:`ColumnarOverflowError` naming the first household where ``ok`` is false."""
    bad = frame.filter(~ok.fill_null(True))
    if bad.height:
        hid = bad.get_column("household_id")[0]
        raise ColumnarOverflowError(
            f"household {hid}: {what} exceeds the exact integer range of the vectorized engine "
            "(|product| >= 1e37); evaluate it with the native engine"
        )


def _magnitude(*exprs: pl.Expr) -> pl.Expr:
    out = pl.lit(1.0)
    for e in exprs:
        out = out * e.cast(pl.Float64).abs()
    return out


def _products_below(frame: pl.DataFrame, pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether ``_magnitude(x, y) < SAFE_MAGNITUDE`` holds on every row for each pair of columns,
    proven by their largest absolute values (one pass of maxima instead of the products of
    every row): the magnitude is a product of floats, monotonic in each factor, so the row with
    the largest factors bounds every other. False means: test the rows (``check_range``)."""
    top = frame.select(
        pl.col(c).abs().max().alias(c) for c in dict.fromkeys(c for pair in pairs for c in pair)
    ).row(0, named=True)
    return all(1.0 * float(top[x] or 0) * float(top[y] or 0) < SAFE_MAGNITUDE for x, y in pairs)


def _bool(column: str) -> Value:
    return Value(pl.col(column))


def counted_members(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """household_id → number of members counted in the household (view), households without: absent."""
    return (
        tables["members"]
        .filter(pl.col("counted_in_household"))
        .group_by("household_id")
        .agg(pl.len().cast(pl.Int64).alias("size"))
    )


_COMPONENTS = {
    "net": pl.col("wage_income_fen")
    + pl.col("business_income_fen")
    + pl.col("property_income_fen")
    + pl.col("transfer_income_fen")
    - pl.col("business_expense_fen"),
    "wage": pl.col("wage_income_fen"),
    "business": pl.col("business_income_fen"),
    "property": pl.col("property_income_fen"),
    "transfer": pl.col("transfer_income_fen"),
    # The policy part of transfers (null: not recorded) and the rest; ``policy_unknown`` counts
    # the records with transfers whose policy part is not recorded (any → unknown).
    "policy": pl.col("policy_transfer_income_fen").fill_null(0),
    "private": pl.col("transfer_income_fen") - pl.col("policy_transfer_income_fen").fill_null(0),
    "policy_unknown": (
        pl.col("policy_transfer_income_fen").is_null() & (pl.col("transfer_income_fen") > 0)
    ).cast(pl.Int64),
}


def _keys_grouped(frame: pl.DataFrame) -> bool:
    """Whether the rows of each household are contiguous: the integer keys are sorted (the
    usual case, child rows grouped by household in household order) and none is null."""
    keys = frame.get_column("household_id")
    return keys.dtype.is_integer() and not keys.has_nulls() and keys.is_sorted()


def household_sums(frame: pl.LazyFrame, sums: Sequence[str], *, grouped: bool) -> pl.LazyFrame:
    """``household_id`` → the sum of each column of ``sums`` (nulls count as nothing), one row
    per household with rows.

    ``grouped``: the rows of each household are contiguous (:func:`_keys_grouped`). Then each
    sum is read off a running total: its value at the household's last row minus its value at the
    previous household's last row. Why: a hash group-by of 200,000 income records into 100,000
    households cost about five times that (polars 2.1, measured). The running totals are exact
    where the sums are: an Int128 column holds the running total of any batch (a record's amount
    is below 10**19 fen), and the other columns (days) stay far below the Int64 range.
    """
    if not grouped:
        return frame.group_by("household_id").agg(pl.col(sums).sum())
    key = pl.col("household_id")
    last = (key != key.shift(-1)).fill_null(True)
    totals = frame.select(key, pl.col(sums).fill_null(0).cum_sum()).filter(last)
    return totals.with_columns(pl.col(c).diff().fill_null(pl.col(c)) for c in sums)


def prorata(
    tables: Mapping[str, pl.DataFrame], window: DateRange, amounts: Sequence[str] = ("net",)
) -> pl.DataFrame:
    """household_id → exact pro rata sums over ``window`` in fen: ``<amount> / den``, ``known``.

    ``amounts`` name income components (``net``, ``wage``, ``business``, ``property``,
    ``transfer``); all share the denominator ``den``. A record counts ``overlap / days`` of its
    amounts. Households without any record overlapping the window are absent (unknown).
    """
    return prorata_many(tables, [window], amounts)[window]


def prorata_many(
    tables: Mapping[str, pl.DataFrame],
    windows: Sequence[DateRange],
    amounts: Sequence[str] = ("net",),
) -> dict[DateRange, pl.DataFrame]:
    """:func:`prorata` of each window, the records of every window read in one polars call.

    Why: a pack reads per-capita income over several windows (qianshan_2023: three; a "stably
    above the line" test: thirteen); each window's plan is a pass over the income records, and
    one ``collect_all`` of all of them runs them side by side (polars shares the scan of the
    records and uses both cores) where a call per window ran them one after the other — at
    100,000 households three windows took 29 ms one by one, 19 ms together. The frames are those
    :func:`prorata` gives window by window: the same plans, the same steps after them.
    """
    distinct = list(dict.fromkeys(windows))
    grouped = _keys_grouped(tables["income"])
    plans = [_prorata_plans(tables, w, amounts, grouped) for w in distinct]
    done = pl.collect_all([plan for pair in plans for plan in pair], engine=IN_MEMORY)
    return {
        w: _prorata_finish(done[2 * i], done[2 * i + 1], w, amounts) for i, w in enumerate(distinct)
    }


def _prorata_plans(
    tables: Mapping[str, pl.DataFrame], window: DateRange, amounts: Sequence[str], grouped: bool
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """:func:`prorata`'s two plans over the income records: each household's whole records
    summed, and the records the window cuts (``grouped``: :func:`_keys_grouped` of them)."""
    ws, we = _lit_date(window.start), _lit_date(window.end)
    # Day counts on the dates' day numbers (Int64: no difference overflows), not on durations:
    # the same counts, about a third cheaper per window (polars 2.1, measured)
    first, last = pl.col("start").cast(pl.Int64), pl.col("end").cast(pl.Int64)
    start = pl.max_horizontal(first, ws.cast(pl.Int64))
    end = pl.min_horizontal(last, we.cast(pl.Int64))
    # Lazily: the records are read once for both frames below (and only the columns they use,
    # not the whole income table); a record outside the window is dropped by its dates before
    # any arithmetic, and again by its overlap (the exact test).
    records = (
        tables["income"]
        .lazy()
        .filter((pl.col("start") <= we) & (pl.col("end") >= ws))
        .with_columns(
            (end - start + 1).clip(lower_bound=0).alias("o"),
            (last - first + 1).alias("d"),
            *(_COMPONENTS[a].cast(I128).alias(f"a_{a}") for a in amounts),
        )
        .filter(pl.col("o") > 0)
    )
    full = pl.col("o") == pl.col("d")
    grouped_plan = household_sums(
        records.select(
            "household_id",
            pl.col("o").alias("covered"),
            *(pl.when(full).then(pl.col(f"a_{a}")).otherwise(0).alias(f"w_{a}") for a in amounts),
        ),
        ["covered", *(f"w_{a}" for a in amounts)],
        grouped=grouped,
    )
    cut_plan = records.select("household_id", "start", "o", "d", *(f"a_{a}" for a in amounts))
    return grouped_plan, cut_plan.filter(~full)


def _prorata_finish(
    grouped: pl.DataFrame, unsorted: pl.DataFrame, window: DateRange, amounts: Sequence[str]
) -> pl.DataFrame:
    """:func:`prorata`'s frame from its two plans' frames (:func:`_prorata_plans`)."""
    # Records never overlap (validated), so at most two are cut by the window: the one holding its
    # first day and the one holding its last (possibly the same record).
    partial = unsorted.sort(["household_id", "start"])
    cut = partial.group_by("household_id").agg(
        pl.len().alias("cuts"),
        pl.col("o").first().alias("o1"),
        pl.col("d").first().alias("d1"),
        pl.col("o").last().alias("o2"),
        pl.col("d").last().alias("d2"),
        *(pl.col(f"a_{a}").first().alias(f"n1_{a}") for a in amounts),
        *(pl.col(f"a_{a}").last().alias(f"n2_{a}") for a in amounts),
    )
    if cut.height and cut.get_column("cuts").max() > 2:  # pragma: no cover - validated input
        raise ColumnarOverflowError("overlapping income records reached the engine")
    if not cut.height:
        return _uncut(grouped, window, amounts)
    one, two = pl.col("cuts") >= 1, pl.col("cuts") == 2
    frame = (
        grouped.join(cut, on="household_id", how="left")
        .with_columns(pl.col("cuts").fill_null(0))
        .with_columns(
            pl.when(one).then(pl.col("d1")).otherwise(1).cast(I128).alias("d1"),
            pl.when(two).then(pl.col("d2")).otherwise(1).cast(I128).alias("d2"),
            *(pl.col(f"w_{a}").cast(I128).fill_null(0) for a in amounts),
            *(
                pl.when(one)
                .then(pl.col(f"n1_{a}") * pl.col("o1"))
                .otherwise(0)
                .cast(I128)
                .alias(f"p1_{a}")
                for a in amounts
            ),
            *(
                pl.when(two)
                .then(pl.col(f"n2_{a}") * pl.col("o2"))
                .otherwise(0)
                .cast(I128)
                .alias(f"p2_{a}")
                for a in amounts
            ),
        )
    )
    for a in amounts:
        size = pl.col(f"w_{a}").abs() + pl.col(f"p1_{a}").abs() + pl.col(f"p2_{a}").abs()
        check_range(
            frame,
            _magnitude(size, pl.col("d1"), pl.col("d2")) < SAFE_MAGNITUDE,
            f"income ({a}) over {window}",
        )
    return frame.select(
        "household_id",
        *(
            (
                pl.col(f"w_{a}") * pl.col("d1") * pl.col("d2")
                + pl.col(f"p1_{a}") * pl.col("d2")
                + pl.col(f"p2_{a}") * pl.col("d1")
            ).alias(a)
            for a in amounts
        ),
        (pl.col("d1") * pl.col("d2")).alias("den"),
        (pl.col("covered") >= window.days).alias("known"),
    )


def _uncut(grouped: pl.DataFrame, window: DateRange, amounts: Sequence[str]) -> pl.DataFrame:
    """:func:`prorata`'s frame when the window cuts no record (its ends fall between records,
    as a calendar year or a statistical window usually does): every record counted is whole, so
    ``d1 = d2 = 1`` and ``p1 = p2 = 0`` — the sums themselves over ``den`` 1, and the same range
    guard (``|w| × 1 × 1``), tested row by row only when the largest sum reaches the limit.

    Why: the general path joins the (empty) cut records, then forms three Int128 products per
    amount and household; at 100,000 households that was a third of each window's time.
    """
    sums = grouped.select(
        "household_id",
        *(pl.col(f"w_{a}").cast(I128).fill_null(0).alias(a) for a in amounts),
        pl.lit(1, dtype=I128).alias("den"),
        (pl.col("covered") >= window.days).alias("known"),
    )
    largest = sums.select(pl.col(a).abs().max() for a in amounts).row(0)
    for a, top in zip(amounts, largest, strict=True):
        # float() is monotonic: the largest sum reaches the limit iff some household's does
        if top is not None and float(top) >= SAFE_MAGNITUDE:
            check_range(
                sums,
                _magnitude(pl.col(a).abs(), pl.lit(1, dtype=I128), pl.lit(1, dtype=I128))
                < SAFE_MAGNITUDE,
                f"income ({a}) over {window}",
            )
    return sums


def net_over(tables: Mapping[str, pl.DataFrame], window: DateRange) -> pl.DataFrame:
    """household_id → exact net income over ``window`` (fen) as ``num / den``, and ``known``."""
    return prorata(tables, window).rename({"net": "num"})


def per_capita_over(
    tables: Mapping[str, pl.DataFrame], window: DateRange, size: pl.DataFrame | None = None
) -> pl.DataFrame:
    """household_id → exact per-capita net income (fen) ``num / den`` for households where known.

    ``size``: :func:`counted_members` of ``tables`` when the caller has it already.
    """
    return per_capita_many(tables, [window], size)[window]


def per_capita_many(
    tables: Mapping[str, pl.DataFrame],
    windows: Sequence[DateRange],
    size: pl.DataFrame | None = None,
) -> dict[DateRange, pl.DataFrame]:
    """:func:`per_capita_over` of each window, their income records read together
    (:func:`prorata_many`)."""
    size = counted_members(tables) if size is None else size
    out = {}
    for window, frame in prorata_many(tables, windows).items():
        # the sizes attached by position (an inner join: both known), then one plan
        net = attach(frame.rename({"net": "num"}), [size], "household_id")
        out[window] = (
            net.lazy()
            .filter(pl.col("known") & pl.col("size").is_not_null())
            .select("household_id", "num", (pl.col("den") * pl.col("size").cast(I128)).alias("den"))
            .collect(engine=IN_MEMORY)
        )
    return out


# ----------------------------------------------------------------------------------------------
# household level: scalar facts


@columnar("hukou")
def _hukou(ctx: VarContext) -> Value:
    return Value(pl.col("hukou"))


for _name, _column in {
    "lifted_out_of_poverty": "lifted_out_of_poverty",
    "self_coping": "self_coping",
    "serious_difficulty": "serious_difficulty",
    "basic_medical_insured": "basic_medical_insured",
    "compulsory_education_ok": "compulsory_education_ok",
    "drinking_water_safe": "drinking_water_safe",
    "green_channel_facts_clear": "green_channel_facts_clear",
    "green_channel_urgent": "green_channel_urgent",
    "has_urban_social_security": "has_urban_social_security",
    "only_house": "only_house",
    "income_double_signed": "income_double_signed",
    "guarantees_double_signed": "guarantees_double_signed",
    "phone_interview_recorded": "interview_recorded",
    "green_channel_publicly_recognised": "green_channel_publicly_recognised",
}.items():
    columnar(_name)(lambda ctx, _c=_column: _bool(_c))


@columnar("housing_grade")
def _housing(ctx: VarContext) -> Value:
    return Value(pl.col("housing_grade"))


@columnar("area_tags")
def _area_tags(ctx: VarContext) -> Value:
    return Value(pl.col("area_tags"))


@columnar("green_channel_confirmed")
def _gc_confirmed(ctx: VarContext) -> Value:
    return Value(
        pl.col("green_channel").fill_null(False)
        & pl.col("green_channel_town_confirmed_on").is_not_null()
        & pl.col("green_channel_village_confirmed_on").is_not_null()
    )


@columnar("livestock_head_count")
def _livestock(ctx: VarContext) -> Value:
    return Value(pl.col("livestock_head_count").cast(pl.Int64))


@columnar("has_recorded_judgement")
def _judgement(ctx: VarContext) -> Value:
    return Value(pl.col("judgement_decided_on").is_not_null())


@columnar("special_file_kept")
def _special_file(ctx: VarContext) -> Value:
    return Value(
        pl.col("judgement_decided_on").is_not_null()
        & pl.col("judgement_special_file").fill_null(False)
    )


@columnar("phone_interview")
def _phone(ctx: VarContext) -> Value:
    return Value(pl.col("phone_interview").fill_null(False))


# ----------------------------------------------------------------------------------------------
# household level: members


@columnar("member_count")
def _member_count(ctx: VarContext) -> Value:
    cols = ctx.join(ctx.counted_members(), fill={"size": 0})
    return Value(cols["size"])


@columnar("disabled_member_count")
def _disabled(ctx: VarContext) -> Value:
    frame = (
        ctx.tables["members"]
        .filter(pl.col("disability_grade").is_not_null())
        .group_by("household_id")
        .agg(pl.len().cast(pl.Int64).alias("n"))
    )
    return Value(ctx.join(frame, fill={"n": 0})["n"])


# ----------------------------------------------------------------------------------------------
# household level: income and spending


@columnar("net_income")
def _net_income(ctx: VarContext, window: DateRange) -> Value:
    cols = ctx.join(net_over(ctx.tables, window))
    known = cols["known"].fill_null(window.days == 0)
    return Value(pl.when(known).then(cols["num"]), den=cols["den"])


@columnar("per_capita_net_income", windows=lambda ctx, window: [window])
def _pcni(ctx: VarContext, window: DateRange) -> Value:
    cols = ctx.join(ctx.per_capita(window))
    return Value(cols["num"], den=cols["den"])


@columnar("per_capita_net_income_change", windows=lambda ctx, window, previous: [window, previous])
def _pcni_change(ctx: VarContext, window: DateRange, previous: DateRange) -> Value:
    now = ctx.per_capita(window)
    before = ctx.per_capita(previous).rename({"num": "num_b", "den": "den_b"})
    # an inner join: the earlier figures attached by position, households with both kept
    both = attach(now, [before], "household_id").filter(pl.col("den_b").is_not_null())
    pairs = (("num", "den_b"), ("num_b", "den"), ("den", "den_b"))
    if not _products_below(both, pairs):
        check_range(
            both,
            (_magnitude(pl.col("num"), pl.col("den_b")) < SAFE_MAGNITUDE)
            & (_magnitude(pl.col("num_b"), pl.col("den")) < SAFE_MAGNITUDE)
            & (_magnitude(pl.col("den"), pl.col("den_b")) < SAFE_MAGNITUDE),
            f"the change of per-capita income ({window} vs {previous})",
        )
    frame = both.select(
        "household_id",
        (pl.col("num") * pl.col("den_b") - pl.col("num_b") * pl.col("den")).alias("num"),
        (pl.col("den") * pl.col("den_b")).alias("den"),
    )
    cols = ctx.join(frame)
    return Value(cols["num"], den=cols["den"])


@columnar("compliant_self_paid")
def _self_paid(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    frame = (
        ctx.tables["expenditures"]
        .filter(in_window("date", window) & pl.col("kind").is_in(_values(kinds)))
        .group_by("household_id")
        .agg(pl.col("compliant_self_paid_fen").cast(I128).sum().alias("fen"))
    )
    return Value(ctx.join(frame, fill={"fen": 0})["fen"])


@columnar("medical_personal_burden")
def _burden(ctx: VarContext, window: DateRange, care: Sequence[Any]) -> Value:
    medical = ctx.tables["expenditures"].filter(
        (pl.col("kind") == "medical") & in_window("date", window)
    )
    frame = medical.group_by("household_id").agg(
        pl.col("care").is_null().any().alias("untyped"),
        (pl.col("total_fen") - pl.col("reimbursed_fen"))
        .filter(pl.col("care").is_in(_values(care)))
        .cast(I128)
        .sum()
        .alias("fen"),
    )
    cols = ctx.join(frame, fill={"untyped": False, "fen": 0})
    return Value(pl.when(~cols["untyped"]).then(cols["fen"]))


# ----------------------------------------------------------------------------------------------
# household level: dated records


@columnar("has_risk_event")
def _has_event(ctx: VarContext, window: DateRange, types: Sequence[Any]) -> Value:
    return Value(
        ctx.has("risk_events", pl.col("type").is_in(_values(types)) & in_window("date", window))
    )


@columnar("social_assistance_since")
def _assistance_since(ctx: VarContext, since: date, kinds: Sequence[Any]) -> Value:
    # As native: a spell continuing an earlier one of the same kind (begun before it, ended on its
    # eve) is a renewal, not 新识别 (variables.household.renews). Spells are few per
    # household, so the pairs come from a self-join on (household, kind).
    spells = (
        ctx.tables["social_assistance"]
        .filter(pl.col("kind").is_in(_values(kinds)))
        .select("household_id", "kind", "start", "end")
        .with_row_index("_spell")
    )
    renewed = (
        spells.join(spells, on=["household_id", "kind"], suffix="_earlier")
        .filter(
            (pl.col("start_earlier") < pl.col("start"))
            & (pl.col("end_earlier") == pl.col("start") - pl.duration(days=1))  # null: still runs
        )
        .get_column("_spell")
    )
    ids = (
        spells.filter(
            (pl.col("start") >= _lit_date(since)) & ~pl.col("_spell").is_in(renewed.implode())
        )
        .get_column("household_id")
        .unique()
    )
    return Value(pl.col("household_id").is_in(ids.implode()))


@columnar("social_assistance_started")
def _assistance_started(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "social_assistance", pl.col("kind").is_in(_values(kinds)) & in_window("start", window)
        )
    )


@columnar("renovation_started")
def _renovation_started(ctx: VarContext, window: DateRange) -> Value:
    return Value(ctx.has("renovations", in_window("included_on", window)))


@columnar("renovation_since")
def _renovation(ctx: VarContext, since: date) -> Value:
    return Value(ctx.has("renovations", pl.col("included_on") >= _lit_date(since)))


@columnar("clue_received")
def _clue(ctx: VarContext, window: DateRange, channels: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "clues", pl.col("channel").is_in(_values(channels)) & in_window("received_on", window)
        )
    )


@columnar("clue_kind_received")
def _clue_kind(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    return Value(
        ctx.has("clues", pl.col("kind").is_in(_values(kinds)) & in_window("received_on", window))
    )


@columnar("department_warning")
def _dept(ctx: VarContext, window: DateRange, departments: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "clues",
            pl.col("department").is_in(_values(departments)) & in_window("received_on", window),
        )
    )


@columnar("under_monitoring")
def _under_monitoring(ctx: VarContext) -> Value:
    return Value(ctx.has("monitoring", pl.col("eliminated_on").is_null()))


def _first_max(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per household, the row Python's ``max(key=...)`` picks: the first of the largest keys.

    The rows are ordered by their keys and row number alone, and the picked rows gathered once
    (``household_id``, ``__i``, then the other columns: what ``group_by().first()`` of the whole
    sorted frame gave, in the same order). Why: sorting every column of the monitoring records
    (texts and lists among them) to keep one row per household cost four times as much.
    """
    indexed = frame.with_row_index("__i")
    picked = (
        indexed.select("household_id", *by, "__i")
        .sort([*by, "__i"], descending=[*([True] * len(by)), False])
        .group_by("household_id", maintain_order=True)
        .agg(pl.col("__i").first())
        .get_column("__i")
    )
    return indexed.gather(picked).select("household_id", pl.exclude("household_id"))


@columnar("monitoring_helper_count")
def _helpers(ctx: VarContext) -> Value:
    open_records = ctx.tables["monitoring"].filter(pl.col("eliminated_on").is_null())
    record = _first_max(open_records, ["identified_on"])

    def given(c: str) -> pl.Expr:
        return (pl.col(c).is_not_null() & (pl.col(c).str.len_chars() > 0)).cast(pl.Int64)

    frame = record.select("household_id", (given("helper") + given("second_helper")).alias("n"))
    return Value(ctx.join(frame, fill={"n": 0})["n"])


def _current_entry(ctx: VarContext) -> pl.DataFrame:
    """The open spell entered in the system last, per household (once per batch: the entry and
    the plan's dates both read it)."""
    return ctx.memo(
        "current entry",
        lambda: _first_max(
            ctx.tables["monitoring"].filter(
                pl.col("eliminated_on").is_null() & pl.col("system_entry_on").is_not_null()
            ),
            ["system_entry_on", "identified_on"],
        ),
    )


@columnar("system_entry_date")
def _system_entry(ctx: VarContext) -> Value:
    frame = _current_entry(ctx).select("household_id", "system_entry_on")
    cols = ctx.join(frame)
    return Value(cols["system_entry_on"], absent=cols["system_entry_on"].is_null())


@columnar("plan_filed_date")
def _plan_filed(ctx: VarContext) -> Value:
    frame = _current_entry(ctx).select("household_id", "plan_filed_on")
    cols = ctx.join(frame)
    return Value(cols["plan_filed_on"], absent=cols["plan_filed_on"].is_null())


# ----------------------------------------------------------------------------------------------
# household level: elimination and the safety net (fangfan_rules.variables.elimination)


def _latest(ctx: VarContext) -> pl.DataFrame:
    """The latest monitoring spell per household (``max`` by identified_on, first of ties),
    once per batch (every variable of the latest spell reads it)."""
    return ctx.memo("latest spell", lambda: _first_max(ctx.tables["monitoring"], ["identified_on"]))


@columnar("eliminated")
def _eliminated(ctx: VarContext) -> Value:
    frame = _latest(ctx).select("household_id", pl.col("eliminated_on").is_not_null().alias("v"))
    return Value(ctx.join(frame, fill={"v": False})["v"])


def _record_fact(name: str) -> Callable[..., Value]:
    def compute(ctx: VarContext) -> Value:
        frame = _latest(ctx).select(
            "household_id", pl.col(name).alias("v"), pl.lit(True).alias("has")
        )
        cols = ctx.join(frame, fill={"has": False})
        return Value(cols["v"], absent=~cols["has"])

    return compute


for _name in ("risk_resolved", "new_risk", "willing_to_develop"):
    columnar(_name)(_record_fact(_name))


def _recorded_on(column: str) -> Callable[..., Value]:
    """A dated act recorded on the latest spell (a confirmation, a 认定): no date, not done."""

    def compute(ctx: VarContext) -> Value:
        frame = _latest(ctx).select("household_id", pl.col(column).is_not_null().alias("v"))
        return Value(ctx.join(frame, fill={"v": False})["v"])

    return compute


columnar("development_confirmed")(_recorded_on("development_confirmed_on"))
columnar("safety_net_determined")(_recorded_on("safety_net_determined_on"))


@columnar("measures_include")
def _measures(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    wanted = _values(kinds)
    frame = _latest(ctx).select(
        "household_id",
        pl.col("measures")
        .list.eval(pl.element().is_in(wanted))
        .list.any()
        .fill_null(False)
        .alias("v"),
    )
    return Value(ctx.join(frame, fill={"v": False})["v"])


@columnar("measures_only")
def _measures_only(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    wanted = _values(kinds)
    frame = _latest(ctx).select(
        "household_id",
        (
            (pl.col("measures").list.len() > 0)
            & pl.col("measures").list.eval(pl.element().is_in(wanted)).list.all()
        )
        .fill_null(False)
        .alias("v"),
    )
    return Value(ctx.join(frame, fill={"v": False})["v"])


def _stably_above_windows(ctx: VarContext, months: int) -> list[DateRange]:
    """The 12-month windows ending at as_of, as_of − 1 month, …, as_of − months."""
    return [
        DateRange.months_back(ctx.as_of - relativedelta(months=k), 12) for k in range(months + 1)
    ]


@columnar(
    "income_stably_above",
    windows=lambda ctx, line, months: _stably_above_windows(ctx, months),
)
def _stably_above(ctx: VarContext, line: Any, months: int) -> Value:
    # Kleene AND over the 12-month windows ending at as_of, as_of − 1 month, …, as_of − months
    # (months + 1 checkpoints, as native): a known window at or below the line makes it false
    # whatever the others; else any unknown window → unknown.
    threshold = Fraction(line) * 100
    tests: list[pl.Expr] = []
    for window in _stably_above_windows(ctx, months):
        cols = ctx.join(ctx.per_capita(window))
        left = cols["num"] * pl.lit(threshold.denominator, dtype=I128)
        right = pl.lit(threshold.numerator, dtype=I128) * cols["den"]
        ctx.guards.append(
            (
                (_magnitude(cols["num"], pl.lit(float(threshold.denominator))) < SAFE_MAGNITUDE)
                & (
                    _magnitude(cols["den"], pl.lit(float(abs(threshold.numerator))))
                    < SAFE_MAGNITUDE
                ),
                "income_stably_above",
            )
        )
        tests.append(left > right)
    return Value(functools.reduce(lambda a, b: a & b, tests))


def _kleene_all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a & b, exprs)


@columnar("guarantees_secure")
def _secure(ctx: VarContext) -> Value:
    return Value(
        _kleene_all(
            [
                pl.when(pl.col("housing_grade").is_not_null()).then(
                    pl.col("housing_grade").is_in(["A", "B"])
                ),
                pl.col("basic_medical_insured"),
                pl.col("compulsory_education_ok"),
                pl.col("drinking_water_safe"),
            ]
        )
    )


@columnar("whole_household_without_labour")
def _no_labour(ctx: VarContext) -> Value:
    counted = ctx.tables["members"].filter(pl.col("counted_in_household"))
    frame = counted.group_by("household_id").agg(
        pl.col("labour").is_in(["able", "weak"]).any().alias("able"),
        pl.col("labour").is_null().any().alias("unknown"),
    )
    cols = ctx.join(frame)
    return Value(
        pl.when(cols["able"].is_null())
        .then(None)  # no counted member: unknown
        .when(cols["able"])
        .then(False)
        .when(cols["unknown"])
        .then(None)
        .otherwise(True)
    )


def _active(ctx: VarContext) -> pl.Expr:
    day = _lit_date(ctx.as_of)
    return (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") >= day))


def _assistance_active(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    return Value(ctx.has("social_assistance", pl.col("kind").is_in(_values(kinds)) & _active(ctx)))


columnar("assistance_active")(_assistance_active)


@columnar("full_dibao_active")
def _full_dibao(ctx: VarContext) -> Value:
    frame = (
        ctx.tables["social_assistance"]
        .filter((pl.col("kind") == "dibao") & _active(ctx))
        .group_by("household_id")
        .agg(
            pl.col("full_or_top_grade").any(ignore_nulls=False).alias("v"),
            pl.lit(True).alias("has"),
        )
    )
    # No active dibao spell: false. A spell whose grade is not recorded: unknown (null), as in
    # native — so only the households without a spell are filled.
    cols = ctx.join(frame, fill={"has": False})
    return Value(pl.when(cols["has"]).then(cols["v"]).otherwise(False))


@columnar("transfer_income_main_source")
def _transfer_main(ctx: VarContext, window: DateRange) -> Value:
    parts = prorata(ctx.tables, window, ("wage", "business", "property", "transfer"))
    frame = parts.select(
        "household_id",
        pl.when(pl.col("known"))
        .then(
            (pl.col("transfer") > pl.col("wage"))
            & (pl.col("transfer") > pl.col("business"))
            & (pl.col("transfer") > pl.col("property"))
        )
        .alias("v"),
    )
    return Value(ctx.join(frame)["v"])


@columnar("policy_transfer_main_source")
def _policy_transfer_main(ctx: VarContext, window: DateRange) -> Value:
    # As native: false when the whole transfer income is not the largest source; otherwise unknown
    # while a record with transfers has no recorded policy part, else the policy part against
    # each other source (private transfers included).
    parts = prorata(
        ctx.tables,
        window,
        ("wage", "business", "property", "transfer", "policy", "private", "policy_unknown"),
    )
    policy = pl.col("policy")
    whole = (
        (pl.col("transfer") > pl.col("wage"))
        & (pl.col("transfer") > pl.col("business"))
        & (pl.col("transfer") > pl.col("property"))
    )
    largest = (
        (policy > pl.col("wage"))
        & (policy > pl.col("business"))
        & (policy > pl.col("property"))
        & (policy > pl.col("private"))
    )
    frame = parts.select(
        "household_id",
        pl.when(~pl.col("known"))
        .then(None)
        .when(~whole)
        .then(False)
        .when(pl.col("policy_unknown") > 0)
        .then(None)
        .otherwise(largest)
        .alias("v"),
    )
    return Value(ctx.join(frame)["v"])


# ----------------------------------------------------------------------------------------------
# household level: clues and records (jimo_2022, rongan_2022)


@columnar("has_clue")
def _has_clue(ctx: VarContext, channels: Sequence[Any]) -> Value:
    return Value(
        ctx.has(
            "clues",
            pl.col("channel").is_in(_values(channels))
            & (pl.col("received_on") <= _lit_date(ctx.as_of)),
        )
    )


def _open(ctx: VarContext) -> pl.Expr:
    day = _lit_date(ctx.as_of)
    return (pl.col("received_on") <= day) & (
        pl.col("closed_on").is_null() | (pl.col("closed_on") > day)
    )


@columnar("open_clue")
def _open_clue(ctx: VarContext, channels: Sequence[Any]) -> Value:
    return Value(ctx.has("clues", pl.col("channel").is_in(_values(channels)) & _open(ctx)))


@columnar("open_clue_kind")
def _open_clue_kind(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    return Value(ctx.has("clues", pl.col("kind").is_in(_values(kinds)) & _open(ctx)))


@columnar("open_department_warning")
def _open_department_warning(ctx: VarContext, departments: Sequence[Any]) -> Value:
    return Value(ctx.has("clues", pl.col("department").is_in(_values(departments)) & _open(ctx)))


@columnar("medical_personal_burden_year_to_date")
def _burden_ytd(ctx: VarContext, care: Sequence[Any]) -> Value:
    window = DateRange(start=date(ctx.as_of.year, 1, 1), end=ctx.as_of)
    return _burden(ctx, window=window, care=care)


@columnar("monitoring_risk_types", sequence=True)
def _monitoring_risk_types(ctx: VarContext) -> Value:
    # the latest spell's risk types in recorded order without repeats; no spell: absent
    frame = _latest(ctx).select(
        "household_id",
        pl.col("risk_types").list.unique(maintain_order=True).alias("v"),
        pl.lit(True).alias("has"),
    )
    cols = ctx.join(frame, fill={"has": False})
    return Value(cols["v"], absent=~cols["has"])


@columnar("ever_monitored")
def _ever_monitored(ctx: VarContext) -> Value:
    return Value(ctx.has("monitoring", pl.lit(True)))


# ----------------------------------------------------------------------------------------------
# member level (frame: the view's members, plus ``__household_hukou``)


def _absent_when_null(column: str) -> Value:
    return Value(pl.col(column), absent=pl.col(column).is_null())


for _name, _column in {
    "labour": "labour",
    "schooling": "schooling",
    "employment": "employment",
    "major_illness": "major_illness",
    "chronic_illness": "chronic_illness",
    "member_urban_social_security": "has_urban_social_security",
    "loses_self_care": "loses_self_care",
    "solitary": "solitary",
    "relation": "relation",
    "counted_in_household": "counted_in_household",
}.items():
    columnar(_name)(lambda ctx, _c=_column: Value(pl.col(_c)))

for _name, _column in {
    "disability_grade": "disability_grade",
    "disability_certificate_date": "disability_certificate_date",
    "special_major_disease_since": "special_major_disease_since",
    "dropout_since": "dropout_since",
    "education_aid_since": "education_aid_since",
}.items():
    columnar(_name)(lambda ctx, _c=_column: _absent_when_null(_c))


@columnar("age")
def _age(ctx: VarContext) -> Value:
    # relativedelta(as_of, born).years: the birthday of as_of's year is clipped to the month's
    # end (a 29 February birthday is 28 February in a common year).
    born = pl.col("birth_date")
    day = ctx.as_of
    leap = calendar.isleap(day.year)
    birthday = born.dt.day().cast(pl.Int64)
    if not leap:
        birthday = (
            pl.when((born.dt.month() == 2) & (born.dt.day() == 29)).then(28).otherwise(birthday)
        )
    before_birthday = (born.dt.month() > day.month) | (
        (born.dt.month() == day.month) & (birthday > day.day)
    )
    return Value(
        (pl.lit(day.year) - born.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)).cast(
            pl.Int64
        )
    )


_NON_COMPULSORY = [s.value for s in SchoolingStage if s.is_non_compulsory_in_school]


@columnar("in_non_compulsory_school")
def _non_compulsory(ctx: VarContext) -> Value:
    return Value(
        pl.when(pl.col("schooling").is_not_null()).then(pl.col("schooling").is_in(_NON_COMPULSORY))
    )


@columnar("member_hukou")
def _member_hukou(ctx: VarContext) -> Value:
    return Value(pl.coalesce(pl.col("hukou"), pl.col("__household_hukou")))


def _member_flag(ctx: VarContext, mask: pl.Expr) -> Value:
    frame = (
        ctx.tables["child_status"]
        .filter(mask)
        .select("household_id", "member_id")
        .unique()
        .with_columns(pl.lit(True).alias("hit"))
    )
    return Value(ctx.join(frame, fill={"hit": False})["hit"])


@columnar("child_status_since")
def _child_status_since(ctx: VarContext, since: date, kinds: Sequence[Any]) -> Value:
    return _member_flag(
        ctx, pl.col("kind").is_in(_values(kinds)) & (pl.col("since") >= _lit_date(since))
    )


@columnar("child_status_started")
def _child_status_started(ctx: VarContext, window: DateRange, kinds: Sequence[Any]) -> Value:
    return _member_flag(ctx, pl.col("kind").is_in(_values(kinds)) & in_window("since", window))


@columnar("has_child_status")
def _has_child_status(ctx: VarContext, kinds: Sequence[Any]) -> Value:
    return _member_flag(ctx, pl.col("kind").is_in(_values(kinds)))


# ----------------------------------------------------------------------------------------------
# population level


_AREA = ["county", "town", "village"]


def _village_inputs(flag: Callable[..., pl.Expr]) -> Callable[..., pl.DataFrame]:
    def inputs(tables: Mapping[str, pl.DataFrame], as_of: date, **args: Any) -> pl.DataFrame:
        return tables["households"].select(
            "household_id", *_AREA, flag(tables, **args).alias("flag")
        )

    return inputs


def _village_reduce(inputs: pl.DataFrame) -> pl.DataFrame:
    """Per-village counts in place of per-household flags (their sum is what combine takes)."""
    return inputs.group_by(_AREA).agg(pl.col("flag").cast(pl.Int64).sum())


def _village_combine(inputs: pl.DataFrame, **args: Any) -> pl.DataFrame:
    return _village_reduce(inputs).rename({"flag": "n"}).sort(_AREA)


def _village_lookup(ctx: VarContext, combined: pl.DataFrame, **args: Any) -> Value:
    frame = (
        ctx.tables["households"].select("household_id", *_AREA).join(combined, on=_AREA, how="left")
    )
    return Value(ctx.join(frame.select("household_id", "n"), fill={"n": 0})["n"])


def _village_figures(name: str, label: Callable[..., str]) -> Callable[..., list[dict[str, Any]]]:
    def figures(combined: pl.DataFrame, **args: Any) -> list[dict[str, Any]]:
        return [
            {
                "variable": name,
                "arguments": label(**args),
                "area": f"{c}/{t}/{v}",
                "count": n,
                "value": str(n),
            }
            for c, t, v, n in combined.iter_rows()
        ]

    return figures


def _ids_in(tables: Mapping[str, pl.DataFrame], table: str, mask: pl.Expr) -> pl.Expr:
    ids = tables[table].filter(mask).get_column("household_id").unique()
    return pl.col("household_id").is_in(ids.implode())


def _population(
    name: str, flag: Callable[..., pl.Expr], label: Callable[..., str]
) -> PopulationSpec:
    return PopulationSpec(
        inputs=_village_inputs(flag),
        combine=_village_combine,
        lookup=_village_lookup,
        figures=_village_figures(name, label),
        reduce=_village_reduce,
    )


def _from_population(name: str) -> Callable[..., Value]:
    def compute(ctx: VarContext, **args: Any) -> Value:
        spec = COLUMNAR[name].population
        assert spec is not None
        key = (name, tuple(sorted((k, str(v)) for k, v in args.items())))
        return spec.lookup(ctx, ctx.population[key], **args)

    return compute


columnar(
    "village_lifted_count",
    population=_population(
        "village_lifted_count",
        lambda tables: pl.col("lifted_out_of_poverty").fill_null(False),
        lambda: "",
    ),
)(_from_population("village_lifted_count"))

columnar(
    "village_monitored_since",
    population=_population(
        "village_monitored_since",
        lambda tables, since: _ids_in(
            tables, "monitoring", pl.col("identified_on") >= _lit_date(since)
        ),
        lambda since: f"since={since}",
    ),
)(_from_population("village_monitored_since"))

columnar(
    "village_monitored_count",
    population=_population(
        "village_monitored_count",
        lambda tables: _ids_in(tables, "monitoring", pl.col("eliminated_on").is_null()),
        lambda: "",
    ),
)(_from_population("village_monitored_count"))


def _bottom_inputs(
    tables: Mapping[str, pl.DataFrame], as_of: date, window: DateRange, share: int
) -> pl.DataFrame:
    lifted = tables["households"].filter(pl.col("lifted_out_of_poverty").fill_null(False))
    income = per_capita_over(tables, window)
    return lifted.select("household_id", "county").join(income, on="household_id", how="inner")


def _bottom_combine(inputs: pl.DataFrame, window: DateRange, share: int) -> pl.DataFrame:
    """Rank exactly: ``key = floor(income × K)`` with ``K = max_den²`` keeps every order and tie.

    Two different per-capita incomes ``a/b ≠ c/d`` differ by at least ``1/(b·d) ≥ 1/K``, so their
    keys differ; equal incomes get equal keys. ``lower`` = households of the county with a
    strictly lower key; in the bottom share iff ``100 × lower < share × N`` (the native
    ``lower < share/100 × N``, exactly).
    """
    if inputs.height == 0:
        return inputs.with_columns(
            pl.lit(None, dtype=pl.Boolean).alias("value"), pl.lit(None, dtype=pl.Int64).alias("n")
        )
    max_den = int(inputs.get_column("den").max())
    k = max_den * max_den
    check_range(
        inputs,
        _magnitude(pl.col("num"), pl.lit(float(k))) / pl.col("den").cast(pl.Float64)
        < SAFE_MAGNITUDE,
        f"ranking per-capita income over {window}",
    )
    keyed = inputs.with_columns(
        ((pl.col("num") * pl.lit(k, dtype=I128)) // pl.col("den")).alias("key")
    )
    return keyed.with_columns(
        (pl.col("key").rank("min").over("county").cast(pl.Int64) - 1).alias("lower"),
        pl.len().over("county").cast(pl.Int64).alias("n"),
    ).with_columns((pl.col("lower") * 100 < pl.col("n") * share).alias("value"))


def _bottom_lookup(ctx: VarContext, combined: pl.DataFrame, window: DateRange, share: int) -> Value:
    cols = ctx.join(ctx.by_household_id(combined.select("household_id", "value")))
    lifted = pl.col("lifted_out_of_poverty")
    return Value(
        pl.when(lifted == False)  # noqa: E712
        .then(pl.lit(False))
        .when(lifted.fill_null(False))
        .then(cols["value"])
        .otherwise(None)
    )


def _bottom_figures(combined: pl.DataFrame, window: DateRange, share: int) -> list[dict[str, Any]]:
    out = []
    if combined.height == 0:
        return out
    for (county,), group in sorted(combined.group_by(["county"]), key=lambda g: g[0][0]):
        n = group.height
        included = group.filter(pl.col("value"))
        if included.height:
            top = included.sort("key", descending=True).row(0, named=True)
            cut = format_yuan(fraction_to_yuan(Fraction(int(top["num"]), int(top["den"]) * 100)))
        else:
            cut = "—"
        out.append(
            {
                "variable": "lifted_income_bottom_share",
                "arguments": f"window={window};share={share}%",
                "area": county,
                "count": n,
                "value": f"{included.height} of {n} 脱贫户, cut-off {cut}",
            }
        )
    return out


columnar(
    "lifted_income_bottom_share",
    population=PopulationSpec(_bottom_inputs, _bottom_combine, _bottom_lookup, _bottom_figures),
)(_from_population("lifted_income_bottom_share"))


__all__ = [
    "COLUMNAR",
    "ColumnarOverflowError",
    "ColumnarVariable",
    "PopulationSpec",
    "Value",
    "VarContext",
    "columnar",
    "get_columnar",
    "net_over",
    "per_capita_over",
]

# Variables registered in their own modules (one import line each).
from fangfan_rules.engines import columnar_caller_periods as _caller_periods  # noqa: E402, F401
from fangfan_rules.engines import columnar_clue_visits as _clue_visits  # noqa: E402, F401
from fangfan_rules.engines import columnar_events as _columnar_events  # noqa: E402, F401
from fangfan_rules.engines import columnar_income_recent as _columnar_income_recent  # noqa: E402, F401
from fangfan_rules.engines import columnar_labour as _columnar_labour  # noqa: E402, F401
from fangfan_rules.engines import columnar_lookback as _lookback  # noqa: E402, F401
from fangfan_rules.engines import columnar_on_record as _on_record  # noqa: E402, F401
from fangfan_rules.engines import columnar_recorded as _recorded  # noqa: E402, F401
from fangfan_rules.engines import columnar_warnings as _warnings  # noqa: E402, F401
