"""A native answer's trace written as JSON text straight from what evaluation recorded.

The service stores and returns every answer's full trace (about a hundred checks, 28 KB of
JSON). Building it as pydantic values first (one :class:`~fangfan_rules.results.Check` and
:class:`~fangfan_rules.results.RuleTrace` each, validated) cost most of a request's CPU; yet
nearly every check of a pack's trace is one a process has written before. So each distinct
check is written once per process (keyed exactly by :func:`~fangfan_rules.rules.exact_keys.check_key`,
as its words are) by pydantic's own serializer, and each rule's entry around its checks once per
(rule, status, missing facts, parameters): the text is the one pydantic writes for the built
trace, byte for byte (tested over generated households of every pack). A check without an
exact key is written afresh each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fangfan_rules.engines.native_program import Recorded, RuleRun
from fangfan_rules.facts import ExcludedFact
from fangfan_rules.results import Check, PopulationFigure, RuleTrace, Trace
from fangfan_rules.rules.exact_keys import BoundedMemo, check_key
from fangfan_rules.rules.parameters import ParameterValue
from fangfan_rules.rules.rule import Rule

__all__ = ["trace_json"]

#: Each distinct check's JSON text, once per process (the words of a check are memoised by the
#: same key in the native engine).
_CHECK_TEXTS = BoundedMemo(maxsize=50_000)
#: Each rule entry's text before and after its checks, by (rule id, kind, citation, status,
#: missing facts, parameters): all strings, so equal keys are equal texts.
_RULE_TEXTS = BoundedMemo(maxsize=20_000)

_CHECKS_EMPTY = ',"checks":[]'
_RULES_EMPTY = '{"rules":[]'


#: A rule as it went (``native.RuleRecord``): the rule, its status, its recorded run if it ran.
_Record = tuple[Rule, str, RuleRun | None]


def _written(model: Any, context: Any) -> str:
    """``model`` as JSON by its class's serializer (what an enclosing model's dump writes for
    it: no masking here, the answer's text is masked as a whole)."""
    return str(model.__pydantic_serializer__.to_json(model, context=context).decode())


def _check_text(recorded: Recorded, check_of: Callable[[Recorded], Check]) -> str:
    # Written without the dump's context: a check's and a rule entry's fields are plain text,
    # none serialised by context (as an IdNumber field is), so one text serves every dump.
    key = check_key(*recorded)
    if key is None:
        return _written(check_of(recorded), None)
    text = _CHECK_TEXTS.get(key)
    if text is None:
        text = _written(check_of(recorded), None)
        _CHECK_TEXTS.put(key, text)
    return str(text)


def _rule_parts(
    rule: Rule, status: str, missing: Sequence[str], parameters: Sequence[str]
) -> tuple[str, str]:
    """The rule entry's text before its first check and after its last."""
    key = (rule.id, rule.kind.value, rule.citation, status, tuple(missing), tuple(parameters))
    parts = _RULE_TEXTS.get(key)
    if parts is None:
        empty = RuleTrace(
            rule_id=rule.id,
            kind=rule.kind.value,
            citation=rule.citation,
            status=status,  # type: ignore[arg-type]
            missing_facts=tuple(missing),
            parameters=tuple(parameters),
        )
        text = _written(empty, None)
        # The field name with its quotes and colon can only be the key: a quote inside a string
        # value is always escaped.
        at = text.index(_CHECKS_EMPTY) + len(_CHECKS_EMPTY) - 1
        parts = (text[:at], text[at:])
        _RULE_TEXTS.put(key, parts)
    return parts  # type: ignore[no-any-return]


def _rule_text(record: _Record, check_of: Callable[[Recorded], Check]) -> str:
    rule, status, run = record
    if run is None:
        head, tail = _rule_parts(rule, status, (), ())
        return head + tail
    head, tail = _rule_parts(rule, status, run.missing, run.parameters)
    return head + ",".join([_check_text(c, check_of) for c in run.checks]) + tail


def trace_json(
    records: Iterable[_Record],
    check_of: Callable[[Recorded], Check],
    *,
    parameters: tuple[ParameterValue, ...],
    excluded_facts: tuple[ExcludedFact, ...],
    population: tuple[PopulationFigure, ...],
    context: Any = None,
) -> str:
    """The JSON text pydantic writes for the :class:`~fangfan_rules.results.Trace` of these
    records (``check_of`` words a recorded check), without building the trace."""
    rest = Trace.model_construct(
        rules=(), parameters=parameters, excluded_facts=excluded_facts, population=population
    )
    text = _written(rest, context)
    rules = ",".join([_rule_text(record, check_of) for record in records])
    return '{"rules":[' + rules + "]" + text[len(_RULES_EMPTY) :]
