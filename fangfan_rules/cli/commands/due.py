"""Deadlines: ``due`` (what is overdue or falls due soon across many cases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rich_click as click
from pydantic import ValidationError

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.options import DATE, calendar_option, output_options, progress_option
from fangfan_rules.cli.output import writer
from fangfan_rules.cli.runtime import calendar, count_rows, runtime, tracked
from fangfan_rules.csvrecords import UTF8_HINT, undecodable
from fangfan_rules.errors import FactError, validation_message
from fangfan_rules.packs import load_pack
from fangfan_rules.timeline import Case, Step, check_one_procedure, worklist

KEYS = (
    "line",
    "household_id",
    "pack",
    "deadline",
    "label",
    "start",
    "due",
    "status",
    "normal_limit",
    "start_is_reading",
    "citation",
    "error",
)
_STEPS = ", ".join(s.value for s in Step)


def read_cases(path: Path) -> list[tuple[int, Case | None, str | None, str | None]]:
    """``(line, case, household_id, error)`` for every non-blank line of a JSON Lines file."""
    out: list[tuple[int, Case | None, str | None, str | None]] = []
    with path.open(encoding="utf-8-sig", errors="surrogateescape") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            column = undecodable(text)
            if column is not None:
                problem = f"line {number}: not UTF-8 (character {column}); {UTF8_HINT}"
                out.append((number, None, None, problem))
                continue
            try:
                case = Case.model_validate_json(text)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                # a problem of the whole line (a key twice) names its place in the message
                message = validation_message(first)
                problem = f"{where}: {message}" if where else message
                out.append((number, None, _hid(text), problem))
                continue
            out.append((number, case, case.household_id, None))
    return out


def _hid(text: str) -> str | None:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    hid = data.get("household_id") if isinstance(data, dict) else None
    return hid if isinstance(hid, str) else None


@click.command(
    "due",
    epilog=f'Steps (the "step" of each event): {_STEPS}. An example cases file: '
    "examples/due_cases.jsonl (fangfan-rules due --pack qianshan_2023 --as-of 2023-06-14 "
    "examples/due_cases.jsonl).",
)
@click.option(
    "--pack",
    "packs",
    multiple=True,
    required=True,
    metavar="PACK",
    help="Pack(s) whose deadlines apply (repeatable).",
)
@click.option(
    "--as-of", "as_of", required=True, type=DATE, help="The day to look from, YYYY-MM-DD."
)
@click.option(
    "--horizon",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Working days ahead to list what falls due.",
)
@calendar_option
@output_options("table", "csv", "jsonl", "json", "xlsx", "parquet")
@progress_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def due(
    packs: tuple[str, ...],
    as_of: Any,
    horizon: int,
    calendars: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
    show_progress: bool | None,
    file: Path,
) -> int:
    """Deadlines overdue or due within --horizon working days.

    FILE holds one case per line (JSON Lines): {"household_id": ..., "events": [{"step": ...,
    "date": "YYYY-MM-DD"}]}. A case is one procedure: a new clue or application after a closure
    (case_closed) opens a new case, on a line of its own (the same household_id may appear on
    several lines). A bad case line — a clue after its case's closure among them — is a row with
    status "error" and its reason; the other lines are answered.

    When the horizon runs past the calendar's last known year, overdue rows are listed as ever;
    what falls due within the horizon is computed only from the days the calendar knows (a pending
    limit it cannot place is a calendar_unknown row) and a warning says so on standard error:
    no working day is guessed."""
    rt = runtime()
    loaded = [load_pack(name) for name in packs]
    cal = calendar(calendars)
    target = rt.target(fmt, output, encoding, "table", "csv", "jsonl", "json", "xlsx", "parquet")
    cases = read_cases(file)
    records: list[dict[str, Any]] = []
    bad = 0
    warnings: list[str] = []
    for line, case, hid, error in tracked(
        cases, rt, show_progress, "checking cases", count_rows(file)
    ):
        if case is not None:
            try:
                check_one_procedure(case)
            except FactError as exc:
                case, error = None, str(exc)
        if case is None:
            bad += 1
            rt.bad_row(line, error, "bad case")
            records.append({"line": line, "household_id": hid, "status": "error", "error": error})
            continue
        frame = worklist([case], loaded, as_of=as_of, horizon=horizon, calendar=cal)
        warnings.extend(w for w in frame.attrs.get("warnings", ()) if w not in warnings)
        records.extend({"line": line, **rec, "error": None} for rec in frame.to_dict("records"))
    for warning in warnings:
        rt.note(f"warning: {warning}")
    records.sort(key=lambda r: (r["status"] != "error", str(r.get("due") or ""), r["line"]))
    title = f"due by {horizon} working days after {as_of}"
    with writer(target, KEYS, console=rt.out, lang="en", title=title) as w:
        for record in records:
            w.write(record)
    return EXIT_BAD_ROWS if bad else EXIT_OK


COMMANDS = [due]
