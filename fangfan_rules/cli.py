"""The ``fangfan-rules`` command line (also ``python -m fangfan_rules``).

Exit codes: 0 every row evaluated; 3 done, but bad input rows were reported (each also appears in
the output as an ``error`` row: no row is ever lost); 2 could not run (bad arguments, unknown pack,
a missing caller-supplied parameter, unreadable file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import household_json_schema
from fangfan_rules.facts.base import masked_value
from fangfan_rules.idnumber import ids_revealed, masked, reveal_ids, scrub_id_numbers
from fangfan_rules.io.readers import Row, read_households
from fangfan_rules.io.writers import write_results
from fangfan_rules.packs import Pack, available_packs, load_pack
from fangfan_rules.results import Identification

EXIT_OK = 0
EXIT_CANNOT_RUN = 2
EXIT_BAD_ROWS = 3


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _pack(args: argparse.Namespace) -> Pack:
    pack = load_pack(args.pack)
    if args.param:
        pack = pack.with_parameters(**dict(args.param))
    return pack


def _add_evaluation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pack", required=True, help="policy pack name (see `fangfan-rules packs`)")
    p.add_argument("--as-of", required=True, type=_date, help="evaluation date, YYYY-MM-DD")
    p.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="supply or override a pack parameter, e.g. monitoring_income_line=7000 (repeatable)",
    )
    p.add_argument(
        "--input-format",
        choices=("json", "jsonl", "csv"),
        help="input format (default: from the file extension)",
    )
    p.add_argument("file", type=Path, help="households: .json, .jsonl or .csv ('-' for stdin)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fangfan-rules",
        description="Evaluate households against cited anti-relapse monitoring policy packs.",
    )
    parser.add_argument(
        "--reveal-ids",
        action="store_true",
        help="show ID numbers (and ids that are ID numbers) unmasked in the output; they are "
        "masked by default, and always in error messages",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("packs", help="list installed policy packs")

    ev = sub.add_parser("evaluate", help="identify households (one result per household)")
    _add_evaluation_args(ev)
    ev.add_argument(
        "--format",
        choices=("table", "jsonl", "csv"),
        default=None,
        help="output format (default: table on a terminal, jsonl otherwise)",
    )
    ev.add_argument("--full", action="store_true", help="jsonl: write whole results with traces")
    ev.add_argument("--output", "-o", type=Path, help="write results to this file")
    ev.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table")

    ex = sub.add_parser("explain", help="one household's answer with the full trace and clauses")
    _add_evaluation_args(ex)
    ex.add_argument("--household", help="household id (default: the first in the file)")
    ex.add_argument("--lang", choices=("zh", "en"), default="zh")
    ex.add_argument("--json", action="store_true", help="print the whole result as JSON")

    cmp = sub.add_parser("compare", help="the same households under several packs")
    cmp.add_argument(
        "--pack",
        action="append",
        required=True,
        help="a pack to compare (repeat; 'all' for every installed pack)",
    )
    cmp.add_argument(
        "--as-of",
        action="append",
        required=True,
        metavar="DATE|PACK=DATE",
        help="evaluation date, for all packs or per pack (repeatable)",
    )
    cmp.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="[PACK:]NAME=VALUE",
        help="caller-supplied value; NAME=VALUE fills every pack that does not state it",
    )
    cmp.add_argument("--input-format", choices=("json", "jsonl", "csv"))
    cmp.add_argument("--format", choices=("table", "csv", "jsonl"), default=None)
    cmp.add_argument(
        "--engine",
        choices=("native", "vectorized", "durable"),
        default="native",
        help="evaluation engine (the same answers; vectorized for large files)",
    )
    cmp.add_argument(
        "--disagreements",
        action="store_true",
        help="only the households whose outcome differs, with the deciding rules",
    )
    cmp.add_argument("--output", "-o", type=Path)
    cmp.add_argument("file", type=Path)

    _add_analysis_parsers(sub)

    el = sub.add_parser("eliminate", help="may each household leave monitoring? (风险消除)")
    _add_evaluation_args(el)
    el.add_argument("--format", choices=("table", "jsonl", "csv"), default=None)
    el.add_argument("--output", "-o", type=Path)
    el.add_argument("--lang", choices=("zh", "en"), default="zh")

    due = sub.add_parser("due", help="deadlines due or overdue in the next N working days")
    due.add_argument("--pack", action="append", required=True, help="pack(s) whose deadlines apply")
    due.add_argument("--as-of", required=True, type=_date)
    due.add_argument("--horizon", type=int, default=5, help="working days ahead (default 5)")
    due.add_argument("--format", choices=("table", "csv", "jsonl"), default=None)
    due.add_argument("--output", "-o", type=Path)
    due.add_argument(
        "file", type=Path, help="cases as JSON Lines: {household_id, events: [{step, date}]}"
    )

    sub.add_parser("schema", help="print the household JSON Schema")
    return parser


def _add_analysis_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``sweep``, ``diff`` and ``describe`` (fangfan_rules.analysis)."""
    sw = sub.add_parser(
        "sweep", help="outcome and key-attention counts as one parameter takes several values"
    )
    _add_evaluation_args(sw)
    sw.add_argument("--parameter", required=True, help="the parameter to sweep")
    sw.add_argument(
        "--values",
        action="append",
        default=[],
        metavar="V1,V2,...",
        help="values to evaluate, comma-separated (repeatable)",
    )
    sw.add_argument(
        "--range",
        metavar="START:STOP:STEP",
        help="numeric values from START to STOP inclusive, e.g. 6000:9000:500",
    )
    sw.add_argument("--format", choices=("table", "csv", "json", "jsonl"), default=None)
    sw.add_argument("--output", "-o", type=Path)

    df = sub.add_parser("diff", help="what differs between two packs, with both citations")
    df.add_argument("pack_a", metavar="PACK_A")
    df.add_argument("pack_b", metavar="PACK_B")
    for side in ("a", "b"):
        df.add_argument(
            f"--param-{side}",
            action="append",
            type=_param,
            default=[],
            metavar="NAME=VALUE",
            help=f"supply or change a parameter of PACK_{side.upper()} (a stated figure changed "
            "is recorded as a reform)",
        )
    df.add_argument(
        "--section",
        action="append",
        help="only this section (parameter, key_attention, green_channel, deadline, ...)",
    )
    df.add_argument("--format", choices=("table", "csv", "json", "jsonl", "markdown"), default=None)
    df.add_argument("--output", "-o", type=Path)

    ds = sub.add_parser("describe", help="a pack's card: document, parameters, rules, clauses")
    ds.add_argument("pack", metavar="PACK")
    ds.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="show the card with this value supplied or changed (repeatable)",
    )
    ds.add_argument("--format", choices=("markdown", "html"), default="markdown")
    ds.add_argument("--output", "-o", type=Path)


