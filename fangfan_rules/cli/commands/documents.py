"""Documents for the village and the applicant: ``publicity`` (the draft 公示 list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.options import calendar_option, evaluation_options, progress_option
from fangfan_rules.cli.runtime import calendar, configured_pack, read_all, runtime
from fangfan_rules.errors import FangfanError
from fangfan_rules.results import BadRow, Outcome


@click.command("publicity")
@evaluation_options
@calendar_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The list: .xlsx (Excel) or .html (a printable page; print to PDF from a browser).",
)
@click.option("--place", help="Heading of the list, e.g. the village (default: from the data).")
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    type=click.Choice(["identify", "needs_review"]),
    help="Answers to list (repeatable; default both: the households recommended for the procedure).",
)
@progress_option
def publicity(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    output: Path,
    place: str | None,
    outcomes: tuple[str, ...],
    show_progress: bool | None,
) -> int:
    """Draft the village publicity list (拟纳入监测对象名单, 供民主评议): 村, 户主 (masked, e.g.
    张*), category and reason of each household the pack recommends for the identification
    procedure — never an ID number. Officials decide; the list says so."""
    from fangfan_rules.publicity import publicity_rows, write_publicity

    rt = runtime()
    configured = configured_pack(pack, params)
    rows = read_all(file, input_format, rt, show_progress)
    households = [r.household for r in rows if r.household is not None]
    results = configured.identify_many(households, as_of=as_of, calendar=calendar(calendars))
    wanted = tuple(Outcome(o) for o in outcomes) or (Outcome.IDENTIFY, Outcome.NEEDS_REVIEW)
    listed = publicity_rows(results, households, outcomes=wanted)
    villages = sorted({h.area.village for h in households})
    heading = place or (villages[0] if len(villages) == 1 else "")
    if output.suffix.lower() not in (".xlsx", ".html", ".htm"):
        raise FangfanError(f"-o {output}: the list is written as .xlsx or .html")
    write_publicity(
        listed, output, place=heading, as_of=as_of, pack_title=configured.document.title
    )
    rt.note(f"{len(listed)} households listed of {len(households)} evaluated → {output}")
    for result in results:
        if isinstance(result, BadRow):
            rt.bad_row(result.position + 1, result.error, what="bad household")
    bad = sum(1 for r in rows if r.household is None) + sum(
        1 for r in results if isinstance(r, BadRow)
    )
    return EXIT_BAD_ROWS if bad else EXIT_OK


COMMANDS = [publicity]
