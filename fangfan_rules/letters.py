"""Written answers (书面告知) to self-applicants who are not identified.

jimo_2022 一、(三)2: "对自主申请但不符合认定标准的群众，要主动回访，书面告知其审核结果及原因". The
letter is composed from the result alone — its outcome, its trace and the pack's rule titles and
clauses — so it states only the conditions that were actually checked and not met, with the values
read and the clause of each; it never adds a reason of its own.

>>> print(written_answer(result))                       # doctest: +SKIP

Only a ``not_eligible`` or ``out_of_scope`` result of a household with a self-application on
record gets a letter; any other outcome raises :class:`LetterError` (a ``needs_review`` household
is still being decided, an ``identify`` household is not refused).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household, known_at
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import Check, Identification, Outcome, RuleTrace
from fangfan_rules.rules.conditions import Compare, Const, IsTrue, walk
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.vocabulary import Channel

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

#: Variables that read the household's risk clues by channel (argument ``channels``).
CLUE_VARIABLES = frozenset({"has_clue", "open_clue", "clue_received"})
_ANSWERED = (Outcome.NOT_ELIGIBLE, Outcome.OUT_OF_SCOPE)
#: Rule kinds whose conditions decide the outcome (scope for out_of_scope).
_DECIDING = (RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL)


class LetterError(FangfanError, ValueError):
    """No written answer can be composed for this result."""


def _local(citation: str, pack: str) -> str:
    return citation.removeprefix(f"{pack}:")


def _reads_self_application(check: Check) -> bool:
    channels = check.arguments.get("channels", "").split(";")
    return (
        check.variable in CLUE_VARIABLES
        and Channel.SELF_APPLICATION.value in channels
        and check.result == "true"
    )


def _letter_rule(pack: Pack) -> Rule | None:
    """The pack's rule that reads self-applications to ask for the written answer (a note)."""
    for rule in sorted(pack.rules, key=lambda r: r.id):
        if rule.kind != RuleKind.NOTE:
            continue
        for node in walk(rule.condition):
            ref = node.var if isinstance(node, IsTrue) else None
            if isinstance(node, Compare) and node.right == Const(True):
                ref = node.left
            if ref is None or ref.name not in CLUE_VARIABLES:
                continue
            for name, arg in ref.args:
                value = getattr(arg, "value", ())
                if name == "channels" and Channel.SELF_APPLICATION.value in tuple(value):
                    return rule
    return None


def _self_applied(result: Identification, household: Household | None) -> bool:
    if household is not None:
        if household.id != result.household_id:
            raise LetterError(
                f"the household ({scrub_id_numbers(household.id)}) is not the result's "
                f"({scrub_id_numbers(result.household_id)})"
            )
        view, _ = known_at(household, result.as_of)
        return any(c.channel == Channel.SELF_APPLICATION for c in view.clues)
    return any(
        _reads_self_application(check)
        for trace in result.trace.rules
        if trace.status == "fired"
        for check in trace.checks
    )


def _closure(pack: Pack, start: Iterable[Rule]) -> set[str]:
    """The deciding rules and every rule they refer to (``fired``), transitively."""
    from fangfan_rules.rules.conditions import rules_referenced

    by_id = {r.id: r for r in pack.rules}
    todo = [r.id for r in start]
    seen: set[str] = set()
    while todo:
        rule_id = todo.pop()
        if rule_id in seen or rule_id not in by_id:
            continue
        seen.add(rule_id)
        todo.extend(rules_referenced(by_id[rule_id].condition))
    return seen


def _unmet(result: Identification, pack: Pack) -> list[tuple[Rule, RuleTrace, list[Check]]]:
    """Conditions checked and not met, in the order the trace evaluated them."""
    by_id = {r.id: r for r in pack.rules}
    if result.outcome == Outcome.OUT_OF_SCOPE:
        wanted = {r.id for r in pack.rules if r.kind == RuleKind.SCOPE}
    else:
        wanted = _closure(pack, [r for r in pack.rules if r.kind in _DECIDING])
    out: list[tuple[Rule, RuleTrace, list[Check]]] = []
    for trace in result.trace.rules:
        if trace.rule_id not in wanted or trace.status != "not_fired":
            continue
        if trace.rule_id not in by_id:
            raise LetterError(f"rule {trace.rule_id} of the result is not in pack {pack.name}")
        if not trace.checks:
            continue  # a rule over other rules: those rules are listed with their own checks
        false = [c for c in trace.checks if c.result == "false"] or list(trace.checks)
        unique: list[Check] = []
        for check in false:
            if all(check.text_zh != kept.text_zh for kept in unique):
                unique.append(check)
        out.append((by_id[trace.rule_id], trace, unique))
    return out


