"""Checking a pack: ``test`` — its worked cases, its CLAUSES.md and its fidelity to the document."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.runtime import runtime


@click.command("test")
@click.argument("target", metavar="PACK_OR_DIR")
@click.option(
    "--cases",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Directory of case files (default: the pack's cases/ folder, or tests/cases/PACK here).",
)
@click.option(
    "--documents",
    "documents",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Directory holding the pack's source document (repeatable; also $FANGFAN_DOCUMENTS).",
)
def test(target: str, cases: Path | None, documents: tuple[Path, ...]) -> int:
    """Run a pack's YAML cases and check its CLAUSES.md and its quotes, figures and deciding
    words against its document. PACK_OR_DIR: an installed pack's name, a pack directory (with
    pack.yaml) or a directory of case files. Exit 0 when everything agrees, 3 otherwise."""
    from fangfan_rules.testing import run

    rt = runtime()
    reports = run(
        Path(target) if Path(target).is_dir() else target, cases=cases, documents=documents
    )
    for report in reports:
        for line in report.lines():
            rt.out.print(line, markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK if reports and all(r.ok for r in reports) else EXIT_BAD_ROWS


COMMANDS = [test]
