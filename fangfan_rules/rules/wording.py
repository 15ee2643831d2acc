"""The words of an answer: how a check, a reason and a list of missing facts read.

Every sentence an evaluator shows a person (reasons, the trace's check texts, the "find out" line
of a needs_review answer) is composed here, from the machine form the evaluator recorded (variable,
arguments, member, value, operator, compared-with value, result). The evaluators decide; this module
only words. Keeping it in one place lets the trace be built lazily (the text is a function of the
recorded values) and lets one test walk every rule through both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.render import format_value, operator_text, truth_word
from fangfan_rules.variables import get_variable


def check_text(
    variable: str,
    args: Mapping[str, Any],
    member_id: str | None,
    value: Any,
    op: str | None,
    right: Any,
    result: Any,
    lang: str,
) -> str:
    """One evaluated leaf of a condition, as a sentence in ``lang`` ("zh" or "en").

    ``value`` / ``right`` / ``args`` are the evaluated Python values (not their machine text);
    ``result`` is True, False or UNKNOWN.
    """
    label = get_variable(variable).label(lang, {k: format_value(v, lang) for k, v in args.items()})
    who = ""
    if member_id is not None:
        who = f"成员{member_id}的" if lang == "zh" else f"member {member_id}: "
    shown = format_value(value, lang)
    if op is None:
        return f"{who}{label}：{shown}" if lang == "zh" else f"{who}{label}: {shown}"
    against = format_value(right, lang)
    verdict = truth_word(result, lang)
    if lang == "zh":
        return f"{who}{label}为{shown}，{operator_text(op, lang)}{against}：{verdict}"
    return f"{who}{label} is {shown}, {operator_text(op, lang)} {against}: {verdict}"


def reason_text(title: LocalText, details: Sequence[str], *, negated: bool, lang: str) -> str:
    """A reason: the rule's title, then the checks that made it fire (or fail, when negated)."""
    if lang == "zh":
        prefix = "不符合：" if negated else ""
        detail = "；".join(details)
        return f"{prefix}{title.zh}" + (f"（{detail}）" if detail else "")
    prefix = "Not met: " if negated else ""
    detail = "; ".join(details)
    return f"{prefix}{title.en}" + (f" ({detail})" if detail else "")


def missing_facts_text(missing: Sequence[str]) -> LocalText:
    """The "find out" line of a needs_review answer, from the machine names of missing facts."""
    return LocalText(
        zh="补充缺少的事实：" + "；".join(missing),
        en="find out the missing facts: " + "; ".join(missing),
    )
