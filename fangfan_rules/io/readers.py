"""Read households from JSON (one object or an array), JSON Lines or CSV, never losing a row.

Every input row becomes a :class:`Row`: either a validated household or the error that names the
line, the household id (when readable), the field and the value. A bad row never stops the rest.

CSV layout: one household per line; a column per top-level field of the household schema; nested
fields are either JSON in the cell (``members``, ``income``, ``area``…) or dotted column names
(``area.county``, ``guarantees.housing_grade``). Empty cells are unknown (left out).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from fangfan_rules.errors import FactError, FangfanError
from fangfan_rules.facts import Household, load_household
from fangfan_rules.idnumber import scrub_id_numbers


@dataclass(frozen=True)
class Row:
    """One input record: where it came from and either its household or its error."""

    line: int
    household_id: str | None
    household: Household | None = None
    error: str | None = None


def _row(line: int, data: Any) -> Row:
    hid = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else None
    try:
        return Row(line, hid, household=load_household(data))
    except FactError as exc:
        return Row(line, hid, error=str(exc))


def _detect(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    return "json" if head.lstrip().startswith("[") else "jsonl"


def read_households(source: Path | str | TextIO, *, format: str | None = None) -> Iterator[Row]:
    """Yield a :class:`Row` per household in ``source`` (path or open text file), in order."""
    if isinstance(source, str | Path):
        path = Path(source)
        # Undecodable bytes are kept as lone surrogates and reported on their own line.
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            head = fh.read(2048)
            fh.seek(0)
            yield from read_households(fh, format=format or _detect(path, head))
        return
    fmt = format or "jsonl"
    if fmt == "jsonl":
        for number, text in enumerate(source, start=1):
            if not text.strip():
                continue
            if undecodable := undecodable_bytes([(number, text)]):
                yield Row(number, None, error=f"line {number}: {undecodable}")
                continue
            try:
                data = json.loads(text.lstrip("\ufeff"), parse_float=Decimal)
            except json.JSONDecodeError as exc:
                yield Row(number, None, error=f"line {number}: not valid JSON: {exc}")
                continue
            yield _row(number, data)
    elif fmt == "json":
        try:
            data = json.loads(source.read().lstrip("\ufeff"), parse_float=Decimal)
        except json.JSONDecodeError as exc:
            yield Row(1, None, error=f"not valid JSON: {exc}")
            return
        items = data if isinstance(data, list) else [data]
        for number, item in enumerate(items, start=1):
            yield _row(number, item)
    elif fmt == "csv":
        yield from _read_csv(source)
    else:
        raise ValueError(f"unknown input format {fmt!r} (json, jsonl, csv)")


class _Lines:
    """Physical lines for ``csv.reader``, numbered, with the ones a record used kept until it is
    accepted: a bad record gives back every line after its first, to be read again."""

    def __init__(self, source: TextIO) -> None:
        self._source = enumerate(source, start=1)
        self._again: list[tuple[int, str]] = []
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        number, text = self._again.pop(0) if self._again else next(self._source)
        if number == 1:
            text = text.lstrip("\ufeff")
        self.taken.append((number, text))
        return text

    def accept(self) -> list[tuple[int, str]]:
        taken, self.taken = self.taken, []
        return taken

    def give_back(self, taken: list[tuple[int, str]]) -> None:
        """Drop a bad record's first line and read the lines after it again."""
        self._again[:0] = taken[1:]


def _read_csv(source: TextIO) -> Iterator[Row]:
    """CSV rows, each bad one reported on its own line: an unreadable cell (over the csv
    module's field limit), an unterminated quote (the record is cut back to its first line and
    the lines it swallowed are read again) or undecodable bytes never take other rows along."""
    lines = _Lines(source)
    reader = csv.reader(lines)
    header = _csv_header(reader, lines)
    if header is None:
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = lines.accept()
            lines.give_back(taken)
            number = taken[0][0] if taken else 0
            yield Row(number, None, error=f"line {number}: unreadable CSV record ({exc})")
            continue
        taken = lines.accept()
        number = taken[0][0]
        problem = undecodable_bytes(taken) or _swallowed(cells, taken)
        if problem == _SWALLOWED:
            lines.give_back(taken)
            hid = cells[header.index("id")].strip() if "id" in header and cells else None
            yield Row(number, hid or None, error=scrub_id_numbers(f"line {number}: {problem}"))
            continue
        if problem:
            yield Row(number, None, error=f"line {number}: {problem}")
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        record = dict(zip(header, cells, strict=False))
        hid = (record.get("id") or "").strip() or None
        try:
            if len(cells) > len(header):
                raise ValueError(
                    f"more cells than header columns ({len(cells) - len(header)} extra)"
                )
            data = _csv_record(record)
        except ValueError as exc:
            yield Row(number, hid, error=scrub_id_numbers(f"line {number}: {exc}"))
            continue
        yield _row(number, data)


def _csv_header(reader: Iterator[list[str]], lines: _Lines) -> list[str] | None:
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FangfanError(
            f"line 1: the CSV header is unreadable ({exc}); no row can be read"
        ) from None
    taken = lines.accept()
    problem = undecodable_bytes(taken) or (_SWALLOWED if len(taken) > 1 else None)
    if problem:
        raise FangfanError(f"line 1: the CSV header is unreadable ({problem}); no row can be read")
    names = [name.strip() for name in header]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FangfanError(f"line 1: the CSV header names a column twice: {duplicates}")
    return names


_SWALLOWED = (
    "a quoted cell is not closed on its line (unterminated quote?); the lines after it are "
    "read as rows of their own. A cell may span lines only if it holds JSON"
)


def _swallowed(cells: list[str], taken: list[tuple[int, str]]) -> str | None:
    """A record over several lines is legitimate only when each cell with a line break is JSON
    (pretty-printed members, income…); otherwise a quote was left open and swallowed rows."""
    if len(taken) == 1:
        return None
    for cell in cells:
        if "\n" in cell or "\r" in cell:
            text = cell.strip()
            try:
                if text[:1] not in ("[", "{"):
                    return _SWALLOWED
                json.loads(text)
            except ValueError:
                return _SWALLOWED
    return None


def undecodable_bytes(taken: list[tuple[int, str]]) -> str | None:
    """Bytes that are not UTF-8 (decoded with ``surrogateescape``): where, and what to do."""
    for number, text in taken:
        found = _ESCAPED_BYTE.search(text)
        if found:
            byte = ord(found.group()) - 0xDC00
            return (
                f"not UTF-8 text (byte 0x{byte:02X} on line {number}, character "
                f"{found.start() + 1}); save the file as UTF-8 (GBK files from Excel need "
                f"converting)"
            )
    return None


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _csv_record(record: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, cell in record.items():
        if cell.strip() == "":
            continue
        text = cell.strip()
        value: Any = text
        if text[:1] in "[{" or text in ("true", "false"):
            try:
                value = json.loads(text, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise ValueError(f"column {column!r}: invalid JSON: {exc}") from None
        target = out
        *parents, leaf = column.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out
