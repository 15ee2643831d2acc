"""Across packs and parameter values: ``compare`` and ``sweep`` (fangfan_rules.analysis)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rich_click as click

from fangfan_rules.cli.columns import ESSENTIAL, Column
from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK
from fangfan_rules.cli.labels import outcome_label
from fangfan_rules.cli.options import (
    PACK_DATE,
    PARAM,
    calendar_option,
    evaluation_options,
    input_options,
    lang_option,
    once_each,
    output_options,
    progress_option,
)
from fangfan_rules.cli.output import writer
from fangfan_rules.cli.runtime import Runtime, calendar, read_all, runtime, tracked
from fangfan_rules.cli.tables import render
from fangfan_rules.io.readers import Row
from fangfan_rules.packs import available_packs, load_pack

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "jsonl", "json", "xlsx", "parquet")


def _as_of(items: tuple[tuple[str | None, Any], ...], names: list[str]) -> Any:
    plain = [day for pack, day in items if pack is None]
    dated = {pack: day for pack, day in items if pack is not None}
    if plain and dated:
        raise click.UsageError("give --as-of either once for all packs or as PACK=DATE for each")
    if len(plain) > 1:
        raise click.UsageError("give one --as-of DATE for all packs (or PACK=DATE for each)")
    unknown = sorted(set(dated) - set(names))
    if unknown:
        raise click.UsageError(f"--as-of names packs that are not compared: {', '.join(unknown)}")
    return plain[0] if plain else dated


def _parameters(params: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params:
        if ":" in name:
            pack, pname = name.split(":", 1)
            out.setdefault(pack, {})[pname] = value
        else:
            out[name] = value
    return out


def _bad_cells(bad: list[Row], names: list[str], as_of: Any) -> list[dict[str, Any]]:
    """A bad input row as one error cell per pack (long form: every household × pack)."""
    return [
        {
            "household_id": row.household_id,
            "pack": name,
            "as_of": as_of.get(name) if isinstance(as_of, dict) else as_of,
            "outcome": "error",
            "error": row.error,
            "line": row.line,
        }
        for row in bad
        for name in names
    ]


@click.command("compare")
@click.option(
    "--pack",
    "packs",
    multiple=True,
    required=True,
    metavar="PACK",
    help="A pack to compare (repeat; 'all' for every installed pack).",
)
@click.option(
    "--as-of",
    "as_of",
    multiple=True,
    required=True,
    type=PACK_DATE,
    help="Evaluation date for all packs, or PACK=DATE for one (repeatable).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    type=PARAM,
    callback=once_each,
    metavar="[PACK:]NAME=VALUE",
    help="Caller-supplied value; NAME=VALUE fills every pack that does not state it, PACK:NAME=VALUE one pack (repeatable).",
)
@click.option(
    "--engine",
    type=click.Choice(["native", "vectorized", "durable"]),
    default="vectorized",
    show_default=True,
    help="Evaluation engine: every engine gives the same answers and fills every column (the "
    "reasons are worded by the native evaluator); vectorized is the fastest on many households.",
)
@click.option(
    "--disagreements",
    is_flag=True,
    help="Only the households whose outcome differs between packs, with the deciding rules.",
)
@input_options
@output_options(*FORMATS)
@lang_option
@progress_option
def compare(
    packs: tuple[str, ...],
    as_of: tuple[tuple[str | None, Any], ...],
    params: tuple[tuple[str, str], ...],
    engine: str,
    disagreements: bool,
    input_format: str | None,
    file: Path,
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
    lang: str,
    show_progress: bool | None,
) -> int:
    """The same households under several packs.

    One row per household × pack. A bad input row, and a pack that cannot run (not in force, a
    parameter missing), are rows with outcome "error" and the reason: no row is ever lost."""
    import pandas as pd

    from fangfan_rules.analysis import compare as compare_packs
    from fangfan_rules.analysis import disagreements as disagreeing

    rt = runtime()
    names = available_packs() if "all" in packs else list(dict.fromkeys(packs))
    for name in names:
        load_pack(name)  # an unknown pack cannot run: say so before reading anything
    day = _as_of(as_of, names)
    parameters = _parameters(params)
    rows = read_all(file, input_format, rt, show_progress)
    good = [r for r in rows if r.household is not None]
    bad = [r for r in rows if r.household is None]
    households = [r.household for r in good if r.household is not None]
    parts = [
        compare_packs(households, [name], as_of=day, parameters=parameters, engine=engine)
        for name in tracked(names, rt, show_progress, "evaluating packs", len(names))
    ]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    lines: dict[str, int] = {}
    for r in good:
        lines.setdefault(str(r.household_id), r.line)
    frame.insert(0, "line", frame["household_id"].map(lines))
    if bad:
        frame = pd.concat([frame, pd.DataFrame(_bad_cells(bad, names, day))], ignore_index=True)
        frame = frame.sort_values(["line", "pack"], kind="stable").reset_index(drop=True)
    for message in sorted(
        {str(m) for m in frame["error"].dropna() if m} - {str(r.error) for r in bad}
    ):
        rt.note(f"error: {message}")
    target = rt.target(fmt, output, encoding, *FORMATS)
    _write(rt, frame, bad, names, target, disagreements, disagreeing, lang)
    _summary(rt, frame, lang)
    errors = frame["outcome"].eq("error")
    if len(frame) and errors.all():
        return EXIT_CANNOT_RUN
    return EXIT_BAD_ROWS if errors.any() else EXIT_OK


def _write(
    rt: Runtime,
    frame: pd.DataFrame,
    bad: list[Row],
    names: list[str],
    target: Any,
    only_disagreements: bool,
    disagreeing: Any,
    lang: str,
) -> None:
    import pandas as pd

    evaluated = frame[~frame["line"].isin([r.line for r in bad])]
    title = "compare — " + ", ".join(names)
    if only_disagreements:
        view = disagreeing(evaluated.drop(columns=["line"]))
        view.insert(
            0,
            "line",
            view["household_id"].map(
                dict(zip(evaluated["household_id"], evaluated["line"], strict=False))
            ),
        )
        extra = pd.DataFrame(
            [
                {
                    "line": r.line,
                    "household_id": r.household_id,
                    **dict.fromkeys(names, "error"),
                    "error": r.error,
                }
                for r in bad
            ]
        )
        view = pd.concat([view, extra], ignore_index=True) if bad else view.assign(error=None)
        if target.format == "table":
            for name in names:
                view[name] = view[name].map(lambda o: outcome_label(o, lang))
                if f"{name}:rule" in view.columns:  # the pack is in the column's header
                    view[f"{name}:rule"] = [
                        _rule_cell(r, u, name, lang)
                        for r, u in zip(view[f"{name}:rule"], view[f"{name}:unknown"], strict=True)
                    ]
                    view = view.drop(columns=[f"{name}:unknown"])
        keys = list(view.columns)
        records = view.to_dict("records")
    elif target.format == "table":
        wide: dict[tuple[int, Any], dict[str, Any]] = {}
        for rec in frame.to_dict("records"):
            row = wide.setdefault(
                (rec["line"], rec["household_id"]),
                {
                    "line": rec["line"],
                    "household_id": rec["household_id"] or f"(line {rec['line']})",
                },
            )
            row[rec["pack"]] = outcome_label(rec["outcome"], lang)
        keys = ["line", "household_id", *names]
        records = list(wide.values())
    else:
        keys = list(frame.columns)
        records = frame.to_dict("records")
    with writer(
        target, keys, console=rt.out, lang=lang, title=title, columns=pack_columns(names)
    ) as w:
        for record in records:
            w.write(record)


def _rule_cell(rule: Any, unknown: Any, pack: str, lang: str) -> Any:
    """A deciding rule as the table shows it: without the pack's prefix (the pack is in the
    header), marked when the answer is a review because the rule's facts are missing (the mark
    comes first: a narrow column cuts the end of the id, never the mark)."""
    if not isinstance(rule, str):
        return rule
    shown = rule.removeprefix(f"{pack}.")
    if unknown:
        return ("缺事实：" if lang == "zh" else "facts missing: ") + shown
    return shown


def pack_columns(names: list[str]) -> dict[str, Column]:
    """The table columns of a comparison. Every pack's answer is essential: rather than hide one,
    a narrow terminal shows one household per block. Answers are text (a Chinese label may wrap
    between characters, so five packs fit 120 columns); the deciding rules are left out first
    (named under the table) and shown in full one household per block, or in CSV / JSON."""
    columns = {}
    for name in names:
        columns[name] = Column(name, name, name, "text", ESSENTIAL)
        rule = f"{name}:rule"
        columns[rule] = Column(rule, f"{name}决定规则", f"{name} rule", "atom", 60)
    return columns


def _summary(rt: Runtime, frame: pd.DataFrame, lang: str) -> None:
    counts = frame.groupby(["pack", "outcome"]).size().unstack(fill_value=0)
    labels = [outcome_label(k, lang) for k in counts.columns]
    records = [
        {"pack": pack, **{label: int(v) for label, v in zip(labels, row, strict=True)}}
        for pack, row in counts.iterrows()
    ]
    rt.err.print(
        render(
            records,
            ["pack", *labels],
            width=rt.err.width,
            lang=lang,
            title="各方案结果" if lang == "zh" else "outcomes per pack",
        )
    )


def _sweep_values(values: tuple[str, ...], span: str | None) -> list[str]:
    """The values to sweep, in order: ``--values`` items (ASCII blanks around each ignored), then
    the ``--range``. An empty item (``7000,,8000``) and a value given twice are refused, naming
    them: skipping one or sweeping a value twice (its households counted twice) would be silent.
    """
    out: list[str] = []
    for item in values:
        for v in item.split(","):
            text = v.strip(" \t")
            if not text:
                raise click.UsageError(
                    f"--values {item!r} has an empty item (two commas together, or one at "
                    "the start or end); give each value once, separated by commas"
                )
            out.append(text)
    if span:
        try:
            start, stop, step = (Decimal(x) for x in span.split(":"))
        except (ValueError, InvalidOperation):
            raise click.UsageError(f"--range expects START:STOP:STEP, got {span!r}") from None
        if step <= 0 or stop < start:
            raise click.UsageError(f"--range needs STEP > 0 and STOP >= START, got {span!r}")
        value = start
        while value <= stop:
            out.append(str(value))
            value += step
    if not out:
        raise click.UsageError(
            "give the values to sweep: --values V1,V2,... or --range START:STOP:STEP"
        )
    seen: set[str] = set()
    for text in out:
        if text in seen:
            raise click.UsageError(
                f"value {text!r} is swept twice (--values / --range); give each value once"
            )
        seen.add(text)
    return out


def _refuse_same_figure(base: Any, parameter: str, swept: list[str]) -> None:
    """Two values that are one figure (``8000`` and ``8000.00``) are refused as a value given
    twice is; a value the parameter cannot take is left for the sweep to refuse with its reason."""
    from fangfan_rules.errors import FangfanError
    from fangfan_rules.rules.parameters import coerce_value

    known = base.parameters.get(parameter)
    if known is None:
        return
    seen: dict[Any, str] = {}
    for text in swept:
        try:
            value = coerce_value(parameter, known.type, text)
        except (FangfanError, ValueError):
            continue
        key = repr(value)
        if key in seen:
            raise click.UsageError(
                f"values {seen[key]!r} and {text!r} are the same {parameter}; give each once"
            )
        seen[key] = text


@click.command("sweep")
@evaluation_options
@calendar_option
@click.option(
    "--parameter", required=True, help="The parameter to sweep (e.g. monitoring_income_line)."
)
@click.option(
    "--values",
    multiple=True,
    metavar="V1,V2,...",
    help="Values to evaluate, comma-separated (repeatable).",
)
@click.option(
    "--range",
    "span",
    metavar="START:STOP:STEP",
    help="Numeric values from START to STOP inclusive, e.g. 6000:9000:500.",
)
@output_options(*FORMATS)
@progress_option
def sweep(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    parameter: str,
    values: tuple[str, ...],
    span: str | None,
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
    show_progress: bool | None,
) -> int:
    """Outcome and key-attention counts as one parameter takes several values.

    Bad input rows are not counted; each is a row of the output (measure "bad_row") with its
    reason."""
    import pandas as pd

    from fangfan_rules.analysis import sweep as sweep_parameter

    rt = runtime()
    base = load_pack(pack)
    cal = calendar(calendars)
    swept = _sweep_values(values, span)
    _refuse_same_figure(base, parameter, swept)
    rows = read_all(file, input_format, rt, show_progress)
    households = [r.household for r in rows if r.household is not None]
    bad = [r for r in rows if r.household is None]
    parts = [
        sweep_parameter(
            households,
            base,
            parameter=parameter,
            values=[v],
            as_of=as_of,
            parameters=dict(params) or None,
            calendar=cal,
        )
        for v in tracked(swept, rt, show_progress, f"sweeping {parameter}", len(swept))
    ]
    frame = pd.concat(parts, ignore_index=True)
    target = rt.target(fmt, output, encoding, *FORMATS)
    if target.format == "table":
        _sweep_tables(
            rt, frame, f"sweep of {parameter} — {base.name}, {len(households)} households"
        )
    else:
        frame = (
            pd.concat(
                [
                    frame,
                    pd.DataFrame(
                        [
                            {
                                "pack": base.name,
                                "parameter": parameter,
                                "measure": "bad_row",
                                "item": f"line {r.line}",
                                "label": r.error,
                                "count": 1,
                            }
                            for r in bad
                        ]
                    ),
                ],
                ignore_index=True,
            )
            if bad
            else frame
        )
        with writer(target, list(frame.columns), console=rt.out, lang="en") as w:
            for record in frame.to_dict("records"):
                w.write(record)
    sources = sorted({str(s) for s in frame["source"].dropna()})
    rt.note(
        f"{parameter}: {len(swept)} values ({', '.join(sources)}), {len(households)} households, as of {as_of}"
        + (f"; {len(bad)} bad input rows not counted" if bad else "")
    )
    return EXIT_BAD_ROWS if bad else EXIT_OK


def _sweep_tables(rt: Runtime, frame: pd.DataFrame, title: str) -> None:
    """A sweep on the terminal: the outcomes by value (one row per value), then the
    key-attention groups by their titles (one row per group, one column per value), so neither
    table grows wider than its values."""
    from fangfan_rules.analysis import sweep_table
    from fangfan_rules.analysis.sweep import MONITORED

    outcomes = frame[frame["measure"].isin(["outcome", "monitored"])]
    wide = sweep_table(outcomes).reset_index()
    keys = [str(c) for c in wide.columns]
    columns = {k: Column(k, k, k, "atom", 1 if k == "value" else 5) for k in keys}
    monitored = "+".join(MONITORED)  # the sum of two outcomes: a short header
    if monitored in columns:
        columns[monitored] = Column(monitored, "纳入或待研判", "monitored", "atom", 5)
    rt.out.print(
        render(wide.to_dict("records"), keys, width=rt.out.width, lang="en", title=title,
               columns=columns)
    )  # fmt: skip
    groups = frame[frame["measure"] == "key_attention"]
    if groups.empty:
        return
    values = list(dict.fromkeys(str(v) for v in groups["value"]))
    records: dict[str, dict[str, Any]] = {}
    for row in groups.to_dict("records"):
        record = records.setdefault(row["item"], {"group": row["label"] or row["item"]})
        record[str(row["value"])] = row["count"]
    columns = {"group": Column("group", "重点关注群体", "key-attention group", "text", 1)}
    # Values that do not fit are left out from the last (and named under the table).
    columns.update({v: Column(v, v, v, "atom", 20 + i) for i, v in enumerate(values)})
    rt.out.print(
        render(list(records.values()), ["group", *values], width=rt.out.width, lang="en",
               title="key-attention groups by value", columns=columns)
    )  # fmt: skip


COMMANDS = [compare, sweep]
