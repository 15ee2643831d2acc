"""A pack's ``CLAUSES.md``: every clause of its document, the rules that encode it, the cases
that test it — and the check that keeps that table true.

:func:`check_clauses` lists every problem: a rule (or timeline entry) named in no row, or firing
in no case that is not ``xfail``; a row naming an id that is neither a rule nor a parameter; a row
naming rules but no case, or a case that does not exist; a case citing a clause that is not a
row; and a decisions table (:mod:`.fidelity`) that no longer matches the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from fangfan_rules.testing.cases import CaseFile, TimelineAnswer, local_id, run_case
from fangfan_rules.testing.fidelity import current_block, decisions_block

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack
    from fangfan_rules.timeline import DeadlineRule, MinimumSpan, OrderRule

_ROW = re.compile(r"^\|(.+)\|\s*$")
_TESTED = re.compile(r"^(?P<name>.+?)\s*\((?P<file>[\w.-]+\.ya?ml)\)$")


def clauses_path(pack: Pack) -> Path | None:
    return Path(pack.directory) / "CLAUSES.md" if pack.directory else None


def clause_table(path: Path) -> list[list[str]]:
    """The rows of the first table of a CLAUSES.md (header and separator dropped), as cells."""
    if not path.exists():
        return []
    rows: list[list[str]] = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if not match:
            if in_table:
                break
            continue
        cells = [c.strip() for c in match.group(1).split("|")]
        if not in_table:
            in_table = True  # header
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(cells)
    return rows


def clause_rows(pack: Pack) -> set[str] | None:
    """The clauses CLAUSES.md has rows for (None when the pack keeps no CLAUSES.md)."""
    path = clauses_path(pack)
    if path is None or not path.exists():
        return None
    return {row[0].strip("` ") for row in clause_table(path)}


def check_clauses(pack: Pack, files: Iterable[CaseFile]) -> list[str]:
    """Every way ``pack``'s CLAUSES.md disagrees with its rules and its cases ``files``."""
    name = pack.name
    path = clauses_path(pack)
    rows = clause_table(path) if path else []
    if not rows or path is None:
        return [f"{path or name + '/CLAUSES.md'} is missing or has no table"]
    rule_ids = {local_id(name, r.id) for r in (*pack.rules, *pack.elimination)}
    timeline = pack.timeline
    entries: list[DeadlineRule | OrderRule | MinimumSpan] = [
        *timeline.deadlines,
        *timeline.order,
        *timeline.spans,
    ]
    timeline_ids = {local_id(name, t.id) for t in entries}
    known = rule_ids | timeline_ids
    cases = {(f.path.name, c["name"]): c for f in files for c in f.cases}
    problems: list[str] = []
    named: set[str] = set()
    for row in rows:
        if len(row) < 4:
            problems.append(
                f"row {row[0]!r}: expected 4 columns (clause, text, encoded by, tested by)"
            )
            continue
        clause, encoded, tested = row[0], row[2], row[3]
        ids = set(re.findall(r"`([\w.]+)`", encoded))
        here = ids & known
        unknown = {i for i in ids if i not in known and i not in pack.parameters}
        if unknown:
            problems.append(f"row {clause}: unknown rule or parameter ids {sorted(unknown)}")
        named |= here
        names = [t.strip() for t in tested.split("<br>") if t.strip() and t.strip() != "—"]
        if here and not names:
            problems.append(f"row {clause}: names rules {sorted(here)} but no case")
        for entry in names:
            match = _TESTED.match(entry)
            if not match:
                problems.append(f"row {clause}: cannot read case reference {entry!r}")
            elif (match["file"], match["name"]) not in cases:
                problems.append(f"row {clause}: no case {match['name']!r} in {match['file']}")
    for rule_id in sorted(known - named):
        problems.append(f"rule {rule_id} is not named in any row of CLAUSES.md")
    clauses = {row[0].strip("` ") for row in rows}
    for (file, case_name), case in sorted(cases.items()):
        if str(case["clause"]) not in clauses:
            problems.append(f"{file}: case {case_name!r} cites {case['clause']!r}, not a row")
    fired: set[str] = set()
    for case in cases.values():
        if "error" in case["expect"] or case.get("xfail"):
            continue
        try:
            result = run_case(pack, case)
        except Exception:
            continue  # the case's own check reports it
        if isinstance(result, TimelineAnswer):
            fired |= {local_id(name, d.name) for d in result.deadlines}
            fired |= {local_id(name, v.rule_id) for v in result.violations}
        else:
            fired |= {local_id(name, t.rule_id) for t in result.trace.fired()}
    for rule_id in sorted(known - fired):
        problems.append(f"rule {rule_id} fires in no (non-xfail) case")
    block = current_block(path.read_text(encoding="utf-8"))
    if block != decisions_block(pack):
        problems.append(
            "the decisions table ('What this pack decides') does not match the rules: regenerate "
            "it with `python -m fangfan_rules.testing --write PACK_DIR`"
        )
    return problems
