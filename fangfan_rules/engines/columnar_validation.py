"""Validation of the columnar layout: the fact models' constraints, checked column by column.

:func:`validate` types every column of every table, then checks the same constraints as the
pydantic fact models (enum values, required facts, money range and sign, date order, overlapping
income periods, unique ids, GB 11643 ID numbers…). A bad row makes its household an error row;
every other household goes on.

Why it is built this way: a batch is almost always clean, so the checks are written as boolean
expressions (:class:`_Checks`) and all the checks of one frame are evaluated together in a
single pass. Only the rare rows that fail some check are examined check by check to write the
messages, and only for them is the row's position in its household (``income[2].end``)
computed. Validating 100,000 households this way costs one pass per table instead of one per
check.

Chunks: a frame concatenated from parts (two exports of a child table, Arrow record batches, a
parallel CSV read) keeps its parts as chunks; after ``with_row_index`` (one chunk) and a filter
that empties a part, its string columns carry empty and misaligned chunks, and polars 2.1's
``pl.format`` (which writes the messages' paths, ``members[m1].relation``) panics on them
(``assertion failed: i < self.len()``, pola-rs/polars#25339). A sort rechunks, which is why the
same table sorted by household never failed: the row order was never the cause, the chunk layout
was. The failing rows are rechunked before their messages are written. The input is copied
into one chunk only when its chunks are many and small (:func:`_few_chunks`): then every
operation would pay per chunk; a few large chunks are kept (a copy of a million households is a
gigabyte).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from fangfan_rules.engines.columnar_layout import (
    CHILDREN,
    DEFAULTS,
    ENUMS,
    I64,
    LINE_ERROR,
    LS,
    MAX_FEN,
    NON_NEGATIVE_MONEY,
    REQUIRED,
    SCHEMAS,
    TABLES,
    B,
    D,
    HouseholdRuns,
    S,
    as_polars,
    household_keys,
    household_runs,
)
from fangfan_rules.engines.guard import engine_boundary
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD, NO_VALUE, FactError
from fangfan_rules.facts.forms import (
    _ID_FORBIDDEN,
    _TEXT_FORBIDDEN,
    ASCII_BLANKS,
    DATE_PATTERN,
    ID_FORBIDDEN_RUST,
    TEXT_FORBIDDEN_RUST,
    WHOLE_NUMBER_PATTERN,
)
from fangfan_rules.idnumber import mask_id_number, validate_id_number

#: The version of the checks: a Parquet marker (:mod:`~fangfan_rules.engines.columnar_marker`)
#: written under another version is not used. Raise it whenever a check is added or changed.
VALIDATION_VERSION = 1

#: Id columns (household and member ids, area names) and free-text columns of each table.
IDS: dict[str, tuple[str, ...]] = {
    t: ("household_id",)
    + (("county", "town", "village") if t == "households" else ())
    + (("member_id",) if t in ("members", "child_status") else ())
    for t in TABLES
}
FREE_TEXT: dict[str, tuple[str, ...]] = {
    t: tuple(
        c
        for c, dtype in SCHEMAS[t].items()
        if (dtype == S or dtype == LS)
        and c not in IDS[t]
        and c not in ENUMS.get(t, {})
        and c != "id_number"
    )
    for t in TABLES
}
_PROBLEM_SCHEMA = {"household_id": S, "__hrow": pl.UInt32(), "path": S, "value": S, "message": S}
_ERROR_SCHEMA = {"household_id": S, "__hrow": pl.UInt32(), "error": S}
#: Tables whose rows are addressed by position in messages (``income[2].end``).
_POSITIONAL = frozenset(TABLES) - {"households", "members", "child_status"}


#: One pass per id column: a forbidden character anywhere, or a blank at either end.
_ID_BAD = ID_FORBIDDEN_RUST + r"|^\s|\s$"
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
#: The documented forms of a cell (:mod:`fangfan_rules.facts.forms`), as the messages say them.
_EXPECTED = {
    D: "expected a date as YYYY-MM-DD",
    B: "expected true or false",
    I64: "expected a whole number (ASCII digits)",
    pl.Int32(): "expected a whole number (ASCII digits)",
    S: "expected text",
}


def _shown(schema: pl.Schema, column: str) -> pl.Expr:
    """A cell as an error shows it: a list as ``[a, null, b]`` (its items as text)."""
    if isinstance(schema[column], pl.List):
        items = pl.col(column).list.eval(pl.element().cast(S, strict=False).fill_null("null"))
        return pl.concat_str(pl.lit("["), items.list.join(", "), pl.lit("]"))
    return pl.col(column)


def _clean_lists(t: str, frame: pl.DataFrame) -> set[str]:
    """The list columns of a frame (already lists of text) with no null item and no item with
    an ASCII blank at either end: :func:`_cast` would strip nothing and flag no row of them.

    Why: the per-row reading of list items (a stripped copy of every item, and a count of each
    row's items with and without nulls) cost 150 ms at 100,000 households, ten times the rest
    of the row checks; the items of a whole column are read here at once (Arrow's flattened
    child values, a view: a null item is a null value there, an empty or null list holds none).
    A column with any such item takes the per-row path, which words its messages as before.
    """
    clean = set()
    for c, dtype in SCHEMAS[t].items():
        if dtype != LS or frame.schema.get(c) != LS:
            continue
        array = frame.get_column(c).to_arrow(compat_level=pl.CompatLevel.oldest())
        flat = array.flatten()
        if flat.null_count:
            continue
        if _surely_clean(_utf8_arrow(flat), _BLANK_ENDS):  # the bytes, as for ids
            clean.add(c)
            continue
        items = pl.Series(flat) if len(flat) else pl.Series([], dtype=S)
        if not items.str.contains(f"^[{ASCII_BLANKS}]|[{ASCII_BLANKS}]$").any():
            clean.add(c)
    return clean


def _cast(
    schema: pl.Schema, table: str, column: str, clean: bool = False
) -> tuple[pl.Expr, pl.Expr | None, str]:
    """The column (of a frame with ``schema``) cast to its layout dtype, a flag of values that
    are not in a documented form (None if every value is), and the message for them.

    The forms are those of the fact models (:mod:`fangfan_rules.facts.forms`): text cells are
    read strictly (``2023-01-01``, ``true`` / ``false``, ASCII digits), and a typed column
    converts only without loss or reinterpretation (no float, decimal or boolean as a whole
    number, no number as a boolean or text, no datetime as a date).
    """
    target = SCHEMAS[table][column]
    source = schema[column]
    col = pl.col(column)
    money = column.endswith("_fen")
    expected = (
        "expected a whole number of fen (ASCII digits)" if money else _EXPECTED.get(target, "")
    )
    if clean and source == target:  # no item to strip nor to refuse (see _clean_lists)
        return col, None, expected
    if isinstance(target, pl.List) and source not in (S, pl.Null):
        # A list column: its items read as the facts read each (ASCII blanks around an item
        # ignored); a null item is no value of the list (the facts refuse it: a bad row).
        cast = col if source == target else col.cast(target, strict=False)
        items = cast.list.eval(pl.element().str.strip_chars(ASCII_BLANKS))
        no_item = cast.list.len() != cast.list.drop_nulls().list.len()
        failed = col.is_not_null() & (cast.is_null() | no_item)
        return items, failed, "expected a list of text, without an empty (null) item"
    if source == target:
        return col, None, expected
    if source == pl.Null:
        return col.cast(target), None, expected
    if money and source in (pl.Float32, pl.Float64):
        raise FactError(
            None,
            [
                (
                    f"{table}.{column}",
                    str(source),
                    "money must be integer fen (Int64), never a float; a float column cannot be"
                    " read exactly to the fen (pandas makes an integer column with a missing"
                    " value float64: give it as pandas 'Int64' or Arrow dtypes, e.g."
                    " polars' to_pandas(use_pyarrow_extension_array=True))",
                )
            ],
        )
    if isinstance(target, pl.List):  # text "a;b" (a null or empty cell: no item)
        cast = (
            pl.when(col.is_null() | (col == ""))
            .then(pl.lit([], dtype=LS))
            .otherwise(col.str.split(";").list.eval(pl.element().str.strip_chars(ASCII_BLANKS)))
        )
        return cast, None, expected
    text = col.str.strip_chars(ASCII_BLANKS) if source == S else None
    if text is not None and target == D:
        cast = (
            pl.when(text.str.contains(DATE_PATTERN))
            .then(text.str.strptime(D, "%Y-%m-%d", strict=False))
            .otherwise(None)
        )
    elif text is not None and target == B:
        cast = pl.when(text == "true").then(True).when(text == "false").then(False).cast(B)
    elif text is not None and target in (I64, pl.Int32()):
        form = text.str.contains(WHOLE_NUMBER_PATTERN)
        if money:  # negative zero is no amount (as in fangfan_rules.money)
            form = form & ~text.str.contains(r"^-0+$")
        cast = pl.when(form).then(text.cast(target, strict=False)).otherwise(None)
    elif target in (I64, pl.Int32()) and source in _INTEGERS:
        cast = col.cast(target, strict=False)  # out of range: null, flagged
    elif target == D and source == pl.Date:  # pragma: no cover - equal dtypes returned above
        cast = col
    else:
        # a float or decimal as a whole number, a number as a boolean or as text, a datetime as
        # a date...: not a documented form, whatever the value
        if isinstance(source, pl.Datetime) and target == D:
            expected = "expected a date (YYYY-MM-DD), not a datetime"
        else:
            expected = f"{expected or 'expected ' + str(target)}, not a {source} value"
        return pl.lit(None, dtype=target), col.is_not_null(), expected
    return cast, col.is_not_null() & cast.is_null(), expected


def _safe_bytes(forbidden: tuple[tuple[int, int], ...]) -> np.ndarray:
    """256 flags: whether a byte of UTF-8 text can belong to no character of ``forbidden``.

    An ASCII byte is its character; a continuation byte (0x80–0xBF) says nothing alone (its
    lead byte decides); a lead byte is safe when no forbidden character lies in the range of
    code points it can begin; bytes that never occur in UTF-8 are unsafe. Surrogates are left
    out, as the Rust classes leave them (a polars string cannot hold one).
    """
    ranges = [(lo, hi) for lo, hi in forbidden if not 0xD800 <= lo <= 0xDFFF]
    safe = np.zeros(256, dtype=np.bool_)
    for b in range(256):
        if 0x80 <= b < 0xC0:
            safe[b] = True
            continue
        if b < 0x80:
            lo, hi = b, b
        elif 0xC2 <= b < 0xE0:
            lo = (b & 0x1F) << 6
            hi = lo | 0x3F
        elif 0xE0 <= b < 0xF0:  # 0xE0 begins U+0800 at least (shorter forms are invalid)
            lo = max((b & 0x0F) << 12, 0x800)
            hi = ((b & 0x0F) << 12) | 0xFFF
        elif 0xF0 <= b < 0xF5:  # 0xF0 begins U+10000 at least
            lo = max((b & 0x07) << 18, 0x10000)
            hi = ((b & 0x07) << 18) | 0x3FFFF
        else:  # 0xC0, 0xC1, 0xF5–0xFF: never in UTF-8
            continue
        safe[b] = not any(a <= hi and lo <= z for a, z in ranges)
    return safe


#: Unicode White_Space (the Rust regex's ``\s``), with Python's ``str.isspace`` for good measure.
_WHITE_SPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
) | frozenset(chr(c) for c in range(0x3001) if chr(c).isspace())


@dataclass(frozen=True)
class _ByteTest:
    """A text test answered from the bytes of a column's values: no byte outside ``safe`` (no
    forbidden character) and no value beginning or ending with one of ``ends`` (the blanks
    made of safe bytes only: a blank with an unsafe byte is caught by the first test)."""

    safe: np.ndarray
    ends: tuple[bytes, ...]

    @classmethod
    def of(cls, forbidden: tuple[tuple[int, int], ...], blanks: frozenset[str]) -> _ByteTest:
        safe = _safe_bytes(forbidden)
        ends = tuple(
            sorted(
                e
                for e in (b.encode() for b in blanks)
                if all(safe[x] for x in e)  # bytes of bytes are ints
            )
        )
        return cls(safe, ends)


#: Ids: no forbidden character, no Unicode blank at either end (``_ID_BAD``).
_ID_BYTES = _ByteTest.of(_ID_FORBIDDEN, _WHITE_SPACE)
#: Free text (and list items): no forbidden character, no ASCII blank at either end.
_TEXT_BYTES = _ByteTest.of(_TEXT_FORBIDDEN, frozenset(ASCII_BLANKS))
#: List items: no ASCII blank at either end (any character: :func:`_clean_lists`).
_BLANK_ENDS = _ByteTest.of((), frozenset(ASCII_BLANKS))


def _utf8(values: pl.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The values' (offsets, bytes) as Arrow lays them out (the bytes of value i are
    ``bytes[offsets[i]:offsets[i + 1]]``, relative to ``offsets[0]``), or None if the column
    cannot be read that way."""
    return _utf8_arrow(values.to_arrow(compat_level=pl.CompatLevel.oldest()))


