"""The vectorized batch engine: a pack's rules compiled to polars expressions over tables.

The compiler reads the *same rule values* the native evaluator interprets (``pack.rules``, their
parsed condition trees and effects) and turns each condition into a Kleene-logic polars
expression over the columnar layout (:mod:`fangfan_rules.engines.columnar`), with variables taken
from the columnar registry (:mod:`fangfan_rules.engines.columnar_variables`). Nothing is written
by hand per pack, and anything the compiler does not know how to translate — a variable without a
columnar implementation, an operator / operand combination it cannot prove equal to the native
one, ``fired`` inside ``any_member`` — is a :class:`CompileError` naming the rule, at compile time.

Public API:

* :func:`compile_pack` (once per pack, parameter overrides and ``as_of``: parameters are resolved
  to literals, ``MissingParameterError`` if a rule in force needs one that is not stated);
* :func:`identify_frame` — households (pydantic), tables, one nested frame (polars / pandas /
  Arrow) or a path → a pandas DataFrame with the columns of
  :func:`fangfan_rules.analysis.compare.compare`;
* :class:`VectorizedBatch` — the same plus :meth:`~VectorizedBatch.explain_household` /
  :meth:`~VectorizedBatch.explain`, the full native :class:`~fangfan_rules.results.Identification`
  of any row (the native evaluator re-run on that household, with the batch's population figures);
* :func:`identify_parquet` — stream a Parquet directory of tables or a nested Parquet file in chunks
  of ``batch_size`` households with bounded memory, yielding one DataFrame per chunk;
  :func:`explain_parquet` explains one household of such a file;
* :func:`to_tables`, :func:`write_parquet` (re-exported converters).

**What the columns hold.** ``outcome``, ``category``, ``risk_types``, ``key_attention``,
``key_areas``, ``flags``, ``must_visit``, ``green_channel``, ``deciding_rule``,
``decided_by_unknown`` and ``citation`` are computed by the polars plan, exactly the native values
(list columns as ``;``-joined strings, :mod:`fangfan_rules.result_rows`). ``first_reason`` and
``missing_facts`` are texts worded from values the native trace reads (the checks of the rule
that weighs most, the facts the unknown rules found missing) with the exact wording of
:mod:`fangfan_rules.rules.wording`: :func:`identify_frame` picks, from the plan's value of every
rule on the row, the few rules those texts need — the one whose checks are worded, the unknown
rules whose missing facts are listed — and runs only those through the native closures on the
household (:mod:`fangfan_rules.engines.vectorized_texts`; same population figures as the native
batch), so every column equals the native one (``tests/test_vectorized_wording.py``) without a
full native answer per row. That pass is still Python per household (about a tenth of a
millisecond a household and a pack). ``reasons=False`` skips it: the two
columns are then **absent** from the frame (the counts-only path of ``sweep()`` and of large
batches); the streaming reader (:func:`identify_parquet`) leaves them None (use
:func:`explain_parquet` for one household). A household whose facts fail validation gets
``outcome="error"`` and the reason in ``error``; every other row still gets its result.

**Exactness.** Money is integer fen; a derived amount is an exact rational ``num / den`` in
Int128 — a window's net income ``Σ net × overlap / days`` has ``den = d₁·d₂`` (only the two records
holding the window's ends can be cut), a per-capita share ``den = d₁·d₂·m`` (m counted members),
a change of per-capita income ``den = D_now·D_prev`` — and a comparison with a constant ``p/q``
is ``num·q OP p·den``: never a division, never a float, never rounded. The native evaluator
compares the same rational rounded to 40 significant digits (``fraction_to_yuan``). The two agree
whenever a value that is not *equal* to the boundary differs from it by more than the rounding:
the gap is at least ``1/(100·den·q)`` yuan, the rounding at most ``|value|·5e-40``, so they agree
for ``|value|·100·den·q < 2e39`` — e.g. amounts below 10**16 yuan, records of at most 10,000 days
and fewer than 1,000 members, with fen boundaries — and a value equal to a fen boundary is
represented exactly by both. ``per_capita_net_income_change`` is the one place where the native
evaluator rounds harder: it subtracts two 40-digit decimals in the default 28-digit context, so
equality with native is guaranteed for ``|change|·100·D_now·D_prev < 1e26`` (per-capita incomes up
to 10**9 yuan, records up to three years, households up to ten counted members — what the strategies
draw); beyond that the vectorized answer is the exact one. Every product is checked against 1e37
(Int128 holds 1.7e38) before it is formed: :class:`ColumnarOverflowError`, never a wrapped integer;
a constant that itself needs more is a :class:`CompileError`. Unknown facts are nulls and polars'
``&``, ``|``, ``~`` and ``any(ignore_nulls=False)`` follow Kleene's tables (checked by the tests).

**Population-level rules** (village counts, the county bottom share of 脱贫户 incomes) are
group-bys over the batch's valid households, ranked exactly with the documented tie rule
(:mod:`fangfan_rules.variables.population`). :func:`identify_parquet` computes them in a first
pass over the whole input that keeps only each household's inputs to the aggregates (area, a flag,
or county and exact per-capita income), then streams the chunks; a pack without population rules
is streamed in one pass. Before either, one pass over the id column finds household ids that
appear in more than one chunk (:mod:`fangfan_rules.engines.streaming`, which also reports orphan
child rows and reads CSV record by record).

**Differences from the native batch, by design.** Parameters are resolved when compiling, so a
missing (or expired) parameter is an error even for a batch whose households would all be out of
scope, where the native batch never reads it. Tables may hold invalid facts, which the native
batch cannot: those households become ``error`` rows, and population aggregates are computed
over the valid households only. A duplicated household id is the same in both: every copy is an
error row (``identify_many``: a :class:`~fangfan_rules.results.BadRow`), the rest are answered.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import polars as pl

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_marker as marker
from fangfan_rules.engines.columnar import to_tables, write_parquet
from fangfan_rules.engines.columnar_attach import attach
from fangfan_rules.engines.columnar_layout import IN_MEMORY
from fangfan_rules.engines.columnar_variables import (
    SAFE_MAGNITUDE,
    ColumnarOverflowError,
    Value,
    VarContext,
    get_columnar,
)
from fangfan_rules.engines.guard import engine_boundary
from fangfan_rules.engines.native import KIND_ORDER
from fangfan_rules.errors import (
    DUPLICATED_HOUSEHOLD,
    NO_VALUE,
    FactError,
    RuleError,
    UnsuppliedParameterError,
)
from fangfan_rules.facts import Household, known_at
from fangfan_rules.facts.known import (
    CLUE_LATER_DATES,
    MONITORING_LATER_DATES,
    latest_by_part,
)
from fangfan_rules.facts.known_lazily import known_lazily
from fangfan_rules.idnumber import MAY_HOLD_PATTERN, ids_revealed, scrub_id_numbers
from fangfan_rules.logic import Missing
from fangfan_rules.results import Identification, PopulationFigure
from fangfan_rules.rules.conditions import (
    RELATIVE_DAYS,
    All,
    AnyMember,
    AnyOf,
    Compare,
    Condition,
    Const,
    Fired,
    IsTrue,
    Not,
    Operand,
    Param,
    VarRef,
    Window,
    relative_day,
)
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.variables import get_variable
from fangfan_rules.variables.population import population_key

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

# The result columns are compare()'s (one definition for every engine).
from fangfan_rules.result_rows import COLUMNS, joined

#: Texts worded by the native closures of the rules they need (unless ``reasons=False``).
REASON_COLUMNS = ("first_reason", "missing_facts")

#: Columns the vectorized engine computes exactly as the native evaluator does.
EXACT_COLUMNS = (
    "household_id",
    "pack",
    "as_of",
    "outcome",
    "category",
    "risk_types",
    "key_attention",
    "key_areas",
    "flags",
    "must_visit",
    "green_channel",
    "deciding_rule",
    "decided_by_unknown",
    "citation",
    "error",
)
I128 = pl.Int128


class CompileError(RuleError):
    """A rule the vectorized engine cannot translate exactly (named, at compile time)."""


# ----------------------------------------------------------------------------------------------
# compilation


@dataclass(frozen=True)
class _VarSpec:
    name: str
    level: str
    args: tuple[tuple[str, Any], ...]  # resolved, hashable
    column: str

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)


@dataclass
class _CompiledRule:
    rule: Rule
    column: str
    depth: int
    expr: pl.Expr


def _slot(name: str, args: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, tuple(sorted((k, str(v)) for k, v in args.items())))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _integer_keys(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The tables keyed by integers: ``household_id`` := ``__hrow`` / ``__hkey``; the string id
    is kept as households ``__id``.

    Why: every variable groups or joins child rows by ``household_id``; on integers that is
    several times cheaper than on strings at a million households, and the variables need no
    change. Population aggregates keyed by id are translated by
    :meth:`~fangfan_rules.engines.columnar_variables.VarContext.by_household_id`.
    """
    if any("__hkey" not in tables[t].columns for t in col.CHILDREN):
        tables = col.household_keys(tables)
    h = tables["households"]
    out = {
        "households": h.rename({"household_id": "__id"}).with_columns(
            pl.col("__hrow").alias("household_id")
        )
    }
    for t in col.CHILDREN:
        out[t] = tables[t].drop("household_id").rename({"__hkey": "household_id"})
    return out


