"""A native answer's trace written as JSON text straight from what evaluation recorded.

The service stores and returns every answer's full trace (about a hundred checks, 28 KB of
JSON). Building it as pydantic values first (one :class:`~fangfan_rules.results.Check` and
:class:`~fangfan_rules.results.RuleTrace` each, validated) cost most of a request's CPU; yet
nearly every check of a pack's trace is one a process has written before. So each distinct
check is written once per process (keyed exactly, as its words are by
:func:`~fangfan_rules.rules.exact_keys.check_key`: :func:`check_text_key`) by pydantic's own serializer, and each rule's entry around its checks once per
(rule, status, missing facts, parameters): the text is the one pydantic writes for the built
trace, byte for byte (tested over generated households of every pack). A check without an
exact key is written afresh each time.

Each text kept also says whether it holds something :func:`~fangfan_rules.idnumber.scrub_id_numbers`
would mask (looked at once, when the text is first written): the answer's dump then knows
whether its trace needs masking without reading the 28 KB again (:class:`Written`). Every
piece ends and begins at a JSON delimiter (a brace, bracket or comma), which no match of the
scrubber spans or looks at, so the whole text holds one exactly when a piece does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from fangfan_rules.engines.native_program import Recorded, RuleRun
from fangfan_rules.facts import ExcludedFact
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import Check, PopulationFigure, RuleTrace, Trace
from fangfan_rules.rules.exact_keys import _SELF_KEYED, BoundedMemo, exact_key
from fangfan_rules.rules.parameters import ParameterValue
from fangfan_rules.rules.rule import Rule

__all__ = ["Written", "check_text_key", "holds_id_number", "trace_written"]

#: Each distinct check's (JSON text, holds an ID number), once per process (the words of a check
#: are memoised by the same key in the native engine).
_CHECK_TEXTS = BoundedMemo(maxsize=50_000)
#: Each rule's entry texts before and after its checks, by the rule (the rule itself kept with
#: them: its id is not reused meanwhile) and then by (status, missing facts, parameters).
_RULE_TEXTS: dict[int, tuple[Rule, dict[Hashable, tuple[str, str, bool]]]] = {}
_RULE_TEXTS_KEPT = 20_000

_CHECKS_EMPTY = ',"checks":[]'
_RULES_EMPTY = '{"rules":[]'


class Written(NamedTuple):
    """A text and whether :func:`~fangfan_rules.idnumber.scrub_id_numbers` would change it."""

    text: str
    holds_id: bool


def holds_id_number(text: str) -> bool:
    """Would :func:`~fangfan_rules.idnumber.scrub_id_numbers` change ``text``?"""
    return scrub_id_numbers(text) != text


#: A rule as it went (``native.RuleRecord``): the rule, its status, its recorded run if it ran.
_Record = tuple[Rule, str, RuleRun | None]

#: ``exact_key({})``: the arguments of most checks (a variable read without any)
_EMPTY_ARGS: Hashable = (dict, ())
#: In a check's key, in place of a type: the value that follows is its ``exact_key``.
_KEYED = object()


def check_text_key(
    variable: str,
    args: Mapping[str, Any],
    member: str | None,
    value: Any,
    op: str | None,
    right: Any,
    result: Any,
    parameter: str | None,
) -> Hashable | None:
    """The key of one recorded check in this module's memo: as exact as
    :func:`~fangfan_rules.rules.exact_keys.check_key` (equal keys, equal arguments exactly), made
    with fewer calls and tuples (it is made for every check of every answer written). The
    value, the operand and the result each take two places: the type and the value itself
    (a type whose equal values are the same value), or :data:`_KEYED` and its ``exact_key``;
    None when one has no exact key."""
    if type(args) is dict and not args:
        args_key: Hashable | None = _EMPTY_ARGS
    else:
        args_key = exact_key(args)
        if args_key is None:
            return None
    value_kind: object = type(value)
    if value_kind not in _SELF_KEYED:
        value, value_kind = exact_key(value), _KEYED
        if value is None:
            return None
    right_kind: object = type(right)
    if right_kind not in _SELF_KEYED:
        right, right_kind = exact_key(right), _KEYED
        if right is None:
            return None
    result_kind: object = type(result)
    if result_kind not in _SELF_KEYED:
        result, result_kind = exact_key(result), _KEYED
        if result is None:
            return None
    return (
        variable, member, op, parameter, args_key,
        value_kind, value, right_kind, right, result_kind, result,
    )  # fmt: skip


def _written(model: Any, context: Any) -> str:
    """``model`` as JSON by its class's serializer (what an enclosing model's dump writes for
    it: no masking here, the answer's text is masked as a whole)."""
    return str(model.__pydantic_serializer__.to_json(model, context=context).decode())


def _check_text(recorded: Recorded, check_of: Callable[[Recorded], Check]) -> Written:
    # Written without the dump's context: a check's and a rule entry's fields are plain text,
    # none serialised by context (as an IdNumber field is), so one text serves every dump.
    key = check_text_key(*recorded)
    if key is None:
        text = _written(check_of(recorded), None)
        return Written(text, holds_id_number(text))
    written = _CHECK_TEXTS._data.get(key)
    if written is None:
        text = _written(check_of(recorded), None)
        written = Written(text, holds_id_number(text))
        _CHECK_TEXTS.put(key, written)
    return written  # type: ignore[no-any-return]


def _rule_parts(
    rule: Rule, status: str, missing: Sequence[str], parameters: Sequence[str]
) -> tuple[str, str, bool]:
    """The rule entry's text before its first check and after its last, and whether they hold
    an ID number."""
    kept = _RULE_TEXTS.get(id(rule))
    if kept is None or kept[0] is not rule:
        if len(_RULE_TEXTS) >= _RULE_TEXTS_KEPT:
            _RULE_TEXTS.clear()
        kept = _RULE_TEXTS[id(rule)] = (rule, {})
    by_run = kept[1]
    key = (status, tuple(missing), tuple(parameters)) if missing or parameters else status
    parts = by_run.get(key)
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
        parts = by_run[key] = (text[:at], text[at:], holds_id_number(text))
    return parts


def trace_written(
    records: Iterable[_Record],
    check_of: Callable[[Recorded], Check],
    *,
    parameters: tuple[ParameterValue, ...],
    excluded_facts: tuple[ExcludedFact, ...],
    population: tuple[PopulationFigure, ...],
    context: Any = None,
) -> Written:
    """The JSON text pydantic writes for the :class:`~fangfan_rules.results.Trace` of these
    records (``check_of`` words a recorded check), without building the trace; and whether
    :func:`~fangfan_rules.idnumber.scrub_id_numbers` would change it."""
    rest = Trace.model_construct(
        rules=(), parameters=parameters, excluded_facts=excluded_facts, population=population
    )
    tail = _written(rest, context)[len(_RULES_EMPTY) :]
    holds = holds_id_number(tail)
    pieces = ['{"rules":[']
    add = pieces.append
    first = True
    for rule, status, run in records:
        if first:
            first = False
        else:
            add(",")
        if run is None:
            head, end, held = _rule_parts(rule, status, (), ())
            add(head)
        else:
            head, end, held = _rule_parts(rule, status, run.missing, run.parameters)
            add(head)
            checks = run.checks
            if checks:
                for i, recorded in enumerate(checks):
                    text, held_here = _check_text(recorded, check_of)
                    if i:
                        add(",")
                    add(text)
                    held = held or held_here
        add(end)
        holds = holds or held
    add("]")
    add(tail)
    return Written("".join(pieces), holds)
