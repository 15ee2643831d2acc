"""A record's facts drawn as a few packed hypothesis choices (the machinery of
:mod:`fangfan_rules.strategies`: its strategies build on it, users do not).

Hypothesis spends most of a household's generation time on per-choice bookkeeping (a span and a
node per choice, replayed by its engine's mutations), so each record (a member, an income
record, a spending…) draws its small facts — flags, enums, which branch a value takes (unknown,
on an edge, anywhere), which edge — as digits of one or two integers, and draws a further
choice only for a value that needs its whole range (a day anywhere in a window).

Uniform digits: hypothesis draws an integer below 256 uniformly, but (6.1xx and later) a wider
range mostly towards small values, so the leading digits of a wide integer are mostly their
first value. The digits that decide what a record reaches (branches, edges, whether a list goes
on) are packed into the low byte of each integer, drawn uniformly; *loose* digits (names,
villages, sequence numbers: variety rather than edges) fill up to 16 bits above it, where the
leading digits are mostly their first value. Shrinking the integer towards 0 moves every digit
towards its option's first value, so each option lists the simplest value first (unknown,
absent, the first edge).

Lists (:class:`Many`) draw each element in a span of its own, its "one more?" flag a digit of
its first choice, so shrinking still deletes whole elements. Labels matter to hypothesis's
engine, which mutates a test case by copying one span over another of the same label: chunks
are drawn as ``sampled_from(range(n))`` (labelled by their size) and list elements are labelled
by their kind, so copies are of like records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from math import prod
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = [
    "ANY",
    "Day",
    "Digits",
    "Drawn",
    "Field",
    "Maybe",
    "Of",
    "Record",
    "Share",
    "gate",
    "integers",
]

#: Tight digits are packed below this bound (hypothesis draws below 256 uniformly), loose ones
#: (where uniform odds do not matter) in up to _LOOSE values above them; an integer below 2**24
#: is drawn without the size weighting older hypothesis versions apply to wider ones.
_TIGHT = 256
_LOOSE = 65536
#: ``Share``'s scale: a fraction n / _SCALE of an amount in fen (10**11 fen fits).
_SCALE = 10**12


class _Marker:
    """A digit's value that is not a fact (``ANY``: drawn afterwards over its whole range)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ANY = _Marker("ANY")
_EDGE = _Marker("EDGE")
_PRESENT = _Marker("PRESENT")


@lru_cache(maxsize=8192)
def integers(lo: int, hi: int) -> SearchStrategy[int]:
    """``st.integers(lo, hi)`` built once per range (building one per draw is what is slow)."""
    return st.integers(lo, hi)


class Field:
    """A fact of a record: its digits (``options``, one value each) and how they decode
    (``value``, which may draw more). ``loose`` digits go to the high byte (see the module)."""

    __slots__ = ("loose", "options")

    def __init__(self, options: Sequence[Sequence[Any]] = (), *, loose: bool = False) -> None:
        self.options = tuple(tuple(o) for o in options)
        self.loose = loose
        if not all(self.options):
            raise ValueError("a record's option needs at least one value")

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> Any:
        return digits[0]


class Digits(Field):
    """Several digits, as a tuple of their values."""

    __slots__ = ()

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(digits)


class Of(Field):
    """One of ``values`` (the first is what shrinking goes to)."""

    __slots__ = ()

    def __init__(self, values: Sequence[Any], *, loose: bool = False) -> None:
        super().__init__((values,), loose=loose)


class Drawn(Field):
    """A value from a strategy (a caller's knob): its own choices, no digit."""

    __slots__ = ("strategy",)

    def __init__(self, strategy: SearchStrategy[Any]) -> None:
        super().__init__(())
        self.strategy = strategy

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> Any:
        return draw(self.strategy)


def of(value: Any, *, loose: bool = False) -> Field:
    """A fixed value, a strategy's value, or one of a tuple of values."""
    if isinstance(value, SearchStrategy):
        return Drawn(value)
    if isinstance(value, tuple):
        return Of(value, loose=loose)
    return Of((value,))