def _rows(path: Path, fmt: str | None) -> Iterator[Row]:
    if str(path) == "-":
        yield from read_households(sys.stdin, format=fmt or "jsonl")
    else:
        yield from read_households(path, format=fmt)


def _count_lines(path: Path) -> int | None:
    if str(path) == "-" or path.suffix.lower() == ".json":
        return None
    with path.open("rb") as fh:
        return sum(1 for _ in fh) - (1 if path.suffix.lower() == ".csv" else 0)


def cmd_packs(out: Console) -> int:
    table = Table(title="fangfan-rules policy packs")
    for column in ("pack", "region", "document", "date", "caller must supply"):
        table.add_column(column)
    for name in available_packs():
        try:
            pack = load_pack(name)
        except FangfanError as exc:  # one broken pack must not hide the others
            table.add_row(name, "[red]failed to load[/red]", escape(str(exc)), "", "")
            continue
        doc = pack.document
        table.add_row(
            name,
            doc.region,
            f"{doc.title}\n{doc.number or ''}".strip(),
            doc.date.isoformat(),
            ", ".join(pack.caller_supplied()) or "—",
        )
    out.print(table)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace, out: Console, err: Console) -> int:
    pack = _pack(args)
    fmt = args.format or ("table" if out.is_terminal and not args.output else "jsonl")
    total = _count_lines(args.file)
    outcomes: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    bad = 0
    records: list[tuple[int, Identification | None, str | None, str | None]] = []

    def evaluated() -> Iterator[tuple[int, Identification | None, str | None, str | None]]:
        nonlocal bad
        progress = Progress(
            TextColumn("evaluating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            task = progress.add_task("households", total=total)
            for row in _rows(args.file, args.input_format):
                progress.advance(task)
                if row.household is None:
                    bad += 1
                    outcomes["error"] += 1
                    err.print(
                        f"[red]bad input row[/red] line {row.line}: {escape(row.error or '')}",
                        highlight=False,
                    )
                    yield row.line, None, row.household_id, row.error
                    continue
                result = pack.identify(row.household, as_of=args.as_of)
                outcomes[result.outcome.value] += 1
                groups.update(g.id for g in result.key_attention)
                yield row.line, result, row.household_id, None

    if fmt == "table":
        records = list(evaluated())
        out.print(_results_table(records, pack, args.lang))
    else:
        target: TextIO
        with (
            args.output.open("w", encoding="utf-8", newline="") if args.output else _stdout()
        ) as target:
            write_results(evaluated(), target, format=fmt, full=args.full)
    err.print(_summary_table(outcomes, groups, pack))
    if pack.reforms:
        err.print("caller-supplied parameters: " + "; ".join(pack.reforms), highlight=False)
    return EXIT_BAD_ROWS if bad else EXIT_OK


class _stdout:
    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


def _results_table(
    records: Sequence[tuple[int, Identification | None, str | None, str | None]],
    pack: Pack,
    lang: str,
) -> Table:
    table = Table(title=f"{pack.name} — {pack.document.title}", show_lines=False)
    for column in (
        "line",
        "household",
        "outcome",
        "category",
        "groups",
        "visit",
        "green",
        "first reason",
    ):
        table.add_column(column, overflow="fold")
    for line, result, hid, error in records:
        if result is None:
            table.add_row(
                str(line),
                escape(masked(hid or "?")),
                "[red]error[/red]",
                "",
                "",
                "",
                "",
                escape(masked(error or "")),
            )
            continue
        first = result.first_reason(lang)
        table.add_row(
            str(line),
            escape(masked(result.household_id)),
            result.outcome.zh if lang == "zh" else result.outcome.value,
            result.category.label(lang) if result.category else "",
            " ".join(g.id.split(":", 1)[1] for g in result.key_attention),
            "✓" if result.must_visit else "",
            "✓" if result.green_channel.applies else "",
            escape(first[:120]),
        )
    return table


def _summary_table(outcomes: Counter[str], groups: Counter[str], pack: Pack) -> Table:
    table = Table(title=f"summary — {pack.name}")
    table.add_column("count", justify="right")
    table.add_column("outcome / key-attention group")
    for outcome in ("identify", "needs_review", "not_eligible", "out_of_scope", "error"):
        if outcomes.get(outcome):
            table.add_row(str(outcomes[outcome]), outcome)
    for group, n in sorted(groups.items()):
        table.add_row(str(n), group)
    table.add_row(str(sum(outcomes.values())), "households")
    return table


def cmd_explain(args: argparse.Namespace, out: Console) -> int:
    pack = _pack(args)
    for row in _rows(args.file, args.input_format):
        if args.household and row.household_id != args.household:
            continue
        if row.household is None:
            out.print(f"line {row.line}: {row.error}", highlight=False)
            return EXIT_BAD_ROWS
        result = pack.identify(row.household, as_of=args.as_of)
        if args.json:
            out.print_json(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
            return EXIT_OK
        out.print(result.explain(args.lang), highlight=False, markup=False)
        out.print(_trace_table(result, args.lang))
        return EXIT_OK
    raise FangfanError(scrub_id_numbers(f"household {args.household!r} not found in {args.file}"))


def _trace_table(result: Identification, lang: str) -> Table:
    table = Table(title="trace" if lang == "en" else "规则运行记录", show_lines=True)
    for column in ("rule", "status", "clause", "checks"):
        table.add_column(column, overflow="fold")
    for rule in result.trace.rules:
        checks = "\n".join(c.text_zh if lang == "zh" else c.text_en for c in rule.checks)
        if rule.missing_facts:
            checks += ("\n缺少：" if lang == "zh" else "\nmissing: ") + "; ".join(
                rule.missing_facts
            )
        table.add_row(rule.rule_id.split(".", 1)[1], rule.status, rule.citation, masked(checks))
    for value in result.trace.parameters:
        table.add_row(
            f"param {value.name}",
            value.source,
            value.citation,
            f"{value.text(lang)} ({value.valid_from}..{value.valid_to or ''})",
        )
    return table


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    from fangfan_rules.analysis import compare, disagreements, outcome_table

    names = available_packs() if "all" in args.pack else args.pack
    as_of: date | dict[str, date]
    dated = dict(item.split("=", 1) for item in args.as_of if "=" in item)
    plain = [item for item in args.as_of if "=" not in item]
    if plain and dated:
        raise FangfanError("give --as-of either once for all packs or as PACK=DATE for each")
    as_of = _date(plain[0]) if plain else {k: _date(v) for k, v in dated.items()}
    parameters: dict[str, Any] = {}
    for name, value in args.param:
        if ":" in name:
            pack, pname = name.split(":", 1)
            parameters.setdefault(pack, {})[pname] = value
        else:
            parameters[name] = value
    rows = list(_rows(args.file, args.input_format))
    bad = [row for row in rows if row.household is None]
    for row in bad:
        err.print(f"bad input row line {row.line}: {row.error}", markup=False, highlight=False)
    households = [row.household for row in rows if row.household is not None]
    frame = compare(households, names, as_of=as_of, parameters=parameters, engine=args.engine)
    for message in sorted({m for m in frame["error"].dropna()}):
        err.print(f"error: {message}", markup=False, highlight=False)
    view = disagreements(frame) if args.disagreements else frame
    fmt = args.format or ("table" if out.is_terminal and not args.output else "csv")
    if fmt == "table":
        shown = view if args.disagreements else outcome_table(frame).reset_index()
        table = Table(title="compare — " + ", ".join(names))
        for column in shown.columns:
            table.add_column(str(column), overflow="fold")
        for record in shown.itertuples(index=False):
            table.add_row(*(escape("" if v is None or v != v else str(v)) for v in record))
        out.print(table)
    else:
        flat = view.copy()
        for column in flat.columns:
            if flat[column].map(lambda v: isinstance(v, tuple)).any():
                flat[column] = flat[column].map(
                    lambda v: ";".join(v) if isinstance(v, tuple) else v
                )
        target = args.output.open("w", encoding="utf-8", newline="") if args.output else None
        try:
            if fmt == "csv":
                flat.to_csv(target or sys.stdout, index=False)
            else:
                flat.to_json(
                    target or sys.stdout,
                    orient="records",
                    lines=True,
                    force_ascii=False,
                    date_format="iso",
                )
        finally:
            if target:
                target.close()
    counts = frame.groupby(["pack", "outcome"]).size().unstack(fill_value=0)
    summary = Table(title="outcomes per pack")
    summary.add_column("pack")
    for column in counts.columns:
        summary.add_column(str(column), justify="right")
    for pack, record in counts.iterrows():
        summary.add_row(str(pack), *(str(int(v)) for v in record))
    err.print(summary)
    if bad:
        return EXIT_BAD_ROWS
    return EXIT_CANNOT_RUN if frame["error"].notna().all() else EXIT_OK


def _sweep_values(args: argparse.Namespace) -> list[str]:
    from decimal import Decimal, InvalidOperation

    values = [v.strip() for item in args.values for v in item.split(",") if v.strip()]
    if args.range:
        try:
            start, stop, step = (Decimal(x) for x in args.range.split(":"))
        except (ValueError, InvalidOperation):
            raise FangfanError(f"--range expects START:STOP:STEP, got {args.range!r}") from None
        if step <= 0 or stop < start:
            raise FangfanError(f"--range needs STEP > 0 and STOP >= START, got {args.range!r}")
        value = start
        while value <= stop:
            values.append(str(value))
            value += step
    if not values:
        raise FangfanError(
            "give the values to sweep: --values V1,V2,... or --range START:STOP:STEP"
        )
    return values


def _write_frame(
    frame: object, fmt: str, output: Path | None, *, title: str = "", out: Console | None = None
) -> None:
    """A DataFrame as CSV, JSON (Lines) or, with ``out``, a terminal table; tuples joined by ';'."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    # ids, reasons, notes: ID numbers masked in every cell unless revealed
    data: pd.DataFrame = frame if ids_revealed() else frame.map(masked_value)
    if fmt == "table" and out is not None:
        table = Table(title=title)
        for column in data.columns:
            table.add_column(str(column), overflow="fold")
        for record in data.itertuples(index=False):
            table.add_row(
                *(
                    escape(
                        ";".join(map(str, v))
                        if isinstance(v, tuple)
                        else ""
                        if v is None or v != v
                        else str(v)
                    )
                    for v in record
                )
            )
        out.print(table)
        return
    flat = data.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: not isinstance(v, str | int | float | bool | None)).any():
            flat[column] = flat[column].map(
                lambda v: (
                    ";".join(map(str, v))
                    if isinstance(v, tuple | list)
                    else v
                    if v is None or isinstance(v, str | int | float | bool)
                    else str(v)
                )
            )
    target = output.open("w", encoding="utf-8", newline="") if output else None
    try:
        if fmt == "csv":
            flat.to_csv(target or sys.stdout, index=False)
        else:
            flat.to_json(
                target or sys.stdout,
                orient="records",
                lines=fmt == "jsonl",
                force_ascii=False,
                date_format="iso",
                indent=None if fmt == "jsonl" else 1,
            )
            if fmt != "jsonl":  # pandas ends JSON Lines with a newline already
                (target or sys.stdout).write("\n")
    finally:
        if target:
            target.close()


def cmd_sweep(args: argparse.Namespace, out: Console, err: Console) -> int:
    from fangfan_rules.analysis import sweep, sweep_table
    from fangfan_rules.analysis.card import rich_table

    pack = load_pack(args.pack)
    values = _sweep_values(args)
    rows = list(_rows(args.file, args.input_format))
    bad = [row for row in rows if row.household is None]
    for row in bad:
        err.print(f"bad input row line {row.line}: {row.error}", markup=False, highlight=False)
    households = [row.household for row in rows if row.household is not None]
    frame = sweep(
        households,
        pack,
        parameter=args.parameter,
        values=values,
        as_of=args.as_of,
        parameters=dict(args.param) or None,
    )
    fmt = args.format or ("table" if out.is_terminal and not args.output else "csv")
    if fmt == "table":
        wide = sweep_table(frame[frame["measure"] != "households"]).reset_index()
        wide.columns = [str(c).removeprefix(pack.name + ":") for c in wide.columns]
        title = f"sweep of {args.parameter} — {pack.name}, {len(households)} households"
        out.print(rich_table(wide, title=title))
    else:
        _write_frame(frame, fmt, args.output)
    sources = sorted(set(frame["source"]))
    err.print(
        f"{args.parameter}: {len(values)} values ({', '.join(sources)}), "
        f"{len(households)} households, as of {args.as_of}",
        highlight=False,
        markup=False,
    )
    return EXIT_BAD_ROWS if bad else EXIT_OK


def cmd_diff(args: argparse.Namespace, out: Console, err: Console) -> int:
    from fangfan_rules.analysis import diff_packs
    from fangfan_rules.analysis.card import rich_table
    from fangfan_rules.analysis.reform import with_values

    a = with_values(load_pack(args.pack_a), dict(args.param_a), label="command line")
    b = with_values(load_pack(args.pack_b), dict(args.param_b), label="command line")
    result = diff_packs(a, b, sections=tuple(args.section) if args.section else None)
    fmt = args.format or ("table" if out.is_terminal and not args.output else "csv")
    if fmt == "markdown":
        text = result.to_markdown()
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif fmt == "table":
        frame = result.to_frame()
        shown = frame[["section", "key", "status", "fields", "a", "a_citation", "b", "b_citation"]]
        shown = shown.rename(
            columns={
                "a": result.a,
                "a_citation": "clause (a)",
                "b": result.b,
                "b_citation": "clause (b)",
            }
        )
        out.print(rich_table(shown, title=f"diff — {result.a} ⇄ {result.b}", max_rows=10_000))
    elif fmt in ("json", "jsonl"):
        records = result.to_records()
        target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
        try:
            if fmt == "json":
                json.dump(
                    {"a": result.a, "b": result.b, "differences": records},
                    target,
                    ensure_ascii=False,
                    indent=1,
                )
                target.write("\n")
            else:
                for record in records:
                    target.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            if args.output:
                target.close()
    else:
        _write_frame(result.to_frame(), "csv", args.output)
    err.print(
        f"{len(result)} differences between {result.a} and {result.b}"
        + (f" ({', '.join(result.sections)})" if result.sections else ""),
        highlight=False,
        markup=False,
    )
    return EXIT_OK


def cmd_describe(args: argparse.Namespace) -> int:
    from fangfan_rules.analysis import pack_card_html, pack_card_markdown
    from fangfan_rules.analysis.reform import with_values

    pack = with_values(load_pack(args.pack), dict(args.param), label="command line")
    text = pack_card_markdown(pack) if args.format == "markdown" else pack_card_html(pack)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_OK


def cmd_eliminate(args: argparse.Namespace, out: Console, err: Console) -> int:
    import pandas as pd

    pack = _pack(args)
    rows: list[dict[str, Any]] = []
    bad = 0
    for row in _rows(args.file, args.input_format):
        if row.household is None:
            bad += 1
            err.print(f"bad input row line {row.line}: {row.error}", markup=False, highlight=False)
            rows.append(
                {
                    "line": row.line,
                    "household_id": masked(row.household_id or ""),
                    "outcome": "error",
                    "error": row.error,
                }
            )
            continue
        result = pack.assess_elimination(row.household, as_of=args.as_of)
        rows.append(
            {
                "line": row.line,
                "household_id": masked(result.household_id),
                "outcome": result.outcome.value,
                "unmet": tuple(c.id for c in result.conditions_unmet),
                "unknown": tuple(c.id for c in result.conditions_unknown),
                "flags": tuple(f.id for f in result.flags),
                "first_reason": masked(
                    result.reasons[0].text(args.lang)
                    if result.reasons
                    else (result.review_points[0](args.lang) if result.review_points else "")
                ),
                "missing_facts": tuple(masked(m) for m in result.missing_facts),
                "error": None,
            }
        )
    frame = pd.DataFrame(rows)
    fmt = args.format or ("table" if out.is_terminal and not args.output else "jsonl")
    _write_frame(frame, fmt, args.output, title=f"风险消除 elimination — {pack.name}", out=out)
    if len(frame):
        err.print(frame["outcome"].value_counts().to_string(), markup=False, highlight=False)
    return EXIT_BAD_ROWS if bad else EXIT_OK


def cmd_due(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pydantic import ValidationError

    from fangfan_rules.timeline import Case, worklist

    packs = [load_pack(name) for name in args.pack]
    cases, bad = [], 0
    with args.file.open(encoding="utf-8-sig") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                cases.append(Case.model_validate_json(text))
            except ValidationError as exc:
                bad += 1
                err.print(
                    f"bad case line {number}: {exc.errors(include_url=False)[0]['msg']}",
                    markup=False,
                    highlight=False,
                )
    frame = worklist(cases, packs, as_of=args.as_of, horizon=args.horizon)
    fmt = args.format or ("table" if out.is_terminal and not args.output else "csv")
    _write_frame(
        frame,
        fmt,
        args.output,
        title=f"due by {args.horizon} working days after {args.as_of}",
        out=out,
    )
    return EXIT_BAD_ROWS if bad else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fangfan-rules`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with reveal_ids(args.reveal_ids):  # ID numbers are masked in every output unless asked
        return _main(parser, args)


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    out = Console(soft_wrap=False)
    err = Console(stderr=True)
    try:
        if args.command == "packs":
            return cmd_packs(out)
        if args.command == "evaluate":
            return cmd_evaluate(args, out, err)
        if args.command == "explain":
            return cmd_explain(args, out)
        if args.command == "compare":
            return cmd_compare(args, out, err)
        if args.command == "sweep":
            return cmd_sweep(args, out, err)
        if args.command == "diff":
            return cmd_diff(args, out, err)
        if args.command == "describe":
            return cmd_describe(args)
        if args.command == "eliminate":
            return cmd_eliminate(args, out, err)
        if args.command == "due":
            return cmd_due(args, out, err)
        if args.command == "schema":
            print(json.dumps(household_json_schema(), ensure_ascii=False, indent=2))
            return EXIT_OK
    except FangfanError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_CANNOT_RUN
    except UnicodeDecodeError as exc:
        err.print(
            f"error: input is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 (GBK files from Excel need converting)",
            markup=False,
        )
        return EXIT_CANNOT_RUN
    except OSError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_CANNOT_RUN
    parser.error(f"unknown command {args.command}")
    return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