def _utf8_arrow(array: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, bytes) of an Arrow large-string array (see :func:`_utf8`); None for another."""
    import pyarrow as pa  # loaded with polars' Arrow export anyway

    if not isinstance(array, pa.LargeStringArray):
        return None
    n = len(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + n + 1]
    data_buffer = array.buffers()[2]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(0, dtype=np.uint8)
    )
    first = int(offsets[0]) if n else 0
    last = int(offsets[-1]) if n else 0
    return offsets - first, data[first:last]


def _surely_clean(layout: tuple[np.ndarray, np.ndarray] | None, test: _ByteTest) -> bool:
    """Whether the bytes show that no value fails ``test`` (False: not shown, the caller runs
    its regex, which words the answer as ever).

    Why: a regex per value over a column of ids cost 6 ms per 100,000 values (a unique() first,
    as much again); the bytes of the whole column are read at once in a fraction of it (printable
    ASCII, the usual ids, from the least and greatest byte alone). The bytes of null values
    (none, as polars exports them) could only make the answer False. Proven equal to the
    regexes by ``tests/test_vec10_text_bytes.py``.
    """
    if layout is None:
        return False
    offsets, data = layout
    if not data.size:
        return True
    if not (data.min() >= 0x20 and data.max() <= 0x7E and test.safe[0x20:0x7F].all()):
        present = np.bincount(data, minlength=256).astype(np.bool_)
        if (present & ~test.safe).any():
            return False
    starts, stops = offsets[:-1], offsets[1:]
    lengths = stops - starts
    if lengths.min() <= 0:  # empty values (and nulls) have no end to test
        given = lengths > 0
        starts, stops, lengths = starts[given], stops[given], lengths[given]
    first, last = data[starts], data[stops - 1]
    for end in test.ends:
        width = len(end)
        for at, byte, shift in ((first, end[0], 0), (last, end[-1], width - 1)):
            rows = np.flatnonzero(at == byte)
            if not rows.size:
                continue
            if width == 1:
                return False
            rows = rows[lengths[rows] >= width]
            base = starts[rows] if shift == 0 else stops[rows] - width
            same = np.ones(rows.size, dtype=np.bool_)
            for k, expected in enumerate(end):
                same &= data[base + k] == expected
            if same.any():
                return False
    return True


#: Free text: a forbidden character, or a blank to strip at either end.
_TEXT_DIRTY = TEXT_FORBIDDEN_RUST + f"|^[{ASCII_BLANKS}]|[{ASCII_BLANKS}]$"


def _runs(value: pl.Expr) -> pl.Expr:
    """The value of every run of equal values (child rows come grouped by household, so a check
    of their household id runs once per household instead of once per row; no shifted copy of
    the column is made)."""
    return value.rle().struct.field("value")


#: Text columns whose values are tested from their bytes first (:func:`_surely_clean`): the
#: ids, and a households table's free text. Area names are not: most are Chinese (read byte by
#: byte, no cheaper than the regex over their few distinct values).
_BYTE_TESTED = frozenset({"household_id", "member_id"})
#: Id columns with few distinct values in any batch (member ids repeat from household to
#: household, area names from village to village): their test reads the distinct values.
_FEW_VALUES = frozenset({"member_id", "county", "town", "village"})


def _no_values(frame: pl.DataFrame, column: str, height: int) -> bool:
    """Whether a column holds no value at all (a name or description nobody filled): none to
    strip nor to check, since every test of :func:`_dirty_text` reads a null as clean. The null
    count is kept by polars, not counted. (A test turns this off to compare.)"""
    return frame.get_column(column).null_count() == height


def _sparse(frame: pl.DataFrame, column: str, height: int) -> bool:
    """Whether most of a text column is null (a member's own hukou, a judgement's reason): then
    :func:`_dirty_text` tests its values alone, dropped of their nulls first (a test over the
    whole column cost as much as over a full one). (A test turns this off to compare.)"""
    return frame.get_column(column).null_count() * 2 > height


def _dirty_text(t: str, frame: pl.DataFrame, runs: HouseholdRuns | None) -> set[str]:
    """The text columns of a frame that need stripping or their character / enum check.

    Why: stripping every text column and checking every character of it was most of the cost
    of validating a clean batch. One pass over the raw values tells, column by column, whether
    any value has a blank to strip at either end, a forbidden character, a value outside its
    enum or an ID number not in its final form. A column with none is left as it is: stripping
    it would change nothing and its checks could flag no row. The others get the full treatment
    (stripped, then every check), so a dirty value is reported exactly as before. A list
    column (area tags, diseases, risk types…) is tested on its items, every list at once; a
    list with a bad item makes the column dirty, and then every row's list is checked.

    A child table's household ids are tested once per run (``runs``, its
    :func:`~fangfan_rules.engines.columnar_layout.household_runs`), and not at all when the runs
    are the households' own ids in order and those passed the same test (``runs.in_order``, set
    only against clean households ids): the values are the same, so is the answer.
    """
    tests: dict[str, pl.Expr] = {}
    dirty: set[str] = set()
    schema = frame.schema  # built anew by every call: read once
    height = frame.height
    for c, dtype in SCHEMAS[t].items():
        if dtype in (S, LS) and schema[c] == dtype and _no_values(frame, c, height):
            continue
        if dtype == LS:
            source = schema[c]
            if source == pl.Null:
                continue
            if source != LS:  # cast (split) first: checked row by row, as ever
                dirty.add(c)
                continue
            # a list column: its items, all lists together (the row checks evaluate a list
            # expression per row: a few milliseconds a column, for a batch without a bad item)
            items = pl.col(c).explode()
            if c in ENUMS.get(t, {}):
                bad = ~items.is_in([m.value for m in ENUMS[t][c]])
            else:
                bad = items.str.contains(TEXT_FORBIDDEN_RUST)
            tests[c] = bad.fill_null(False).any()
            continue
        if dtype != S:
            continue
        source = schema[c]
        if source == pl.Null:
            continue
        if source != S:  # not text: the cast reports it; the usual path for the rest
            dirty.add(c)
            continue
        value = pl.col(c)
        if _sparse(frame, c, height):  # the values only: each test reads a null as clean
            value = value.drop_nulls()
        if c in _BYTE_TESTED or (t == "households" and c in FREE_TEXT[t]):
            # the bytes first (see _surely_clean); the regex below only if they do not tell
            if t != "households" and c == "household_id":
                if runs is not None and runs.in_order:
                    continue
                values = runs.heads if runs is not None else None
            else:
                values = frame.get_column(c)
            test = _ID_BYTES if c in _BYTE_TESTED else _TEXT_BYTES
            if values is not None and _surely_clean(_utf8(values), test):
                continue
        if t != "households" and c == "household_id":
            if runs is not None and runs.in_order:
                continue
            bad = (_runs(value) if runs is None else pl.lit(runs.heads)).str.contains(_ID_BAD)
        elif c in _FEW_VALUES:  # the distinct values only (cheaper than a regex per row)
            bad = value.unique().str.contains(_ID_BAD)
        elif c in IDS[t]:
            bad = value.str.contains(_ID_BAD)
        elif c in ENUMS.get(t, {}):
            bad = ~value.is_in([m.value for m in ENUMS[t][c]])
        elif c == "id_number":
            continue  # normalized by _member_checks (see _id_number_checks)
        else:
            bad = (_runs(value) if t != "households" else value).str.contains(_TEXT_DIRTY)
        tests[c] = bad.fill_null(False).any()
    if tests:
        found = frame.select(**tests).row(0, named=True)
        dirty.update(c for c, bad in found.items() if bad)
    return dirty


def _text_checks(t: str, frame: pl.DataFrame, checks: _Checks, dirty: set[str]) -> None:
    """Ids and free text hold the characters the fact models allow (:mod:`~fangfan_rules.facts.forms`).

    Text columns (and lists of text) found clean by :func:`_dirty_text` are not checked again:
    no row can fail.
    """
    for c in IDS[t]:
        if c not in dirty:
            continue
        value = pl.col(c)
        checks.add(
            t,
            frame,
            value.str.contains(_ID_BAD),
            pl.lit(f"{t}.household_id") if c == "household_id" else _path(t, c),
            value,
            "an id cannot contain control, format or invisible characters or line breaks, "
            "nor begin or end with a space",
        )
    for c in FREE_TEXT.get(t, ()):
        value = pl.col(c)
        if c not in dirty:
            continue
        if isinstance(SCHEMAS[t][c], pl.List):
            bad = value.list.eval(pl.element().str.contains(TEXT_FORBIDDEN_RUST)).list.any()
            shown = value.list.join(";")
        else:
            bad, shown = value.str.contains(TEXT_FORBIDDEN_RUST), value
        checks.add(t, frame, bad, _path(t, c), shown, "text cannot contain control characters")


def _path(table: str, column: str) -> pl.Expr:
    """The fact path of a row's column, e.g. ``members[m1].relation``, ``income[2].end``."""
    if table == "households":
        return pl.lit(column)
    if table == "members":
        return pl.format("members[{}].{}", pl.col("member_id"), pl.lit(column))
    if table == "child_status":
        return pl.format("members[{}].child_status.{}", pl.col("member_id"), pl.lit(column))
    return pl.format(f"{table}[{{}}].{column}", pl.col("__pos"))


