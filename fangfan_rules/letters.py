"""Written answers (书面告知) to self-applicants found not meeting the identification standard.

jimo_2022 一、(三)2: "对自主申请但不符合认定标准的群众，要主动回访，书面告知其审核结果及原因". The 审核结果
and its 原因 are the town's (一、(三) "镇（街）落实信息调查、核实办理责任"), recorded per warning in the
columns of 附件2 (是否符合认定标准, 不符合认定标准的主要原因, 办结日期). The letter states them as
recorded, never a finding of its own:

- it is written only for a self-application (自主申报) closed by the result's as_of whose
  是否符合认定标准 is recorded as not met; met, or not recorded → :class:`LetterError`;
- the result is the officials': 不符合认定标准;
- the reason is the recorded ``reason_not_met``, verbatim (none recorded → :class:`LetterError`
  naming the field);
- it may add the pack's own comparison of a figure (e.g. the per-capita income against the
  caller-supplied line), labelled as the pack's check, when the pack made it on known values and
  it agrees with the finding (the condition was not met);
- it is dated on the 办结日期 of the application.

Department feeds, the green channel or an open warning are never given as reasons: they are not
grounds of a refusal.

>>> print(written_answer(result, household=household))          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Clue, Household, known_at
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import Check, Identification, RuleTrace
from fangfan_rules.rules.conditions import Compare, Const, IsTrue, Param, operands, walk
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.vocabulary import Channel

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

#: Variables that read the household's risk clues by channel (argument ``channels``): a note over
#: one of them with ``self_application`` is the pack's rule asking for the written answer.
CLUE_VARIABLES = frozenset({"has_clue", "open_clue", "clue_received", "closed_clue_fails_criteria"})
#: Rule kinds whose comparisons of a figure the letter may show as the pack's own check.
_CHECKS = (RuleKind.RISK,)


class LetterError(FangfanError, ValueError):
    """No written answer can be composed for this result."""


def _local(citation: str, pack: str) -> str:
    return citation.removeprefix(f"{pack}:")


def _letter_rule(pack: Pack) -> Rule | None:
    """The pack's note that reads self-applications to ask for the written answer."""
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


def _path(clue: Clue) -> str:
    return f"clues[{clue.channel.value} {clue.received_on}]"


def _application(result: Identification, household: Household) -> Clue:
    """The self-application the answer is about: the latest one closed by the result's as_of,
    recorded as not meeting the standard, with its reason."""
    hid = scrub_id_numbers(result.household_id)
    if household.id != result.household_id:
        raise LetterError(
            f"the household ({scrub_id_numbers(household.id)}) is not the result's ({hid})"
        )
    view, _ = known_at(household, result.as_of)
    applications = [c for c in view.clues if c.channel == Channel.SELF_APPLICATION]
    if not applications:
        raise LetterError(
            f"household {hid}: no self-application (自主申报) on record by {result.as_of}; "
            "the written answer of the document is for self-applicants"
        )
    closed = [c for c in applications if c.closed_on is not None]
    if not closed:
        raise LetterError(
            f"household {hid}: no self-application closed (办结) by {result.as_of}: the 审核结果 "
            "is not known yet"
        )
    clue = max(closed, key=lambda c: (c.closed_on, c.received_on))
    if clue.meets_criteria is None:
        raise LetterError(
            f"household {hid}: {_path(clue)}.meets_criteria (是否符合认定标准) is not recorded: "
            "the written answer states the officials' recorded result"
        )
    if clue.meets_criteria:
        raise LetterError(
            f"household {hid}: {_path(clue)} is recorded as meeting the identification standard; "
            "the written answer is for a self-applicant found not meeting it"
        )
    if not (clue.reason_not_met or "").strip():
        raise LetterError(
            f"household {hid}: {_path(clue)}.reason_not_met (不符合认定标准的主要原因) is not "
            "recorded: the written answer states the officials' recorded reason"
        )
    return clue


def _pack_checks(result: Identification, pack: Pack) -> list[tuple[Rule, list[Check]]]:
    """The pack's own comparisons of a figure that were made on known values and not met."""
    by_id = {r.id: r for r in pack.rules}
    out: list[tuple[Rule, list[Check]]] = []
    for trace in result.trace.rules:
        rule = by_id.get(trace.rule_id)
        if rule is None:
            raise LetterError(f"rule {trace.rule_id} of the result is not in pack {pack.name}")
        if not _is_figure_check(rule, trace):
            continue
        out.append((rule, list(trace.checks)))
    return out


