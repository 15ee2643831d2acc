"""Fidelity checks: a pack says only what its document says, in the document's words.

:func:`check_pack` returns every problem it finds, naming the rule or parameter:

1. **Quotes verified.** Every rule's, timeline entry's and stated parameter value's ``quote`` is
   verbatim in the clause it cites (whitespace and full/half-width forms folded; ``…`` joins
   passages in order). A quote that is elsewhere in the document names where; one that is nowhere
   names the nearest passage.
2. **No figure without its words.** Every stated figure (money, count, days, percentage, date,
   window) appears in its own quote (``1万`` / ``一万`` / ``10000`` alike), or the value says in
   ``interpretation`` how it was read from words that do not print it. The same holds for the
   numbers written into a rule's condition and a timeline's day counts.
3. **Decisions need deciding words.** A rule that decides (identify, out of scope, eliminate /
   not yet, hold under the safety net, roll back, identify again) carries ``decides``: the
   document's own deciding words, verbatim. The loader refuses such a rule without them
   (:func:`fangfan_rules.rules.rule.parse_rule`); this check verifies the words.

:func:`decisions_table` renders what a pack decides and on which words, the table each pack's
``CLAUSES.md`` keeps between ``<!-- decisions:begin -->`` and ``<!-- decisions:end -->`` (regenerate
with ``python -m fangfan_rules.testing --write PACK_DIR ...``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fangfan_rules.dates import DateRange
from fangfan_rules.rules.conditions import Compare, Const, operands, walk
from fangfan_rules.testing.documents import (
    Document,
    date_printed,
    figures,
    find_passage,
    nearest,
)

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack
    from fangfan_rules.rules.parameters import ParameterValue
    from fangfan_rules.rules.rule import Rule
    from fangfan_rules.timeline import DeadlineRule, MinimumSpan, MonthlyDue, OrderRule

#: Environment variable: directories (``os.pathsep``-separated) holding packs' documents.
DOCUMENTS_ENV = "FANGFAN_DOCUMENTS"
BEGIN = "<!-- decisions:begin -->"
END = "<!-- decisions:end -->"


@dataclass(frozen=True)
class Problem:
    """One fidelity problem: where (rule, parameter value, timeline entry) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def find_document(pack: Pack, search: Iterable[Path | str] = ()) -> Path | None:
    """The pack's document file (``pack.yaml`` ``document.file``): in the pack's directory, then
    in ``search``, then in the directories of :data:`DOCUMENTS_ENV`."""
    places = [Path(pack.directory)] if pack.directory else []
    places += [Path(p) for p in search]
    places += [Path(p) for p in os.environ.get(DOCUMENTS_ENV, "").split(os.pathsep) if p]
    for place in places:
        candidate = place / pack.document.file
        if candidate.is_file():
            return candidate
    return None


def _clause(citation: str) -> str:
    """``qianshan_2023:一、(一)4`` → ``一、(一)4``."""
    return citation.split(":", 1)[1] if ":" in citation else citation


def check_quote(document: Document, citation: str, quote: str) -> str | None:
    """None when ``quote`` is verbatim in the clause ``citation`` names, else what is wrong."""
    clause = _clause(citation)
    body = document.clause(clause)
    if body is None:
        return f"citation {clause!r} does not name a clause of {document.name}"
    missing = find_passage(quote, body)
    if missing is None:
        return None
    if find_passage(quote, document.text) is None:
        where = ", ".join(document.locate(missing)) or "no clause"
        return f"quote is in {where}, not in the cited clause {clause}"
    return (
        f"quote is not verbatim in {document.name}: {missing!r} not found; the nearest passage "
        f"is {nearest(missing, document.text)!r}"
    )


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return None
    return Decimal(str(value))


def figure_printed(value: Any, quote: str, *, year: int) -> bool:
    """Whether ``quote`` prints ``value`` (a number, a date or a window's two dates)."""
    if isinstance(value, DateRange):
        return date_printed(value.start, quote, year=year) and date_printed(
            value.end, quote, year=year
        )
    if isinstance(value, date):
        return date_printed(value, quote, year=year)
    number = _number(value)
    return number is None or number in figures(quote)


def _value_problems(pack: Pack, document: Document) -> Iterator[Problem]:
    year = pack.document.date.year
    for name, parameter in sorted(pack.parameters.items()):
        for value in parameter.values:
            where = f"parameter {name} (from {value.valid_from})"
            if not value.stated:
                continue
            if not value.quote:
                yield Problem(where, "a stated value needs the document's words ('quote')")
                continue
            wrong = check_quote(document, value.citation, value.quote)
            if wrong:
                yield Problem(where, wrong)
            if not value.interpretation and not figure_printed(value.value, value.quote, year=year):
                yield Problem(
                    where,
                    f"the figure {_show(value)} is not printed in its quote {value.quote!r}: "
                    "quote the words that print it, or say how it was read ('interpretation')",
                )


def _show(value: ParameterValue) -> str:
    return str(value.value)