@dataclass
class _Check:
    order: int
    mask: pl.Expr
    path: pl.Expr
    value: pl.Expr
    message: pl.Expr


@dataclass
class _Group:
    frame: pl.DataFrame
    table: str
    checks: list[_Check] = field(default_factory=list)


class _Checks:
    """The checks of a validation run, evaluated one frame at a time (see the module docstring).

    Every frame passed to :meth:`add` carries ``household_id``, ``__hrow`` and ``__row`` (the
    row's number in its table, in input order), so that positions can be found for the rows
    that fail.
    """

    def __init__(self) -> None:
        self._groups: dict[int, _Group] = {}
        self._found: list[tuple[int, pl.DataFrame]] = []
        self._count = 0
        self.tables: dict[str, pl.DataFrame] = {}  # table → frame in input order (for positions)
        self.dirty: dict[str, set[str]] = {}  # table → its text columns not found clean

    def add(
        self,
        table: str,
        frame: pl.DataFrame,
        mask: pl.Expr,
        path: pl.Expr,
        value: pl.Expr,
        message: str | pl.Expr,
    ) -> None:
        group = self._groups.setdefault(id(frame), _Group(frame, table))
        text = pl.lit(message) if isinstance(message, str) else message
        group.checks.append(_Check(self._count, mask.fill_null(False), path, value, text))
        self._count += 1

    def add_rows(self, rows: pl.DataFrame) -> None:
        """Problems already found (``household_id, __hrow, path, value, message``)."""
        self._found.append((self._count, rows))
        self._count += 1

    def _positions(self, table: str, flagged: pl.DataFrame) -> pl.DataFrame:
        """``__row → __pos`` for every row of the households that have a flagged row."""
        # a frame checked before its ids were cast (ids that are not text) holds them uncast
        ids = flagged.get_column("household_id").cast(S, strict=False).unique()
        source = self.tables[table]
        return (
            source.select("household_id", "__row")
            .filter(pl.col("household_id").is_in(ids.implode()) | pl.col("household_id").is_null())
            .with_columns(pl.int_range(pl.len()).over("household_id").alias("__pos"))
            .select("__row", "__pos")
        )

    def problems(self) -> pl.DataFrame | None:
        """One row per failed check and row, in the order the checks were added; None if none."""
        found = list(self._found)
        for group in self._groups.values():
            flagged = group.frame.filter(pl.any_horizontal(c.mask for c in group.checks))
            if not flagged.height:
                continue
            if group.table in _POSITIONAL:
                flagged = flagged.join(
                    self._positions(group.table, flagged), on="__row", how="left"
                )
            flagged = flagged.rechunk()  # the failing rows only: a cheap copy (see "Chunks")
            for check in group.checks:
                rows = flagged.filter(check.mask).select(
                    pl.col("household_id"),
                    pl.col("__hrow"),
                    check.path.cast(S).alias("path"),
                    check.value.cast(S).alias("value"),
                    check.message.cast(S).alias("message"),
                )
                if rows.height:
                    found.append((check.order, rows))
        found = [(order, rows) for order, rows in found if rows.height]
        if not found:
            return None
        found.sort(key=lambda item: item[0])
        return pl.concat([rows for _, rows in found], how="vertical_relaxed")


