"""What-if reforms: a new pack with changed parameters or rules, recording what changed.

>>> from fangfan_rules.analysis import reform
>>> pack = load_pack("ewenki_2024")                                          # doctest: +SKIP
>>> higher = reform(pack, parameters={"monitoring_income_line": 9000},     # doctest: +SKIP
...                 remove_rules=["key_attention.renovation_2024"], label="line 9000")
>>> higher.version, higher.reforms                                           # doctest: +SKIP
('2024.1+reform', ('monitoring_income_line=9000.00 (reform)',
                   'rule:key_attention.renovation_2024=removed (reform)'))

The original pack is never touched: :func:`reform` builds a new :class:`Pack` through its
constructor. Every change is recorded where results carry it:

* the version gets a ``+reform`` suffix (``Identification.pack_version``);
* a changed parameter becomes an override with ``source="reform"`` and the citation
  ``reform: <label>`` (shown in the trace's parameter values and in ``Identification.reforms``);
* an added, removed or replaced rule is recorded as an entry ``rule:<local id>=added|removed|
  replaced`` in ``pack.reforms`` (and so in every result's ``reforms``): passed to the
  constructor as ``rule_changes=`` when ``Pack`` takes it, otherwise carried as an override named
  ``rule:<local id>`` that no rule reads;
* the content hash changes (it covers the version, the overrides and the rules).

A parameter reform replaces every dated value of the parameter (as ``with_parameters`` does).
An added or replaced rule takes a :class:`Rule` or the mapping a pack's ``rules.yaml`` holds (local
id, ``fired`` references by local id); a rule without a citation cites the reform itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from fangfan_rules.errors import ParameterError, RuleError
from fangfan_rules.packs.pack import Pack
from fangfan_rules.rules.conditions import rules_referenced
from fangfan_rules.rules.parameters import NOT_STATED, ParameterValue, coerce_value
from fangfan_rules.rules.rule import (
    _EFFECT_REQUIRED,
    Effect,
    Rule,
    RuleKind,
    decision_of,
    parse_rule,
)

REFORM_SUFFIX = "+reform"
RULE_CHANGE_PREFIX = "rule:"

RuleSpec = Rule | Mapping[str, Any]
#: True once ``Pack.__init__`` takes ``rule_changes=`` (then rule changes are recorded there).
_NATIVE_RULE_CHANGES = "rule_changes" in inspect.signature(Pack.__init__).parameters


def reform(
    pack: Pack,
    *,
    parameters: Mapping[str, Any] | None = None,
    add_rules: Iterable[RuleSpec] = (),
    remove_rules: Iterable[str] = (),
    replace_rules: Iterable[RuleSpec] = (),
    label: str = "reform",
) -> Pack:
    """A new pack derived from ``pack`` with the given changes; ``pack`` is left unchanged.

    ``parameters`` maps parameter names to new values (any type the parameter accepts, e.g.
    ``"7500"`` or ``Decimal("7500")`` for money). ``remove_rules`` takes rule ids (local, such as
    ``"key_attention.5"``, or namespaced). ``replace_rules`` takes rules whose id exists in the
    pack. Errors (unknown parameter or rule, a removed rule another rule still refers to, an added
    id that exists) raise :class:`~fangfan_rules.errors.RuleError` / ``ParameterError``.
    """
    label = label.strip() or "reform"
    citation = f"reform: {label}"
    overrides: dict[str, ParameterValue] = dict(pack.overrides)
    for name, raw in (parameters or {}).items():
        if name not in pack.parameters:
            known = ", ".join(sorted(pack.parameters))
            raise ParameterError(f"{pack.name}: no parameter {name!r} (known: {known})")
        parameter = pack.parameters[name]
        value = coerce_value(name, parameter.type, raw)
        if value == NOT_STATED:
            raise ParameterError(f"{pack.name}: a reform cannot set {name!r} to 'not_stated'")
        overrides[name] = ParameterValue(
            name=name,
            value=value,
            type=parameter.type,
            unit=parameter.unit,
            citation=citation,
            valid_from=pack.valid_from,
            valid_to=pack.valid_to,
            source="reform",
            note=label,
        )

    rules: dict[str, Rule] = {r.id: r for r in pack.rules}
    changes: dict[str, str] = {}

    for raw_id in remove_rules:
        rule_id = _full_id(pack, str(raw_id))
        if rule_id not in rules:
            raise RuleError(f"{pack.name}: cannot remove rule {raw_id!r}: no such rule")
        del rules[rule_id]
        changes[rule_id] = "removed"
    for spec in replace_rules:
        rule = _build_rule(pack, spec, citation)
        if rule.id not in rules:
            raise RuleError(
                f"{pack.name}: cannot replace rule {_local(pack, rule.id)!r}: no such rule "
                "(use add_rules to add one)"
            )
        rules[rule.id] = rule
        changes[rule.id] = "replaced"
    for spec in add_rules:
        rule = _build_rule(pack, spec, citation)
        if rule.id in rules:
            raise RuleError(
                f"{pack.name}: cannot add rule {_local(pack, rule.id)!r}: the pack has it "
                "(use replace_rules)"
            )
        rules[rule.id] = rule
        changes[rule.id] = "added"

    dangling = sorted(
        (_local(pack, r.id), _local(pack, ref))
        for r in rules.values()
        for ref in rules_referenced(r.condition)
        if ref not in rules
    )
    if dangling:
        listed = "; ".join(f"{who} refers to {ref}" for who, ref in dangling)
        raise RuleError(
            f"{pack.name}: the reform removes rules other rules still refer to ({listed}); "
            "replace those rules as well"
        )

    extra: dict[str, Any] = {}
    if _NATIVE_RULE_CHANGES:
        # Pack records rule changes itself (``rule_changes=``, in its hash and ``reforms``).
        recorded = dict(getattr(pack, "rule_changes", None) or {})
        recorded.update({_local(pack, rule_id): change for rule_id, change in changes.items()})
        extra["rule_changes"] = recorded
    else:
        # Until then: one override per changed rule, named ``rule:<local id>``, that no rule reads.
        for rule_id, change in changes.items():
            name = RULE_CHANGE_PREFIX + _local(pack, rule_id)
            overrides[name] = ParameterValue(
                name=name,
                value=change,
                type="text",
                unit=None,
                citation=citation,
                valid_from=pack.valid_from,
                valid_to=pack.valid_to,
                source="reform",
                note=label,
            )

    version = pack.version if pack.version.endswith(REFORM_SUFFIX) else pack.version + REFORM_SUFFIX
    return Pack(
        name=pack.name,
        version=version,
        document=pack.document,
        valid_from=pack.valid_from,
        valid_to=pack.valid_to,
        parameters=pack.parameters,
        rules=list(rules.values()),
        category_precedence=pack.category_precedence,
        overrides=overrides,
        directory=pack.directory,
        # a reform changes figures or rules, never the case time limits or the elimination spec
        timeline=pack.timeline,
        elimination=pack.elimination,
        **extra,
    )


def with_values(pack: Pack, values: Mapping[str, Any], *, label: str = "reform") -> Pack:
    """Supply or change parameter values the way they really are: a figure the document does not
    state is supplied by the caller (``with_parameters``, source ``caller``); a stated figure
    changed is a reform (:func:`reform`, source ``reform``)."""
    values = dict(values)
    if not values:
        return pack
    missing = set(pack.caller_supplied()) | {
        n for n, v in pack.overrides.items() if v.source == "caller"
    }
    supplied = {n: v for n, v in values.items() if n in missing}
    changed = {n: v for n, v in values.items() if n not in missing}
    if supplied:
        pack = pack.with_parameters(**supplied)
    if changed:
        pack = reform(pack, parameters=changed, label=label)
    return pack


def rule_changes(pack: Pack) -> dict[str, str]:
    """The rule changes a reform recorded: ``{local rule id: "added" | "removed" | "replaced"}``."""
    found = {
        name.removeprefix(RULE_CHANGE_PREFIX): str(value.value)
        for name, value in pack.overrides.items()
        if name.startswith(RULE_CHANGE_PREFIX)
    }
    found.update(getattr(pack, "rule_changes", None) or {})
    return dict(sorted(found.items()))


def parameter_overrides(pack: Pack) -> dict[str, ParameterValue]:
    """The pack's overrides of real parameters (caller-supplied or reform), without rule changes."""
    return {n: v for n, v in pack.overrides.items() if n in pack.parameters}


