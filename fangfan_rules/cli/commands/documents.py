"""Documents for the village and the applicant: ``publicity`` (the draft 公示 list) and
``letters`` (the written answers, 书面告知, to self-applicants found not meeting the standard)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.options import (
    calendar_option,
    evaluation_options,
    lang_option,
    progress_option,
)
from fangfan_rules.cli.runtime import Runtime, calendar, configured_pack, read_all, runtime
from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household
from fangfan_rules.packs import Pack
from fangfan_rules.results import BadRow, Identification, Outcome

F = TypeVar("F", bound=Callable[..., Any])


def document_output(what: str) -> Callable[[F], F]:
    """``-o FILE``, required, and ``--format``: as every command, the format is ``--format``, else
    the extension: ``xlsx`` or ``html`` (printable pages)."""

    def wrapped(f: F) -> F:
        f = click.option(
            "--format",
            "fmt",
            type=click.Choice(["xlsx", "html"]),
            help="Document format (default: from the -o extension).",
        )(f)
        return click.option(
            "-o",
            "--output",
            required=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"{what}: .xlsx (Excel) or .html (printable A4 pages; print to PDF from a "
            "browser).",
        )(f)

    return wrapped


def document_format(output: Path, fmt: str | None) -> str:
    """``--format``, else the extension of ``-o``; anything but xlsx / html cannot run."""
    kind = fmt or {".xlsx": "xlsx", ".html": "html", ".htm": "html"}.get(output.suffix.lower())
    if kind is None:
        raise FangfanError(
            f"-o {output}: this document is written as .xlsx or .html (or give --format)"
        )
    return kind


@dataclass
class Evaluation:
    """A batch evaluated for a document: the pack, the households read and their answers."""

    rt: Runtime
    pack: Pack
    households: list[Household]
    results: list[Identification | BadRow]
    bad: int

    def exit_code(self, more_bad: int = 0) -> int:
        """Bad input rows and bad households are on standard error (and counted): exit 3."""
        for result in self.results:
            if isinstance(result, BadRow):
                self.rt.bad_row(result.position + 1, result.error, what="bad household")
        return EXIT_BAD_ROWS if self.bad + more_bad else EXIT_OK


def evaluate_for_document(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    show_progress: bool | None,
) -> Evaluation:
    """Read and evaluate every household in one batch."""
    rt = runtime()
    configured = configured_pack(pack, params)
    rows = read_all(file, input_format, rt, show_progress)
    households = [r.household for r in rows if r.household is not None]
    results = configured.identify_many(households, as_of=as_of, calendar=calendar(calendars))
    bad = sum(1 for r in rows if r.household is None) + sum(
        1 for r in results if isinstance(r, BadRow)
    )
    return Evaluation(rt, configured, households, list(results), bad)


@click.command("publicity")
@evaluation_options
@calendar_option
@document_output("The list")
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
    fmt: str | None,
    place: str | None,
    outcomes: tuple[str, ...],
    show_progress: bool | None,
) -> int:
    """Draft the village publicity list (拟纳入监测对象名单, 供民主评议): 村, 户主 (masked, e.g.
    张*), category and reason of each household the pack recommends for the identification
    procedure — never an ID number. Officials decide; the list says so."""
    from fangfan_rules.publicity import publicity_rows, write_publicity

    kind = document_format(output, fmt)
    run = evaluate_for_document(pack, as_of, params, calendars, input_format, file, show_progress)
    wanted = tuple(Outcome(o) for o in outcomes) or (Outcome.IDENTIFY, Outcome.NEEDS_REVIEW)
    listed = publicity_rows(run.results, run.households, outcomes=wanted)
    villages = sorted({h.area.village for h in run.households})
    heading = place or (villages[0] if len(villages) == 1 else "")
    title = run.pack.document.title
    write_publicity(listed, output, place=heading, as_of=as_of, pack_title=title, format=kind)
    run.rt.note(f"{len(listed)} households listed of {len(run.households)} evaluated → {output}")
    return run.exit_code()


@click.command("letters")
@evaluation_options
@calendar_option
@document_output("The written answers")
@lang_option
@progress_option
def letters(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    output: Path,
    fmt: str | None,
    lang: str,
    show_progress: bool | None,
) -> int:
    """Write the written answers (书面告知, jimo_2022 一、(三)2) to self-applicants whose
    application was closed by --as-of and recorded as not meeting the identification standard:
    the officials' recorded result and reason, dated on the 办结日期, with the pack's own check of
    a figure labelled as such. ID numbers masked, 户主 masked (张*).

    A household whose closed application lacks its recorded result or reason is reported on
    standard error (exit 3); households with no answer due are counted, not listed."""
    from fangfan_rules.letters import LetterError, answer, check_asks_for_answers, write_letters

    kind = document_format(output, fmt)
    check_asks_for_answers(configured_pack(pack, params))  # before reading any household
    run = evaluate_for_document(pack, as_of, params, calendars, input_format, file, show_progress)
    by_id = {h.id: h for h in run.households}
    answers = []
    gaps = 0
    for result in run.results:
        if isinstance(result, BadRow):
            continue
        try:
            answers.append(
                answer(result, household=by_id[result.household_id], lang=lang, pack=run.pack)
            )
        except LetterError as exc:
            if exc.kind == "not_due":
                continue  # nothing to write: not an error
            if exc.kind == "unusable":
                raise
            gaps += 1
            run.rt.bad_row(None, str(exc), what="no written answer")
    answers.sort(key=lambda a: (a.village, a.household_id))
    write_letters(answers, output, lang=lang, format=kind)
    run.rt.note(
        f"{len(answers)} written answers of {len(run.households)} households evaluated"
        + (f", {gaps} due but not recorded" if gaps else "")
        + f" → {output}"
    )
    return run.exit_code(gaps)


COMMANDS = [publicity, letters]