@engine_boundary("validating tables")
def validate(
    tables: Mapping[str, Any], *, also_duplicated: pl.Series | None = None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Check tables against the fact models' constraints.

    A household id that appears more than once is a bad row for every copy; ``also_duplicated``
    names ids known to appear again elsewhere (another chunk of the same stream), whose rows
    are bad rows too.

    Returns the tables of the valid households (complete and typed, households in input order
    with an ``__hrow`` column, the input row number) and an error frame with one row per bad
    household: ``household_id``, ``__hrow`` (null for rows of a child table that name no
    household) and ``error`` (a :class:`~fangfan_rules.errors.FactError` message). Problems
    that concern a whole table (an unknown or missing required column, float money) raise
    :class:`~fangfan_rules.errors.FactError`.
    """
    # Only a table of many small chunks is copied into one (see the module docstring, "Chunks").
    raw = {t: _few_chunks(as_polars(f)) for t, f in tables.items()}
    if "households" not in raw:
        raise FactError(None, [("households", NO_VALUE, "the households table is required")])
    checks = _Checks()
    typed: dict[str, pl.DataFrame] = {}
    runs: dict[str, HouseholdRuns] = {}  # the child tables' household runs, for household_keys
    unreadable: list[pl.DataFrame] = []  # households rows of records that could not be read
    for t in TABLES:
        frame = raw[t] if t in raw else pl.DataFrame(schema=SCHEMAS[t])  # (made only if absent)
        unknown = [c for c in frame.columns if c not in SCHEMAS[t] and c != LINE_ERROR]
        if unknown:
            raise FactError(
                None,
                [
                    (f"{t}.{c}", NO_VALUE, "unknown column (see the columnar layout)")
                    for c in unknown
                ],
            )
        if "household_id" not in frame.columns and LINE_ERROR in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=S).alias("household_id"))
        if t == "households":
            frame = frame.with_row_index("__hrow")
        else:
            frame = frame.with_columns(pl.lit(None, dtype=pl.UInt32).alias("__hrow"))
        if LINE_ERROR in frame.columns:
            # records a CSV file could not give (csvrecords): reported as they are, in their
            # household's place; the other checks never see their empty cells
            broken = frame.filter(pl.col(LINE_ERROR).is_not_null())
            frame = frame.filter(pl.col(LINE_ERROR).is_null()).drop(LINE_ERROR)
            if broken.height:
                checks.add_rows(
                    broken.select(
                        pl.col("household_id").cast(S, strict=False),
                        pl.col("__hrow"),
                        pl.lit(t).alias("path"),
                        pl.lit(None, dtype=S).alias("value"),
                        pl.col(LINE_ERROR).cast(S).alias("message"),
                    )
                )
                if t == "households":
                    unreadable.append(broken.select(pl.col("household_id").cast(S), "__hrow"))
        missing = [c for c in REQUIRED[t] if c not in frame.columns]
        if missing and frame.height:
            raise FactError(
                None, [(f"{t}.{c}", NO_VALUE, "required column missing") for c in missing]
            )
        frame = frame.with_columns(
            pl.lit(None, dtype=SCHEMAS[t][c]).alias(c) for c in SCHEMAS[t] if c not in frame.columns
        )
        frame = frame.with_row_index("__row")
        if frame.schema["household_id"] not in (S, pl.Null):
            # an id is text, as in the fact models (a JSON number is not an id either)
            checks.add(
                t,
                frame,
                pl.col("household_id").is_not_null(),
                pl.lit(f"{t}.household_id"),
                pl.col("household_id"),
                f"an id must be text, not a {frame.schema['household_id']} value",
            )
        # child rows come grouped by household: their ids are tested and keyed once per run
        text_ids = frame.schema["household_id"] == S
        found = household_runs(frame) if t != "households" and text_ids else None
        clean_ids = _clean_ids(typed, checks.dirty)
        if found is not None and clean_ids is not None:  # compared once, for both uses
            found = replace(found, in_order=found.follow(clean_ids))
        dirty = checks.dirty[t] = _dirty_text(t, frame, found)
        if found is not None and "household_id" not in dirty:  # stripping may join runs
            runs[t] = found
        hid = pl.col("household_id").cast(S, strict=False)
        if "household_id" in dirty:
            frame = frame.with_columns(hid.str.strip_chars(ASCII_BLANKS))
        elif frame.schema["household_id"] != S:  # text already: the cast would change nothing
            frame = frame.with_columns(hid)
        checks.tables[t] = frame
        casts = []
        schema = frame.schema  # built anew by every call: read once for every column
        clean_lists = _clean_lists(t, frame)
        for c in SCHEMAS[t]:
            if c == "household_id":
                continue
            cast, failed, message = _cast(schema, t, c, c in clean_lists)
            if failed is not None:
                checks.add(t, frame, failed, _path(t, c), _shown(schema, c), message)
            if not cast.meta.eq(pl.col(c)):  # the column as it is (its layout dtype): no cast
                casts.append(cast.alias(c))
        if casts:
            frame = frame.with_columns(casts)
        defaults = DEFAULTS.get(t, {})
        text = [c for c, d in SCHEMAS[t].items() if d == S and c != "household_id" and c in dirty]
        # a default fills the nulls of its column: none to fill (a count polars keeps), no copy
        fills = [
            pl.col(c).fill_null(pl.lit(v, dtype=SCHEMAS[t][c]))
            for c, v in defaults.items()
            if frame.get_column(c).has_nulls()
        ]
        if fills:
            frame = frame.with_columns(fills)
        if text:
            frame = frame.with_columns(pl.col(c).str.strip_chars(ASCII_BLANKS) for c in text)
        _text_checks(t, frame, checks, dirty)
        typed[t] = frame
    typed = household_keys(typed, runs)
    _row_checks(typed, checks, runs)
    if also_duplicated is not None and also_duplicated.len():
        h = typed["households"]
        elsewhere = h.filter(pl.col("household_id").is_in(also_duplicated.implode()))
        checks.add(
            "households",
            elsewhere,
            pl.lit(True),
            pl.lit("id"),
            pl.col("household_id"),
            DUPLICATED_HOUSEHOLD,
        )

    h = typed["households"]
    bad = checks.problems()
    for t in CHILDREN:
        if not typed[t].get_column("__hkey").has_nulls():  # a count polars keeps: no filter
            continue
        orphans = typed[t].filter(pl.col("__hkey").is_null())
        if orphans.height:
            extra = orphans.select(
                "household_id",
                pl.col("__hrow"),
                pl.lit(t).alias("path"),
                pl.lit(None, dtype=S).alias("value"),
                pl.lit(f"rows in {t} refer to no row of the households table").alias("message"),
            ).unique("household_id", maintain_order=True)
            bad = extra if bad is None else pl.concat([bad, extra], how="vertical_relaxed")
    if bad is None or bad.height == 0:
        return _final(typed), pl.DataFrame(schema=_ERROR_SCHEMA)
    # A problem in a child row makes its household invalid; its row number is the household's.
    rows = pl.concat(
        [h.select("household_id", "__hrow"), *unreadable], how="vertical_relaxed"
    ).rename({"__hrow": "__h"})
    bad = (
        bad.join(rows.unique("household_id", keep="first"), on="household_id", how="left")
        .with_columns(pl.coalesce("__hrow", "__h").alias("__hrow"))
        .drop("__h")
    )
    errors = _messages(bad)
    bad_ids = errors.select("household_id").drop_nulls()
    bad_rows = errors.select("__hrow").drop_nulls()
    final = _final(typed)
    households = final["households"]
    households = households.join(bad_ids, on="household_id", how="anti").join(
        bad_rows, on="__hrow", how="anti"
    )
    # a child row is clean iff its household row is (orphans have no household: left out)
    kept = households.get_column("__hrow").implode()
    clean = {
        t: frame.filter(pl.col("__hkey").is_in(kept)) if t != "households" else households
        for t, frame in final.items()
    }
    return clean, errors


def _clean_ids(typed: dict[str, pl.DataFrame], dirty: dict[str, set[str]]) -> pl.Series | None:
    """The households' ids, when they are typed and :func:`_dirty_text` found them clean: then
    they are what :func:`~fangfan_rules.engines.columnar_layout.household_keys` will see."""
    h = typed.get("households")
    if h is None or "household_id" in dirty.get("households", {"household_id"}):
        return None
    return h.get_column("household_id")


#: Rows per chunk below which a table is copied into one chunk (see "Chunks").
_SMALL_CHUNK = 1 << 16


def _few_chunks(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame, or a one-chunk copy of it when its chunks are many and small.

    Why: every polars operation pays per chunk, and a table concatenated from thousands of parts
    made validation and evaluation twice as slow. A frame of a few large chunks (a Parquet
    file's row groups) is used as it is, without a copy (at a million households, a gigabyte).
    """
    chunks = frame.n_chunks("all")
    if max(chunks, default=1) > 1 and frame.height < _SMALL_CHUNK * max(chunks):
        return frame.rechunk()
    return frame


def _final(typed: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The layout's columns, plus ``__hrow`` (households) and ``__hkey`` (child tables)."""
    out = {}
    for t, frame in typed.items():
        keep = [*SCHEMAS[t]] + (["__hrow"] if t == "households" else ["__hkey"])
        out[t] = frame.select(keep)
    return out


#: A required fact not given (a null cell): the native loader's words for a missing field
#: (:mod:`fangfan_rules.facts.loading`), so that both engines say the same of the same household.
MISSING = "missing (a required field)"
#: A required text given empty.
EMPTY = "required fact is missing"


def _messages(bad: pl.DataFrame) -> pl.DataFrame:
    """One error row per bad household. A problem without a value (a null: a fact not given, a
    rule between several fields, a record the reader could not give) names its field only, as
    the native loader does (:data:`~fangfan_rules.errors.NO_VALUE`), never ``= None``."""
    rows = []
    for (hid, hrow), group in bad.group_by(["household_id", "__hrow"], maintain_order=True):
        problems = [
            (r["path"], NO_VALUE if r["value"] is None else r["value"], r["message"])
            for r in group.unique(["path", "message"], maintain_order=True).iter_rows(named=True)
        ]
        label = hid if hid else (f"<row {hrow}>" if hrow is not None else None)
        rows.append({"household_id": hid, "__hrow": hrow, "error": str(FactError(label, problems))})
    return pl.DataFrame(rows, schema=_ERROR_SCHEMA)


# ----------------------------------------------------------------------------------------------
# the checks, table by table (the constraints of fangfan_rules.facts)


def _row_checks(
    typed: dict[str, pl.DataFrame], checks: _Checks, runs: Mapping[str, HouseholdRuns]
) -> None:
    for t, frame in typed.items():
        _column_checks(t, frame, checks, runs.get(t))
    _household_checks(typed, checks)
    _member_checks(typed, checks)
    _record_checks(typed, checks)


def _column_checks(
    t: str, frame: pl.DataFrame, checks: _Checks, runs: HouseholdRuns | None = None
) -> None:
    """Enum values, required facts and money range/sign: the same for every table.

    ``runs``: the table's household runs, when computed on its ``household_id`` as it is: an
    empty id is then looked for among the runs' ids (one per household, not one per row).
    """
    dirty = checks.dirty.get(t, set())
    for column, enum in ENUMS.get(t, {}).items():
        if column not in dirty:
            continue  # every value (list item) is one of the enum's (see _dirty_text)
        allowed = [m.value for m in enum]
        text = f"not a {enum.__name__} ({', '.join(allowed)})"
        if isinstance(SCHEMAS[t][column], pl.List):
            bad = pl.col(column).list.eval(~pl.element().is_in(allowed)).list.any()
            checks.add(t, frame, bad, _path(t, column), pl.col(column).list.join(";"), text)
        else:
            bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed)
            checks.add(t, frame, bad, _path(t, column), pl.col(column), text)
    # A check that no row can fail is left out (it would only cost a pass): a required column
    # without nulls (a count polars keeps) needs only the empty-text test, and money columns
    # whose least and greatest values pass the range and sign tests need neither.
    for c in REQUIRED[t]:
        mask = pl.col(c).is_null() if frame.get_column(c).has_nulls() else None
        if SCHEMAS[t][c] == S and not (
            c == "household_id" and runs is not None and not (runs.heads == "").any()
        ):
            empty = pl.col(c) == ""
            mask = empty if mask is None else mask | empty
        if mask is None:
            continue
        if c == "household_id":
            checks.add(
                t, frame, mask, pl.lit(f"{t}.household_id"), pl.col(c), "household id is missing"
            )
        else:
            # a null cell is a fact not given: worded as the native loader words a missing
            # field (no value shown, see _messages); an empty text is shown as given
            words = pl.when(pl.col(c).is_null()).then(pl.lit(MISSING)).otherwise(pl.lit(EMPTY))
            checks.add(t, frame, mask, _path(t, c), pl.col(c), words)
    money = [c for c in SCHEMAS[t] if c.endswith("_fen")]
    bounds = (
        frame.select(
            *(pl.col(c).min().alias(f"min {c}") for c in money),
            *(pl.col(c).max().alias(f"max {c}") for c in money),
        ).row(0, named=True)
        if money
        else {}
    )

    def passes(c: str, low: int, high: int | None = None) -> bool:
        least, greatest = bounds[f"min {c}"], bounds[f"max {c}"]
        if least is None:  # no amount at all
            return True
        return least > low and (high is None or greatest < high)

    for c in money:
        if passes(c, -MAX_FEN, MAX_FEN):
            continue
        checks.add(
            t,
            frame,
            pl.col(c).abs() >= MAX_FEN,
            _path(t, c),
            pl.col(c),
            "money amount out of range",
        )
    for c in NON_NEGATIVE_MONEY.get(t, ()):
        if passes(c, -1):
            continue
        checks.add(
            t, frame, pl.col(c) < 0, _path(t, c), pl.col(c), "amount cannot be negative here"
        )


def _repeated(frame: pl.DataFrame, key: pl.Expr) -> pl.DataFrame:
    """The rows of ``frame`` whose ``key`` (a hash) appears more than once.

    The distinct keys are counted first: in a clean batch none repeats, and counting them costs
    half of marking the repeated ones at a million rows (the same at 100,000).
    """
    if frame.select(key.n_unique()).item() == frame.height:
        return frame.head(0)
    return frame.filter(key.is_duplicated())


#: Households of at most this many member rows are searched for a repeated member id by
#: comparing each row with the rows before it in its household (see :func:`_repeated_members`).
_NEAR = 16


def _repeated_members(m: pl.DataFrame) -> pl.DataFrame:
    """Member rows among which every repeated (household, member) id pair is (candidates for
    the exact check, in input order).

    Usually the rows of each household are contiguous (``__hkey`` sorted, none null) and a
    household has a few members: then a pair repeats only within a household's rows, and each
    row is compared with the few rows before it (by a 64-bit hash of the member id; equal ids
    have equal hashes). When none matches (a clean batch) there is no candidate; otherwise the
    candidates are every row of the households with a match. Why: counting the distinct hashes
    of every pair (the general way, kept for other batches) cost 15 ms at 100,000 households,
    this about a fifth of it.
    """
    hkey = m.get_column("__hkey")
    if m.height and not hkey.has_nulls() and hkey.is_sorted():
        longest = m.select(pl.col("__hkey").rle().struct.field("len").max()).item()
        if longest <= _NEAR:
            # the member ids hashed once (an eager select computed the hash again for every
            # shift), then each row compared with the rows before it
            hashed = m.select("__hkey", pl.col("member_id").hash(seed=1).alias("__member"))
            key, member = pl.col("__hkey"), pl.col("__member")
            near = [(key == key.shift(j)) & (member == member.shift(j)) for j in range(1, longest)]
            if not near or not hashed.select(pl.any_horizontal(near).fill_null(False).any()).item():
                return m.head(0)
            matched = hashed.filter(pl.any_horizontal(near).fill_null(False)).get_column("__hkey")
            return m.filter(pl.col("__hkey").is_in(matched.implode()))
    # candidates by a 64-bit hash of the pair (cheap), then the strings among them (exact);
    # equal pairs have equal hashes, so none is missed
    pair = pl.col("household_id").hash() ^ pl.col("member_id").hash(seed=1)
    return _repeated(m, pair)


def _household_checks(typed: dict[str, pl.DataFrame], checks: _Checks) -> None:
    h = typed["households"]

    def add(mask: pl.Expr, path: str, value: pl.Expr, message: str) -> None:
        checks.add("households", h, mask, pl.lit(path), value, message)

    # duplicated ids: candidates by a 64-bit hash (cheap), then the strings among them (exact)
    hid = pl.col("household_id")
    candidates = _repeated(h, hid.hash()).filter(hid.is_not_null())
    checks.add(
        "households", candidates, hid.is_duplicated(), pl.lit("id"), hid, DUPLICATED_HOUSEHOLD
    )
    year = pl.col("lifted_year")
    add((year < 2013) | (year > 2030), "lifted_year", year, "脱贫年度 must be in 2013..2030")
    add(
        year.is_not_null() & (pl.col("lifted_out_of_poverty") == False),  # noqa: E712
        "lifted_year",
        year,
        "lifted_year is set but lifted_out_of_poverty is false",
    )
    gc_fields = [c for c in SCHEMAS["households"] if c.startswith("green_channel_")]
    gc_given = pl.any_horizontal(pl.col(c).is_not_null() for c in gc_fields)
    add(
        (pl.col("green_channel") == False) & gc_given,  # noqa: E712
        "green_channel",
        pl.col("green_channel"),
        "green-channel facts are given but green_channel is false",
    )
    heads = pl.col("livestock_head_count")
    add(heads < 0, "livestock.head_count", heads, "head count cannot be negative")
    add(
        heads.is_null() & pl.col("livestock_estimated_value_fen").is_not_null(),
        "livestock.head_count",
        pl.lit(None),
        "a livestock record needs its head count",
    )
    decided = pl.col("judgement_decided_on")
    included, reason = pl.col("judgement_included"), pl.col("judgement_reason")
    add(
        decided.is_null() & (included.is_not_null() | reason.is_not_null()),
        "judgement.decided_on",
        pl.lit(None),
        "a recorded judgement needs its date",
    )
    add(
        decided.is_not_null() & (included.is_null() | reason.is_null()),
        "judgement",
        pl.lit(None),
        "a recorded judgement needs included and reason",
    )
    # green_channel: a null flag means "a record exists" iff one of its facts is given
    typed["households"] = h.with_columns(pl.col("green_channel").fill_null(gc_given))


def _member_checks(typed: dict[str, pl.DataFrame], checks: _Checks) -> None:
    m = typed["members"]
    candidates = _repeated_members(m).filter(pl.col("member_id").is_not_null())
    checks.add(
        "members",
        candidates,
        pl.struct("household_id", "member_id").is_duplicated(),
        pl.format("members[{}].id", pl.col("member_id")),
        pl.col("member_id"),
        "member id appears twice",
    )
    checks.add(
        "members",
        m,
        pl.col("disability_grade").is_null() != pl.col("disability_certificate_date").is_null(),
        _path("members", "disability"),
        pl.lit(None),
        "a disability certificate needs both grade and certificate_date",
    )
    grade = pl.col("disability_grade")
    checks.add(
        "members",
        m,
        (grade < 1) | (grade > 4),
        _path("members", "disability.grade"),
        grade,
        "grade must be 1..4",
    )
    if _id_number_checks(m, checks):
        typed["members"] = m.with_columns(
            pl.col("id_number").str.strip_chars(ASCII_BLANKS).str.to_uppercase()
        )
    cs = typed["child_status"]
    # the members of the households that have child rows only (a few): a smaller join
    # (the two key columns selected before filtering: the filter copies only them, not every
    # column of the members)
    of_children = m.select("__hkey", "member_id").filter(
        pl.col("__hkey").is_in(cs.get_column("__hkey").implode())
    )
    unknown_member = cs.join(of_children, on=["__hkey", "member_id"], how="anti")
    checks.add(
        "child_status",
        unknown_member,
        pl.lit(True),
        _path("child_status", "member_id"),
        pl.col("member_id"),
        "child status of a member not in the members table",
    )


#: The GB 11643 check character of a weighted digit sum ≡ i (mod 11), and the first valid day.
_CHECK_CHARACTERS = pl.Series(list("10X98765432"), dtype=S)
_FIRST_DAY = pl.lit(date(1, 1, 1), dtype=D)


#: GB 11643's weight of each of the first 17 digits (2**(17 - i) mod 11), and the check
#: character of each weighted sum mod 11, as bytes.
_WEIGHTS = np.array([2 ** (17 - i) % 11 for i in range(17)], dtype=np.int64)
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)
#: Days of each month (index 1..12) in a common year.
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_ZERO, _NINE, _X = ord("0"), ord("9"), ord("X")