def is_reformed(pack: Pack) -> bool:
    """True if a reform (not only caller-supplied figures) was applied to ``pack``."""
    return pack.version.endswith(REFORM_SUFFIX) or any(
        v.source == "reform" for v in pack.overrides.values()
    )


def _full_id(pack: Pack, rule_id: str) -> str:
    return rule_id if rule_id.startswith(pack.name + ".") else f"{pack.name}.{rule_id}"


def _local(pack: Pack, rule_id: str) -> str:
    return rule_id.removeprefix(pack.name + ".")


def _build_rule(pack: Pack, spec: RuleSpec, citation: str) -> Rule:
    if isinstance(spec, Rule):
        rule = spec
        if not rule.id.startswith(pack.name + "."):
            data = rule.model_dump(mode="python")
            data["id"] = _full_id(pack, rule.id)
            data["when"] = _namespace(pack, rule.when)
            rule = Rule.model_validate(data)
        needed = _EFFECT_REQUIRED.get(rule.kind)
        if needed and getattr(rule.effect, needed) is None:
            raise RuleError(f"rule {rule.id}: a {rule.kind} rule needs effect.{needed}")
        if rule.kind == RuleKind.GREEN_CHANNEL and not rule.effect.green_channel:
            raise RuleError(f"rule {rule.id}: a green_channel rule needs effect.green_channel")
        return rule
    if not isinstance(spec, Mapping) or "id" not in spec:
        raise RuleError(f"{pack.name}: a reform rule needs an 'id' ({spec!r})")
    data = dict(spec)
    data["id"] = _local(pack, str(data["id"]))
    cited = bool(data.get("citation"))
    if not cited:
        data["citation"] = citation
    # A what-if rule is the analyst's, not the document's: it says so where a document rule
    # quotes its words, and a deciding one is decided by the reform (recorded in pack.reforms).
    data.setdefault("quote", f"（{citation}：分析用假设规则，非文件原文）")
    try:
        decides = decision_of(
            RuleKind(str(data.get("kind"))), Effect.model_validate(data.get("effect") or {})
        )
    except (ValueError, TypeError):
        decides = None  # malformed: parse_rule below names the problem
    if decides:
        data.setdefault("decides", citation)
    defaults = {"valid_from": pack.valid_from, "valid_to": pack.valid_to}
    rule = parse_rule(pack.name, data, defaults)
    if not cited:
        rule = rule.model_copy(update={"citation": citation})
    return rule


def _namespace(pack: Pack, when: Any) -> Any:
    from fangfan_rules.rules.rule import _namespace_fired

    return _namespace_fired(pack.name, when)


__all__ = ["is_reformed", "parameter_overrides", "reform", "rule_changes", "with_values"]
