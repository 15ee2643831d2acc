"""Households from a file uploaded on the web page: JSON / JSON Lines, or a spreadsheet of
member rows (入户排查表: XLSX, XLS, ODS or CSV, one row per member, Chinese headers).

Village and town staff keep households in spreadsheets, so the page reads them the way the
``import`` command does (:func:`fangfan_rules.io.sheets.read_spreadsheet`, the shipped
``default`` mapping): every cell that cannot be read makes its household a bad row naming sheet,
row, column and value; every other household is answered. A spreadsheet's income columns cover
a period no sheet states, so the clerk gives it (收入周期); without it a sheet with income
columns is refused as a whole, never read for another period. JSON goes through the library's
strict reader (:func:`fangfan_rules.io.readers.read_households`).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

from fangfan_rules.facts import Household
from fangfan_rules.io.readers import read_households
from fangfan_rules.io.sheets import read_spreadsheet

#: File name endings read as a spreadsheet of member rows; anything else is read as JSON.
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
#: The shipped mapping the page reads spreadsheets with (docs/spreadsheets.md).
MAPPING = "default"


@dataclass(frozen=True)
class UploadedRow:
    """One household read from an upload, or why it could not be: ``where`` says in Chinese
    where it is in the file (第3条 of a JSON Lines file, 第3行 of a sheet), ``error`` why, in
    Chinese for the staff who read the page (:mod:`fangfan_rules.messages_zh`)."""

    where: str
    household: Household | None
    error: str | None


def is_spreadsheet(filename: str | None) -> bool:
    """Is an uploaded file (by its name's ending, any case) a spreadsheet of member rows?"""
    return bool(filename) and PurePath(str(filename)).suffix.lower() in SPREADSHEET_SUFFIXES


def json_rows(data: bytes) -> list[UploadedRow]:
    """Households from a JSON array or JSON Lines (one object is one line): a key twice, bytes
    that are not UTF-8, deep nesting, a malformed line or element — each is a bad row naming the
    line, the rest are read; money may be an exact JSON number."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return []
    fmt = "json" if head.startswith(b"[") else "jsonl"
    return [
        UploadedRow(f"第{row.line}条", row.household, row.error_text("zh"))
        for row in read_households(io.BytesIO(data), format=fmt)
    ]


def spreadsheet_rows(
    filename: str, data: bytes, income_period: tuple[date, date] | None
) -> list[UploadedRow]:
    """Households from an uploaded spreadsheet, read with the ``default`` mapping.

    Raises :class:`~fangfan_rules.io.sheets.SpreadsheetError` when the file cannot be read at
    all (no 户编号 header, a required column missing, an encoding that cannot be decided, income
    columns without ``income_period``). The file is read from a private temporary copy (the
    readers take a path: the format is told by its ending), removed at once.
    """
    suffix = PurePath(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ffr-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        rows = read_spreadsheet(path, MAPPING, income_period=income_period)
        return [UploadedRow(f"第{row.line}行", row.household, row.error_text("zh")) for row in rows]
