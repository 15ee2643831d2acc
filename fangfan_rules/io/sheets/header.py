"""Finding the header in a sheet and matching the mapping's headers to its columns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fangfan_rules.io.sheets.cells import is_blank, shown
from fangfan_rules.io.sheets.mapping import Column, SpreadsheetError, SpreadsheetMapping
from fangfan_rules.io.sheets.sources import Table


@dataclass(frozen=True)
class Header:
    """The sheet's header: its last row's number and each column's full and short name."""

    last_row: int
    full: list[str]
    short: list[str]


def squeeze(text: str) -> str:
    """A header without any whitespace: "工资性\n收入" (a wrapped header cell) is "工资性收入"."""
    return "".join(text.split())


def _texts(cells: list[Any], width: int) -> list[str]:
    out = ["" if is_blank(c) else squeeze(shown(c)) for c in cells]
    return out + [""] * (width - len(out))


def _spread_merges(table: Table, first_row: int, grid: list[list[str]]) -> None:
    """A merged header cell's text sits in its first cell: give it to every cell it covers."""
    rows = range(first_row - 1, first_row - 1 + len(grid))
    for (r0, c0), (r1, c1) in table.merged:
        if r0 not in rows:
            continue
        text = grid[r0 - rows.start][c0 - table.first_column]
        for r in range(r0, min(r1, rows.stop - 1) + 1):
            for c in range(c0, c1 + 1):
                index = c - table.first_column
                if 0 <= index < len(grid[0]):
                    grid[r - rows.start][index] = text


def _carry_left(grid: list[list[str]]) -> None:
    """CSV has no merges: a blank cell in an upper header row continues the text on its left."""
    for row in grid[:-1]:
        for index in range(1, len(row)):
            if not row[index]:
                row[index] = row[index - 1]


def find_header(table: Table, mapping: SpreadsheetMapping) -> tuple[Header, Iterator[Any]]:
    """Read rows up to the header (title rows above it are skipped); return it and the rest."""
    key = mapping.key.header
    assert key is not None
    wanted = squeeze(key)
    rows = iter(table.rows)
    for number, cells in rows:
        if number > mapping.header_search_rows:
            break
        if any(not is_blank(c) and squeeze(shown(c)) == wanted for c in cells):
            grid_cells = [cells]
            for _ in range(mapping.header_rows - 1):
                more = next(rows, None)
                if more is None:
                    break
                grid_cells.append(more[1])
            width = max(len(c) for c in grid_cells)
            grid = [_texts(c, width) for c in grid_cells]
            if table.workbook:
                _spread_merges(table, number, grid)
            else:
                _carry_left(grid)
            full, short = [], []
            for column in zip(*grid, strict=True):
                parts: list[str] = []
                for part in column:
                    if part and (not parts or parts[-1] != part):
                        parts.append(part)
                full.append("/".join(parts))
                short.append(parts[-1] if parts else "")
            return Header(number + len(grid) - 1, full, short), rows
    raise SpreadsheetError(
        f"sheet {table.sheet}: no header row holding {key!r} in the first "
        f"{mapping.header_search_rows} rows (the household key column must be there)"
    )


@dataclass(frozen=True)
class Layout:
    """Where each mapped column is, and what the mapping does not read."""

    index: dict[int, int]  # id(Column) -> cell index
    missing: list[str]
    unmapped: list[str]
    ignored: list[str]


def match_columns(header: Header, mapping: SpreadsheetMapping, sheet: str) -> Layout:
    """Each mapped header matches one column by its full name ("收入/工资性收入") or, when that
    is unambiguous, by its lowest header cell ("工资性收入")."""
    index: dict[int, int] = {}
    used: set[int] = set()
    missing: list[str] = []
    problems: list[str] = []
    columns: list[Column] = mapping.columns()
    for column in columns:
        assert column.header is not None
        wanted = squeeze(column.header)
        hits = [i for i, name in enumerate(header.full) if name == wanted]
        if not hits:
            hits = [i for i, name in enumerate(header.short) if name == wanted]
        if len(hits) > 1:
            names = ", ".join(repr(header.full[i]) for i in hits)
            problems.append(f"header {column.header!r} matches {len(hits)} columns ({names})")
        elif hits:
            index[id(column)] = hits[0]
            used.add(hits[0])
        elif column.required:
            problems.append(f"required column {column.header!r} ({column.target}) is not there")
        else:
            missing.append(column.header)
    if problems:
        raise SpreadsheetError(f"sheet {sheet}: " + "; ".join(problems))
    ignore = {squeeze(name) for name in mapping.ignore}
    unmapped: list[str] = []
    ignored: list[str] = []
    for i, name in enumerate(header.full):
        if i in used or not name:
            continue
        (ignored if name in ignore or header.short[i] in ignore else unmapped).append(name)
    return Layout(index, missing, unmapped, ignored)
