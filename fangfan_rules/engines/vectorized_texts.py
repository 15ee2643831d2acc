"""``first_reason`` and ``missing_facts`` of a vectorized batch's rows, from the plan's rule values.

Both texts are worded from what the native evaluator records for a few rules only: the reason
that weighs most is one rule's recorded checks (or a review point), and the missing facts are the
``run.missing`` of the rules :func:`fangfan_rules.engines.native.identify` notes (unknown scope
rules, unknown outcome / green-channel rules with an effect outcome, the category rule that
stopped the precedence, unknown key-attention / key-area / must-visit / risk / flag rules). The
polars plan already knows every rule's Kleene value on every row, so :class:`RowTexts` picks those
rules from the plan's values and runs only them through the native closures, on the native view
of the household (the same variables, values and missing facts): the recording closure of the one
rule whose checks are worded, the quick closures of the noted unknown rules (and of the unknown
rules they refer to with ``fired``, whose missing facts they pass on). Nothing else of the native
answer is built (no trace, no other reasons, no English words).

Why not the whole native answer: it evaluates every rule twice (the quick pass, then the replay
that records checks for the reasons) and words every reason in two languages, to read one Chinese
reason — about 85% of the time the batch spent on its texts. Why not wording from the plan's
columns alone: a missing fact's path (``members[m2].solitary``, ``income records for … days``) and
a checked value as native prints it are not in the plan's columns for every variable; a second
copy of the variables would be needed to prove them equal.

The choice of the rule and of the review point follows ``native._identify`` step by step; each
rule run here is checked to give the plan's value (a difference is a bug, raised, never a text).
The words are :func:`~fangfan_rules.rules.wording.check_text` and
:func:`~fangfan_rules.rules.wording.reason_text`, each distinct check worded once per batch
(keyed by every argument, with the exact type of each value). Proven equal to
``identify(...).first_reason("zh")`` and the masked ``missing_facts`` on every row by
``tests/test_vectorized_wording.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

# the native answer's own constants and its memo of review texts, not copies of them
from fangfan_rules.engines.native import (
    _KIND_ORDER,
    _SCOPE_UNKNOWN,
    _missing_facts_text,
)
from fangfan_rules.engines.native_program import Recorded, Recorder, RuleRun, program_of
from fangfan_rules.facts import Household
from fangfan_rules.facts.known import known_view
from fangfan_rules.idnumber import masked
from fangfan_rules.logic import UNKNOWN, Truth
from fangfan_rules.result_rows import joined
from fangfan_rules.rules.conditions import rules_referenced
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.rules.wording import check_text, reason_text
from fangfan_rules.vocabulary import MonitoringCategory

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

#: Unknown rules of these kinds name their missing facts without changing the outcome.
_SCREENING = (
    RuleKind.KEY_ATTENTION,
    RuleKind.KEY_AREA,
    RuleKind.MUST_VISIT,
    RuleKind.RISK,
    RuleKind.FLAG,
)
_IDENTIFY, _REVIEW = "identify", "needs_review"


def _exact(value: Any) -> Any:
    """A memo key part that tells apart what ``==`` does not (``True`` / ``1`` / ``Decimal(1)``,
    ``Decimal("1.0")`` / ``Decimal("1.00")``): the type with the value's repr."""
    if isinstance(value, Mapping):
        return (type(value), tuple((k, _exact(v)) for k, v in value.items()))
    return (type(value), repr(value))


