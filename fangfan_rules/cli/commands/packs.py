"""Pack information: ``packs``, ``describe``, ``diff`` and ``schema``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import rich_click as click

from fangfan_rules.cli.exits import EXIT_OK
from fangfan_rules.cli.options import PARAM, once_each, output_options
from fangfan_rules.cli.output import writer
from fangfan_rules.cli.runtime import runtime
from fangfan_rules.errors import FangfanError
from fangfan_rules.packs import Pack, available_packs, load_pack

PACK_KEYS = (
    "name",
    "region",
    "document",
    "number",
    "date",
    "in_force",
    "caller_must_supply",
)


def pack_record(pack: Pack) -> dict[str, Any]:
    """One pack as a row: document, validity, and what the caller must supply (including
    stated figures that end before the pack does, with their clause and dates)."""
    doc = pack.document
    needs = [
        f"{name}: not stated in the document"
        + (
            " (without it, what reads it is unknown: needs_review)"
            if pack.parameters[name].when_not_supplied == "review"
            else ""
        )
        for name in pack.caller_supplied()
    ]
    needs += [
        f"{pack.validity_text(v.name)}; supply --param {v.name}=… for later dates"
        for v in pack.parameter_limits()
    ]
    return {
        "name": pack.name,
        "version": pack.version,
        "region": doc.region,
        "document": doc.title,
        "number": doc.number or "",
        "issuer": doc.issuer,
        "date": doc.date_shown,
        "in_force": f"{pack.valid_from}..{pack.valid_to or ''}",
        "caller_must_supply": needs,
        "content_hash": pack.content_hash,
        "error": "",
    }


@click.command("packs")
@output_options("table", "json", "jsonl", "csv", "xlsx")
def packs(fmt: str | None, output: Path | None, encoding: str | None) -> int:
    """The installed policy packs and what each needs from the caller."""
    rt = runtime()
    target = rt.target(fmt, output, encoding, "table", "json", "jsonl", "csv", "xlsx")
    keys = (
        PACK_KEYS
        if target.format == "table"
        else (*PACK_KEYS, "version", "issuer", "content_hash", "error")
    )
    with writer(
        target, keys, console=rt.out, lang="en", title="fangfan-rules policy packs", max_lines=6
    ) as w:
        for name in available_packs():
            try:
                w.write(pack_record(load_pack(name)))
            except FangfanError as exc:  # one broken pack must not hide the others
                w.write({"name": name, "error": str(exc), "caller_must_supply": "failed to load"})
    return EXIT_OK


@click.command("describe")
@click.argument("pack", metavar="PACK")
@click.option(
    "--param",
    "params",
    multiple=True,
    type=PARAM,
    callback=once_each,
    help="Show the card with this value supplied or changed (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    help="Card format (default: from the -o extension .md / .html; else markdown).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the card to this file.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en", "both"]),
    default="both",
    show_default=True,
    help="Language of the card's headings and labels (both: Chinese with English).",
)
def describe(
    pack: str,
    params: tuple[tuple[str, str], ...],
    fmt: str | None,
    output: Path | None,
    lang: str,
) -> int:
    """A pack's card: document, parameters, rules and their clauses."""
    from fangfan_rules.analysis import pack_card_html, pack_card_markdown
    from fangfan_rules.analysis.reform import with_values

    if fmt is None:
        fmt = (
            "html"
            if output is not None and output.suffix.lower() in (".html", ".htm")
            else "markdown"
        )
    card = with_values(load_pack(pack), dict(params), label="command line")
    chosen = None if lang == "both" else lang
    text = pack_card_markdown(card, chosen) if fmt == "markdown" else pack_card_html(card, chosen)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


DIFF_KEYS = ("section", "key", "status", "fields", "a", "a_citation", "b", "b_citation")


@click.command("diff")
@click.argument("pack_a", metavar="PACK_A")
@click.argument("pack_b", metavar="PACK_B")
@click.option(
    "--param-a",
    "param_a",
    multiple=True,
    type=PARAM,
    help="Supply or change a parameter of PACK_A (a stated figure changed is recorded as a reform).",
)
@click.option(
    "--param-b",
    "param_b",
    multiple=True,
    type=PARAM,
    help="Supply or change a parameter of PACK_B (a stated figure changed is recorded as a reform).",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    help="Only this section (parameter, key_attention, green_channel, deadline, ...); repeatable.",
)
@output_options("table", "csv", "json", "jsonl", "xlsx", "parquet", "markdown")
def diff(
    pack_a: str,
    pack_b: str,
    param_a: tuple[tuple[str, str], ...],
    param_b: tuple[tuple[str, str], ...],
    sections: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    encoding: str | None,
) -> int:
    """What differs between two packs, with both citations."""
    from fangfan_rules.analysis import diff_packs
    from fangfan_rules.analysis.reform import with_values

    rt = runtime()
    a = with_values(load_pack(pack_a), dict(param_a), label="command line")
    b = with_values(load_pack(pack_b), dict(param_b), label="command line")
    result = diff_packs(a, b, sections=sections or None)
    formats = ("table", "csv", "json", "jsonl", "xlsx", "parquet", "markdown")
    target = rt.target(fmt, output, encoding, *formats)
    if target.format == "markdown":
        text = result.to_markdown()
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    else:
        records = (
            result.to_records()
            if target.format in ("json", "jsonl")
            else result.to_frame().to_dict("records")
        )
        if target.format == "json":  # one document naming both packs
            text = json.dumps(
                {"a": result.a, "b": result.b, "differences": records}, ensure_ascii=False, indent=1
            )
            if output:
                output.write_text(text + "\n", encoding="utf-8")
            else:
                sys.stdout.write(text + "\n")
        else:
            title = f"diff — {result.a} ⇄ {result.b}"
            with writer(
                target, DIFF_KEYS, console=rt.out, lang="en", title=title, max_lines=4
            ) as w:
                for record in records:
                    w.write(record)
    rt.note(
        f"{len(result)} differences between {result.a} and {result.b}"
        + (f" ({', '.join(result.sections)})" if result.sections else "")
    )
    return EXIT_OK


@click.command("schema")
@click.argument("what", type=click.Choice(["household", "calendar"]), default="household")
def schema(what: str) -> int:
    """Print a JSON Schema: household input (default) or calendar schedule."""
    from fangfan_rules.facts import household_json_schema
    from fangfan_rules.holiday_schedule import schedule_json_schema

    document = household_json_schema() if what == "household" else schedule_json_schema()
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


COMMANDS = [packs, describe, diff, schema]
