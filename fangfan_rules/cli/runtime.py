"""What every command shares at run time: the two consoles, packs with the caller's parameters,
the calendar, input rows (with progress) and the report of bad rows."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from fangfan_rules.cli.output import Target, choose
from fangfan_rules.cli.progress import progress
from fangfan_rules.io.readers import Row, read_households
from fangfan_rules.io.writers import encodable
from fangfan_rules.packs import Pack, load_pack


@dataclass
class Runtime:
    """The consoles: ``out`` for tables on standard output, ``err`` for messages and progress."""

    out: Console
    err: Console

    def target(
        self, fmt: str | None, output: Path | None, encoding: str | None, *formats: str
    ) -> Target:
        return choose(fmt, output, encoding, allowed=formats, terminal=self.out.is_terminal)

    def bad_row(self, line: int | None, error: str | None, what: str = "bad input row") -> None:
        """One bad row on standard error (it is also in the output); ``line`` None: the message
        names its household itself."""
        text = encodable(error or "")
        where = "" if line is None or text.startswith(f"line {line}:") else f"line {line}: "
        self.err.print(f"[red]{what}[/red] {where}{escape(text)}", highlight=False, soft_wrap=True)

    def note(self, text: str) -> None:
        self.err.print(encodable(text), markup=False, highlight=False, soft_wrap=True)


def runtime() -> Runtime:
    """The :class:`Runtime` of the running command (set up by the root group)."""
    obj = click.get_current_context().find_root().obj
    assert isinstance(obj, Runtime)
    return obj


def configured_pack(name: str, params: Sequence[tuple[str, str]]) -> Pack:
    """The pack ``name`` with the caller's ``--param`` values; a parameter given twice is
    refused, naming it (never the last silently winning)."""
    given: dict[str, str] = {}
    for pname, text in params:
        if pname in given:
            raise click.UsageError(
                f"--param {pname} given twice ({given[pname]!r} and {text!r}); give it once"
            )
        given[pname] = text
    pack = load_pack(name)
    return pack.with_parameters(**given) if given else pack


def calendar(paths: Sequence[Path]) -> Any:
    """The official calendar extended by FANGFAN_CALENDAR's files and ``paths`` (validated now,
    so a broken schedule stops the command before any row is read)."""
    from fangfan_rules.calendar import official_calendar, schedule_paths_from_env

    return official_calendar(extra=[*schedule_paths_from_env(), *paths])


def count_rows(path: Path) -> int | None:
    """Lines in a JSON Lines / CSV file (the progress total; a JSON document or a spreadsheet of
    members: unknown)."""
    if str(path) == "-" or path.suffix.lower() in (".json", ".xlsx", ".xlsm") or not path.is_file():
        return None
    if spreadsheet_options()[0]:
        return None
    with path.open("rb") as fh:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return max(lines - (1 if path.suffix.lower() == ".csv" else 0), 0)


def spreadsheet_options() -> tuple[str | None, Any]:
    """The --mapping and --income-period given to the running command (None when absent)."""
    meta = click.get_current_context().meta
    return meta.get("fangfan.mapping"), meta.get("fangfan.income_period")


def rows(path: Path, fmt: str | None) -> Iterator[Row]:
    """Input rows from ``path`` or standard input (``-``), undecodable bytes kept for reporting;
    an officials' spreadsheet (an .xlsx file, or any file with --mapping) through its mapping."""
    mapping, period = spreadsheet_options()
    if mapping or path.suffix.lower() in (".xlsx", ".xlsm"):
        from fangfan_rules.io import read_spreadsheet

        yield from read_spreadsheet(path, mapping or "default", income_period=period)
        return
    if str(path) == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:  # an already-decoded stream (tests, embedding)
            yield from read_households(sys.stdin, format=fmt or "jsonl")
            return
        text = io.TextIOWrapper(stdin, encoding="utf-8-sig", errors="surrogateescape", newline="")
        try:
            yield from read_households(text, format=fmt or "jsonl")
        finally:
            text.detach()
        return
    yield from read_households(path, format=fmt)


def tracked(
    items: Iterable[Any], rt: Runtime, show: bool | None, what: str, total: int | None
) -> Iterator[Any]:
    """``items`` with a progress bar on standard error."""
    with progress(rt.err, show) as bar:
        task = bar.add_task(what, total=total)
        for item in items:
            yield item
            bar.advance(task)


def read_all(path: Path, fmt: str | None, rt: Runtime, show: bool | None) -> list[Row]:
    """Every input row (reading and validating shows progress); bad rows reported on stderr."""
    out = []
    for row in tracked(rows(path, fmt), rt, show, "reading", count_rows(path)):
        if row.household is None:
            rt.bad_row(row.line, row.error)
        out.append(row)
    return out
