"""Read households from JSON (one object or an array), JSON Lines or CSV, never losing a row.

Every input record becomes a :class:`Row`: either a validated household or the error that names
the line (the element number in a JSON array), the household id (when readable), the field and
the value. Nothing in a record stops the records after it: malformed JSON, deep nesting, huge
numbers, duplicated keys, bytes that are not UTF-8, a CSV record with too many or too few cells,
a cell over 131,072 characters, an unterminated quote — each is one reported bad row, and reading
goes on (after an unterminated quote, from the line after the one that opened it, so that the
lines it would have swallowed are read as records of their own). Only a file that cannot be
opened at all raises (``OSError``).

CSV layout: one household per line; a column per top-level field of the household schema; nested
fields are either JSON in the cell (``members``, ``income``, ``area``…) or dotted column names
(``area.county``, ``guarantees.housing_grade``). Empty cells are unknown (left out); ``true`` and
``false`` are booleans; a cell starting with ``[`` or ``{`` is JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from fangfan_rules.csvrecords import MAX_CELL, UTF8_HINT, decoded, records, undecodable
from fangfan_rules.errors import NO_VALUE, FactError, printable
from fangfan_rules.facts import Household, load_household
from fangfan_rules.facts.forms import ASCII_BLANKS
from fangfan_rules.facts.loading import household_id_of, json_kind, parse_household_json
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.jsonparse import JsonProblem, check, decoder, duplicates_made, loads


@dataclass(frozen=True)
class Row:
    """One input record: where it came from and either its household or its error."""

    line: int
    household_id: str | None
    household: Household | None = None
    error: str | None = None
    #: the error with its household, fields, values and reasons, when it is about the facts
    fact_error: FactError | None = None

    def error_text(self, lang: str = "en") -> str | None:
        """The error as ``lang`` reads it: ``en`` the library's text (:attr:`error`), ``zh`` the
        Chinese one for staff (:mod:`fangfan_rules.messages_zh`; a reason it does not know stays
        as it is)."""
        if self.error is None or lang != "zh":
            return self.error
        from fangfan_rules.messages_zh import fact_error_zh, reason_zh

        return fact_error_zh(self.fact_error) if self.fact_error else reason_zh(self.error)


def _row(line: int, data: Any) -> Row:
    if not isinstance(data, Mapping):
        # a parsed JSON value that is not an object: a bad row saying so (a string is never
        # read again as a JSON document)
        problem = ("<household>", NO_VALUE, f"expected a JSON object, got {json_kind(data)}")
        return _fact_row(line, None, FactError(None, [problem]))
    hid = household_id_of(data)
    try:
        return Row(line, hid, household=load_household(data))
    except FactError as exc:
        return _fact_row(line, hid, exc)


def _fact_row(line: int, hid: str | None, error: FactError, prefix: str = "") -> Row:
    return Row(line, hid, error=f"{prefix}{error}", fact_error=error)


def _bad(line: int, hid: str | None, where: str, reason: str) -> Row:
    if where == "<line>":  # the record itself could not be read: say so, line first
        text = reason if hid is None else f"household {hid}: {reason}"
        return Row(line, hid, error=printable(scrub_id_numbers(text)))  # mask, then escape
    return _fact_row(line, hid, FactError(hid, [(where, NO_VALUE, reason)]))


def _detect(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    return "json" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else "jsonl"


def read_households(
    source: Path | str | TextIO | IO[bytes], *, format: str | None = None
) -> Iterator[Row]:
    """Yield a :class:`Row` per household in ``source`` (a path or an open file), in order.

    ``format``: ``json``, ``jsonl`` or ``csv`` (default: from the file's extension, or
    ``jsonl`` for an open file). Text is UTF-8 (a byte-order mark is ignored); a record that is
    not is a bad row. An open text file is read through its bytes when it has them (stdin).
    """
    fmt = format
    if fmt not in (None, "json", "jsonl", "csv"):
        raise ValueError(f"unknown input format {fmt!r} (json, jsonl, csv)")
    if isinstance(source, str | Path):
        path = Path(source)
        with path.open("rb") as fh:
            head = fh.read(2048)
            fh.seek(0)
            yield from _read(fh, fmt or _detect(path, head))
        return
    yield from _read(source, fmt or "jsonl")


def _read(source: TextIO | IO[bytes], fmt: str) -> Iterator[Row]:
    lines = _lines(source)
    if fmt == "jsonl":
        yield from _jsonl(lines)
    elif fmt == "json":
        yield from _json_document("".join(text for _, text in decoded(lines)))
    else:
        yield from _csv(lines)


def _lines(source: TextIO | IO[bytes]) -> Iterator[bytes | str]:
    """The physical lines of ``source``: bytes when it has them (decoded line by line, so a bad
    byte spoils one line, not the rest), else text."""
    binary = getattr(source, "buffer", None)
    encoding = str(getattr(source, "encoding", "") or "").lower().replace("-", "").replace("_", "")
    if binary is not None and encoding in ("utf8", "utf8sig"):
        return iter(binary)
    return iter(source)


def _jsonl(lines: Iterable[bytes | str]) -> Iterator[Row]:
    for number, raw in decoded(lines):
        text = raw.rstrip("\r\n")
        if not text.strip(ASCII_BLANKS):  # a blank line is no record (other characters are)
            continue
        column = undecodable(text)
        if column is not None:
            byte = ord(text[column - 1]) - 0xDC00
            yield _bad(
                number,
                None,
                "<line>",
                f"line {number} is not UTF-8 text (byte 0x{byte:02x} at column {column}); "
                + UTF8_HINT,
            )
            continue
        try:
            data = parse_household_json(text)
        except FactError as exc:
            yield _fact_row(number, exc.household_id, exc, prefix=f"line {number}: ")
            continue
        yield _row(number, data)


# ----------------------------------------------------------------------------------------------
# JSON documents: one object, or an array read element by element


def _json_document(text: str) -> Iterator[Row]:
    start = _skip_blank(text, 0)
    if start >= len(text) or text[start] != "[":
        column = undecodable(text)
        if column is not None:
            yield _bad(1, None, "<json>", "the document is not UTF-8 text; " + UTF8_HINT)
            return
        try:
            data = parse_household_json(text)
        except FactError as exc:
            yield _fact_row(1, exc.household_id, exc)
            return
        yield _row(1, data)
        return
    yield from _json_array(text, start + 1)


def _json_array(text: str, position: int) -> Iterator[Row]:
    """Elements of the array opened before ``position``: each decoded on its own, so that one
    bad element (malformed, too deep, a huge number, a duplicated key) is one bad row."""
    parse = decoder()
    number = 0
    while True:
        position = _skip_blank(text, position)
        if position >= len(text):
            yield _bad(number + 1, None, "<json>", "the array is not closed (']' missing)")
            return
        if text[position] == "]":
            rest = _skip_blank(text, position + 1)
            if rest < len(text):
                yield _bad(number + 1, None, "<json>", "text after the end of the array")
            return
        number += 1
        end = _value_end(text, position)
        piece = text[position:end] if end is not None else text[position:]
        column = undecodable(piece)
        if column is not None:
            yield _bad(number, None, "<json>", "element is not UTF-8 text; " + UTF8_HINT)
        else:
            yield _json_element(number, parse, piece)
        if end is None:
            if number and _skip_blank(text, position) < len(text):
                yield _bad(number + 1, None, "<json>", "the rest of the document cannot be read")
            return
        position = _skip_blank(text, end)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position < len(text) and text[position] != "]":
            yield _bad(number + 1, None, "<json>", "',' expected between elements")
            return


def _json_element(number: int, parse: json.JSONDecoder, piece: str) -> Row:
    problem: str
    before = duplicates_made()
    try:
        value, end = parse.raw_decode(piece)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: {exc.msg} (element {number}, column {exc.colno})"
    except RecursionError:
        problem = "not valid JSON: nested too deeply to read"
    except ValueError as exc:
        problem = f"not valid JSON: {str(exc)[:100]}"
    else:
        if piece[end:].strip(" \t\r\n"):
            problem = "not valid JSON: text after the element"
        else:
            try:
                check(value, before)
            except JsonProblem as exc:
                return _bad(number, household_id_of(value), exc.path or "<json>", exc.reason)
            return _row(number, value)
    return _bad(number, None, "<json>", problem)


def _skip_blank(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _value_end(text: str, position: int) -> int | None:
    """The end of the JSON value starting at ``position`` (brackets matched outside strings,
    without recursion), or None if the document ends first."""
    depth = 0
    in_string = False
    i = position
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
                if depth == 0:
                    return i + 1
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                return i  # a scalar element ends at the array's ']'
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "," and depth == 0:
            return i
        i += 1
    return None


# ----------------------------------------------------------------------------------------------
# CSV


def _csv(lines: Iterable[bytes | str]) -> Iterator[Row]:
    for record in records(lines):
        if record.cells is None:
            yield _bad(record.line, record.id, "<line>", record.error or "")
            continue
        try:
            data = _csv_record(record.cells)
        except ValueError as exc:
            yield _bad(record.line, record.id, "<line>", f"line {record.line}: {exc}")
            continue
        yield _row(record.line, data)


def _csv_record(cells: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, cell in cells.items():
        text = cell.strip(ASCII_BLANKS)
        if text == "":
            continue
        value: Any = text
        if text in ("true", "false"):
            value = text == "true"
        elif text[:1] in "[{":
            try:
                value = loads(text)
            except JsonProblem as exc:
                raise ValueError(f"column {column!r}: {exc}") from None
        target = out
        *parents, leaf = column.split(".")
        for part in parents:
            nested = target.setdefault(part, {})
            if not isinstance(nested, dict):
                raise ValueError(f"column {column!r} conflicts with column {part!r}")
            target = nested
        if leaf in target:
            raise ValueError(f"column {column!r} conflicts with another column")
        target[leaf] = value
    return out


__all__ = ["MAX_CELL", "Row", "read_households"]
