"""One Excel writer for every table fangfan-rules hands to an office (CLI outputs, the 公示 list,
ledgers): Chinese headers in bold, a frozen header row, readable column widths — and text that is
always text: a cell starting with ``=``, ``+``, ``-`` or ``@`` is never turned into a formula, and
control characters Excel refuses are written as escapes instead of breaking the file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any


def _sheet_title(title: str | None) -> str:
    cleaned = (title or "fangfan-rules").translate(str.maketrans("[]:*?/\\", "()：＊？／＼"))
    return cleaned[:31] or "fangfan-rules"


def write_table(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    heading: str | None = None,
) -> Path:
    """Write ``rows`` under ``headers`` to the workbook ``path`` (one sheet named ``title``; an
    optional ``heading`` line above the table, e.g. a list's title and date)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(title)
    first = 1
    if heading:
        sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
        first = 3
    widths = [len(str(h)) * 2 for h in headers]
    for c, header in enumerate(headers, start=1):
        cell = sheet.cell(row=first, column=c, value=str(header))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=first + 1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if value is None or value == "":
                continue
            if isinstance(value, datetime | date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, bool):
                cell.value = "是" if value else "否"
                cell.data_type = "s"
            elif isinstance(value, int | Decimal):
                cell.value = value
            else:
                text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
                cell.value = text
                cell.data_type = "s"  # never a formula, whatever the text starts with
            widths[c - 1] = max(widths[c - 1], min(len(str(value)) * 2, 120))
            if isinstance(value, str) and len(value) > 30:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 6), 60)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    book.save(path)
    return path