def _all_eighteen(numbers: pl.Series) -> bool | None:
    """Whether every number (no null) passes :func:`_id_number_checks`'s 18-character test as
    given — shape ``[0-9]{17}[0-9X]``, a birth date ``%Y%m%d`` from year 1, the GB 11643 check
    character — read from the numbers' bytes with numpy; None when the bytes cannot be read
    that way (the caller then evaluates the polars expression).

    Why: the expression (a regex, a date parse, a base-13 parse and a gather per number) cost
    13 ms for 100,000 numbers; the bytes as an n × 18 array answer in about a fifth of it. Only
    "every number passes" is answered here: any failure (or any number not 18 bytes long) sends
    the caller to the rows, checked and worded by the expression as before. Proven equal to the
    expression by ``tests/test_columnar_validation_idbytes.py``.
    """
    n = numbers.len()
    if n == 0:
        return True
    lengths = numbers.str.len_bytes()
    if lengths.min() != 18 or lengths.max() != 18:
        return False  # 18 ASCII characters are 18 bytes: some number fails the shape
    import pyarrow as pa  # loaded with polars' Arrow export anyway

    array = numbers.to_arrow(compat_level=pl.CompatLevel.oldest())
    if not isinstance(array, pa.LargeStringArray) or array.null_count:
        return None
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + n + 1]
    first = int(offsets[0])
    if int(offsets[-1]) - first != 18 * n:  # pragma: no cover - lengths were all 18
        return None
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[first : first + 18 * n]
    # one row of n bytes per character position (contiguous: each step below reads a row)
    b = np.ascontiguousarray(data.reshape(n, 18).T)
    if b[:17].min() < _ZERO or b[:17].max() > _NINE:
        return False
    last = b[17]
    if not ((last == _X) | (last <= _NINE) & (last >= _ZERO)).all():
        return False
    # the weighted sum of the bytes (at most 57·Σweights = 5,700: 16 bits), less 48·Σweights
    total = np.zeros(n, dtype=np.uint16)
    for i, weight in enumerate(_WEIGHTS.tolist()):
        total += b[i] * np.uint16(weight)
    if not (_CHECK_BYTES[(total - _ZERO * int(_WEIGHTS.sum())) % 11] == last).all():
        return False

    def number(at: int, width: int) -> np.ndarray:  # at most 4 digits: 32 bits
        out = b[at].astype(np.int32) - _ZERO
        for i in range(at + 1, at + width):
            out = out * 10 + (b[i] - _ZERO)
        return out

    year, month, day = number(6, 4), number(10, 2), number(12, 2)
    if not ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)).all():
        return False
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    longest = _MONTH_DAYS[month] + (leap & (month == 2))
    return bool((day <= longest).all())


