"""Elimination (风险消除) and the review of eliminated households (回头看), on the native evaluator.

A pack's ``elimination.yaml`` holds rules of these kinds (plus flags and notes):

- ``safety_net`` — 整户无劳动能力兜底保障: the household is marked and **not** eliminated;
- ``elimination_condition`` — the conditions the document states, *all* required (effect.condition
  names each); they decide ``eliminate`` / ``not_yet`` and so carry the deciding words;
- ``review_point`` — a point the document asks officials to check without stating it as a
  condition (e.g. a 回头看 checklist): named as holding / failing / unknown, never decides;
- ``outcome`` with ``needs_review`` — a recommendation (e.g. "may meet 整户无劳动能力兜底保障,
  pending the 认定 the document gives to officials");
- ``rollback`` / ``reidentify`` — for a household already eliminated: 风险回退, or a new risk that
  means identifying it again.

Combination (never by rule order): no elimination rule → ``not_covered``; no monitoring record →
``not_monitored``. For an open spell: safety net → ``hold_safety_net``; any condition false →
``not_yet`` (the unmet ones listed); a recommendation, a review point, or anything unknown →
``needs_review`` (the points listed with what holds and what fails); all conditions true →
``eliminate``. For an eliminated spell: ``reidentify`` > ``rollback`` > a recommendation or
anything unknown (``needs_review``) > ``remains_eliminated``. A pack never borrows another
region's rule, and it decides only through rules that quote the document's deciding words.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from fangfan_rules.engines.native import _reason, order_rules, rule_traces, run_rules
from fangfan_rules.engines.native_program import Recorder
from fangfan_rules.facts import known_at
from fangfan_rules.logic import UNKNOWN, Truth
from fangfan_rules.results import (
    Elimination,
    EliminationOutcome,
    GroupMatch,
    Trace,
)
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.rule import RuleKind
from fangfan_rules.variables.elimination import latest_record

if TYPE_CHECKING:
    from fangfan_rules.facts import Household
    from fangfan_rules.packs.pack import Pack


def assess_elimination(pack: Pack, household: Household, *, as_of: date) -> Elimination:
    """May ``household`` leave monitoring on ``as_of`` under ``pack``? Explained answer."""
    pack.check_in_force(as_of)
    view, excluded = known_at(household, as_of)
    common = dict(
        pack=pack.name,
        pack_version=pack.version,
        pack_hash=pack.content_hash,
        household_id=household.id,
        as_of=as_of,
        reforms=pack.reforms,
    )
    if not pack.elimination:
        return Elimination(
            **common,
            outcome=EliminationOutcome.NOT_COVERED,
            review_points=(
                LocalText(
                    zh=f"{pack.document.title}未规定风险消除规则；不借用其他地区的规定",
                    en=f"{pack.name}'s document states no elimination rule; no other region's rule is "
                    "borrowed",
                ),
            ),
            trace=Trace(rules=(), parameters=(), excluded_facts=excluded),
        )
    record = latest_record(view)
    if record is None:
        return Elimination(
            **common,
            outcome=EliminationOutcome.NOT_MONITORED,
            trace=Trace(rules=(), parameters=(), excluded_facts=excluded),
        )
    eliminated = record.eliminated_on is not None
    ev = Recorder(pack, view, as_of)
    runs, records = run_rules(ev, order_rules(pack.elimination, pack.name))

    def of(kind: RuleKind):
        return [runs[r.rule.id] for r in records if r.run is not None and r.rule.kind == kind]

    def match(rule) -> GroupMatch:
        ident = rule.effect.condition or rule.effect.flag or rule.id.split(".", 1)[1]
        return GroupMatch(
            id=f"{pack.name}:{ident}", label=rule.title, rule_id=rule.id, citation=rule.citation
        )

    missing: list[str] = []
    review: list[LocalText] = []
    reasons = []

    def note(run) -> None:
        missing.extend(f for f in run.missing if f not in missing)

    conditions = of(RuleKind.ELIMINATION_CONDITION)
    points = of(RuleKind.REVIEW_POINT)
    checklist = conditions + points
    met = tuple(match(r) for r, v, _ in checklist if v is True)
    unmet = tuple(match(r) for r, v, _ in checklist if v is False)
    unknown = tuple(match(r) for r, v, _ in checklist if v is UNKNOWN)
    recommended = [(r, run) for r, v, run in of(RuleKind.OUTCOME) if v is True]
    for r, _ in recommended:
        review.append(r.effect.review_reason or r.title)
    # A recommendation whose facts are unknown may apply: it is a question for the officials too.
    undecided = [(r, run) for r, v, run in of(RuleKind.OUTCOME) if v is UNKNOWN]
    if eliminated:
        again = [(r, run) for r, v, run in of(RuleKind.REIDENTIFY) if v is True]
        back = [(r, run) for r, v, run in of(RuleKind.ROLLBACK) if v is True]
        open_questions = [
            (r, run)
            for r, v, run in of(RuleKind.REIDENTIFY) + of(RuleKind.ROLLBACK)
            if v is UNKNOWN
        ] + undecided
        if again:
            outcome = EliminationOutcome.REIDENTIFY
            reasons = [_reason(r, run) for r, run in again]
        elif back:
            outcome = EliminationOutcome.ROLLBACK
            reasons = [_reason(r, run) for r, run in back]
        elif open_questions or recommended:
            outcome = EliminationOutcome.NEEDS_REVIEW
            for r, run in open_questions:
                note(run)
                review.append(_open_text(r.title))
        else:
            outcome = EliminationOutcome.REMAINS_ELIMINATED
    else:
        net = [(r, v, run) for r, v, run in of(RuleKind.SAFETY_NET)]
        held = [(r, run) for r, v, run in net if v is True]
        decided_unmet = [(r, run) for r, v, run in conditions if v is False]
        if held:
            outcome = EliminationOutcome.HOLD_SAFETY_NET
            reasons = [_reason(r, run) for r, run in held]
        elif decided_unmet:
            outcome = EliminationOutcome.NOT_YET
            reasons = [_reason(r, run, negated=True) for r, run in decided_unmet]
        elif (
            recommended
            or undecided
            or points
            or any(v is UNKNOWN for _, v, _ in conditions)
            or any(v is UNKNOWN for _, v, _ in net)
        ):
            outcome = EliminationOutcome.NEEDS_REVIEW
            for r, v, run in conditions:
                if v is UNKNOWN:
                    note(run)
                    review.append(_open_text(r.title, condition=True))
            for r, v, run in net:
                if v is UNKNOWN:
                    note(run)
                    review.append(_open_text(r.title))
            for r, run in undecided:
                note(run)
                review.append(_open_text(r.title))
            # A checklist point is the officials' to weigh: say what holds and what fails.
            for r, v, run in points:
                if v is UNKNOWN:
                    note(run)
                review.append(_point_text(r.title, v))
        elif conditions:
            outcome = EliminationOutcome.ELIMINATE
            reasons = [_reason(r, run) for r, v, run in conditions]
        else:
            # Only safety-net rules and none applies: the document states no condition to decide.
            outcome = EliminationOutcome.NEEDS_REVIEW
    flags = tuple(match(r) for r, v, _ in of(RuleKind.FLAG) if v is True)
    for _, v, run in of(RuleKind.FLAG):
        if v is UNKNOWN:  # a record-keeping check that could not be made: say what it needs
            note(run)
    notes = [_reason(r, run) for r, v, run in of(RuleKind.NOTE) if v is True]
    return Elimination(
        **common,
        outcome=outcome,
        conditions_met=met,
        conditions_unmet=unmet,
        conditions_unknown=unknown,
        flags=flags,
        reasons=tuple(reasons + notes),
        review_points=tuple(review),
        missing_facts=tuple(sorted(missing)),
        trace=Trace(
            rules=rule_traces(records),
            parameters=tuple(ev.params_read[k] for k in sorted(ev.params_read)),
            excluded_facts=excluded,
        ),
    )


def _open_text(title: LocalText, condition: bool = False) -> LocalText:
    """A rule whose facts are not all known, as a question: its title states what would hold if
    it applied ("整户无劳动能力…", "各项要点均满足…"), which the facts have not shown, so staff must
    not read it as a finding (ewenki audit 2026-12-08 F3)."""
    if condition:
        return LocalText(
            zh=f"是否满足待核实：{title.zh}", en=f"not yet known whether it holds: {title.en}"
        )
    return LocalText(
        zh=f"是否适用待核实：{title.zh}", en=f"not yet known whether it applies: {title.en}"
    )


def _point_text(title: LocalText, value: Truth) -> LocalText:
    """A checklist point with what the facts show: holds / fails / unknown."""
    zh = "未知" if value is UNKNOWN else ("满足" if value else "不满足")
    en = "unknown" if value is UNKNOWN else ("holds" if value else "fails")
    return LocalText(zh=f"{title.zh}：{zh}", en=f"{title.en}: {en}")