class Day(Field):
    """A day in one of ``spans`` (each as likely), on one of its ``edges`` or anywhere in it
    (as likely), or unknown (``None``, as likely again) with ``unknown=True``; ``loose`` when
    no edge of a pack is among its edges."""

    __slots__ = ("alone_record", "spans")

    def __init__(
        self,
        spans: Sequence[tuple[date, date]],
        edges: Sequence[date] = (),
        *,
        unknown: bool = False,
        loose: bool = False,
    ) -> None:
        self.alone_record: Record | None = None
        self.spans: list[tuple[date, tuple[date, ...], SearchStrategy[int]]] = []
        for lo, hi in spans:
            if lo > hi:
                raise ValueError(f"dates(): {lo} is after {hi}")
            inside = tuple(sorted({d for d in (*edges, lo, hi) if lo <= d <= hi}))
            self.spans.append((lo, inside, integers(0, (hi - lo).days)))
        width = max(len(inside) for _, inside, _ in self.spans)
        kinds = (None, _EDGE, ANY) if unknown else (_EDGE, ANY)
        super().__init__((range(len(self.spans)), kinds, range(width)), loose=loose)

    def alone(self, draw: st.DrawFn) -> date | None:
        """The day drawn on its own (a record of this field alone): for a day a record needs
        only sometimes, so the record's choices do not carry its digits."""
        if self.alone_record is None:
            self.alone_record = Record(self)
        record = self.alone_record
        return record.field(draw, record.digits(draw) or [], 0)

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> date | None:
        span, kind, edge = digits
        if kind is None:
            return None
        lo, inside, days = self.spans[span]
        if kind is _EDGE:
            return inside[edge % len(inside)]
        return lo + timedelta(days=draw(days))


class Share(Field):
    """A share of an amount in ``0..n`` fen: none, all (each a quarter of the time) or any
    (``n * share // SCALE``); the caller scales it, so one digit serves every amount."""

    __slots__ = ()
    SCALE = _SCALE
    _ANY_S = st.integers(0, _SCALE)

    def __init__(self, *, loose: bool = False) -> None:
        super().__init__(((0, ANY, _SCALE, ANY),), loose=loose)

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> int:
        return draw(self._ANY_S) if digits[0] is ANY else digits[0]


def scaled(n: int, share: int) -> int:
    """``share`` (from :class:`Share`) of ``n``."""
    return n * share // _SCALE


class Maybe(Field):
    """Absent (``None``, first: shrinking drops it) or ``fields``' values as a list, as often."""

    __slots__ = ("counts", "fields")

    def __init__(self, *fields: Field) -> None:
        self.fields = fields
        self.counts = [len(f.options) for f in fields]
        super().__init__(((None, _PRESENT),))

    def value(self, draw: st.DrawFn, digits: Sequence[Any]) -> list[Any] | None:
        if digits[0] is None:
            return None
        return _decode(draw, self.fields, self.counts, digits[1:])


def _flatten(fields: Sequence[Field]) -> list[tuple[tuple[Any, ...], bool]]:
    out: list[tuple[tuple[Any, ...], bool]] = []
    for f in fields:
        out.extend((o, f.loose) for o in f.options)
        if isinstance(f, Maybe):
            out.extend(_flatten(f.fields))
    return out


def _width(f: Field) -> int:
    return len(f.options) + (sum(_width(g) for g in f.fields) if isinstance(f, Maybe) else 0)


def _decode(
    draw: st.DrawFn, fields: Sequence[Field], counts: Sequence[int], digits: Sequence[Any]
) -> list[Any]:
    values: list[Any] = []
    at = 0
    for f, n in zip(fields, counts, strict=True):
        width = n + (sum(_width(g) for g in f.fields) if isinstance(f, Maybe) else 0)
        values.append(f.value(draw, digits[at : at + width]))
        at += width
    return values


def _bytes(options: list[tuple[int, int]], cap: int) -> list[list[tuple[int, int]]]:
    """(position, size) options packed into groups of product <= cap, first fit by decreasing
    size (few groups: each is a choice); the first option stays in the first group (a gate).
    An option of more values than ``cap`` is a group of its own."""
    groups: list[list[tuple[int, int]]] = []
    sizes: list[int] = []
    rest = sorted(options[1:], key=lambda o: -o[1])
    for position, n in options[:1] + rest:
        for k, size in enumerate(sizes):
            if size * n <= cap:
                groups[k].append((position, n))
                sizes[k] *= n
                break
        else:
            groups.append([(position, n)])
            sizes.append(n)
    # digits in the order their fields are listed (the first most significant)
    return [sorted(group) for group in groups]


class _Chunk:
    """One integer choice: loose digits (high) and a uniform byte (low), in mixed radix."""

    __slots__ = ("number_s", "positions", "sizes", "values")

    def __init__(self, options: Sequence[tuple[int, tuple[Any, ...]]]) -> None:
        # least significant first, so the low byte's digits are read first
        self.positions = [p for p, _ in reversed(options)]
        self.values = [v for _, v in reversed(options)]
        self.sizes = [len(v) for v in self.values]
        total = prod(self.sizes)
        # sampled_from(range(n)) draws the same integer as st.integers(0, n - 1), but its label
        # tells chunks of different sizes apart: hypothesis's engine mutates a test case by
        # copying a span over another of the same label, which should be a like record
        self.number_s = st.sampled_from(range(total)) if total > 1 else None

    def __call__(self, draw: st.DrawFn, digits: list[Any]) -> None:
        n = draw(self.number_s) if self.number_s is not None else 0
        for position, values, size in zip(self.positions, self.values, self.sizes, strict=True):
            n, index = divmod(n, size)
            digits[position] = values[index]