class RowTexts:
    """The texts of one compiled pack's rows (one instance per batch: its memo of words)."""

    def __init__(self, pack: Pack, as_of: date, in_force: Iterable[Rule]):
        self.pack = pack
        self.as_of = as_of
        self.program = program_of(pack)
        #: the rules in force in the native plan's order (scope first)
        self.rules = tuple(in_force)
        self.scope = [r for r in self.rules if r.kind == RuleKind.SCOPE]
        self.decisive = [r for r in self.rules if r.kind == RuleKind.OUTCOME] + [
            r for r in self.rules if r.kind == RuleKind.GREEN_CHANNEL
        ]
        # as native builds it: a later rule of one category stands for it
        self.by_category = {r.effect.category: r for r in self.rules if r.kind == RuleKind.CATEGORY}
        self.screening = [r for kind in _SCREENING for r in self.rules if r.kind == kind]
        self.reasons_order = sorted(
            (r for r in self.rules if r.kind != RuleKind.SCOPE),
            key=lambda r: (_KIND_ORDER[r.kind], r.id),
        )
        self.position = {r.id: i for i, r in enumerate(self.rules)}
        self.refs = {r.id: sorted(rules_referenced(r.condition)) for r in self.rules}
        self._checks: dict[Any, str] = {}
        self._reasons: dict[tuple[str, bool, tuple[str, ...]], str] = {}

    # -- one row --------------------------------------------------------------------------------
    def texts(
        self,
        household: Household,
        values: Mapping[str, Truth],
        population: Mapping[tuple[str, str], Any],
    ) -> tuple[str, str]:
        """(first_reason, missing_facts) of ``household``, whose rules took ``values`` (by rule
        id, every rule in force) in the plan, with its population-level values as the native
        batch gives them (``Population.values[household.id]``); both masked as the native row
        masks them."""
        rec = self._recorder(household, values, population)
        outside = [r for r in self.scope if values[r.id] is False]
        if outside:  # out of scope: the first scope rule not met, negated; nothing missing
            return masked(self._reason(rec, values, outside[0], negated=True)), ""
        noted: list[Rule] = [r for r in self.scope if values[r.id] is UNKNOWN]
        review: list[LocalText] = [_SCOPE_UNKNOWN for _ in noted]
        outcome = "not_eligible"
        for r in self.decisive:
            v, effect = values[r.id], r.effect.outcome
            if v is True and effect == _IDENTIFY:
                outcome = _IDENTIFY
            elif v is True and effect == _REVIEW:
                if outcome != _IDENTIFY:
                    outcome = _REVIEW
                if r.effect.review_reason:
                    review.append(r.effect.review_reason)
            elif v is UNKNOWN and effect is not None:
                noted.append(r)
                if outcome == "not_eligible":
                    outcome = _REVIEW
        if outcome == _IDENTIFY and any(values[r.id] is UNKNOWN for r in self.scope):
            outcome = _REVIEW
        early = self._missing(rec, values, noted)
        if outcome == _REVIEW and early:
            review.append(_missing_facts_text(tuple(early)))
        category = self._category(values, outcome, noted)
        noted.extend(r for r in self.screening if values[r.id] is UNKNOWN)
        missing = self._missing(rec, values, noted)
        reasons = [
            r
            for r in self.reasons_order
            if values[r.id] is True
            and (r.kind != RuleKind.CATEGORY or r.effect.category == category)
        ]
        deciding = [r for r in reasons if r.kind in (RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)]
        if outcome == _REVIEW and review and not deciding:
            first = review[0]("zh")
        elif deciding or reasons:
            first = self._reason(rec, values, (deciding or reasons)[0], negated=False)
        else:
            first = ""
        return masked(first), joined(masked(m) for m in missing)

    def _category(
        self, values: Mapping[str, Truth], outcome: str, noted: list[Rule]
    ) -> MonitoringCategory | None:
        """The category by the pack's precedence (noting the rule that stopped it unknown)."""
        if outcome not in (_IDENTIFY, _REVIEW):
            return None
        for wanted in self.pack.category_precedence:
            rule = self.by_category.get(wanted)
            if rule is None:
                continue
            if values[rule.id] is True:
                return wanted
            if values[rule.id] is UNKNOWN:
                noted.append(rule)
                return None
        return None

    # -- the native closures --------------------------------------------------------------------
    def _recorder(
        self,
        household: Household,
        values: Mapping[str, Truth],
        population: Mapping[tuple[str, str], Any],
    ) -> Recorder:
        view, _ = known_view(household, self.as_of)
        rec = Recorder(self.pack, view, self.as_of, population)
        # ``fired`` reads these: every rule in force as the plan found it (the rest never fire)
        rec.fired.update({r.id: False for r in self.pack.rules})
        rec.fired.update(values)
        return rec

    def _run(
        self, rec: Recorder, values: Mapping[str, Truth], rule: Rule, *, quick: bool
    ) -> RuleRun:
        node = self.program.quick_condition(rule) if quick else self.program.condition(rule)
        value, run = rec.evaluate(rule, node)
        if value is not values[rule.id]:  # pragma: no cover - a bug, never a text
            raise AssertionError(
                f"rule {rule.id}: {value!r} natively, {values[rule.id]!r} in the batch plan"
            )
        return run

    def _missing(self, rec: Recorder, values: Mapping[str, Truth], noted: list[Rule]) -> list[str]:
        """The sorted union of the noted rules' missing facts (each rule run once per row; an
        unknown rule it refers to first, as it passes on that rule's missing facts)."""
        wanted: set[str] = set()
        todo = [r.id for r in noted]
        while todo:
            rule_id = todo.pop()
            if rule_id in wanted:
                continue
            wanted.add(rule_id)
            todo.extend(ref for ref in self.refs[rule_id] if values.get(ref) is UNKNOWN)
        facts: set[str] = set()
        done = rec.missing_by_rule
        for rule_id in sorted(wanted, key=self.position.__getitem__):
            if rule_id not in done:
                self._run(rec, values, self.rules[self.position[rule_id]], quick=True)
        for r in noted:
            facts.update(done[r.id])
        return sorted(facts)

    def _reason(
        self, rec: Recorder, values: Mapping[str, Truth], rule: Rule, *, negated: bool
    ) -> str:
        """``native._reason(rule, run, negated).text_zh``: the checks with the wanted result (or
        all of them), each worded once per batch."""
        run = self._run(rec, values, rule, quick=False)
        wanted = not negated
        relevant = [c for c in run.checks if c[6] is wanted] or run.checks
        details = tuple(self._check(c) for c in relevant)
        key = (rule.id, negated, details)
        text = self._reasons.get(key)
        if text is None:
            text = self._reasons[key] = reason_text(rule.title, details, negated=negated, lang="zh")
        return text

    def _check(self, check: Recorded) -> str:
        key = tuple(_exact(part) for part in check)
        text = self._checks.get(key)
        if text is None:
            text = self._checks[key] = check_text(*check[:7], lang="zh", parameter=check[7])
        return text