def _fired(rule: _CompiledRule) -> pl.Expr:
    """True where the compiled rule's condition holds (unknown counts as not fired)."""
    return pl.col(rule.column).fill_null(False)


_WORD = 64


def _bit_words(name: str, items: list[tuple[str, pl.Expr]]) -> list[pl.Expr]:
    """A list-valued result as UInt64 words, bit ``j`` of word ``k`` = item ``64k + j`` present.

    Why bits: building a polars list per row (``concat_list`` of ``when/then`` items) costs more
    than all the rules together; households share few distinct combinations, so the words are
    decoded once per distinct combination (:func:`decode_lists`).
    """
    words = []
    for k in range(0, len(items), _WORD):
        chunk = items[k : k + _WORD]
        words.append(
            pl.sum_horizontal(
                pl.when(present)
                .then(pl.lit(1 << j, dtype=pl.UInt64))
                .otherwise(pl.lit(0, dtype=pl.UInt64))
                for j, (_, present) in enumerate(chunk)
            )
            .cast(pl.UInt64)
            .alias(f"{name}__bits{k // _WORD}")
        )
    return words


#: Lists of at most this many labels are decoded through a table of every combination's cell.
_TABLE_BITS = 10


@functools.lru_cache(maxsize=64)
def _cells(labels: tuple[str, ...]) -> pl.Series:
    """The cell of every combination of ``labels`` (at most :data:`_TABLE_BITS`), by its word."""
    return pl.Series(
        [
            joined(label for j, label in enumerate(labels) if word >> j & 1)
            for word in range(1 << len(labels))
        ],
        dtype=pl.String,
    )