def _is_figure_check(rule: Rule, trace: RuleTrace) -> bool:
    return (
        rule.kind in _CHECKS
        and trace.status == "not_fired"
        and bool(trace.checks)
        and all(c.result == "false" for c in trace.checks)
        and any(isinstance(o, Param) for o in operands(rule.condition))
    )


def _figures(rules: list[Rule]) -> set[str]:
    return {o.name for r in rules for o in operands(r.condition) if isinstance(o, Param)}


def written_answer(
    result: Identification,
    *,
    household: Household,
    lang: str = "zh",
    pack: Pack | None = None,
) -> str:
    """The text of the 书面告知 to a self-applicant found not meeting the identification standard.

    ``household`` is the household of ``result`` (its facts as known on the result's as_of give the
    application, its recorded result, reason and 办结日期). ``pack`` defaults to the installed pack
    named in the result and must have the result's version. Raises :class:`LetterError` when no
    such answer is due (no closed self-application, its result met or not recorded) or when the
    recorded reason is missing.
    """
    if lang not in ("zh", "en"):
        raise LetterError(f"lang must be 'zh' or 'en', not {lang!r}")
    hid = scrub_id_numbers(result.household_id)
    if pack is None:
        from fangfan_rules.packs import load_pack

        pack = load_pack(result.pack)
    if pack.name != result.pack or pack.version != result.pack_version:
        raise LetterError(
            f"household {hid}: the result comes from {result.pack} {result.pack_version}, "
            f"not {pack.name} {pack.version}"
        )
    basis = _letter_rule(pack)
    if basis is None:
        raise LetterError(
            f"pack {pack.name} asks for no written answer (no rule reads self-applications "
            "found not meeting the standard)"
        )
    clue = _application(result, household)
    text = _compose(result, pack, clue, basis, _pack_checks(result, pack), lang)
    return scrub_id_numbers(text)


def _compose(
    result: Identification,
    pack: Pack,
    clue: Clue,
    basis: Rule,
    checks: list[tuple[Rule, list[Check]]],
    lang: str,
) -> str:
    zh = lang == "zh"
    doc = pack.document
    number = (
        f"（{doc.number}）" if zh and doc.number else (f" ({doc.number})" if doc.number else "")
    )
    clause = _local(basis.citation, pack.name)
    reason = (clue.reason_not_met or "").strip()
    closed = clue.closed_on.isoformat() if clue.closed_on else ""
    if zh:
        lines = [
            "书面告知",
            "",
            f"户编号：{result.household_id}",
            f"办结日期：{closed}",
            f"依据文件：《{doc.title}》{number} {clause}",
            "",
            f"您户于{clue.received_on.isoformat()}自主申报的防止返贫监测帮扶申请，经核实，"
            "审核结果为：不符合认定标准。",
            "",
            f"原因：{reason}",
        ]
    else:
        lines = [
            "Written notice of the review result",
            "",
            f"Household: {result.household_id}",
            f"Closed on: {closed}",
            f"Basis: {doc.title}{number}, clause {clause}",
            "",
            f"Your household applied for anti-relapse monitoring and assistance on "
            f"{clue.received_on.isoformat()}. After verification, the result is: the "
            "identification standard is not met.",
            "",
            f"Reason (as recorded by the officials): {reason}",
        ]
    if checks:
        lines += [
            "",
            f"本工具于{result.as_of.isoformat()}按本包规则所作的核对（供参考）："
            if zh
            else f"The check made by this tool's rules on {result.as_of.isoformat()} (for "
            "reference):",
        ]
        for rule, rule_checks in checks:
            where = _local(rule.citation, pack.name)
            title = rule.title.zh if zh else rule.title.en
            lines.append(f"   - {title}〔{where}〕" if zh else f"   - {title} [{where}]")
            for check in rule_checks:
                lines.append(f"     {check.text_zh if zh else check.text_en}")
        wanted = _figures([rule for rule, _ in checks])
        figures = [p for p in result.trace.parameters if p.stated and p.name in wanted]
        if figures:
            lines.append("   所用标准数值：" if zh else "   Figures applied:")
        for p in figures:
            source = (
                ("调用方提供" if zh else "supplied by the caller")
                if p.source == "caller"
                else _local(p.citation, pack.name)
            )
            description = pack.parameters[p.name].description if p.name in pack.parameters else None
            label = (description.zh if zh else description.en) if description else p.name
            lines.append(
                f"     {label}：{p.text(lang)}（{source}）"
                if zh
                else f"     {label}: {p.text(lang)} ({source})"
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
