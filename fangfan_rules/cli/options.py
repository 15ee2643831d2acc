"""Options and argument types shared by the commands (declared once, used everywhere)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import rich_click as click

from fangfan_rules.cli.output import ENCODINGS, FORMATS

F = TypeVar("F", bound=Callable[..., Any])
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` only; anything else is a ``ValueError`` saying so."""
    if not _ISO.match(text.strip()):
        raise ValueError(f"not a date: {text!r} (write it YYYY-MM-DD, e.g. 2023-06-05)")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from None


class DateType(click.ParamType):
    """An ISO date (``YYYY-MM-DD``)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class PackDateType(click.ParamType):
    """``DATE`` for every pack, or ``PACK=DATE`` for one."""

    name = "DATE|PACK=DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str | None, date]:
        if isinstance(value, tuple):
            return value
        pack, sep, day = str(value).rpartition("=")
        try:
            return (pack.strip() or None) if sep else None, parse_date(day)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class ParamType(click.ParamType):
    """``NAME=VALUE`` (a pack parameter)."""

    name = "NAME=VALUE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        name, sep, text = str(value).partition("=")
        if not sep or not name.strip():
            self.fail(f"expected NAME=VALUE, got {value!r}", param, ctx)
        return name.strip(), text.strip()


class PeriodType(click.ParamType):
    """``START..END`` (both ISO dates, both included)."""

    name = "START..END"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from fangfan_rules.dates import DateRange

        if isinstance(value, DateRange):
            return value
        start, sep, end = str(value).partition("..")
        try:
            if not sep:
                raise ValueError(f"expected START..END, got {value!r}")
            return DateRange(start=parse_date(start), end=parse_date(end))
        except ValueError as exc:
            self.fail(str(exc).splitlines()[0], param, ctx)


DATE = DateType()
PERIOD = PeriodType()
PACK_DATE = PackDateType()
PARAM = ParamType()


def _apply(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def wrapped(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return wrapped


def pack_option(f: F) -> F:
    return click.option(
        "--pack",
        required=True,
        metavar="PACK",
        help="Policy pack name (see `fangfan-rules packs`).",
    )(f)


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of", "as_of", required=True, type=DATE, help="Evaluation date, YYYY-MM-DD."
    )(f)


def once_each(
    ctx: click.Context, param: click.Parameter, value: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """The ``--param`` values, refused when a parameter is given twice (the last would
    silently win: a script appending its own figure after a default is the same mistake as a
    JSON key sent twice)."""
    seen: dict[str, str] = {}
    for name, text in value:
        if name in seen:
            raise click.BadParameter(
                f"parameter {name!r} given twice ({seen[name]!r} and {text!r}); give it once",
                ctx=ctx,
                param=param,
            )
        seen[name] = text
    return value


def param_option(f: F) -> F:
    return click.option(
        "--param",
        "params",
        multiple=True,
        type=PARAM,
        callback=once_each,
        help="Supply or change a pack parameter, e.g. monitoring_income_line=7000 (repeatable).",
    )(f)


def calendar_option(f: F) -> F:
    return click.option(
        "--calendar",
        "calendars",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="A year's holiday schedule (YAML/JSON, see `fangfan-rules schema calendar`) for "
        "years the bundled calendar does not know yet; repeatable, added to the files named in "
        "FANGFAN_CALENDAR.",
    )(f)


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[f"fangfan.{param.name}"] = value
    return value


def input_options(f: F) -> F:
    """--input-format, the spreadsheet options (--mapping, --income-period) and FILE. The
    spreadsheet options reach the reader through the context, so no command signature changes."""
    return _apply(
        click.option(
            "--input-format",
            type=click.Choice(["json", "jsonl", "csv"]),
            help="Input format (default: from the file extension; stdin: jsonl).",
        ),
        click.option(
            "--mapping",
            expose_value=False,
            callback=_keep,
            help="Read FILE as an officials' spreadsheet of members (XLSX, or CSV with Chinese "
            "headers) with this mapping: 'default', 'office_example' or a YAML file. An .xlsx FILE "
            "is read with the default mapping unless one is given.",
        ),
        click.option(
            "--income-period",
            type=PERIOD,
            expose_value=False,
            callback=_keep,
            help="With a spreadsheet: the period its income columns cover, START..END.",
        ),
        click.argument("file", type=click.Path(path_type=Path, allow_dash=True)),
    )(f)


def output_options(*formats: str) -> Callable[[F], F]:
    """``--format`` (these formats), ``-o/--output`` and ``--encoding``."""
    assert set(formats) <= set(FORMATS)
    return _apply(
        click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            help="Output format. Default: from the -o extension; else a table on a terminal "
            "and JSON Lines into a pipe or file.",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Write to this file (.csv, .jsonl, .json, .xlsx, .parquet).",
        ),
        click.option(
            "--encoding",
            type=click.Choice(list(ENCODINGS)),
            help="CSV encoding. Default utf-8-sig for files (UTF-8 with BOM: Excel on Chinese "
            "Windows opens it), utf-8 on standard output; gbk / gb18030 for older tools.",
        ),
    )


def lang_option(f: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of tables and reasons.",
    )(f)


def progress_option(f: F) -> F:
    return click.option(
        "--progress/--no-progress",
        "show_progress",
        default=None,
        help="Progress bars with a time estimate on standard error (default: on a terminal).",
    )(f)


def evaluation_options(f: F) -> F:
    """--pack, --as-of, --param, --input-format and FILE."""
    return _apply(pack_option, as_of_option, param_option, input_options)(f)
