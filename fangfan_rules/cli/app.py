"""The root command: finds the commands, sets up the consoles, turns every failure into one line
and one of the documented exit codes (:mod:`fangfan_rules.cli.exits`)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import click as plain_click
import rich_click as click
from rich.console import Console
from rich.markup import escape

from fangfan_rules.cli import commands
from fangfan_rules.cli.exits import (
    EXIT_BAD_ROWS,
    EXIT_BROKEN_PIPE,
    EXIT_CANNOT_RUN,
    EXIT_CODES_HELP,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
)
from fangfan_rules.cli.runtime import Runtime
from fangfan_rules.errors import FangfanError
from fangfan_rules.idnumber import reveal_ids as revealing_ids
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.io.writers import encodable

_EPILOG = (
    f"{EXIT_CODES_HELP}\n\n"
    "Output (every command): --format wins; else -o FILE's extension (.csv .jsonl .json .xlsx "
    ".parquet); else a table on a terminal and JSON Lines into a pipe. CSV files are UTF-8 with "
    "BOM (Excel on Chinese Windows), --encoding gbk for older tools.\n\n"
    "Environment: FANGFAN_CALENDAR=FILE[:FILE...] adds yearly holiday schedules to the calendar; "
    "FANGFAN_DEBUG=1 shows the traceback of an internal error."
)


def _package_version() -> str:
    try:
        return version("fangfan-rules")
    except PackageNotFoundError:  # running from a source tree without an install
        from fangfan_rules import __version__

        return __version__


def command_modules() -> list[str]:
    """The modules of :mod:`fangfan_rules.cli.commands`: each defines ``COMMANDS``, so a new
    command group (``test``, ``import``) is one new module there and nothing else."""
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__))


# Help at 80 columns: option names are never broken; metavars go after the help text.
_HELP = click.RichHelpConfiguration(
    options_table_column_types=["required", "opt_long", "opt_short", "help"],
    options_table_help_sections=["help", "deprecated", "envvar", "default", "required", "metavar"],
    max_width=100,
)


class _Root(click.RichGroup):
    """The root group: a closed output pipe ends the command quietly (click's own handling
    would exit 1, the code of an internal error)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader stopped (`| head`): point stdout at /dev/null so the interpreter's final
            # flush does not print "[Errno 32] Broken pipe", and stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE


@click.group(
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EPILOG,
)
@click.rich_config(help_config=_HELP)
@click.version_option(
    _package_version(), "--version", prog_name="fangfan-rules", message="%(prog)s %(version)s"
)
@click.option(
    "--reveal-ids",
    is_flag=True,
    help="Show ID numbers (and ids that are ID numbers) unmasked in the output (before the "
    "command: fangfan-rules --reveal-ids evaluate …); they are masked by default, and always in "
    "error messages.",
)
@click.pass_context
def cli(ctx: click.Context, reveal_ids: bool) -> None:
    """Evaluate households against cited anti-relapse monitoring policy packs
    (防止返贫动态监测和帮扶)."""
    if ctx.obj is None:
        ctx.obj = Runtime(out=Console(soft_wrap=False), err=Console(stderr=True))
    if reveal_ids:  # for the rest of this command only (a context variable)
        ctx.with_resource(revealing_ids())


for _name in command_modules():
    _module = importlib.import_module(f"{commands.__name__}.{_name}")
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def _one_line(err: Console, message: str) -> None:
    err.print(
        f"[red]error:[/red] {escape(encodable(scrub_id_numbers(message)))}",
        highlight=False,
        soft_wrap=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fangfan-rules`` console script and ``python -m fangfan_rules``;
    returns the exit code (see ``--help``)."""
    err = Console(stderr=True)
    runtime = Runtime(out=Console(soft_wrap=False), err=err)
    try:
        code = cli.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="fangfan-rules",
            standalone_mode=False,
            obj=runtime,
        )
        sys.stdout.flush()
    except plain_click.exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "fangfan-rules"
        _one_line(err, f"{where}: {exc.format_message()} (see {where} --help)")
        return EXIT_CANNOT_RUN
    except plain_click.exceptions.ClickException as exc:
        _one_line(err, exc.format_message())
        return EXIT_CANNOT_RUN
    except plain_click.exceptions.Abort:
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except FangfanError as exc:
        _one_line(err, str(exc))
        return EXIT_CANNOT_RUN
    except UnicodeDecodeError as exc:
        _one_line(
            err, f"input is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        )
        return EXIT_CANNOT_RUN
    except OSError as exc:
        _one_line(err, f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return EXIT_CANNOT_RUN
    except Exception as exc:
        if os.environ.get("FANGFAN_DEBUG"):
            raise
        _one_line(
            err,
            f"internal error ({type(exc).__name__}: {exc}). This is a bug in fangfan-rules: "
            "please report it with the output of FANGFAN_DEBUG=1",
        )
        return EXIT_INTERNAL
    if isinstance(code, int):
        return code
    return EXIT_OK


__all__ = ["EXIT_BAD_ROWS", "EXIT_CANNOT_RUN", "EXIT_OK", "cli", "main"]
