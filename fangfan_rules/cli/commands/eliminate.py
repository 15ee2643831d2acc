"""Elimination (风险消除): ``eliminate``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import rich_click as click

from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_OK
from fangfan_rules.cli.labels import outcome_label
from fangfan_rules.cli.options import (
    evaluation_options,
    lang_option,
    output_options,
    progress_option,
)
from fangfan_rules.cli.output import writer
from fangfan_rules.cli.runtime import configured_pack, count_rows, rows, runtime, tracked
from fangfan_rules.facts import Household, known_at
from fangfan_rules.results import EliminationOutcome
from fangfan_rules.variables.elimination import latest_record

KEYS = (
    "line",
    "household_id",
    "outcome",
    "unmet",
    "unknown",
    "flags",
    "first_reason",
    "missing_facts",
    "error",
)


def under_monitoring(household: Household, as_of: Any) -> bool:
    """Has an open monitoring spell on ``as_of`` (identified, not yet eliminated, as known then)."""
    view, _ = known_at(household, as_of)
    record = latest_record(view)
    return record is not None and record.eliminated_on is None


@click.command("eliminate")
@evaluation_options
@output_options("table", "csv", "jsonl", "json", "xlsx", "parquet")
@click.option(
    "--monitored-only",
    is_flag=True,
    help="Only households under monitoring on --as-of (an open spell, not yet eliminated); the "
    "others are counted on standard error, not written.",
)
@lang_option
@progress_option
def eliminate(
    pack: str,
    as_of: Any,
    params: tuple[tuple[str, str], ...],
    input_format: str | None,
    file: Path,
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
    monitored_only: bool,
    lang: str,
    show_progress: bool | None,
) -> int:
    """May each household leave monitoring? (风险消除)

    One row per household, bad rows included with their reason."""
    rt = runtime()
    configured = configured_pack(pack, params)
    target = rt.target(fmt, output, encoding, "table", "csv", "jsonl", "json", "xlsx", "parquet")
    table = target.format == "table"
    counts: Counter[str] = Counter()
    left_out = 0
    title = f"风险消除 elimination — {configured.name}"
    with writer(target, KEYS, console=rt.out, lang=lang, title=title) as w:
        items = tracked(rows(file, input_format), rt, show_progress, "assessing", count_rows(file))
        for row in items:
            if row.household is None:
                rt.bad_row(row.line, row.error)
                counts["error"] += 1
                w.write(
                    {
                        "line": row.line,
                        "household_id": row.household_id,
                        "outcome": "error",
                        "error": row.error,
                    }
                )
                continue
            if monitored_only and not under_monitoring(row.household, as_of):
                left_out += 1
                continue
            result = configured.assess_elimination(row.household, as_of=as_of)
            counts[result.outcome.value] += 1
            first = (
                result.reasons[0].text(lang)
                if result.reasons
                else (result.review_points[0](lang) if result.review_points else "")
            )
            w.write(
                {
                    "line": row.line,
                    "household_id": result.household_id,
                    "outcome": outcome_label(result.outcome, lang)
                    if table
                    else result.outcome.value,
                    "unmet": [c.id for c in result.conditions_unmet],
                    "unknown": [c.id for c in result.conditions_unknown],
                    "flags": [f.id for f in result.flags],
                    "first_reason": first,
                    "missing_facts": list(result.missing_facts),
                    "error": None,
                }
            )
    zh = lang == "zh"
    rt.note(
        ("，" if zh else ", ").join(
            f"{outcome_label(k, lang, EliminationOutcome)}{'：' if zh else ': '}{v}"
            for k, v in counts.most_common()
        )
        or ("没有农户" if zh else "no households")
    )
    if monitored_only:
        rt.note(
            f"{left_out} households not under monitoring on {as_of} left out (--monitored-only)"
        )
    return EXIT_BAD_ROWS if counts.get("error") else EXIT_OK


COMMANDS = [eliminate]
