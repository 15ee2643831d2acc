"""CSV records from untrusted files: every record read, every malformed one reported, none lost.

The csv module stops at the first record it cannot read, and an unterminated quote makes it read
the rest of the file as one cell. Here records are read one at a time:

* a record the csv module cannot read (a cell over :data:`MAX_CELL` characters, an unterminated
  quote at the end of the file) is reported, and reading starts again on the line after the one
  that opened it — so the lines a bad quote would swallow are read as records of their own;
* a record spanning lines whose cells do not fit the header is treated the same way (a quote
  that opened a cell by mistake); a one-line record that does not fit is reported as such;
* bytes that are not UTF-8 spoil the record that holds them only (lines are decoded one by one);
* a header that names a column twice makes every record a reported one (no value is dropped).

Used by the household reader (:mod:`fangfan_rules.io.readers`) and the columnar tables
(:func:`fangfan_rules.engines.columnar.read_tables`, CSV streaming).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fangfan_rules.errors import FangfanError

#: The csv module's cell limit (a longer cell is a reported record, not an error of the file).
MAX_CELL = csv.field_size_limit()
#: What to do about text that is not UTF-8.
UTF8_HINT = "save it as UTF-8 (GBK files from Excel need converting)"
ASCII_BLANKS = " \t\n\r\x0b\x0c"
_SWALLOWING = "a quote is not closed (the cell would swallow the lines after it)"


def decoded(lines: Iterable[bytes | str]) -> Iterator[tuple[int, str]]:
    """(line number, text) per physical line, line ends kept; bytes that are not UTF-8 are kept
    as lone surrogates (``surrogateescape``) and reported by the record that holds them. A
    byte-order mark opening the file is dropped."""
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
        yield number, text.removeprefix("\ufeff") if number == 1 else text


def undecodable(text: str) -> int | None:
    """The column of the first byte that was not UTF-8 (a ``surrogateescape`` character)."""
    for column, ch in enumerate(text, start=1):
        if "\udc80" <= ch <= "\udcff":
            return column
    return None


class CsvHeaderError(FangfanError):
    """The header of a CSV file cannot be read or names a column twice: nothing can be read."""


@dataclass(frozen=True)
class Record:
    """One record: its first line, its cells by header name, or why it could not be read."""

    line: int
    cells: dict[str, str] | None
    error: str | None = None
    #: the value of the id column (``id`` / ``household_id``) when it could be read
    id: str | None = None


class _Lines:
    """Physical lines for the csv module, keeping those of the record being read so that
    reading can start again after a bad record's first line."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._source = lines
        self._again: deque[tuple[int, str]] = deque()
        self.consumed: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        item = self._again.popleft() if self._again else next(self._source)
        self.consumed.append(item)
        return item[1]

    def start_record(self) -> None:
        self.consumed = []

    def read_again_after_first(self) -> None:
        self._again.extendleft(reversed(self.consumed[1:]))
        self.consumed = self.consumed[:1]


def _first_line_cells(lines: _Lines) -> list[str] | None:
    """The cells of a bad record's first line, read leniently (to name its household)."""
    if not lines.consumed:
        return None
    text = lines.consumed[0][1].rstrip("\r\n")[: MAX_CELL // 2]
    try:
        return next(csv.reader([text]), None)
    except csv.Error:
        return None


def _raw_records(
    lines: _Lines,
) -> Iterator[tuple[int, list[str] | None, str | None, list[str] | None]]:
    while True:
        lines.start_record()
        reader = csv.reader(lines, strict=True)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            first = lines.consumed[0][0] if lines.consumed else 0
            message = str(exc)
            if "field larger" in message:
                why = f"a cell is longer than {MAX_CELL:,} characters"
            elif "end of data" in message or "unexpected end" in message:
                why = _SWALLOWING
            elif "expected after" in message:
                why = "a quote is misplaced or not closed (a quoted cell went on)"
            else:
                why = f"not CSV: {message}"
            partial = _first_line_cells(lines)
            lines.read_again_after_first()
            yield first, None, why, partial
            continue
        if not cells:
            continue
        yield lines.consumed[0][0], cells, None, cells


def records(
    lines: Iterable[bytes | str], *, id_columns: tuple[str, ...] = ("id",)
) -> Iterator[Record]:
    """Every record after the header, in order (see the module docstring)."""
    source = _Lines(decoded(lines))
    header: list[str] | None = None
    for line, cells, why, partial in _raw_records(source):
        if header is None:
            # A header that cannot be read, or names a column twice, leaves no row readable:
            # the file is refused (the run cannot go on), never read under a guessed header.
            if cells is None:
                raise CsvHeaderError(
                    f"line {line}: the CSV header is unreadable ({why}); no row can be read"
                )
            header = [c.strip(ASCII_BLANKS) for c in cells]
            twice = sorted({c for c in header if header.count(c) > 1})
            if twice:
                raise CsvHeaderError(
                    f"line {line}: the CSV header names column {twice[0]!r} twice; no row can "
                    "be read"
                )
            continue
        hid = _id_of(header, partial, id_columns)
        if cells is None:
            yield Record(line, None, f"line {line}: {why}", hid)
            continue
        if undecodable("".join(cells)) is not None:
            yield Record(line, None, f"line {line} is not UTF-8 text; {UTF8_HINT}", hid)
            continue
        if len(cells) != len(header):
            if len(source.consumed) > 1:  # a cell that spans lines swallowed the lines after it
                source.read_again_after_first()
                why = _SWALLOWING
            else:
                why = f"{len(cells)} cells, the header has {len(header)}"
            yield Record(line, None, f"line {line}: {why}", hid)
            continue
        yield Record(line, dict(zip(header, cells, strict=True)), None, hid)


def header(lines: Iterable[bytes | str]) -> list[str] | None:
    """The header's column names (None if the first record cannot be read)."""
    for _, cells, _, _ in _raw_records(_Lines(decoded(lines))):
        return None if cells is None else [c.strip(ASCII_BLANKS) for c in cells]
    return None


def _id_of(header: list[str] | None, cells: list[str] | None, names: tuple[str, ...]) -> str | None:
    """The id cell of a record (text that any output can write), if the record reaches it."""
    if not header or cells is None:
        return None
    for name in names:
        if name in header:
            index = header.index(name)
            if index < len(cells):
                text = cells[index].strip(ASCII_BLANKS)
                if undecodable(text) is not None or any("\ud800" <= c <= "\udfff" for c in text):
                    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
                return text or None
    return None


__all__ = [
    "MAX_CELL",
    "UTF8_HINT",
    "CsvHeaderError",
    "Record",
    "decoded",
    "header",
    "records",
    "undecodable",
]