def _id_number_checks(m: pl.DataFrame, checks: _Checks) -> bool:
    """Shape, birth date and GB 11643 check digit (18 characters) or birth date (15 digits),
    vectorized; the rare failures get the exact message of
    :func:`fangfan_rules.idnumber.validate_id_number` (which never shows the number).

    Returns whether some number must be normalized (stripped, upper case). Why it is done here:
    a number that passes the 18-character test as given is already normalized, so the column
    is read once, and only the rest (15-digit numbers, bad or unnormalized ones) is stripped.
    """
    number = pl.col("id_number")

    def eighteen(text: pl.Expr) -> pl.Expr:
        # The weighted sum of the 17 digits mod 11 in one parse: the weight of digit i is
        # 2**(17-i) mod 11 and 13 ≡ 2 (mod 11), so the digits read as a base-13 number n give
        # sum ≡ 2·n (mod 11). (n < 13**17 < 2**63; the shape test guards the digits.)
        base13 = text.str.slice(0, 17).str.to_integer(base=13, strict=False)
        return (
            text.str.contains(r"^[0-9]{17}[0-9X]$")
            # Python's dates start in year 1 (a year 0000 parses, and is before it)
            & (text.str.slice(6, 8).str.strptime(D, "%Y%m%d", strict=False) >= _FIRST_DAY)
            & (pl.lit(_CHECK_CHARACTERS).gather(base13 % 11 * 2 % 11) == text.str.slice(17, 1))
        ).fill_null(False)

    # Most members have no number: the numbers alone are tested first (string operations over
    # a mostly null column cost about as much as over a full one), the rows only if one fails.
    given = m.get_column("id_number").drop_nulls()
    clean = _all_eighteen(given)
    if clean is None:  # not answered from the bytes: the expression itself
        clean = given.to_frame().select(eighteen(number).all()).item()
    if clean:
        return False
    rest = m.filter(number.is_not_null() & ~eighteen(number))
    text = number.str.strip_chars(ASCII_BLANKS).str.to_uppercase()
    rest = rest.with_columns(text.alias("__text"))
    normalize = bool(rest.select((pl.col("__text") != number).any()).item())
    text = pl.col("__text")
    fifteen = (
        text.str.contains(r"^[0-9]{15}$")
        & (pl.lit("19") + text.str.slice(6, 6))
        .str.strptime(D, "%Y%m%d", strict=False)
        .is_not_null()
    )
    rows = []
    failing = rest.filter(~(eighteen(text) | fifteen.fill_null(False))).select(
        "household_id", "__hrow", "member_id", "id_number"
    )
    for hid, hrow, mid, given in failing.iter_rows():
        try:
            validate_id_number(given)
        except ValueError as exc:
            # the number as the native loader shows it: masked (facts/loading.py)
            shown = mask_id_number(given)
            rows.append((hid, hrow, f"members[{mid}].id_number", shown, str(exc)))
    if rows:
        checks.add_rows(pl.DataFrame(rows, schema=_PROBLEM_SCHEMA, orient="row"))
    return normalize


