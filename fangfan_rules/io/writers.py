"""Write results as JSON Lines or CSV (one row per input household, errors included).

Writing never fails on the text it is given: a lone surrogate (``"\\ud800"`` read from a JSON
escape, or an undecodable byte kept by the readers) cannot be encoded in UTF-8, so it is written as
its escape ``\\ud800`` — in JSON Lines that is the same string again; in CSV it is visible text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from fangfan_rules.idnumber import masked
from fangfan_rules.results import Identification

RESULT_COLUMNS = (
    "line",
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
    "first_reason",
    "missing_facts",
    "error",
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with every lone surrogate replaced by its ``\\uXXXX`` escape (else unchanged)."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encodable_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row whose text cells are all :func:`encodable`."""
    return {k: encodable(v) if isinstance(v, str) else v for k, v in row.items()}


def result_row(
    line: int, result: Identification | None, household_id: str | None, error: str | None
) -> dict[str, Any]:
    """A flat row for one input line: the result's summary, or the error (ID numbers masked
    unless revealed, household ids included)."""
    if result is not None:
        return {"line": line, **result.summary(), "error": ""}
    empty = dict.fromkeys(RESULT_COLUMNS, "")
    return {
        **empty,
        "line": line,
        "household_id": masked(household_id or ""),
        "outcome": "error",
        "error": masked(error or ""),
    }


def write_results(
    rows: Iterable[tuple[int, Identification | None, str | None, str | None]],
    out: TextIO,
    *,
    format: str,
    full: bool = False,
) -> None:
    """Write ``(line, result, household_id, error)`` tuples as ``jsonl`` or ``csv``.

    ``full=True`` writes the whole result (with reasons and trace) in JSON Lines.
    """
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        for line, result, hid, error in rows:
            writer.writerow(encodable_row(result_row(line, result, hid, error)))
        return
    for line, result, hid, error in rows:
        if full and result is not None:
            record = {"line": line, **result.model_dump(mode="json")}
        else:
            record = result_row(line, result, hid, error)
        out.write(encodable(json.dumps(record, ensure_ascii=False)) + "\n")
