"""Rows out of a workbook or a CSV file, streamed, with the numbers people see in Excel.

Workbooks are read with calamine (python-calamine): only the chosen sheet is parsed, into compact
native memory, and rows are handed to Python one at a time. Measured with
benchmarks/spreadsheet_bench.py on 50,000 member rows × 26 columns (a 4.7 MB workbook; 2 shared
cores, other jobs running: figures are upper bounds), raw row iteration only:

- calamine: 0.75 s, 66,000 rows/s, peak 97 MiB (3.3 s and 343 MiB for 200,000 rows);
- openpyxl read-only mode: 11.1 s, 4,500 rows/s, peak 45 MiB (constant: it truly streams);
- pandas.read_excel(engine="calamine"): 1.6 s, peak 258 MiB (a whole DataFrame).

openpyxl is 15 times slower. Its constant memory would not survive into the reader anyway: a
household's rows may be anywhere in the sheet, so the reader keeps every household's cells until the
sheet ends (about 2.2 KB per member row); calamine adds about 1.6 KB per row on top. The whole reader
(cells read, households grouped and validated, per-capita figures checked) takes 4.8 s for the
workbook (10,400 member rows/s, peak 289 MiB with 116 MiB of them the interpreter and
fangfan_rules) and 3.5 s for the same rows as a GBK CSV file (14,200 rows/s, 228 MiB). CSV files
are decoded as a stream in the encoding :mod:`~fangfan_rules.io.sheets.encoding` decides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fangfan_rules.io.sheets.encoding import detect_encoding
from fangfan_rules.io.sheets.mapping import SpreadsheetError

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
_DELIMITERS = (",", "\t", ";")


@dataclass
class Table:
    """One sheet's rows: ``(row number as Excel shows it, cells)``."""

    sheet: str
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    #: 0-based index of the sheet column that ``cells[0]`` is
    first_column: int = 0
    #: merged ranges ``((first_row, first_col), (last_row, last_col))``, 0-based, workbooks only
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    workbook: bool = False

    def column_name(self, index: int) -> str:
        """``C`` in a workbook, ``column 3`` in a CSV file."""
        absolute = self.first_column + index
        if not self.workbook:
            return f"column {absolute + 1}"
        letters = ""
        number = absolute + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters


def _workbook(path: Path, sheet: str | None) -> Table:
    import python_calamine  # imported here: only workbook reading needs it

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors (zip, xml, password) share no base class
        raise SpreadsheetError(f"{path}: cannot open the workbook: {exc}") from None
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise SpreadsheetError(f"{path}: the workbook has no sheet")
        sheet = names[0]
    elif sheet not in names:
        raise SpreadsheetError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
    data = book.get_sheet_by_name(sheet)
    start = data.start or (0, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # calamine yields rows from the sheet's first row, cells from its first used column.
        for index, cells in enumerate(data.iter_rows()):
            yield index + 1, cells

    return Table(
        sheet=sheet,
        rows=rows(),
        first_column=start[1],
        merged=list(data.merged_cell_ranges or []),
        workbook=True,
    )


def _delimiter(head: str, key_header: str, search_lines: int) -> str:
    """The delimiter under which the key header is a whole cell (most cells wins)."""
    for line in head.splitlines()[:search_lines]:
        found = [
            (len(cells), d)
            for d in _DELIMITERS
            if key_header in (cells := [c.strip() for c in next(csv.reader([line], delimiter=d))])
        ]
        if found:
            return max(found)[1]
    return ","


def _csv(path: Path, encoding: str | None, key_header: str, search_lines: int) -> Table:
    if encoding is None:
        detected = detect_encoding(path, key_header, search_lines)
        codec, skip, name = detected.codec, detected.skip, detected.name
    else:
        codec, skip, name = encoding, 0, f"{encoding} (given)"
        if codec.lower().replace("-", "").replace("_", "") in ("gbk", "gb2312"):
            codec = "gb18030"  # GB18030 is a superset: GBK text reads the same
    with path.open("rb") as fh:
        fh.seek(skip)
        head = fh.read(64 * 1024).decode(codec, errors="ignore")
    delimiter = _delimiter(head, key_header, search_lines)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with path.open("rb") as raw:
            raw.seek(skip)
            text = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
            try:
                yield from enumerate(csv.reader(text, delimiter=delimiter), start=1)
            except UnicodeDecodeError as exc:  # only with a caller-given encoding
                raise SpreadsheetError(f"{path}: not {name}: {exc.reason}") from None

    return Table(sheet=path.name, rows=rows(), encoding=name)


def open_table(
    path: Path,
    *,
    sheet: str | None,
    encoding: str | None,
    key_header: str,
    search_lines: int,
) -> Table:
    """Open a workbook sheet or a CSV file for reading rows."""
    if not path.exists():
        raise SpreadsheetError(f"{path}: file not found")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _workbook(path, sheet)
    return _csv(path, encoding, key_header, search_lines)
