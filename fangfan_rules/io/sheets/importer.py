"""The ``import`` command's work: a spreadsheet in, households as JSON Lines out, and a summary.

``fangfan-rules import --mapping M.yaml FILE.xlsx -o households.jsonl`` calls
:func:`import_to_jsonl`; the CLI only parses its arguments and prints the summary.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from fangfan_rules.dates import DateRange
from fangfan_rules.io.sheets.mapping import SpreadsheetMapping
from fangfan_rules.io.sheets.reader import read_spreadsheet


@dataclass
class ImportSummary:
    """What an import read and wrote. ``errors`` holds every bad row's message (IDs masked)."""

    source: str
    sheet: str
    encoding: str | None
    mapping: str
    households: int = 0
    bad_rows: int = 0
    member_rows: int = 0
    blank_rows: int = 0
    totals_rows: int = 0
    id_numbers_left_out: int = 0
    missing_columns: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def text(self, *, errors: bool = True) -> str:
        """The summary as the command prints it (``errors=False``: without the bad rows, which
        the command has printed one by one already)."""
        lines = [
            f"{self.source} (sheet {self.sheet}"
            + (f", encoding {self.encoding}" if self.encoding else "")
            + f") with mapping {self.mapping}:",
            f"  {self.households} household(s) written from {self.member_rows} member row(s); "
            f"{self.bad_rows} bad row(s); {self.blank_rows} blank and {self.totals_rows} totals "
            "row(s) skipped",
        ]
        if self.id_numbers_left_out:
            lines.append(
                f"  {self.id_numbers_left_out} ID number(s) validated and left out of the output "
                "(reveal_ids=True / --reveal-ids writes them)"
            )
        for label, names in (
            ("mapped columns not in the sheet (facts unknown)", self.missing_columns),
            ("columns no mapping entry reads", self.unmapped_columns),
            ("columns ignored by the mapping", self.ignored_columns),
        ):
            if names:
                lines.append(f"  {label}: {', '.join(names)}")
        if errors:
            lines += self.errors
        return "\n".join(lines)


def import_to_jsonl(
    source: str | Path,
    mapping: SpreadsheetMapping | str | Path,
    out: TextIO,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    income_period: DateRange | tuple[dt.date, dt.date] | None = None,
    reveal_ids: bool = False,
) -> ImportSummary:
    """Write each good household of ``source`` as one JSON line to ``out``; return the summary.

    ID numbers are validated on reading and **left out** of the output unless ``reveal_ids`` is
    true (a masked number would not validate when the file is read back). Bad rows are not
    written: their errors are in the summary, one per household, naming the cells.
    """
    rows = read_spreadsheet(source, mapping, sheet, encoding=encoding, income_period=income_period)
    summary = ImportSummary(
        source=str(source),
        sheet=rows.sheet,
        encoding=rows.encoding,
        mapping=rows.mapping.name,
        missing_columns=list(rows.missing_columns),
        unmapped_columns=list(rows.unmapped_columns),
        ignored_columns=list(rows.ignored_columns),
    )
    for row in rows:
        if row.household is None:
            summary.errors.append(str(row.error))
            continue
        household = row.household
        if not reveal_ids:
            summary.id_numbers_left_out += sum(m.id_number is not None for m in household.members)
            exclude = {"members": {"__all__": {"id_number"}}}
            data = household.model_dump(mode="json", exclude=exclude, exclude_defaults=True)
        else:
            data = household.model_dump(
                mode="json", exclude_defaults=True, context={"reveal_ids": True}
            )
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    summary.households = rows.households
    summary.bad_rows = rows.bad_rows
    summary.member_rows = rows.member_rows
    summary.blank_rows = rows.blank_rows
    summary.totals_rows = rows.totals_rows
    return summary
