"""Progress bars on standard error for the commands that can run long.

Shown when standard error is a terminal (``--progress`` forces them, ``--no-progress`` hides
them); each bar counts households (or cases, packs, values) with the elapsed time and an estimate
of the time remaining. Standard output is never touched, so piping the rows stays clean.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress(console: Console, enabled: bool | None) -> Progress:
    """A rich progress display on ``console`` (stderr); ``enabled=None``: when it is a terminal."""
    show = console.is_terminal if enabled is None else enabled
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=console.is_terminal,
        disable=not show,
    )
