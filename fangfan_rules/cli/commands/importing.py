"""Officials' spreadsheets in: ``import`` (XLSX / CSV of members → households as JSON Lines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.options import PERIOD
from fangfan_rules.cli.runtime import runtime


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--mapping",
    default="default",
    show_default=True,
    help="Mapping of columns and words to facts: 'default', 'office_example' or a YAML file.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Households as JSON Lines (one household per line).",
)
@click.option("--sheet", help="Workbook sheet to read (default: the first).")
@click.option(
    "--input-encoding",
    help="Encoding of a CSV file when it cannot be told from the file (e.g. gbk, utf-8).",
)
@click.option(
    "--income-period",
    type=PERIOD,
    help="The period the sheet's income columns cover, START..END (e.g. 2022-05-01..2023-04-30).",
)
@click.option(
    "--reveal-ids", is_flag=True, help="Write ID numbers into the output (else left out)."
)
def import_(
    file: Path,
    mapping: str,
    output: Path,
    sheet: str | None,
    input_encoding: str | None,
    income_period: Any,
    reveal_ids: bool,
) -> int:
    """Read a workbook or CSV of household members (one row per member, Chinese headers) into
    households as JSON Lines. Every cell that cannot be read is reported with sheet, row, column
    and value, and its household is a bad row; every other household is written."""
    from fangfan_rules.io import import_to_jsonl

    rt = runtime()
    with output.open("w", encoding="utf-8", newline="\n") as out:
        summary = import_to_jsonl(
            file,
            mapping,
            out,
            sheet=sheet,
            encoding=input_encoding,
            income_period=income_period,
            reveal_ids=reveal_ids,
        )
    for error in summary.errors:
        # "bad household H1: …" naming its sheet and rows; a row of no household: "bad row sheet …"
        rt.bad_row(None, error, what="bad" if error.startswith("household ") else "bad row")
    rt.note(summary.text(errors=False))  # each bad row once, above
    return EXIT_BAD_ROWS if summary.bad_rows else EXIT_OK


COMMANDS = [import_]
