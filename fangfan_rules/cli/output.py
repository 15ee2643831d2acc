"""Where and how a command writes its rows: one rule for every command.

* ``--format`` wins; otherwise ``-o FILE`` gives the format by its extension (``.csv``,
  ``.jsonl`` / ``.ndjson``, ``.json``, ``.xlsx``, ``.parquet``); otherwise a table on a terminal
  and JSON Lines when standard output is a pipe or a file.
* CSV files are UTF-8 **with** a byte-order mark by default, so Excel on Chinese Windows opens
  them correctly (``--encoding utf-8`` for none, ``gbk`` / ``gb18030`` for older tools); CSV on
  standard output has no mark unless ``--encoding`` asks for one.
* XLSX has Chinese headers and a frozen header row; Parquet keeps lists as lists.
* Nothing fails on the text it writes: lone surrogates are written as ``\\uXXXX`` escapes
  (:func:`fangfan_rules.io.writers.encodable`); a character GBK cannot hold is an error naming
  the row and column, never a silent ``?``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console

from fangfan_rules.cli.columns import Column, column
from fangfan_rules.cli.tables import render
from fangfan_rules.errors import FangfanError
from fangfan_rules.facts.base import masked_value
from fangfan_rules.idnumber import ids_revealed
from fangfan_rules.io.writers import encodable

#: Output formats by file extension.
EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".md": "markdown",
}
#: Every format a command may offer (each command lists the ones it supports).
FORMATS = ("table", "csv", "jsonl", "json", "xlsx", "parquet", "markdown")
ENCODINGS = ("utf-8-sig", "utf-8", "gbk", "gb18030")
_BINARY = ("xlsx", "parquet")


@dataclass(frozen=True)
class Target:
    """The chosen format, file (``None``: standard output) and CSV encoding."""

    format: str
    path: Path | None
    encoding: str


def choose(
    fmt: str | None,
    path: Path | None,
    encoding: str | None,
    *,
    allowed: Sequence[str],
    terminal: bool,
) -> Target:
    """Apply the one rule (module docstring); a usage error for anything it cannot honour."""
    if fmt is None and path is not None:
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(EXTENSIONS)
            raise click.UsageError(
                f"cannot tell the output format of {path.name} from its extension ({known}); "
                f"give --format"
            )
    if fmt is None:
        fmt = "table" if terminal else "jsonl"
    if fmt not in allowed:
        raise click.UsageError(f"this command writes {', '.join(allowed)}, not {fmt}")
    if fmt in _BINARY and path is None:
        raise click.UsageError(f"{fmt} output needs a file: -o FILE.{fmt}")
    if fmt == "table" and path is not None:
        raise click.UsageError("a table is for the terminal; give -o FILE.csv (or .xlsx, ...)")
    if encoding is not None and fmt != "csv":
        raise click.UsageError(f"--encoding applies to CSV output, not {fmt}")
    default = "utf-8-sig" if path is not None and fmt == "csv" else "utf-8"
    return Target(fmt, path, encoding or default)


def flat(value: Any) -> Any:
    """A cell for CSV / XLSX: lists joined by ";", dates as ISO text, NaN and None blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, tuple | list):
        return ";".join(str(flat(v)) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return encodable(value)
    return value


def jsonable(value: Any) -> Any:
    """A value for JSON / Parquet: lists stay lists, dates ISO text, Decimal exact text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars from pandas
        return value.item()
    return value


class Writer:
    """Rows to a :class:`Target`: CSV and JSON Lines stream row by row; the other formats are
    written when the writer closes. ``keys`` are the columns (in order) for CSV, XLSX and tables.
    """

    def __init__(
        self,
        target: Target,
        keys: Sequence[str],
        *,
        console: Console,
        lang: str = "zh",
        title: str | None = None,
        max_lines: int = 3,
        columns: dict[str, Column] | None = None,
    ) -> None:
        self.columns = columns
        self.target = target
        self.keys = list(keys)
        self.console = console
        self.lang = lang
        self.title = title
        self.max_lines = max_lines
        self.count = 0
        self._buffer: list[dict[str, Any]] = []
        self._stream: IO[str] | None = None
        self._csv: Any = None

    # -- streaming formats ---------------------------------------------------------------------
    def _open_text(self) -> IO[str]:
        if self._stream is None:
            encoding = self.target.encoding
            if self.target.path is not None:
                self._stream = self.target.path.open("w", encoding=encoding, newline="")
            elif self.target.format == "csv" and encoding not in ("utf-8",):
                sys.stdout.flush()
                self._stream = io.TextIOWrapper(
                    sys.stdout.buffer, encoding=encoding, newline="", write_through=True
                )
            else:
                self._stream = sys.stdout
        return self._stream

    def write(self, record: dict[str, Any]) -> None:
        # One place for every command: ID numbers (and ids that are ID numbers) masked in every
        # cell unless --reveal-ids was given.
        if not ids_revealed():
            record = masked_value(record)
        self.count += 1
        fmt = self.target.format
        if fmt == "csv":
            stream = self._open_text()
            if self._csv is None:
                self._csv = csv.writer(stream)
                self._csv.writerow(self.keys)
            row = [flat(record.get(k)) for k in self.keys]
            self._check_encoding(row)
            self._csv.writerow(row)
        elif fmt == "jsonl":
            text = json.dumps(jsonable(record), ensure_ascii=False)
            self._open_text().write(encodable(text) + "\n")
        else:
            self._buffer.append(record)

    def _check_encoding(self, row: list[Any]) -> None:
        encoding = self.target.encoding
        if encoding.startswith("utf"):
            return
        for key, cell in zip(self.keys, row, strict=True):
            if not isinstance(cell, str):
                continue
            try:
                cell.encode(encoding)
            except UnicodeEncodeError as exc:
                char = cell[exc.start]
                raise FangfanError(
                    f"output row {self.count}, column {key}: {char!r} (U+{ord(char):04X}) cannot "
                    f"be written in {encoding.upper()}; use --encoding gb18030 (which Excel also "
                    f"reads) or utf-8-sig"
                ) from None

    # -- formats written at the end ------------------------------------------------------------
    def close(self) -> None:
        fmt = self.target.format
        if fmt == "csv" and self._csv is None:  # no rows: still a header
            self._csv = csv.writer(self._open_text())
            self._csv.writerow(self.keys)
        if fmt == "json":
            text = json.dumps([jsonable(r) for r in self._buffer], ensure_ascii=False, indent=1)
            self._open_text().write(encodable(text) + "\n")
        elif fmt == "table":
            self.console.print(
                render(
                    self._buffer,
                    self.keys,
                    width=self.console.width,
                    lang=self.lang,
                    title=self.title,
                    max_lines=self.max_lines,
                    columns=self.columns,
                )
            )
        elif fmt == "xlsx":
            assert self.target.path is not None
            write_xlsx(self._buffer, self.keys, self.target.path, title=self.title or "")
        elif fmt == "parquet":
            assert self.target.path is not None
            write_parquet(self._buffer, self.keys, self.target.path)
        if self._stream is not None:
            if self._stream is sys.stdout:
                self._stream.flush()
            elif self.target.path is None and isinstance(self._stream, io.TextIOWrapper):
                self._stream.flush()
                self._stream.detach()
            else:
                self._stream.close()


@contextmanager
def writer(target: Target, keys: Sequence[str], **options: Any) -> Iterator[Writer]:
    """A :class:`Writer` that is closed (its buffered formats written) at the end of the block."""
    w = Writer(target, keys, **options)
    yield w
    w.close()


def write_xlsx(
    records: Sequence[dict[str, Any]], keys: Sequence[str], path: Path, *, title: str
) -> None:
    """An Excel workbook: Chinese headers in bold, frozen header row, readable column widths."""
    from fangfan_rules.io.xlsx import write_table

    write_table(
        path,
        [column(k).zh for k in keys],
        ([flat(r.get(k)) for k in keys] for r in records),
        title=title,
    )


#: Columns that hold a yes / no answer: Parquet booleans even when no row has an answer.
BOOLEAN_COLUMNS = frozenset(
    {"must_visit", "green_channel", "decided_by_unknown", "start_is_reading"}
)


def parquet_schema(columns: dict[str, list[Any]]) -> Any:
    """The explicit Arrow schema of a Parquet file: each column's type from its values —
    ``bool``, ``int64``, ``double``, ``list<string>`` when every value given is one, else
    ``string`` (also for a column with no value at all, never Arrow's ``null`` type; the flag
    columns, :data:`BOOLEAN_COLUMNS` and a comparison's ``<pack>:unknown``, are booleans). Every
    column is nullable: a bad input row has no answer, so its boolean / number / list cells are
    null (the ``""`` of its CSV cells), never a reason to lose the file."""
    import pyarrow as pa

    fields = []
    for key, values in columns.items():
        given = [v for v in values if v is not None and v != ""]
        declared_flag = key in BOOLEAN_COLUMNS or key.endswith(":unknown")
        if all(isinstance(v, bool) for v in given) and (given or declared_flag):
            kind = pa.bool_()
        elif given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
            kind = pa.int64()
        elif given and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
            kind = pa.float64()
        elif given and all(isinstance(v, list) for v in given):
            kind = pa.list_(pa.string())
        else:
            kind = pa.string()
        fields.append(pa.field(key, kind, nullable=True))
    return pa.schema(fields)


def _parquet_cell(value: Any, kind: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if kind == pa.string():
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value == "":  # no answer (a bad row) in a typed column
        return None
    if kind == pa.list_(pa.string()):
        return [v if v is None or isinstance(v, str) else str(v) for v in value]
    return value


def write_parquet(records: Sequence[dict[str, Any]], keys: Sequence[str], path: Path) -> None:
    """A Parquet file (pyarrow) with an explicit schema (:func:`parquet_schema`): lists stay
    lists, money and dates as exact text, flags as nullable booleans."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {k: [jsonable(r.get(k)) for r in records] for k in keys}
    schema = parquet_schema(columns)
    arrays = {
        f.name: pa.array([_parquet_cell(v, f.type) for v in columns[f.name]], type=f.type)
        for f in schema
    }
    pq.write_table(pa.table(arrays, schema=schema), path)