def decode_lists(frame: pl.DataFrame, name: str, labels: tuple[str, ...]) -> pl.Series:
    """The cells of list column ``name`` from its bit words (a polars String series, the items
    joined as :func:`fangfan_rules.result_rows.joined` joins them).

    Null words (error rows) read as no items: the caller blanks those rows. A String series, not
    an array of Python strings: pandas takes it over through Arrow instead of reading n objects.
    """
    words = [f"{name}__bits{k}" for k in range(-(-len(labels) // _WORD))]
    if not words:
        return pl.repeat(joined(()), frame.height, dtype=pl.String, eager=True).alias(name)
    if len(labels) <= _TABLE_BITS:
        # every combination's cell made once per label list, each row's cell gathered by its
        # word (a lookup of the distinct words cost four times as much: 2.5 ms a column)
        word = pl.col(words[0]).fill_null(0) & ((1 << len(labels)) - 1)
        return frame.select(pl.lit(_cells(labels)).gather(word).alias(name)).to_series()
    bits = frame.select(pl.col(words).fill_null(0))
    distinct = bits.unique()
    cells = pl.Series(
        "__cell",
        [
            joined(
                labels[k * _WORD + j]
                for k, word in enumerate(row)
                for j in range(min(_WORD, len(labels) - k * _WORD))
                if word >> j & 1
            )
            for row in distinct.iter_rows()
        ],
        dtype=pl.String,
    )
    if len(words) == 1 and cells.len():  # one word: a lookup of the word, cheaper than a join
        word = pl.col(words[0])
        return bits.select(
            word.replace_strict(distinct.to_series(), cells, return_dtype=pl.String).alias(name)
        ).to_series()
    distinct = distinct.with_columns(cells)
    codes = bits.join(distinct, on=words, how="left", maintain_order="left")
    return codes.get_column("__cell").alias(name)


class CompiledPack:
    """A pack's rules in force on ``as_of`` as polars expressions (see :func:`compile_pack`)."""

    def __init__(self, pack: Pack, as_of: date):
        pack.check_in_force(as_of)
        self.pack = pack
        self.as_of = as_of
        self.specs: dict[tuple[str, str, tuple[tuple[str, Any], ...]], _VarSpec] = {}
        self.members_any: dict[str, pl.Expr] = {}
        self.guards: dict[str, list[tuple[pl.Expr, str]]] = {"household": [], "member": []}
        #: each compiled leaf by (rule id, id of its condition node): its variable and its Kleene
        #: value (None when its compared-with operand is a figure not supplied); read by
        #: :mod:`fangfan_rules.engines.vectorized_texts_leaves`
        self.leaves: dict[tuple[str, int], tuple[_VarSpec, pl.Expr | None]] = {}
        ordered = pack.ordered_rules()
        scope = [r for r in ordered if r.kind == RuleKind.SCOPE]
        #: Rules in the native trace order (scope first).
        self.order: tuple[Rule, ...] = tuple(
            scope + [r for r in ordered if r.kind != RuleKind.SCOPE]
        )
        self.rules: dict[str, _CompiledRule] = {}
        self.in_force: tuple[Rule, ...] = tuple(r for r in self.order if r.in_force(as_of))
        scope_ids = {r.id for r in scope}
        for rule in self.order:
            if not rule.in_force(as_of):
                continue
            self._rule = rule
            if rule.kind == RuleKind.SCOPE:
                for ref in _fired_ids(rule.condition):
                    if ref not in scope_ids:
                        raise CompileError(
                            f"rule {rule.id}: a scope rule refers to non-scope rule {ref} "
                            "(the native evaluator evaluates scope rules first)"
                        )
            expr, depth = self._condition(rule.condition, member=False)
            self.rules[rule.id] = _CompiledRule(rule, f"__r{len(self.rules)}", depth, expr)
        self.population_specs = sorted(
            (s for s in self.specs.values() if get_columnar(s.name).population is not None),  # type: ignore[union-attr]
            key=lambda s: (s.name, population_key(s.kwargs)),
        )

    # -- operands ---------------------------------------------------------------------------
    def _fail(self, message: str) -> CompileError:
        return CompileError(f"rule {self._rule.id}: {message}")

    def resolve(self, operand: Operand) -> Any:
        if isinstance(operand, Const):
            return operand.value
        if isinstance(operand, RELATIVE_DAYS):
            return relative_day(operand, self.as_of)
        if isinstance(operand, Window):
            return DateRange(start=self.resolve(operand.start), end=self.resolve(operand.end))
        assert isinstance(operand, Param)
        return self.pack.stated_value(operand.name, self.as_of, self._rule.id).value

    def _spec(self, ref: VarRef, member: bool) -> _VarSpec:
        variable = get_variable(ref.name)
        impl = get_columnar(ref.name)
        if impl is None:
            raise self._fail(
                f"variable {ref.name!r} has no columnar implementation "
                "(add it to fangfan_rules.engines.columnar_variables)"
            )
        args = {name: self.resolve(arg) for name, arg in ref.args}
        if variable.enum is not None:
            for name, kind in variable.args.items():
                if kind == "enum_list":
                    args[name] = tuple(variable.enum(v) for v in args[name])
        level = "member" if member else "household"
        hashed = tuple(sorted((k, _hashable(v)) for k, v in args.items()))
        key = (ref.name, level, hashed)
        if key not in self.specs:
            prefix = "__mv" if member else "__v"
            self.specs[key] = _VarSpec(ref.name, level, hashed, f"{prefix}{len(self.specs)}")
        return self.specs[key]

    # -- conditions -------------------------------------------------------------------------
    def _condition(self, node: Condition, member: bool) -> tuple[pl.Expr, int]:
        if isinstance(node, All | AnyOf):
            parts = [self._condition(i, member) for i in node.items]
            exprs = [p for p, _ in parts]
            combined = functools.reduce(
                (lambda a, b: a & b) if isinstance(node, All) else (lambda a, b: a | b), exprs
            )
            return combined, max(d for _, d in parts)
        if isinstance(node, Not):
            inner, depth = self._condition(node.item, member)
            return ~inner, depth
        if isinstance(node, AnyMember):
            inner, depth = self._condition(node.item, member=True)
            name = f"__am{len(self.members_any)}"
            self.members_any[name] = inner
            # no member at all: k_or([]) is false; members with unknown values: unknown
            return (
                pl.when(pl.col("__has_members").is_null()).then(False).otherwise(pl.col(name)),
                depth,
            )
        if isinstance(node, Fired):
            if member:
                raise self._fail(
                    "'fired' inside 'any_member' is not supported by the vectorized engine"
                )
            exprs, depth = [], 0
            for rule_id in node.rule_ids:
                compiled = self.rules.get(rule_id)
                if compiled is None:  # not in force: it never fires
                    exprs.append(pl.lit(False))
                else:
                    exprs.append(pl.col(compiled.column))
                    depth = max(depth, compiled.depth + 1)
            return functools.reduce(lambda a, b: a | b, exprs), depth
        try:
            return self._leaf(node, member)
        except UnsuppliedParameterError:
            # when_not_supplied: review — the condition is unknown (null), as native makes it.
            return pl.lit(None, dtype=pl.Boolean), 0

    def _leaf(self, node: Condition, member: bool) -> tuple[pl.Expr, int]:
        key = (self._rule.id, id(node))
        if isinstance(node, IsTrue):
            spec = self._spec(node.var, member)
            leaf = (
                pl.when(pl.col(f"{spec.column}__absent")).then(False).otherwise(pl.col(spec.column))
            )
            self.leaves[key] = (spec, leaf)
            return leaf, 0
        assert isinstance(node, Compare)
        spec = self._spec(node.left, member)
        self.leaves[key] = (spec, None)  # its operand may be a figure not supplied
        right = self.resolve(node.right)
        expr = self._compare(spec, node.op, right)
        leaf = pl.when(pl.col(f"{spec.column}__absent")).then(False).otherwise(expr)
        self.leaves[key] = (spec, leaf)
        return leaf, 0

    def _compare(self, spec: _VarSpec, op: str, right: Any) -> pl.Expr:
        variable = get_variable(spec.name)
        kind = variable.value_type
        value = pl.col(spec.column)
        many = op in ("in", "not_in")
        if many and not isinstance(right, tuple):
            raise self._fail(f"'{op}' needs a list, got {right!r}")
        impl = get_columnar(spec.name)
        if kind == "set" and impl is not None and impl.sequence and op in ("eq", "ne"):
            # the native value is an ordered tuple: equal to a list with the same items in order
            if not isinstance(right, tuple) or not all(isinstance(i, str) for i in right):
                raise self._fail(f"cannot compare the list {spec.name!r} with {right!r}")
            ordered = [i.value if isinstance(i, Enum) else i for i in right]
            equal = value.list.len() == len(ordered)
            for k, item in enumerate(ordered):
                equal = equal & (value.list.get(k, null_on_oob=True) == item).fill_null(False)
            equal = pl.when(value.is_null()).then(None).otherwise(equal)
            return equal if op == "eq" else ~equal
        if not many and isinstance(right, tuple):
            raise self._fail(f"'{op}' with a list {right!r} is not supported")
        items = right if many else (right,)
        if kind in ("money", "int"):
            if op == "contains":
                raise self._fail(f"'contains' on the number {spec.name!r}")
            scale = 100 if kind == "money" else 1
            fractions = []
            for item in items:
                if isinstance(item, bool) or not isinstance(item, int | float | Decimal):
                    raise self._fail(f"cannot compare the number {spec.name!r} with {item!r}")
                fractions.append(Fraction(item) * scale)
            den = pl.col(f"{spec.column}__den")
            tests = [
                self._numeric(value, den, op if not many else "eq", f, spec.level)
                for f in fractions
            ]
            if not many:
                return tests[0]
            hit = functools.reduce(lambda a, b: a | b, tests)
            return hit if op == "in" else ~hit
        if kind == "date":
            for item in items:
                if not isinstance(item, date) or isinstance(item, pd.Timestamp):
                    raise self._fail(f"cannot compare the date {spec.name!r} with {item!r}")
            return self._simple(
                value, op, [pl.lit(i, dtype=pl.Date) for i in items], items, pl.Date
            )
        if kind == "bool":
            if op not in ("eq", "ne", "in", "not_in") or not all(
                isinstance(i, bool) for i in items
            ):
                raise self._fail(f"cannot compare the flag {spec.name!r} {op} {right!r}")
            return self._simple(value, op, [pl.lit(i) for i in items], items, pl.Boolean)
        if kind == "enum":
            if op not in ("eq", "ne", "in", "not_in"):
                raise self._fail(f"'{op}' on the enum {spec.name!r}")
            texts = []
            for item in items:
                if not isinstance(item, str):
                    raise self._fail(f"cannot compare the enum {spec.name!r} with {item!r}")
                texts.append(item.value if isinstance(item, Enum) else item)
            return self._simple(value, op, [pl.lit(t) for t in texts], texts, pl.String)
        if kind == "set":
            if op != "contains" or not isinstance(right, str):
                raise self._fail(
                    f"only 'contains' with one value is supported on the set {spec.name!r}"
                )
            text = right.value if isinstance(right, Enum) else right
            return value.list.contains(pl.lit(text))
        raise self._fail(f"variable {spec.name!r} of type {kind} cannot be compared")

    @staticmethod
    def _simple(
        value: pl.Expr, op: str, lits: list[pl.Expr], raw: Iterable[Any], dtype: Any
    ) -> pl.Expr:
        if op in ("in", "not_in"):
            hit = value.is_in(pl.Series(list(raw), dtype=dtype).implode())
            hit = pl.when(value.is_null()).then(None).otherwise(hit)
            return hit if op == "in" else ~hit
        other = lits[0]
        return {
            "eq": value == other,
            "ne": value != other,
            "lt": value < other,
            "le": value <= other,
            "gt": value > other,
            "ge": value >= other,
        }[op]

    def _numeric(self, num: pl.Expr, den: pl.Expr, op: str, right: Fraction, level: str) -> pl.Expr:
        """``num / den OP right`` as ``num × right.den OP right.num × den`` (den > 0)."""
        rn, rd = right.numerator, right.denominator
        if max(abs(rn), rd) >= 10**37:
            raise self._fail(
                f"the constant {float(right)!r} (in the variable's unit) needs integers "
                "beyond the exact range of the vectorized engine"
            )
        self.guards[level].append(
            (
                (num.cast(pl.Float64).abs() * float(rd) < SAFE_MAGNITUDE)
                & (den.cast(pl.Float64).abs() * float(abs(rn)) < SAFE_MAGNITUDE),
                f"a comparison in rule {self._rule.id}",
            )
        )
        left = num.cast(I128) * pl.lit(rd, dtype=I128)
        other = pl.lit(rn, dtype=I128) * den.cast(I128)
        return {
            "eq": left == other,
            "ne": left != other,
            "lt": left < other,
            "le": left <= other,
            "gt": left > other,
            "ge": left >= other,
        }[op]

    # -- evaluation ---------------------------------------------------------------------------
    def population_inputs(self, view: Mapping[str, pl.DataFrame]) -> dict[Any, pl.DataFrame]:
        """Per-household inputs of every population aggregate (the streaming pre-pass)."""
        out = {}
        for spec in self.population_specs:
            impl = get_columnar(spec.name).population  # type: ignore[union-attr]
            assert impl is not None  # population_specs holds only population variables
            out[_slot(spec.name, spec.kwargs)] = impl.inputs(view, self.as_of, **spec.kwargs)
        return out

    def population_of(self, tables: Mapping[str, pl.DataFrame]) -> dict[Any, Any]:
        """The combined population aggregates of valid tables keyed by string ids ({} if none)."""
        if not self.population_specs:
            return {}
        return self.combine(self.population_inputs(col.view_at(tables, self.as_of)))

    def combine(self, inputs: Mapping[Any, pl.DataFrame]) -> dict[Any, Any]:
        out = {}
        for spec in self.population_specs:
            impl = get_columnar(spec.name).population  # type: ignore[union-attr]
            assert impl is not None
            slot = _slot(spec.name, spec.kwargs)
            out[slot] = impl.combine(inputs[slot], **spec.kwargs)
        return out

    def evaluate(
        self,
        tables: Mapping[str, pl.DataFrame],
        population: Mapping[Any, Any] | None = None,
        shared: dict[Any, Any] | None = None,
        rule_values: bool = False,
    ) -> pl.DataFrame:
        """Result columns (polars) for valid, complete tables (households keep ``__hrow``);
        with ``rule_values``, each rule's Kleene value too (its ``_CompiledRule.column``) and the
        value of each household-level population variable (its ``_VarSpec.column``).

        Inside, ``household_id`` is the integer ``__hkey`` / ``__hrow`` (:func:`_integer_keys`);
        the string id comes back in the result. ``shared``: a cache kept with the tables
        (:class:`PreparedBatch`) — variants of one pack whose variables read the same arguments
        (a sweep of a line used only in comparisons) compute the variables once.
        """
        if population is None:
            population = self.population_of(tables)
        h, m, hguards, mguards = self._variables(tables, population, shared)
        if m is not None:
            self._check_guards(m, [*self.guards["member"], *mguards], h)
            # conditions as columns first: an expression inside agg() runs group by group
            m = m.select("household_id", *(e.alias(n) for n, e in self.members_any.items()))
            agg = m.group_by("household_id").agg(
                pl.lit(True).alias("__has_members"),
                *(pl.col(name).any(ignore_nulls=False) for name in self.members_any),
            )
            h = attach(h, [agg], "household_id")
        for depth in sorted({r.depth for r in self.rules.values()}):
            h = h.with_columns(
                r.expr.alias(r.column) for r in self.rules.values() if r.depth == depth
            )
        self._check_guards(h, [*self.guards["household"], *hguards])
        # lazily, for its common-subexpression elimination: the outcome columns share most of
        # their parts (out of scope, the category, the first unknown rule)
        shared_parts, outcome_columns = self._outcome_exprs
        return (
            h.lazy()
            .with_columns(shared_parts)
            .select(
                pl.col("__id").alias("household_id"),
                "__hrow",
                *outcome_columns,
                *(r.column for r in self.rules.values() if rule_values),
                *(
                    s.column
                    for s in self.population_specs
                    if rule_values and s.level == "household"
                ),
            )
            .collect(engine=IN_MEMORY)
        )

    def _variables(
        self,
        tables: Mapping[str, pl.DataFrame],
        population: Mapping[Any, Any],
        shared: dict[Any, Any] | None,
    ) -> tuple[
        pl.DataFrame, pl.DataFrame | None, list[tuple[pl.Expr, str]], list[tuple[pl.Expr, str]]
    ]:
        """The household frame with every variable column (and the member frame when a rule
        looks at members), and the variables' range guards on each.

        Reused from ``shared`` when the same variables were computed on the same tables and day:
        the key names every variable with its resolved arguments, and the population aggregates
        are a function of those and the tables (``population_of``).
        """
        key = ("variables", self.as_of, tuple(self.specs), bool(self.members_any))
        if shared is not None and key in shared:
            cached: tuple[Any, Any, Any, Any] = shared[key]
            return cached
        view = col.view_at(_integer_keys(tables), self.as_of)
        hctx = VarContext(view, self.as_of, "household", population)
        hexprs = self._columns(hctx, "household")
        h = hctx.apply(view["households"]).with_columns(hexprs)
        m = None
        mguards: list[tuple[pl.Expr, str]] = []
        if self.members_any:
            # not the string id: gathered for every member it cost as much as the rest of
            # the attachment, and only a failing guard's message reads it (_check_guards)
            household = view["households"].select(
                "household_id", pl.col("hukou").alias("__household_hukou")
            )
            m = attach(view["members"], [household], "household_id")
            mctx = VarContext(view, self.as_of, "member", population)
            mexprs = self._columns(mctx, "member")
            m = mctx.apply(m).with_columns(mexprs)
            mguards = list(mctx.guards)
        out = (h, m, list(hctx.guards), mguards)
        if shared is not None:
            shared[key] = out
        return out

    def _columns(self, ctx: VarContext, level: str) -> list[pl.Expr]:
        specs = [s for s in self.specs.values() if s.level == level]
        impls = [get_columnar(s.name) for s in specs]
        # the per-capita incomes every variable of this level reads, computed together first
        # (one polars call for all their windows: VarContext.prefetch_per_capita)
        ctx.prefetch_per_capita(
            [
                window
                for spec, impl in zip(specs, impls, strict=True)
                if impl is not None and impl.windows is not None
                for window in impl.windows(ctx, **spec.kwargs)
            ]
        )
        exprs = []
        for spec, impl in zip(specs, impls, strict=True):
            assert impl is not None
            value: Value = impl.compute(ctx, **spec.kwargs)
            exprs.append(value.value.alias(spec.column))
            exprs.append(
                (value.den if value.den is not None else pl.lit(1, dtype=pl.Int64)).alias(
                    f"{spec.column}__den"
                )
            )
            exprs.append(
                (
                    value.absent.fill_null(False) if value.absent is not None else pl.lit(False)
                ).alias(f"{spec.column}__absent")
            )
        return exprs

    @staticmethod
    def _check_guards(
        h: pl.DataFrame, guards: list[tuple[pl.Expr, str]], ids: pl.DataFrame | None = None
    ) -> None:
        """Raise :class:`ColumnarOverflowError` naming the first household of ``h`` where a
        guard fails; ``ids``: the households frame (``household_id`` → ``__id``) when ``h`` is
        the member frame, which does not carry the string id."""
        if not guards:
            return
        # whether each guard holds on every row first (one row of answers); the rows only for a
        # guard that fails somewhere (never, in practice)
        held = h.select(
            g.fill_null(True).all().alias(f"__g{i}") for i, (g, _) in enumerate(guards)
        ).row(0)
        for i, (guard, what) in enumerate(guards):
            if held[i]:
                continue
            bad = h.select("household_id", guard.fill_null(True).alias("__g")).filter(
                ~pl.col("__g")
            )
            if bad.height:
                named = ids if ids is not None else h
                bad = bad.head(1).join(
                    named.select("household_id", "__id"), on="household_id", how="left"
                )
                raise ColumnarOverflowError(
                    f"household {bad.get_column('__id')[0]}: {what} exceeds the exact "
                    "integer range of the vectorized engine; evaluate it with the native engine"
                )

    # -- combining effects (fangfan_rules.engines.native.identify, step by step) ----------------
    @functools.cached_property
    def _outcome_exprs(self) -> tuple[list[pl.Expr], list[pl.Expr]]:
        """:meth:`_outcome_columns`, built once per compiled pack: the expressions depend on the
        rules only, and building them took several milliseconds of every evaluation."""
        return self._outcome_columns()

    def _outcome_columns(self) -> tuple[list[pl.Expr], list[pl.Expr]]:
        """The parts several result columns read (outcome, category, out of scope, counted) as
        columns of their own, then the result columns over them.

        Why two steps: the citation, the deciding rule and every list item compare the outcome
        or the category, or test out of scope; as columns they are computed once, where inside
        each result column they were computed again (about a tenth of the plan at 100,000
        households).
        """
        rules = [self.rules[r.id] for r in self.in_force]

        def of_kind(*kinds: RuleKind) -> list[_CompiledRule]:
            return [r for r in rules if r.rule.kind in kinds]

        def false(r: _CompiledRule) -> pl.Expr:
            return (~pl.col(r.column)).fill_null(False)

        def unknown(r: _CompiledRule) -> pl.Expr:
            return pl.col(r.column).is_null()

        def any_of(exprs: list[pl.Expr]) -> pl.Expr:
            return functools.reduce(lambda a, b: a | b, exprs) if exprs else pl.lit(False)

        def first(pairs: Sequence[tuple[pl.Expr, str | None]], otherwise: pl.Expr) -> pl.Expr:
            """The value of the first pair whose condition holds (a null condition does not),
            else ``otherwise``.

            Why not a when/then chain: each link of a nested chain materialises a string column,
            so a chain over every rule cost more than all the rules together. The position of the
            first true condition is an integer coalesce, and the strings are gathered once.
            Neighbouring pairs with the same value are one pair whose condition is their ``|``
            (many rules share a citation): the same first value, one integer column fewer each
            (Kleene's ``|`` holds where one of them holds; null or false where none does).
            """
            if not pairs:
                return otherwise
            merged: list[tuple[pl.Expr, str | None]] = []
            for cond, value in pairs:
                if merged and merged[-1][1] == value:
                    merged[-1] = (merged[-1][0] | cond, value)
                else:
                    merged.append((cond, value))
            pairs = merged
            index = pl.coalesce(
                pl.when(cond).then(pl.lit(i, dtype=pl.UInt32)) for i, (cond, _) in enumerate(pairs)
            )
            values = pl.lit(pl.Series([value for _, value in pairs], dtype=pl.String))
            return pl.when(index.is_null()).then(otherwise).otherwise(values.gather(index))

        none = pl.lit(None, dtype=pl.String)
        scope = of_kind(RuleKind.SCOPE)
        out_of_scope = any_of([false(r) for r in scope])
        scope_unknown = any_of([unknown(r) for r in scope])
        deciding_kinds = of_kind(RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL)
        identify = any_of(
            [_fired(r) for r in deciding_kinds if r.rule.effect.outcome == "identify"]
        )
        review = any_of(
            [_fired(r) for r in deciding_kinds if r.rule.effect.outcome == "needs_review"]
        )
        unknown_outcome = any_of(
            [unknown(r) for r in deciding_kinds if r.rule.effect.outcome is not None]
        )
        outcome = (
            pl.when(out_of_scope)
            .then(pl.lit("out_of_scope"))
            .when(identify & ~scope_unknown)
            .then(pl.lit("identify"))
            .when(identify | review | unknown_outcome)
            .then(pl.lit("needs_review"))
            .otherwise(pl.lit("not_eligible"))
        )
        monitored = ~out_of_scope & (identify | review | unknown_outcome)
        counted = monitored  # outcome != not_eligible

        # category: the last rule per category (trace order), by the pack's precedence
        by_category: dict[Any, _CompiledRule] = {}
        for r in of_kind(RuleKind.CATEGORY):
            by_category[r.rule.effect.category] = r
        chain: pl.Expr = none
        for wanted in reversed(self.pack.category_precedence):
            if wanted not in by_category:
                continue
            r = by_category[wanted]
            chain = (
                pl.when(_fired(r))
                .then(pl.lit(wanted.value))
                .when(unknown(r))
                .then(none)
                .otherwise(chain)
            )
        category = pl.when(monitored).then(chain).otherwise(none)
        shared = {
            "__outcome": outcome,
            "__category": category,
            "__out_of_scope": out_of_scope,
            "__counted": counted,
        }
        outcome, category, out_of_scope, counted = (pl.col(name) for name in shared)

        lists = self._list_items(out_of_scope, counted)
        green = ~out_of_scope & any_of([_fired(r) for r in of_kind(RuleKind.GREEN_CHANNEL)])
        must_visit = ~out_of_scope & any_of([_fired(r) for r in of_kind(RuleKind.MUST_VISIT)])

        # deciding rule and citation (analysis.compare._row)
        by_weight = sorted(
            (r for r in rules if r.rule.kind != RuleKind.SCOPE),
            key=lambda r: (KIND_ORDER[r.rule.kind], r.rule.id),
        )
        deciders = [
            r for r in by_weight if r.rule.kind in (RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)
        ]
        rest = [
            r for r in by_weight if r.rule.kind not in (RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)
        ]
        outside = [(false(r), r) for r in scope]
        # for a review caused by unknown facts: the first scope / outcome rule left unknown
        # (decided_by_unknown)
        unknown_kinds = (RuleKind.SCOPE, RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)
        unknown_decider = first(
            [(unknown(r), r.rule.id) for r in rules if r.rule.kind in unknown_kinds],
            none,
        )
        decided = [(c, r.rule.id) for c, r in outside] + [
            (~out_of_scope & _fired(r), r.rule.id) for r in deciders
        ]
        by_unknown = (
            (outcome == "needs_review")
            & ~any_of([c for c, _ in decided])
            & unknown_decider.is_not_null()
        ).fill_null(False)
        deciding = first(decided, pl.when(by_unknown).then(unknown_decider).otherwise(none))
        shows_review = (outcome == "needs_review") & (
            scope_unknown
            | unknown_outcome
            | any_of(
                [
                    _fired(r)
                    for r in deciding_kinds
                    if r.rule.effect.outcome == "needs_review" and r.rule.effect.review_reason
                ]
            )
        )
        reason_pairs: list[tuple[pl.Expr, str | None]] = []
        for r in rest:
            cond = _fired(r)
            if r.rule.kind == RuleKind.CATEGORY:
                cond = cond & (category == r.rule.effect.category.value).fill_null(False)  # type: ignore[union-attr]
            reason_pairs.append((cond, r.rule.citation))
        citation = first(
            [(c, r.rule.citation) for c, r in outside]
            + [(_fired(r), r.rule.citation) for r in deciders]
            + [(shows_review, None)]
            + reason_pairs,
            none,
        )
        return [expr.alias(name) for name, expr in shared.items()], [
            outcome.alias("outcome"),
            category.alias("category"),
            *(word for name, items in lists.items() for word in _bit_words(name, items)),
            must_visit.alias("must_visit"),
            green.alias("green_channel"),
            deciding.alias("deciding_rule"),
            by_unknown.alias("decided_by_unknown"),
            citation.alias("citation"),
        ]

    def _list_items(
        self, out_of_scope: pl.Expr, counted: pl.Expr
    ) -> dict[str, list[tuple[str, pl.Expr]]]:
        """Each list-valued result column as its items in native order: (label, present?)."""
        rules = [self.rules[r.id] for r in self.in_force]

        def matches(kind: RuleKind, attr: str) -> list[tuple[str, pl.Expr]]:
            return [
                (f"{self.pack.name}:{getattr(r.rule.effect, attr)}", ~out_of_scope & _fired(r))
                for r in rules
                if r.rule.kind == kind
            ]

        typed: dict[str, list[pl.Expr]] = {}
        for r in rules:
            if r.rule.kind in (RuleKind.RISK, RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL):
                for t in r.rule.effect.risk_types:
                    typed.setdefault(t.value, []).append(_fired(r))
        risk = [
            (t, counted & functools.reduce(lambda a, b: a | b, typed[t])) for t in sorted(typed)
        ]
        return {
            "risk_types": risk,
            "key_attention": matches(RuleKind.KEY_ATTENTION, "group"),
            "key_areas": matches(RuleKind.KEY_AREA, "area"),
            "flags": matches(RuleKind.FLAG, "flag"),
        }

    @functools.cached_property
    def list_labels(self) -> dict[str, tuple[str, ...]]:
        """The labels behind the bit columns of :meth:`evaluate` (see :func:`decode_lists`)."""
        items = self._list_items(pl.lit(False), pl.lit(True))
        return {name: tuple(label for label, _ in pairs) for name, pairs in items.items()}

    # -- explanations -------------------------------------------------------------------------
    def native_population(
        self,
        household: Household,
        combined: Mapping[Any, Any],
    ) -> Any:
        """The native ``Population`` of one household, from the batch's combined aggregates."""
        from fangfan_rules.engines.native import Population

        if not self.population_specs:
            return None
        view_h = known_at(household, self.as_of)[0]
        single = col.view_at(col._complete(col.to_tables([household])), self.as_of)
        ctx = VarContext(single, self.as_of, "household", combined)
        values: dict[tuple[str, str], Any] = {}
        figures: list[PopulationFigure] = []
        for spec in self.population_specs:
            impl = get_columnar(spec.name)
            assert impl is not None and impl.population is not None
            slot = _slot(spec.name, spec.kwargs)
            value = impl.compute(ctx, **spec.kwargs)
            frame = ctx.apply(single["households"]).select(value.value.alias("v"))
            got = frame.get_column("v")[0]
            if got is None:
                batch = get_variable(spec.name).batch
                assert batch is not None
                native_values, _ = batch([view_h], self.as_of, **spec.kwargs)
                got = native_values[household.id]
                assert isinstance(got, Missing), (spec.name, got)
            values[(spec.name, population_key(spec.kwargs))] = got
            figures.extend(
                PopulationFigure(**f)
                for f in impl.population.figures(combined[slot], **spec.kwargs)
            )
        return Population(values={household.id: values}, figures=tuple(figures))


def _fired_ids(condition: Condition) -> set[str]:
    from fangfan_rules.rules.conditions import rules_referenced

    return set(rules_referenced(condition))


@functools.lru_cache(maxsize=64)
def _compile_cached(pack: Pack, as_of: date) -> CompiledPack:
    return CompiledPack(pack, as_of)


def compile_pack(pack: Pack, *, as_of: date) -> CompiledPack:
    """Compile ``pack`` (with its parameter overrides) for evaluations on ``as_of``.

    Raises :class:`CompileError` for a rule that cannot be compiled exactly,
    :class:`~fangfan_rules.errors.MissingParameterError` for a rule in force that needs a
    parameter the document does not state, :class:`~fangfan_rules.errors.NotInForceError`
    outside the pack's validity. Compiled packs are cached per (pack object, as_of).
    """
    return _compile_cached(pack, as_of)


# ----------------------------------------------------------------------------------------------
# running a batch


@contextmanager
def progress_steps(enabled: bool, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error counting ``total`` steps (households, packs, values),
    with the elapsed time and an estimate of the time left, when ``enabled``; yields
    ``advance(n)``. rich is imported only when a bar is asked for (``progress=True`` of the batch
    APIs; off by default). Built here, not borrowed from the command line's bar: the engines sit
    below the CLI and import nothing from it.
    """
    if not enabled:
        yield lambda n: None
        return
    from rich import progress as bars
    from rich.console import Console

    with bars.Progress(
        *bars.Progress.get_default_columns(),  # description, bar, percentage, time remaining
        bars.MofNCompleteColumn(),
        bars.TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _to_pandas(
    compiled: CompiledPack, results: pl.DataFrame, errors: pl.DataFrame, reasons: bool = True
) -> pd.DataFrame:
    """compare()'s columns for the valid rows and the error rows, in input order; without
    :data:`REASON_COLUMNS` when ``reasons`` is false (what ``reasons=False`` returns: the two
    columns of None were built only to be dropped)."""
    bad = errors.select(
        "household_id",
        "__hrow",
        pl.lit("error").alias("outcome"),
        pl.col("error"),
    )
    rows = results.get_column("__hrow")
    # Without error rows the results are already in input order (households keep theirs): the
    # sort would gather every column into the same order, and no cell needs blanking.
    clean = not bad.height and not rows.has_nulls() and rows.is_sorted()
    if clean:  # one chunk per column, as the sort left them (pandas reads those faster)
        frame = results.with_columns(pl.lit(None, dtype=pl.String).alias("error"))
    else:
        frame = pl.concat([results, bad], how="diagonal_relaxed").sort(
            "__hrow", nulls_last=True, maintain_order=True
        )
    n = frame.height
    ok = frame.get_column("error").is_null()

    def if_ok(cells: pl.Expr) -> pl.Expr:
        return cells if clean else pl.when(ok).then(cells)

    def values(name: str) -> Any:
        return pandas_column(frame.get_column(name))

    def unless_error(name: str) -> Any:
        series = frame.select(if_ok(pl.col(name))).to_series()
        if (
            n and not series.has_nulls()
        ):  # a Boolean numpy array, as pandas makes of a list of bools
            return series.to_numpy()
        return series.to_list()

    def lists(name: str, labels: tuple[str, ...]) -> Any:
        if not n:  # an empty object column, as ever
            return np.empty(0, dtype=object)
        cells = decode_lists(frame, name, labels)
        return pandas_column(
            cells if clean else pl.select(if_ok(pl.lit(cells)).alias(name)).to_series()
        )

    def repeated(value: Any) -> Any:
        if not n:  # pandas gives an empty list its own dtype: keep it
            return []
        out = np.empty(n, dtype=object)
        out[:] = [value]
        return out

    data = {
        "household_id": masked_ids(frame.get_column("household_id")).to_pandas(),
        "pack": pandas_column(pl.repeat(compiled.pack.name, n, dtype=pl.String, eager=True)),
        "as_of": repeated(compiled.as_of),
        "outcome": values("outcome"),
        "category": values("category"),
        **{name: lists(name, labels) for name, labels in compiled.list_labels.items()},
        "must_visit": unless_error("must_visit"),
        "green_channel": unless_error("green_channel"),
        "deciding_rule": values("deciding_rule"),
        "decided_by_unknown": unless_error("decided_by_unknown"),
        **({"first_reason": repeated(None)} if reasons else {}),
        "citation": values("citation"),
        **({"missing_facts": repeated(None)} if reasons else {}),
        "error": values("error"),
    }
    # The columns' arrays, not pandas Series: a frame built from Series aligns their indexes
    # (a union of ten equal RangeIndexes, and a first-call cost of about 10 ms in pandas).
    arrays = {k: v.array if isinstance(v, pd.Series) else v for k, v in data.items()}
    return pd.DataFrame(arrays, columns=[c for c in COLUMNS if reasons or c not in REASON_COLUMNS])


def pandas_column(series: pl.Series) -> Any:
    """A String (or other) polars column as pandas makes it of the same Python values: the dtype
    pandas infers from the strings, without making a Python string per row; a column of nulls
    only (or no rows) as pandas makes a list of None, an object column."""
    if not series.len():
        return []
    if series.null_count() == series.len():
        out = np.empty(series.len(), dtype=object)
        out[:] = [None]
        return out
    return series.to_pandas()


def masked_ids(ids: pl.Series) -> pl.Series:
    """Household ids as a result shows them: an id that is (or holds) an ID number masked,
    unless revealed (:func:`fangfan_rules.idnumber.reveal_ids`). Only ids that may hold one are
    looked at in Python (:data:`fangfan_rules.idnumber.MAY_HOLD_PATTERN`)."""
    if ids_revealed():
        return ids
    candidates = ids.str.contains(MAY_HOLD_PATTERN).fill_null(False)
    if not candidates.any():
        return ids
    return pl.select(
        pl.when(candidates)
        .then(ids.map_elements(scrub_id_numbers, return_dtype=pl.String))
        .otherwise(ids)
        .alias(ids.name)
    ).to_series()


@dataclass(frozen=True)
class PreparedBatch:
    """A batch converted to tables and validated once, to be evaluated by several packs or
    parameter values (``compare()``, ``sweep()``): :func:`prepare`.

    ``households`` holds the input households when the input was pydantic households (the
    native texts are worded from them); otherwise None.
    """

    tables: dict[str, pl.DataFrame]
    errors: pl.DataFrame
    households: list[Household] | None
    #: Variable frames computed on these tables, when prepared with ``share_variables=True``.
    shared: dict[Any, Any] | None = None
    #: How the batch was validated: ``"full"`` (every check), or ``"verified by marker"`` (a
    #: dataset the library wrote and validated, read by its path, whose files match their
    #: marker: :mod:`~fangfan_rules.engines.columnar_marker`).
    validation: str = marker.FULL
    #: Each input household's latest date per part (:func:`~fangfan_rules.facts.known.latest_by_part`),
    #: by input position, read once for every evaluation that words texts (filled by the first).
    household_dates: list[dict[str, date | None]] = field(
        default_factory=list, compare=False, repr=False
    )
    #: The days whose views of the input households are kept for several evaluations
    #: (:meth:`views_on`; ``prepare(share_views_on=...)``); on another day each evaluation
    #: makes each household's view for its own row and lets it go.
    days_shared: frozenset[date] = frozenset()
    #: The input households as known on one day of :attr:`days_shared` (:meth:`views_on`), by
    #: input position: the day's list, kept until texts are worded for another day.
    household_views: dict[date, list[Household]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: Held while a day's views are made: a second thread evaluating another pack of this batch
    #: on that day waits for the list instead of making it again.
    _making_views: threading.Lock = field(
        default_factory=threading.Lock, init=False, compare=False, repr=False
    )

    def views_on(self, as_of: date) -> list[Household]:
        """Every input household as known on ``as_of`` (:func:`~fangfan_rules.facts.known_lazily.known_lazily`:
        each later list of facts filtered when a pack's rules first read it, then kept for the
        others), by input position; made once per day for the packs of a ``compare()`` on that
        day.

        Why it may be shared: a view is a function of the household and the day only (the
        facts dated after it left out), whatever the pack. One day's list is kept, as long as
        the prepared batch lives (a few hundred bytes a household whose view is a copy, and the
        lists read; a compare() on one date asks for the same day five times), the day before
        let go before the next is made. The list is made by one thread at a time: batches of
        one prepared input in two threads read a whole list, made once (a list read by two
        threads at once may be filtered by both: equal lists, one kept).
        """
        assert self.households is not None, "views are made of the input households"
        with self._making_views:
            return self._views_on(as_of, self.households)

    def _views_on(self, as_of: date, households: list[Household]) -> list[Household]:
        views = self.household_views.get(as_of)
        if views is None:
            self.household_views.clear()  # another day's list is let go first: one list at a time
            dates = self.latest_dates()
            # the views are kept and hold no cycle: with the collector on, each burst of copies
            # made it walk every household of the batch again (more than the copies cost)
            with col.collector_paused():
                pairs = zip(households, dates, strict=True)
                views = [known_lazily(h, as_of, d) for h, d in pairs]
            self.household_views[as_of] = views
        return views

    def latest_dates(self) -> list[dict[str, date | None]]:
        """:attr:`household_dates`, read on first use: from the tables (:func:`_latest_by_part`),
        the households not in them (a duplicated id: an error row) walked one by one."""
        assert self.households is not None, "dates are read from the input households"
        dates = self.household_dates
        if len(dates) != len(self.households):
            found = _latest_by_part(self.tables)
            made = [found.get(i) or latest_by_part(h) for i, h in enumerate(self.households)]
            # made whole, then put in place in one step: a thread reads nothing or every date
            dates[:] = made
        return dates


#: The dated columns of each part of a household's tables that the as-of view compares with
#: as_of: :func:`~fangfan_rules.facts.known.latest_by_part`'s dates of each part, as the tables
#: hold them (a member's dates and its child statuses; a monitoring record's and a clue's dates
#: that are blanked when later). ``household``: its single facts' dates, and the 脱贫 year counted
#: as its 1 January. Proven equal to latest_by_part by ``tests/test_compare_views.py``.
_PART_DATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "members": (
        "members",
        (
            "birth_date",
            "dropout_since",
            "education_aid_since",
            "special_major_disease_since",
            "disability_certificate_date",
        ),
    ),
    "income": ("income", ("end",)),
    "expenditures": ("expenditures", ("date",)),
    "risk_events": ("risk_events", ("date",)),
    "social_assistance": ("social_assistance", ("start", "end")),
    "monitoring": ("monitoring", ("identified_on", *MONITORING_LATER_DATES)),
    "clues": ("clues", ("received_on", *CLUE_LATER_DATES)),
    "renovations": ("renovations", ("included_on",)),
}


def _latest_by_part(tables: Mapping[str, pl.DataFrame]) -> dict[int, dict[str, date | None]]:
    """:func:`~fangfan_rules.facts.known.latest_by_part` of every household of prepared tables,
    by its ``__hrow`` (its input position), computed by polars: a maximum per part and household
    (walking ten thousand households one by one took as long as their conversion to tables)."""
    h = tables["households"]
    lifted = pl.date(pl.col("lifted_year"), 1, 1)
    single = (
        "housing_appraised_on",
        "judgement_decided_on",
        "green_channel_town_confirmed_on",
        "green_channel_village_confirmed_on",
    )
    found = h.select("__hrow", pl.max_horizontal(*single, lifted).alias("household"))
    statuses = tables["child_status"].group_by("__hkey").agg(pl.col("since").max())
    for part, (table, columns) in _PART_DATES.items():
        latest = tables[table].group_by("__hkey").agg(pl.max_horizontal(*columns).max().alias(part))
        if part == "members":
            latest = latest.join(statuses, on="__hkey", how="full", coalesce=True).select(
                "__hkey", pl.max_horizontal(part, "since").alias(part)
            )
        found = found.join(latest.rename({"__hkey": "__hrow"}), on="__hrow", how="left")
    parts = [*_PART_DATES, "household"]  # latest_by_part's order
    rows = found.get_column("__hrow").to_list()
    return dict(zip(rows, found.select(parts).to_dicts(), strict=True))


def prepare(
    data: Any,
    *,
    also_duplicated: pl.Series | None = None,
    share_variables: bool = False,
    share_views_on: Iterable[date] = (),
    validate: str = "auto",
) -> PreparedBatch:
    """Convert and validate a batch once (any input :func:`identify_frame` takes); pass the
    result to :func:`identify_frame` / :class:`VectorizedBatch` instead of the data.

    ``share_variables=True`` keeps the variable columns each evaluation computes, so that the
    variants of one pack that read the same variables with the same arguments (a sweep of a
    figure used only in comparisons) compute them once; it holds those frames in memory as long
    as the prepared batch lives.

    ``share_views_on``: days on which several evaluations word texts (a compare() of several
    packs on one date): the input households as known on such a day are made once for all of
    them (:meth:`PreparedBatch.views_on`, one day's list kept at a time).

    ``validate``: ``"auto"`` (the default) skips the row checks of a Parquet dataset given by
    its path when the library wrote it, validated, and its files still match the marker it
    wrote (:mod:`~fangfan_rules.engines.columnar_marker`); ``"always"`` checks every row
    whatever the files say. Any other input (tables, frames, households) is always validated.
    The result's ``validation`` says which was done.
    """
    marker.check_mode(validate)
    if isinstance(data, PreparedBatch):
        if also_duplicated is not None:
            raise ValueError("also_duplicated is applied when preparing, not to a prepared batch")
        return data
    tables, errors, households, validation = _prepare(data, also_duplicated, validate)
    return PreparedBatch(
        tables,
        errors,
        households,
        {} if share_variables else None,
        validation=validation,
        days_shared=frozenset(share_views_on),
    )


def _read_path(
    path: str | Path, also_duplicated: pl.Series | None, validate: str
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, str]:
    """A dataset read by its path: validated in full, or keyed only when its marker matches
    (``validate="auto"``, and no id known to be duplicated elsewhere)."""
    data, found = col.read_marked_tables(path)
    elsewhere = also_duplicated is not None and bool(also_duplicated.len())
    if found.verified and validate == "auto" and not elsewhere:
        trusted = marker.trusted_tables(data)
        if trusted is not None:
            marker.log.info("%s: %s; row checks skipped", path, marker.BY_MARKER)
            errors = pl.DataFrame(
                schema={"household_id": pl.String, "__hrow": pl.UInt32, "error": pl.String}
            )
            return trusted, errors, marker.BY_MARKER
    if found.verified:
        why = "validate='always'" if validate == "always" else "ids duplicated elsewhere"
        marker.log.info("%s: marker matches, validated in full (%s)", path, why)
    elif "has no marker" not in found.note:
        marker.log.info("%s: marker not used (%s); validated in full", path, found.note)
    tables, errors = col.validate(col.as_tables(data), also_duplicated=also_duplicated)
    return tables, errors, marker.FULL


def _prepare(
    data: Any, also_duplicated: pl.Series | None = None, validate: str = "auto"
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, list[Household] | None, str]:
    """(valid tables, error rows, the input households when the input was pydantic households,
    how it was validated).

    ``also_duplicated``: ids known to appear elsewhere too (another chunk or partition of the
    same dataset): their rows are bad rows as well.
    """
    if isinstance(data, str | Path):
        tables, errors, how = _read_path(data, also_duplicated, validate)
        return tables, errors, None, how
    if (
        isinstance(data, Mapping)
        or isinstance(data, pl.DataFrame | pl.LazyFrame | pd.DataFrame)
        or (hasattr(data, "schema") and hasattr(data, "column"))
    ):
        tables, errors = col.validate(col.as_tables(data), also_duplicated=also_duplicated)
        return tables, errors, None, marker.FULL
    households = list(data)
    if not all(isinstance(h, Household) for h in households):
        raise TypeError(
            "identify_frame takes Household objects, a mapping of tables, one (nested) frame or a path"
        )
    # A household id twice: every copy is a bad row, the rest are answered (as in every engine).
    counts = Counter(h.id for h in households)
    repeated = {hid for hid, n in counts.items() if n > 1}
    if also_duplicated is not None:
        repeated |= set(also_duplicated.to_list()) & set(counts)
    kept = [(i, h) for i, h in enumerate(households) if h.id not in repeated]
    tables = to_tables([h for _, h in kept])
    tables["households"] = tables["households"].with_columns(
        pl.Series("__hrow", [i for i, _ in kept], dtype=pl.UInt32)
    )
    tables = col.household_keys(tables)
    errors = pl.DataFrame(
        [
            (h.id, i, str(FactError(h.id, [("id", h.id, DUPLICATED_HOUSEHOLD)])))
            for i, h in enumerate(households)
            if h.id in repeated
        ],
        schema={"household_id": pl.String, "__hrow": pl.UInt32, "error": pl.String},
        orient="row",
    )
    return tables, errors, households, marker.FULL


class VectorizedBatch:
    """One batch through the vectorized engine: its result frame and native explanations.

    >>> batch = VectorizedBatch(pack, households, as_of=date(2023, 5, 20))  # doctest: +SKIP
    >>> batch.frame.outcome.value_counts()  # doctest: +SKIP
    >>> batch.explain_household("HH00000001").explain("zh")  # doctest: +SKIP
    """

    @engine_boundary("evaluating a batch")
    def __init__(
        self,
        pack: Pack,
        data: Any,
        *,
        as_of: date,
        also_duplicated: pl.Series | None = None,
        reasons: bool = True,
        progress: bool = False,
        validate: str = "auto",
    ):
        self.pack = pack
        self.as_of = as_of
        self.compiled = compile_pack(pack, as_of=as_of)
        prepared = prepare(data, also_duplicated=also_duplicated, validate=validate)
        self.tables, self.errors, given = prepared.tables, prepared.errors, prepared.households
        #: How the input was validated (:attr:`PreparedBatch.validation`).
        self.validation = prepared.validation
        valid = self.tables["households"].height
        # one step for the polars plan, one per household whose reasons are worded
        steps = 1 + (valid if reasons else 0)
        with progress_steps(progress, f"{pack.name} {as_of}", steps) as advance:
            self.population = self._population(prepared.shared)
            # with texts, the plan's variable frames are kept for them (vectorized_texts_leaves)
            shared = {} if reasons and prepared.shared is None else prepared.shared
            results = self.compiled.evaluate(
                self.tables, self.population, shared, rule_values=reasons
            )
            #: The results: :func:`fangfan_rules.analysis.compare`'s columns, one row per
            #: household (without :data:`REASON_COLUMNS` when built with ``reasons=False``).
            self.frame = _to_pandas(self.compiled, results, self.errors, reasons)
            # the ids as given, row by row (the frame masks ids that are ID numbers); made a
            # list of Python strings only when a row is explained (:attr:`_ids`)
            self._id_column = _ids_in_order(results, self.errors)
            advance(1)
            try:
                if reasons:
                    self._fill_reasons(given, results, advance, prepared, shared)
            except FactError:
                if self.validation != marker.BY_MARKER:
                    raise
                refused = True  # files the marker vouched for hold refused facts
            else:
                refused = False
        if refused:  # validated in full: their households are bad rows, never a raise
            marker.log.warning("%s: marker matched, yet facts are refused; validated in full", data)
            VectorizedBatch.__init__(
                self,
                pack,
                data,
                as_of=as_of,
                also_duplicated=also_duplicated,
                reasons=reasons,
                progress=progress,
                validate="always",
            )
            return
        self.frame.attrs["validation"] = self.validation

    @functools.cached_property
    def _ids(self) -> list[str]:
        """The household ids as given, row by row of :attr:`frame`."""
        return self._id_column.to_list()

    def _population(self, shared: dict[Any, Any] | None) -> dict[Any, Any]:
        """The batch's population aggregates (computed once per set of aggregates when shared)."""
        key = ("population", self.as_of, tuple(self.compiled.population_specs))
        if shared is None or key not in shared:
            figures = self.compiled.population_of(self.tables)
            if shared is None:
                return figures
            shared[key] = figures
        cached: dict[Any, Any] = shared[key]
        return cached

    def _fill_reasons(
        self,
        given: list[Household] | None,
        results: pl.DataFrame,
        advance: Callable[[int], None] = lambda n: None,
        prepared: PreparedBatch | None = None,
        shared: dict[Any, Any] | None = None,
    ) -> None:
        """``first_reason`` and ``missing_facts`` of every valid row: the rules the texts need,
        picked from the plan's rule values in ``results``, run over the plan's leaf values
        (the variable frames ``shared`` keeps, :meth:`RowTexts.read_plan
        <fangfan_rules.engines.vectorized_texts.RowTexts.read_plan>`), a native variable computed
        on the household only where a missing fact or a checked value needs it.

        The population figures
        are those the native batch would read (:func:`~fangfan_rules.engines.native.population_for`
        over the valid households, as in ``identify_many``), taken from the plan's aggregate
        columns (:meth:`_native_figures`) rather than computed again. The households as known
        on as_of come from ``prepared`` when it holds the input households and shares that
        day's views (:meth:`PreparedBatch.views_on`: once per day for every pack); otherwise
        each row's view is made for it, only when a rule is run on the row, and let go. The
        plan's rule values are read as one string per row
        (:func:`~fangfan_rules.engines.vectorized_texts.plan_codes`).
        """
        from fangfan_rules.engines.vectorized_texts import RowTexts, plan_codes

        valid = (self.frame["outcome"] != "error").to_numpy()
        if not valid.any():
            return
        rows = [i for i in range(len(valid)) if valid[i]]
        views: Callable[[int], Household] | None = None
        if given is not None:  # rows are the input positions
            households = [given[i] for i in rows]
            if prepared is not None and prepared.households is given:
                views = self._views(prepared)
        else:
            by_id = {h.id: h for h in col.to_households(self.tables)}
            households = [by_id[self._ids[i]] for i in rows]
        texts = RowTexts(self.pack, self.as_of, self.compiled.in_force)
        # the valid rows in the frame's order (by input position): each rule's value, coded
        ordered = results.sort("__hrow", maintain_order=True)
        codes = plan_codes(ordered, [self.compiled.rules[r.id].column for r in texts.rules])
        figures = self._native_figures(ordered, households)
        texts.read_plan(
            self.compiled,
            lambda: self.compiled._variables(self.tables, self.population, shared)[:2],
            ordered.get_column("__hrow"),
            codes,
        )
        first: list[str | None] = [None] * len(valid)
        missing: list[str | None] = [None] * len(valid)
        # the view is made only when a rule is run on the row
        found = texts.fill(
            households,
            codes,
            figures,
            lambda k: None if views is None else functools.partial(views, rows[k]),
            advance,
        )
        for row, text, facts in zip(rows, *found, strict=True):
            first[row], missing[row] = text, facts
        self.frame["first_reason"] = first
        self.frame["missing_facts"] = missing

    def _views(self, prepared: PreparedBatch) -> Callable[[int], Household]:
        """The input household at a position as known on as_of: from the day's shared list
        (:meth:`PreparedBatch.views_on`), or else made for its row from the dates the prepared
        batch keeps (read once for every pack) and let go after it, each later list of facts
        filtered only if the row's rules read it (:func:`~fangfan_rules.facts.known_lazily.known_lazily`)."""
        if self.as_of in prepared.days_shared:
            return prepared.views_on(self.as_of).__getitem__
        given, dates, as_of = prepared.households, prepared.latest_dates(), self.as_of
        assert given is not None
        return lambda i: known_lazily(given[i], as_of, dates[i])

    def _native_figures(
        self, ordered: pl.DataFrame, households: list[Household]
    ) -> Iterable[Mapping[tuple[str, str], Any]]:
        """Each valid household's population-level values as the native evaluator reads them
        (``Population.values[id]`` of :func:`~fangfan_rules.engines.native.population_for` over
        the valid households), row by row.

        From the plan's columns: a known aggregate is the native value itself (as
        :meth:`CompiledPack.native_population` takes it, proven by the explain tests); an unknown
        one is the native variable's ``Missing`` for that household alone (its facts name the
        household's own gap, not the batch's). A population variable read per member (never in
        the packs) falls back to the native computation over the batch.
        """
        from fangfan_rules.engines.native import population_for

        specs = self.compiled.population_specs
        if not specs:
            return itertools.repeat({}, len(households))
        if any(s.level != "household" for s in specs):
            native = population_for(self.pack, households, as_of=self.as_of).values
            return (native.get(h.id, {}) for h in households)
        keys = [(s.name, population_key(s.kwargs)) for s in specs]
        columns = ordered.select(s.column for s in specs).iter_rows()

        def native_values(household: Household, taken: tuple[Any, ...]) -> dict[Any, Any]:
            out = {}
            for spec, key, got in zip(specs, keys, taken, strict=True):
                if got is None:
                    batch = get_variable(spec.name).batch
                    assert batch is not None  # a population variable has one
                    view = known_at(household, self.as_of)[0]
                    got = batch([view], self.as_of, **spec.kwargs)[0][household.id]
                    assert isinstance(got, Missing), (spec.name, got)
                out[key] = got
            return out

        return (native_values(h, taken) for h, taken in zip(households, columns, strict=True))

    @engine_boundary("explaining a household of a batch")
    def explain_household(self, household_id: str) -> Identification:
        """The native evaluator's full answer for one household of the batch (same population)."""
        from fangfan_rules.engines.native import identify

        found = col.to_households(self.tables, ids=[household_id])
        if not found:
            bad = self.errors.filter(pl.col("household_id") == household_id)
            if bad.height:
                raise FactError(
                    household_id, [("<household>", NO_VALUE, bad.get_column("error")[0])]
                )
            raise KeyError(f"no household {household_id!r} in the batch")
        household = found[0]
        population = self.compiled.native_population(household, self.population)
        return identify(self.pack, household, as_of=self.as_of, population=population)

    def explain(self, row: Any) -> Identification:
        """Explain a row of :attr:`frame` (a row, a mapping with ``household_id``, or a position).

        A position or a row of :attr:`frame` finds its household even when the frame shows its
        id masked (an id that is an ID number).
        """
        if isinstance(row, int):
            return self.explain_household(self._ids[row])
        position = getattr(row, "name", None)
        if isinstance(position, int) and 0 <= position < len(self._ids):
            return self.explain_household(self._ids[position])
        return self.explain_household(str(row["household_id"]))


def _ids_in_order(results: pl.DataFrame, errors: pl.DataFrame) -> pl.Series:
    """The household ids of :func:`_to_pandas`'s rows, as given."""
    frame = pl.concat(
        [results.select("household_id", "__hrow"), errors.select("household_id", "__hrow")],
        how="vertical_relaxed",
    ).sort("__hrow", nulls_last=True, maintain_order=True)
    return frame.get_column("household_id")


def identify_frame(
    pack: Pack,
    households_or_tables: Any,
    *,
    as_of: date,
    reasons: bool = True,
    progress: bool = False,
    validate: str = "auto",
) -> pd.DataFrame:
    """Evaluate a batch with the vectorized engine; the columns of ``compare()``.

    ``households_or_tables``: an iterable of :class:`~fangfan_rules.facts.Household`, a mapping
    ``{table: frame}`` (the columnar layout), one nested frame (polars, pandas or Arrow), or a
    path (a directory of ``<table>.parquet`` / ``.csv`` files, or a nested Parquet file). Rows are
    in input order; a household that fails validation has ``outcome="error"`` and the reason.
    Every column equals the native engine's. ``first_reason`` and ``missing_facts`` are worded
    from the native closures of the few rules they need, picked by the plan's rule values
    (:mod:`fangfan_rules.engines.vectorized_texts`, a pass per household); ``reasons=False``
    leaves those two columns out of the frame (absent, not empty) for counts over large batches.
    ``progress=True`` shows a progress bar with a time estimate on standard error.
    ``validate``: ``"auto"`` (default) or ``"always"``, see :func:`prepare`; the frame's
    ``attrs["validation"]`` says whether the input was validated in ``"full"`` or its row checks
    were skipped, ``"verified by marker"`` (a Parquet dataset the library wrote and validated).
    """
    return VectorizedBatch(
        pack,
        households_or_tables,
        as_of=as_of,
        reasons=reasons,
        progress=progress,
        validate=validate,
    ).frame


@engine_boundary("evaluating a batch")
def identify(
    pack: Pack, households: Any, *, as_of: date, engine: str = "vectorized"
) -> pd.DataFrame:
    """The compare() columns for a batch through ``engine``: "vectorized" or "native".

    The native engine takes the same inputs: tables and paths are validated as the vectorized
    engine validates them, the valid households are evaluated natively, and the bad ones are
    error rows in their places (the same rows as the vectorized engine's).
    """
    if engine == "vectorized":
        return identify_frame(pack, households, as_of=as_of)
    if engine == "native":
        from fangfan_rules.engines.native import identify_many
        from fangfan_rules.result_rows import results_frame

        is_tables = isinstance(households, str | Path | Mapping | pl.DataFrame | pd.DataFrame)
        if not is_tables and isinstance(households, Iterable):
            return results_frame(identify_many(pack, list(households), as_of=as_of))
        tables, errors, _, _ = _prepare(households)
        answered = results_frame(identify_many(pack, col.to_households(tables), as_of=as_of))
        bad = pd.DataFrame(
            {
                **dict.fromkeys(COLUMNS),
                "household_id": masked_ids(errors.get_column("household_id")).to_list(),
                "pack": pack.name,
                "as_of": as_of,
                "outcome": "error",
                "error": errors.get_column("error").to_list(),
            },
            columns=list(COLUMNS),
        )
        rows = tables["households"].get_column("__hrow").to_list()
        order = pd.Series(rows + errors.get_column("__hrow").to_list(), dtype="Float64")
        both = pd.concat([answered, bad], ignore_index=True)
        return both.iloc[order.sort_values(kind="stable", na_position="last").index].reset_index(
            drop=True
        )
    raise ValueError(f"engine must be 'vectorized' or 'native', not {engine!r}")


# ----------------------------------------------------------------------------------------------
# streaming (fangfan_rules.engines.streaming)


def identify_parquet(
    pack: Pack,
    path: Path | str,
    *,
    as_of: date,
    batch_size: int = 50_000,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Stream a Parquet (or CSV) dataset through the vectorized engine, one frame per chunk:
    :func:`fangfan_rules.engines.streaming.identify_parquet` (documented there)."""
    from fangfan_rules.engines import streaming

    return streaming.identify_parquet(
        pack, path, as_of=as_of, batch_size=batch_size, progress=progress
    )


def explain_parquet(
    pack: Pack, path: Path | str, household_id: str, *, as_of: date
) -> Identification:
    """The native explanation of one household of a dataset:
    :func:`fangfan_rules.engines.streaming.explain_parquet`."""
    from fangfan_rules.engines import streaming

    return streaming.explain_parquet(pack, path, household_id, as_of=as_of)


def explain_household(pack: Pack, data: Any, household_id: str, *, as_of: date) -> Identification:
    """Shortcut: ``VectorizedBatch(pack, data, as_of=as_of).explain_household(household_id)``."""
    return VectorizedBatch(pack, data, as_of=as_of).explain_household(household_id)


__all__ = [
    "COLUMNS",
    "EXACT_COLUMNS",
    "REASON_COLUMNS",
    "ColumnarOverflowError",
    "CompileError",
    "CompiledPack",
    "PreparedBatch",
    "VectorizedBatch",
    "compile_pack",
    "explain_household",
    "explain_parquet",
    "identify",
    "identify_frame",
    "identify_parquet",
    "prepare",
    "progress_steps",
    "to_tables",
    "write_parquet",
]