def _literals(rule: Rule) -> list[Any]:
    numbers: list[Any] = []
    for node in walk(rule.condition):
        if isinstance(node, Compare) and isinstance(node.right, Const):
            values = (
                node.right.value if isinstance(node.right.value, tuple) else (node.right.value,)
            )
            numbers += [v for v in values if _number(v) is not None]
    for operand in operands(rule.condition):
        if isinstance(operand, Const) and isinstance(operand.value, date):
            numbers.append(operand.value)
    return numbers


def _rule_problems(pack: Pack, document: Document) -> Iterator[Problem]:
    year = pack.document.date.year
    for rule in (*pack.rules, *pack.elimination):
        where = f"rule {rule.id}"
        if not rule.quote:
            yield Problem(where, "no quote")
        else:
            wrong = check_quote(document, rule.citation, rule.quote)
            if wrong:
                yield Problem(where, wrong)
        if rule.decides is not None and find_passage(rule.decides, document.text) is not None:
            yield Problem(where, f"deciding words are not verbatim in {document.name}")
        unprinted = [
            v for v in _literals(rule) if not figure_printed(v, rule.quote or "", year=year)
        ]
        if unprinted and not rule.interpretation:
            yield Problem(
                where,
                f"figures {unprinted} in the condition are not printed in the quote: say how they "
                "were read ('interpretation')",
            )


def _timeline_problems(pack: Pack, document: Document) -> Iterator[Problem]:
    timeline = pack.timeline
    year = pack.document.date.year
    entries: list[DeadlineRule | OrderRule | MinimumSpan | MonthlyDue] = [
        *timeline.deadlines,
        *timeline.order,
        *timeline.spans,
        *timeline.monthly,
    ]
    for entry in entries:
        where = f"timeline {entry.id}"
        if not entry.quote:
            yield Problem(where, "no quote")
            continue
        wrong = check_quote(document, entry.citation, entry.quote)
        if wrong:
            yield Problem(where, wrong)
        numbers = [
            getattr(entry, attr)
            for attr in ("days", "at_least_days", "day")
            if isinstance(getattr(entry, attr, None), int)
        ]
        unprinted = [n for n in numbers if not figure_printed(n, entry.quote, year=year)]
        if unprinted and not getattr(entry, "interpretation", None):
            yield Problem(where, f"figures {unprinted} are not printed in the quote")


def check_pack(pack: Pack, document: Document) -> list[Problem]:
    """Every fidelity problem of ``pack`` against its ``document`` (an empty list: none)."""
    return [
        *_rule_problems(pack, document),
        *_value_problems(pack, document),
        *_timeline_problems(pack, document),
    ]


# -- what a pack decides -----------------------------------------------------------------------


def deciding_rules(pack: Pack) -> list[Rule]:
    """The rules of ``pack`` that decide an outcome (identification and elimination)."""
    return sorted((r for r in (*pack.rules, *pack.elimination) if r.decision), key=lambda r: r.id)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def decisions_table(pack: Pack) -> str:
    """What ``pack`` decides and on which words, as the Markdown table of its CLAUSES.md."""
    rows = [
        "| Rule | Decides | Clause | The document's deciding words |",
        "| --- | --- | --- | --- |",
    ]
    for rule in deciding_rules(pack):
        local = rule.id.removeprefix(f"{pack.name}.")
        rows.append(
            f"| `{local}` | {rule.decision} | {_clause(rule.citation)} | "
            f"{_cell(rule.decides or '')} |"
        )
    if len(rows) == 2:
        rows.append("| — | nothing | — | the pack only recommends (needs_review) and screens |")
    return "\n".join(rows)


def decisions_block(pack: Pack) -> str:
    return f"{BEGIN}\n{decisions_table(pack)}\n{END}"


def current_block(text: str) -> str | None:
    """The decisions block of a CLAUSES.md text (None if it has none)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(END)]


def write_decisions(pack: Pack, clauses: Path) -> bool:
    """Rewrite the decisions block of ``clauses`` (appended if missing); True if it changed."""
    text = clauses.read_text(encoding="utf-8")
    block = decisions_block(pack)
    current = current_block(text)
    if current == block:
        return False
    if current is None:
        heading = "\n## What this pack decides\n\n"
        intro = (
            "Generated from the rules (`python -m fangfan_rules.testing --write`): every "
            "rule whose answer is a decision, with the document's own deciding words. Every other "
            "rule recommends (needs_review), screens or flags.\n\n"
        )
        text = text.rstrip("\n") + "\n" + heading + intro + block + "\n"
    else:
        text = text.replace(current, block)
    clauses.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m fangfan_rules.testing [--write] PACK_DIR...``: check (and rewrite
    the decisions table of) each pack directory; the document is looked up beside it or in
    ``$FANGFAN_DOCUMENTS``."""
    from fangfan_rules.packs.pack import Pack

    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write" in args
    status = 0
    for directory in [a for a in args if a != "--write"]:
        pack = Pack.from_directory(directory)
        found = find_document(pack)
        if found is None:
            print(f"{pack.name}: document {pack.document.file} not found", file=sys.stderr)
            status = 1
            continue
        problems = check_pack(pack, Document.read(found))
        for problem in problems:
            print(f"{pack.name}: {problem}")
        status = status or int(bool(problems))
        if write and pack.directory:
            write_decisions(pack, Path(pack.directory) / "CLAUSES.md")
    return status