class Record:
    """A record's ``fields`` drawn as a few integer choices, then decoded (values that need
    their whole range drawn after). ``gate=True``: the first field is a flag in the first
    choice, and when it is false nothing more is drawn (``None``): a list's "one more?"."""

    __slots__ = ("chunks", "counts", "fields", "gated", "size", "spans")

    def __init__(self, *fields: Field, gated: bool = False) -> None:
        self.fields = fields
        self.counts = [len(f.options) for f in fields]
        self.gated = gated
        self.spans: list[tuple[int, int]] = []
        at = 0
        for f in fields:
            self.spans.append((at, at + _width(f)))
            at += _width(f)
        flat = _flatten(fields)
        self.size = len(flat)
        tight = _bytes([(p, len(o)) for p, (o, loose) in enumerate(flat) if not loose], _TIGHT)
        loose = _bytes([(p, len(o)) for p, (o, loose) in enumerate(flat) if loose], _LOOSE)
        self.chunks: list[_Chunk] = []
        for k in range(max(len(tight), len(loose))):
            high = loose[k] if k < len(loose) else []
            low = tight[k] if k < len(tight) else []
            self.chunks.append(_Chunk([(p, flat[p][0]) for p, _ in (*high, *low)]))
        if gated and (not tight or tight[0][0][0] != 0):
            raise ValueError("a gated record's first field must be a tight digit")

    def digits(self, draw: st.DrawFn) -> list[Any] | None:
        """The record's digits (``None`` for a gated record whose gate is false); decode a
        field with :meth:`field` only when it is needed, so nothing more is drawn for it."""
        digits: list[Any] = [None] * self.size
        chunks = iter(self.chunks)
        if self.gated:
            next(chunks)(draw, digits)
            if not digits[0]:
                return None
        for chunk in chunks:
            chunk(draw, digits)
        return digits

    def field(self, draw: st.DrawFn, digits: Sequence[Any], k: int) -> Any:
        """Field ``k``'s value from the record's ``digits`` (drawing what it needs)."""
        start, end = self.spans[k]
        return self.fields[k].value(draw, digits[start:end])

    def __call__(self, draw: st.DrawFn) -> list[Any] | None:
        digits = self.digits(draw)
        if digits is None:
            return None
        return _decode(draw, self.fields, self.counts, digits)


def gate(min_size: int, max_size: int) -> tuple[bool, ...]:
    """The "one more?" digit of a list element, as likely as st.lists' own (its average size
    ``min(max(2 min, min + 5), (min + max) / 2)``): stop first, so shrinking ends the list."""
    average = min(max(min_size * 2, min_size + 5), (min_size + max_size) / 2)
    more = average / (1 + average)  # st.lists' chance of one more element
    best = min(
        ((d, n) for d in range(1, 6) for n in range(0, 6) if n + d <= 6),
        key=lambda t: abs(t[1] / (t[0] + t[1]) - more),
    )
    return (False,) * best[0] + (True,) * best[1]


class _Named:
    """A record's draw whose repr is its kind: hypothesis labels a composite by its function's
    code and default arguments, so list elements of one kind (members, events…) share a label
    and those of different kinds do not, the same in every run."""

    __slots__ = ("kind", "one")

    def __init__(self, kind: str, one: Callable[[st.DrawFn], Any]) -> None:
        self.kind, self.one = kind, one

    def __call__(self, draw: st.DrawFn) -> Any:
        return self.one(draw)

    def __repr__(self) -> str:
        return f"record:{self.kind}"


class Many:
    """A list of records, each drawn in a span of its own (so shrinking deletes one whole) with
    its "one more?" flag in its first choice: st.lists' flag without a choice of its own.
    ``make(gate)`` makes an element's draw (``None`` when its gate is false); ``first``, when
    given, makes the first element's. ``kind`` names the elements (their span label)."""

    __slots__ = ("max_size", "min_size", "strategies")
    strategies: dict[tuple[bool, bool], SearchStrategy[Any]]

    def __init__(
        self,
        kind: str,
        make: Callable[[tuple[bool, ...]], Callable[[st.DrawFn], Any]],
        min_size: int,
        max_size: int,
        *,
        first: Callable[[tuple[bool, ...]], Callable[[st.DrawFn], Any]] | None = None,
    ) -> None:
        self.min_size, self.max_size = min_size, max_size
        more = gate(min_size, max_size)
        self.strategies = {}
        for is_first, maker in ((False, make), (True, first or make)):
            for must in (False, True):
                one = _Named(kind, maker((True,) if must else more))
                self.strategies[is_first, must] = st.composite(lambda draw, one=one: one(draw))()

    def __call__(self, draw: st.DrawFn) -> list[Any]:
        out: list[Any] = []
        while len(out) < self.max_size:
            item = draw(self.strategies[not out, len(out) < self.min_size])
            if item is None:
                break
            out.append(item)
        return out