def written_answer(
    result: Identification,
    *,
    lang: str = "zh",
    household: Household | None = None,
    pack: Pack | None = None,
) -> str:
    """The text of a 书面告知 for a self-applicant whose result is not_eligible / out_of_scope.

    The self-application is read from the trace (a fired rule that found a self-application
    clue); an ``out_of_scope`` result evaluates no rule beyond scope, so pass ``household=`` to
    show it. ``pack`` defaults to the installed pack named in the result and must have the
    result's version. Raises :class:`LetterError` for any other outcome, for a household without
    a self-application, or when no unmet condition is on record.
    """
    if lang not in ("zh", "en"):
        raise LetterError(f"lang must be 'zh' or 'en', not {lang!r}")
    hid = scrub_id_numbers(result.household_id)
    if result.outcome not in _ANSWERED:
        raise LetterError(
            f"household {hid}: a written answer (书面告知) is for a self-applicant found "
            f"not_eligible or out_of_scope; this result is {result.outcome.value}"
            + (" (still to be decided)" if result.outcome == Outcome.NEEDS_REVIEW else "")
        )
    if pack is None:
        from fangfan_rules.packs import load_pack

        pack = load_pack(result.pack)
    if pack.name != result.pack or pack.version != result.pack_version:
        raise LetterError(
            f"household {hid}: the result comes from {result.pack} {result.pack_version}, "
            f"not {pack.name} {pack.version}"
        )
    if not _self_applied(result, household):
        hint = (
            " (an out_of_scope result evaluates only scope: pass household=)"
            if result.outcome == Outcome.OUT_OF_SCOPE and household is None
            else ""
        )
        raise LetterError(
            f"household {hid}: no self-application (自主申报) on record by {result.as_of}; "
            f"the written answer of the document is for self-applicants{hint}"
        )
    unmet = _unmet(result, pack)
    if not unmet:
        raise LetterError(
            f"household {hid}: the trace records no condition that was checked and not met"
        )
    basis = _letter_rule(pack)
    text = _compose(result, pack, unmet, basis, lang)
    return scrub_id_numbers(text)


def _compose(
    result: Identification,
    pack: Pack,
    unmet: list[tuple[Rule, RuleTrace, list[Check]]],
    basis: Rule | None,
    lang: str,
) -> str:
    zh = lang == "zh"
    doc = pack.document
    number = (
        f"（{doc.number}）" if zh and doc.number else (f" ({doc.number})" if doc.number else "")
    )
    outcome = result.outcome.zh if zh else result.outcome.value.replace("_", " ")
    lines: list[str] = []
    if zh:
        lines += [
            "书面告知",
            "",
            f"户编号：{result.household_id}",
            f"审核日期：{result.as_of.isoformat()}",
            f"依据文件：《{doc.title}》{number}"
            + (f" {_local(basis.citation, pack.name)}" if basis else ""),
            "",
            f"您户自主申报的防止返贫监测帮扶申请，经审核，结果为：{outcome}。",
            "",
            "原因（经核查未满足的条件）：",
        ]
    else:
        lines += [
            "Written notice of the review result",
            "",
            f"Household: {result.household_id}",
            f"Reviewed on: {result.as_of.isoformat()}",
            f"Basis: {doc.title}{number}"
            + (f", clause {_local(basis.citation, pack.name)}" if basis else ""),
            "",
            f"Your household applied for anti-relapse monitoring and assistance. Result: {outcome}.",
            "",
            "Reasons (conditions checked and not met):",
        ]
    for index, (rule, _, checks) in enumerate(unmet, start=1):
        clause = _local(rule.citation, pack.name)
        title = rule.title.zh if zh else rule.title.en
        lines.append(f"{index}. {title}〔{clause}〕" if zh else f"{index}. {title} [{clause}]")
        for check in checks:
            lines.append(f"   - {check.text_zh if zh else check.text_en}")
    figures = [p for p in result.trace.parameters if p.stated]
    if figures:
        lines += ["", "所依据的标准数值：" if zh else "Figures applied:"]
        for p in figures:
            source = (
                ("调用方提供" if zh else "supplied by the caller")
                if p.source == "caller"
                else _local(p.citation, pack.name)
            )
            description = pack.parameters[p.name].description if p.name in pack.parameters else None
            label = (description.zh if zh else description.en) if description else p.name
            lines.append(
                f"   - {label}：{p.text(lang)}（{source}）"
                if zh
                else f"   - {label}: {p.text(lang)} ({source})"
            )
    lines += [
        "",
        (
            f"{pack.name} {result.pack_version}（{result.pack_hash}）"
            if zh
            else f"{pack.name} {result.pack_version} ({result.pack_hash})"
        ),
    ]
    return "\n".join(lines) + "\n"


__all__ = ["CLUE_VARIABLES", "LetterError", "written_answer"]
