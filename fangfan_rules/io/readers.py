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
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from fangfan_rules.errors import FactError
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
        with path.open(encoding="utf-8-sig", newline="") as fh:
            head = fh.read(2048)
            fh.seek(0)
            yield from read_households(fh, format=format or _detect(path, head))
        return
    fmt = format or "jsonl"
    if fmt == "jsonl":
        for number, text in enumerate(source, start=1):
            if not text.strip():
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
        reader = csv.DictReader(_without_bom(source))
        for record in reader:
            number = reader.line_num
            try:
                data = _csv_record(record)
            except ValueError as exc:
                yield Row(
                    number,
                    record.get("id") or None,
                    error=scrub_id_numbers(f"line {number}: {exc}"),
                )
                continue
            yield _row(number, data)
    else:
        raise ValueError(f"unknown input format {fmt!r} (json, jsonl, csv)")


def _without_bom(lines: TextIO) -> Iterator[str]:
    for number, line in enumerate(lines):
        yield line.lstrip("\ufeff") if number == 0 else line


def _csv_record(record: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, cell in record.items():
        if column is None:
            raise ValueError(f"more cells than header columns ({len(cell or [])} extra)")
        if cell is None or cell.strip() == "":
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
