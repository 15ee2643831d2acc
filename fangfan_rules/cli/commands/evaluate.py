"""Identification: ``evaluate`` (every household) and ``explain`` (one household, full trace)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.labels import ERROR, outcome_label
from fangfan_rules.cli.options import (
    calendar_option,
    evaluation_options,
    lang_option,
    output_options,
    progress_option,
)
from fangfan_rules.cli.output import writer
from fangfan_rules.cli.runtime import calendar, configured_pack, read_all, rows, runtime, tracked
from fangfan_rules.cli.tables import render
from fangfan_rules.errors import FangfanError
from fangfan_rules.io.writers import RESULT_COLUMNS, result_row
from fangfan_rules.results import BadRow, Identification, Outcome
from fangfan_rules.rules.wording import missing_facts_list, reform_text

TABLE_KEYS = (
    "line",
    "household_id",
    "outcome",
    "category",
    "key_attention",
    "must_visit",
    "green_channel",
    "first_reason",
)


def table_record(
    line: int, result: Identification | None, hid: str | None, error: str | None, lang: str
) -> dict[str, Any]:
    """A row for the terminal: labels in ``lang``, group ids without the pack prefix."""
    if result is None:
        return {
            "line": line,
            "household_id": hid or "?",
            "outcome": outcome_label(ERROR, lang),
            "first_reason": error,
        }
    return {
        "line": line,
        "household_id": result.household_id,
        "outcome": outcome_label(result.outcome, lang),
        "category": result.category.label(lang) if result.category else "",
        "key_attention": [g.id.split(":", 1)[1] for g in result.key_attention],
        "must_visit": result.must_visit,
        "green_channel": result.green_channel.applies,
        "first_reason": result.first_reason(lang),
    }


@click.command("evaluate")
@evaluation_options
@calendar_option
@output_options("table", "csv", "jsonl", "json", "xlsx", "parquet")
@click.option(
    "--full",
    is_flag=True,
    help="JSON / JSON Lines: the whole result of each household, with its reasons and trace.",
)
@lang_option
@progress_option
def evaluate(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
    full: bool,
    lang: str,
    show_progress: bool | None,
) -> int:
    """Identify households for monitoring.

    One result per input row; a bad row is included with its reason."""
    rt = runtime()
    configured = configured_pack(pack, params)
    cal = calendar(calendars)
    target = rt.target(fmt, output, encoding, "table", "csv", "jsonl", "json", "xlsx", "parquet")
    table = target.format == "table"
    outcomes: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    title = f"{configured.name} — {configured.document.title}"
    keys = TABLE_KEYS if table else RESULT_COLUMNS
    # One batch: population-level rules (area percentiles, village counts) see every household,
    # and a household id given twice is a bad row for each copy (never two answers).
    read = read_all(file, input_format, rt, show_progress)
    batch = configured.identify_many(
        [r.household for r in read if r.household is not None], as_of=as_of, calendar=cal
    )
    answers = iter(batch)
    with writer(target, keys, console=rt.out, lang=lang, title=title) as w:
        for row in tracked(read, rt, show_progress, "evaluating", len(read)):
            answer = next(answers) if row.household is not None else None
            result: Identification | None = None
            if isinstance(answer, BadRow):
                row = replace(row, household=None, error=answer.error)
                rt.bad_row(row.line, row.error)
            if row.household is None:
                outcomes["error"] += 1
            else:
                assert isinstance(answer, Identification)
                result = answer
                outcomes[result.outcome.value] += 1
                groups.update(g.id for g in result.key_attention)
            if table:
                w.write(table_record(row.line, result, row.household_id, row.error, lang))
            elif full and result is not None and target.format in ("json", "jsonl"):
                w.write({"line": row.line, **result.model_dump(mode="json")})
            else:
                w.write(result_row(row.line, result, row.household_id, row.error))
    zh = lang == "zh"

    summary = [
        {"item": outcome_label(o, lang), "count": outcomes[o]}
        for o in (*(x.value for x in Outcome), "error")
        if outcomes.get(o)
    ]
    # key-attention groups by their mark (①…), without the pack prefix of the machine id
    group_word = "重点关注群体" if zh else "key-attention group "
    summary += [
        {"item": group_word + g.split(":", 1)[-1], "count": n} for g, n in sorted(groups.items())
    ]
    summary.append({"item": "合计" if zh else "households", "count": sum(outcomes.values())})
    rt.err.print(
        render(
            summary,
            ("count", "item"),
            width=rt.err.width,
            lang=lang,
            title=f"{'汇总' if zh else 'summary'} — {configured.name}",
        )
    )
    if configured.reforms:
        rt.note(
            ("调用方提供的参数：" if zh else "caller-supplied parameters: ")
            + ("；" if zh else "; ").join(reform_text(r, lang) for r in configured.reforms)
        )
    return EXIT_BAD_ROWS if outcomes.get("error") else EXIT_OK


@click.command("explain")
@evaluation_options
@calendar_option
@click.option("--household", help="Household id (default: the first in the file).")
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def explain(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    calendars: tuple[Path, ...],
    input_format: str | None,
    file: Path,
    household: str | None,
    lang: str,
    as_json: bool,
) -> int:
    """One household's answer with reasons, rule trace and clauses."""
    rt = runtime()
    configured = configured_pack(pack, params)
    cal = calendar(calendars)
    for row in rows(file, input_format):
        if household and row.household_id != household:
            continue
        if row.household is None:
            rt.bad_row(row.line, row.error)
            return EXIT_BAD_ROWS
        result = configured.identify(row.household, as_of=as_of, calendar=cal)
        if as_json:
            rt.out.print_json(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
            return EXIT_OK
        rt.out.print(result.explain(lang), highlight=False, markup=False)
        rt.out.print(trace_table(result, lang, rt.out.width, configured))
        return EXIT_OK
    raise FangfanError(f"household {household!r} not found in {file}")


def trace_table(result: Identification, lang: str, width: int, pack: Any = None) -> Any:
    """Every rule with its status, clause and checks; then the parameters read (named by their
    description when ``pack`` is given)."""
    from fangfan_rules.analysis.card import SOURCE_ZH, TRACE_STATUS_ZH

    zh = lang == "zh"
    records = []
    for rule in result.trace.rules:
        checks = [c.text_zh if lang == "zh" else c.text_en for c in rule.checks]
        if rule.missing_facts:  # in the words of the answer's own "find out" line
            checks.append(missing_facts_list(rule.missing_facts, lang))
        records.append(
            {
                "rule": rule.rule_id.split(".", 1)[1],
                "status": TRACE_STATUS_ZH.get(rule.status, rule.status) if zh else rule.status,
                "clause": rule.citation,
                "checks": "\n".join(checks),
            }
        )
    for value in result.trace.parameters:
        described = pack.parameters.get(value.name) if pack is not None else None
        label = (described.description.zh if zh else described.description.en) if described else ""
        records.append(
            {
                "rule": f"参数 {value.name}" if zh else f"param {value.name}",
                "status": SOURCE_ZH.get(value.source, value.source) if zh else value.source,
                "clause": "文件未规定"
                if zh and value.citation == "caller-supplied"
                else value.citation,
                "checks": (f"{label}\n" if label else "")
                + f"{value.text(lang)} ({value.valid_from}..{value.valid_to or ''})",
            }
        )
    title = "trace" if lang == "en" else "规则运行记录"
    return render(
        records,
        ("rule", "status", "clause", "checks"),
        width=width,
        lang=lang,
        title=title,
        max_lines=12,
    )


COMMANDS = [evaluate, explain]