def _record_checks(typed: dict[str, pl.DataFrame], checks: _Checks) -> None:
    inc = typed["income"]
    checks.add(
        "income",
        inc,
        pl.col("end") < pl.col("start"),
        _path("income", "end"),
        pl.col("end"),
        "income period ends before it starts",
    )
    checks.add(
        "income",
        inc,
        pl.col("policy_transfer_income_fen") > pl.col("transfer_income_fen"),
        _path("income", "policy_transfer_income_fen"),
        pl.col("policy_transfer_income_fen"),
        "policy transfer income exceeds transfer income (it is a part of it)",
    )
    # Overlapping periods: rows ordered by household (its row number: an integer key is much
    # cheaper to sort than the id; rows of unknown households sort by id after them), then start.
    # Income usually arrives in that order already: then the sort is skipped.
    key, start, end = pl.col("__hkey"), pl.col("start"), pl.col("end")
    pk, ps, pe = key.shift(1), start.shift(1), end.shift(1)
    in_order = (
        (key > pk) | ((key == pk) & ((start > ps) | ((start == ps) & (end >= pe))))
    ).fill_null(pl.int_range(pl.len()) == 0)
    # the integer key (no shifted copy of the id strings: a gigabyte-scale batch's peak), or the
    # ids when some rows belong to no known household
    by_ids = inc.get_column("__hkey").has_nulls()
    same = (pl.col("household_id") == pl.col("household_id").shift(1)) if by_ids else key == pk
    overlap = (same & (start <= pe)).fill_null(False).any()
    # Whether the rows are in order and, if so, whether two periods overlap: one pass. Only
    # when they overlap are the previous periods written out for the messages.
    ordered_already, overlaps = inc.select(in_order.all().alias("o"), overlap.alias("x")).row(0)
    if ordered_already:
        ordered = inc
    else:
        ordered = inc.sort(["__hkey", "household_id", "start", "end"], nulls_last=True)
        overlaps = ordered.select(overlap).item()
    if not overlaps:
        ordered = ordered.head(0)
    ordered = ordered.with_columns(
        pl.when(same).then(ps).alias("__prev_start"), pl.when(same).then(pe).alias("__prev_end")
    )
    checks.add(
        "income",
        ordered,
        pl.col("start") <= pl.col("__prev_end"),
        _path("income", "start"),
        pl.format("{}..{}", pl.col("start"), pl.col("end")),
        pl.format(
            "income periods overlap: {}..{} and {}..{} (the overlap would be counted twice)",
            pl.col("__prev_start"),
            pl.col("__prev_end"),
            pl.col("start"),
            pl.col("end"),
        ),
    )
    ex = typed["expenditures"]
    checks.add(
        "expenditures",
        ex,
        pl.col("reimbursed_fen") > pl.col("total_fen"),
        _path("expenditures", "reimbursed_fen"),
        pl.col("reimbursed_fen"),
        "reimbursed exceeds total",
    )
    checks.add(
        "expenditures",
        ex,
        pl.col("compliant_self_paid_fen") > pl.col("total_fen") - pl.col("reimbursed_fen"),
        _path("expenditures", "compliant_self_paid_fen"),
        pl.col("compliant_self_paid_fen"),
        "compliant self-paid exceeds total minus reimbursed",
    )
    checks.add(
        "social_assistance",
        typed["social_assistance"],
        pl.col("end") < pl.col("start"),
        _path("social_assistance", "end"),
        pl.col("end"),
        "assistance ends before it starts",
    )
    checks.add(
        "monitoring",
        typed["monitoring"],
        pl.col("eliminated_on") < pl.col("identified_on"),
        _path("monitoring", "eliminated_on"),
        pl.col("eliminated_on"),
        "eliminated_on is before identified_on",
    )
    # As the fact model: the current spell is the latest by identification date, so two spells of
    # one household identified on the same day are ambiguous. (is_duplicated, not a first-row
    # test: a mask is evaluated again on the flagged rows alone, see _Checks.problems.)
    checks.add(
        "monitoring",
        typed["monitoring"],
        pl.struct("household_id", "identified_on").is_duplicated()
        & pl.col("identified_on").is_not_null(),
        _path("monitoring", "identified_on"),
        pl.col("identified_on"),
        pl.format(
            "two monitoring spells identified on {}: which one is current cannot be told "
            "(record one spell per identification)",
            pl.col("identified_on"),
        ),
    )


__all__ = ["VALIDATION_VERSION", "validate"]
