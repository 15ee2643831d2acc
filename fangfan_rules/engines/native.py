"""The native evaluator: one household through a pack's rules, with a full trace.

The rules run as closures compiled once per pack (``native_program``), which record the
machine values each condition read; the trace, the reasons and their words are built from that
record when the answer's ``reasons`` or ``trace`` is first read (``Identification.deferred``):
an answer nobody explains costs its evaluation only.

Effects combine by kind and precedence, never by the order rules appear in a file:
out of scope → green channel / identify → needs review → not eligible. A rule whose condition is
*unknown* neither fires nor fails: it lists the missing facts and caps the outcome at
``needs_review`` when it could have changed it (CONVENTIONS.md, "Unknown is not no").
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from fangfan_rules import calendar as cal
from fangfan_rules.dates import DateRange
from fangfan_rules.engines.native_program import (
    Node,
    Recorded,
    Recorder,
    RuleRun,
    unsupplied_fact,
)
from fangfan_rules.engines.trace_json import Written, trace_written
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD, BatchTypeError, FactError, RuleError
from fangfan_rules.facts import Household, known_at
from fangfan_rules.facts.known import LeftOut, excluded_facts, known_view
from fangfan_rules.logic import UNKNOWN, Missing, Truth
from fangfan_rules.results import (
    BadRow,
    Check,
    Deadline,
    GreenChannel,
    GroupMatch,
    Identification,
    Outcome,
    PopulationFigure,
    Reason,
    RuleTrace,
    Trace,
)
from fangfan_rules.rules.conditions import Compare, VarRef
from fangfan_rules.rules.exact_keys import BoundedMemo, check_key
from fangfan_rules.rules.parameters import LocalText, ParameterValue
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.rules.wording import check_text, missing_facts_text, reason_text
from fangfan_rules.variables import Context, get_variable
from fangfan_rules.vocabulary import MonitoringCategory

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

__all__ = [
    "KIND_ORDER",
    "SCOPE_UNKNOWN",
    "Population",
    "cached_missing_facts_text",
    "identify",
    "identify_many",
    "machine_text",
    "order_rules",
    "population_for",
    "unsupplied_fact",
]


def machine_text(value: Any) -> str | None:
    """A stable machine representation of a value for traces (None when unknown)."""
    if isinstance(value, Missing):
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | date | DateRange):
        return str(value)
    if isinstance(value, tuple | list | frozenset | set):
        return ";".join(sorted(machine_text(v) or "" for v in value))
    return "" if value is None else str(value)


#: The fields of each distinct check's Check, made once per process (every request's trace
#: repeats most of its pack's checks); each Check is still a new value (its own arguments dict).
_CHECK_FIELDS = BoundedMemo(maxsize=50_000)


def check_of(recorded: Recorded) -> Check:
    """The trace's Check for one recorded leaf: machine texts and the words in both languages."""
    fields = _CHECK_FIELDS.get_or_make(check_key(*recorded), lambda: _check_fields(recorded))
    return Check(**fields)


def _check_fields(recorded: Recorded) -> dict[str, Any]:
    name, args, member, value, op, right, result, parameter = recorded
    return dict(
        variable=name,
        arguments={k: machine_text(v) or "" for k, v in args.items()},
        member=member,
        value=machine_text(value),
        op=op,
        against=machine_text(right) if op else None,
        result="unknown" if result is UNKNOWN else ("true" if result else "false"),
        text_zh=check_text(name, args, member, value, op, right, result, "zh", parameter=parameter),
        text_en=check_text(name, args, member, value, op, right, result, "en", parameter=parameter),
    )


class RuleRecord(NamedTuple):
    """How one rule went, in machine form: its trace is built from this when read."""

    rule: Rule
    status: str
    run: RuleRun | None


RuleRuns = dict[str, tuple[Rule, Truth, RuleRun]]


def run_rules(
    ev: Recorder,
    rules: Iterable[Rule],
    *,
    skip: Callable[[Rule, RuleRuns], bool] | None = None,
) -> tuple[RuleRuns, list[RuleRecord]]:
    """Evaluate ``rules`` in order (``fired`` references first) and record each one: skipped,
    not in force on as_of, or fired / not fired / unknown with the values it read."""
    runs: RuleRuns = {}
    records: list[RuleRecord] = []
    for rule in rules:
        if skip is not None and skip(rule, runs):
            records.append(RuleRecord(rule, "skipped", None))
            continue
        if not rule.in_force(ev.as_of):
            ev.fired[rule.id] = False
            records.append(RuleRecord(rule, "not_in_force", None))
            continue
        value, run = ev.evaluate(rule)
        runs[rule.id] = (rule, value, run)
        records.append(RuleRecord(rule, _status(value), run))
    return runs, records


def rule_traces(records: Iterable[RuleRecord]) -> tuple[RuleTrace, ...]:
    """The trace of each recorded rule, with its checks worded."""
    traces = []
    for rule, status, run in records:
        base = dict(rule_id=rule.id, kind=rule.kind.value, citation=rule.citation)
        if run is None:
            traces.append(RuleTrace(**base, status=status))
            continue
        traces.append(
            RuleTrace(
                **base,
                status=status,
                checks=tuple(check_of(c) for c in run.checks),
                missing_facts=tuple(run.missing),
                parameters=tuple(run.parameters),
            )
        )
    return tuple(traces)


def _status(value: Truth) -> str:
    return "unknown" if value is UNKNOWN else ("fired" if value else "not_fired")


def _reason(rule: Rule, run: RuleRun, *, negated: bool = False) -> Reason:
    wanted = False if negated else True
    relevant = [c for c in run.checks if c[6] is wanted] or run.checks  # c[6]: the result
    texts = {
        lang: [check_text(*c[:7], lang=lang, parameter=c[7]) for c in relevant]
        for lang in ("zh", "en")
    }
    return Reason(
        rule_id=rule.id,
        kind=rule.kind.value,
        citation=rule.citation,
        text_zh=reason_text(rule.title, texts["zh"], negated=negated, lang="zh"),
        text_en=reason_text(rule.title, texts["en"], negated=negated, lang="en"),
        quote=rule.quote,
    )


def _deadline(ev: Recorder, rule: Rule, calendar: cal.WorkingDayCalendar | None) -> Deadline | None:
    spec = rule.effect.deadline
    assert spec is not None
    ctx = Context(ev.household, ev.as_of)
    start = get_variable(spec.start)(ctx)
    if not isinstance(start, date):
        return None
    days = spec.days
    if isinstance(days, dict):
        # The period in force on the day it starts, not on as_of (CONVENTIONS: "the parameter in
        # force is chosen by the date of the triggering event"; timeline.deadlines does the same).
        name = days["param"]
        value = ev.pack.stated_value(name, start, rule.id)
        ev._note_params([(name, value)])  # recorded as a read, as resolve does
        days = int(value.value)
    met_on = get_variable(spec.met_by)(ctx) if spec.met_by else None
    met_on = met_on if isinstance(met_on, date) else None
    if calendar is not None:  # the caller's calendar: asked every time (it is the caller's)
        return _compute_deadline(rule, start, days, met_on, ev.as_of, calendar)
    # The default calendar (as Deadline.compute resolves calendar=None, at this call): one rule's
    # deadline from one start on one day is the same for every household that has it.
    default = cal.default_calendar()
    key = (id(rule), start, days, met_on, ev.as_of)
    kept = _DEADLINES.get(key)
    if kept is not None and kept[0] is rule and kept[1] is default:
        return kept[2]
    deadline = _compute_deadline(rule, start, days, met_on, ev.as_of, default)
    if len(_DEADLINES) >= _DEADLINES_KEPT:
        _DEADLINES.clear()
    _DEADLINES[key] = (rule, default, deadline)
    return deadline


def _compute_deadline(
    rule: Rule,
    start: date,
    days: int,
    met_on: date | None,
    as_of: date,
    calendar: cal.WorkingDayCalendar,
) -> Deadline:
    spec = rule.effect.deadline
    assert spec is not None
    return Deadline.compute(
        name=spec.name,
        label=spec.label,
        start=start,
        days=days,
        count=spec.count,
        met_on=met_on,
        as_of=as_of,
        normal_limit=spec.normal_limit,
        citation=rule.citation,
        note="原则上 (normal limit; exceptions possible)" if spec.normal_limit else None,
        calendar=calendar,
    )


#: deadlines on the default calendar by (rule, start, days, met on, as_of), each entry holding
#: its rule and calendar so an id reused by another object cannot answer for it
_DEADLINES: dict[tuple[int, date, int, date | None, date], tuple[Rule, Any, Deadline]] = {}
_DEADLINES_KEPT = 4096


#: Reasons are listed by weight: what decided the outcome first, then findings, then screening
#: (the batch engines list them in this order too).
KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            RuleKind.SCOPE,
            RuleKind.GREEN_CHANNEL,
            RuleKind.OUTCOME,
            RuleKind.RISK,
            RuleKind.CATEGORY,
            RuleKind.KEY_ATTENTION,
            RuleKind.KEY_AREA,
            RuleKind.MUST_VISIT,
            RuleKind.FLAG,
            RuleKind.NOTE,
            RuleKind.DEADLINE,
        )
    )
}


def identify(
    pack: Pack,
    household: Household,
    *,
    as_of: date,
    calendar: cal.WorkingDayCalendar | None = None,
    population: Population | None = None,
    recorded: bool = False,
) -> Identification:
    """Evaluate ``pack``'s identification rules for one household on ``as_of``.

    ``population`` carries the batch aggregates of population-level variables (computed by
    :func:`identify_many`); without it those variables are unknown. The answer's ``reasons`` and
    ``trace`` are worded when first read (:meth:`Identification.deferred`). ``recorded=True``:
    the rules run with the closures that record every check at once, rather than the quick ones
    and a replay when the trace is read (for a caller that always writes the trace, as the
    service does: one run instead of two); the same answer either way.
    """
    return _identify(
        pack, household, as_of, calendar, population, deferred=True, quick=not recorded
    )


def _identify(
    pack: Pack,
    household: Household,
    as_of: date,
    calendar: cal.WorkingDayCalendar | None,
    population: Population | None,
    *,
    deferred: bool,
    quick: bool = True,
) -> Identification:
    """:func:`identify`; ``deferred=False`` builds reasons and trace at once (the reference the
    differential test compares the deferred answer with); ``quick=False`` runs the recording
    closures even for a deferred answer."""
    pack.check_in_force(as_of)
    view, excluded = known_view(household, as_of)
    values = population.values.get(household.id, {}) if population else {}
    ev = Recorder(pack, view, as_of, values)
    # Scope first: a household the document does not cover is answered without evaluating (or
    # needing the parameters of) any other rule; once a scope rule is false, the other rules are
    # skipped (not evaluated).
    scope_plan, other_plan, quick_today, order = _plan_on(pack, ev)
    # A deferred answer runs the quick closures (no checks recorded, each node stopped once its
    # value is settled); its reasons and trace replay the recording closures when first read.
    quick = quick_today and quick and deferred
    runs: RuleRuns = {}
    # (rule id, kind, status) of every rule in plan order: the trace's records are made from
    # these and the runs when the trace is read.
    statuses: list[tuple[str, str, str]] = []
    by_kind: dict[RuleKind, list[tuple[Rule, Truth, RuleRun]]] = {}
    _run_plan(ev, scope_plan, runs, statuses, by_kind, quick)
    if any(v is False for _, v, _ in runs.values()):
        # Outside the document's scope: the other rules are skipped (not evaluated).
        statuses.extend(step.statuses["skipped"] for step in other_plan)
    else:
        _run_plan(ev, other_plan, runs, statuses, by_kind, quick)

    def of_kind(kind: RuleKind) -> list[tuple[Rule, Truth, RuleRun]]:
        return by_kind.get(kind, [])

    fired = [(r, run) for r, v, run in runs.values() if v is True]
    fired.sort(key=lambda item: (KIND_ORDER[item[0].kind], item[0].id))
    missing: list[str] = []
    review: list[LocalText] = []

    def note_missing(run: RuleRun) -> None:
        missing.extend(f for f in run.missing if f not in missing)

    common = dict(
        pack=pack.name,
        pack_version=pack.version,
        pack_hash=pack.content_hash,
        household_id=household.id,
        as_of=as_of,
        reforms=pack.reforms,
    )
    replay = _Replay(ev, order, statuses, runs, quick)
    trace = _TraceRecord(
        replay=replay,
        params_read=ev.params_read,
        excluded=excluded,
        population=population,
        view=view,
    )

    def trusted(fields: Mapping[str, Any]) -> bool:
        # Every value is built here from validated parts with its field's type, but as_of and a
        # category are the caller's: exactly a date and a MonitoringCategory, or validated.
        category = fields.get("category")
        return type(as_of) is date and (category is None or type(category) is MonitoringCategory)

    def answer(reasons: list[tuple[Rule, RuleRun, bool]], **fields: Any) -> Identification:
        def build_reasons() -> tuple[Reason, ...]:
            recorded = replay.runs()
            return tuple(_reason(r, recorded[r.id], negated=negated) for r, _, negated in reasons)

        if deferred:
            result = Identification.deferred(
                {"reasons": build_reasons, "trace": trace.build},
                trusted=trusted(fields),
                trace_json=trace.json,
                **common,
                **fields,
            )
            result._statuses = tuple(statuses)
            return result
        return Identification(**common, **fields, reasons=build_reasons(), trace=trace.build())

    # 1. Scope: a household the document does not cover gets a distinct answer saying why.
    scope = of_kind(RuleKind.SCOPE)
    outside = [(r, run) for r, v, run in scope if v is False]
    if outside:
        return answer([(r, run, True) for r, run in outside], outcome=Outcome.OUT_OF_SCOPE)
    for _, v, run in scope:
        if v is UNKNOWN:
            note_missing(run)
            review.append(SCOPE_UNKNOWN)

    # 2. Outcome rules and the green channel.
    outcome = Outcome.NOT_ELIGIBLE
    for r, v, run in of_kind(RuleKind.OUTCOME) + of_kind(RuleKind.GREEN_CHANNEL):
        if v is True and r.effect.outcome == "identify":
            outcome = Outcome.IDENTIFY
        elif v is True and r.effect.outcome == "needs_review":
            if outcome != Outcome.IDENTIFY:
                outcome = Outcome.NEEDS_REVIEW
            if r.effect.review_reason:
                review.append(r.effect.review_reason)
        elif v is UNKNOWN and r.effect.outcome is not None:
            note_missing(run)
            if outcome == Outcome.NOT_ELIGIBLE:
                outcome = Outcome.NEEDS_REVIEW
    if scope and any(v is UNKNOWN for _, v, _ in scope) and outcome == Outcome.IDENTIFY:
        outcome = Outcome.NEEDS_REVIEW
    missing.sort()
    if outcome == Outcome.NEEDS_REVIEW and missing:
        review.append(cached_missing_facts_text(tuple(missing)))
    green = [(r, run) for r, v, run in of_kind(RuleKind.GREEN_CHANNEL) if v is True]
    green_channel = (
        GreenChannel(applies=True, why=green[0][0].title, citation=green[0][0].citation)
        if green
        else _NO_GREEN_CHANNEL
    )

    # 3. Category, by the pack's declared precedence (only when the household may be monitored).
    category = None
    if outcome in (Outcome.IDENTIFY, Outcome.NEEDS_REVIEW):
        by_category = {r.effect.category: (v, run) for r, v, run in of_kind(RuleKind.CATEGORY)}
        for wanted in pack.category_precedence:
            if wanted not in by_category:
                continue
            v, run = by_category[wanted]
            if v is True:
                category = wanted
                break
            if v is UNKNOWN:
                note_missing(run)
                break

    # Unknown screening rules do not change the outcome but do change the answer (groups, visits).
    for kind in (
        RuleKind.KEY_ATTENTION,
        RuleKind.KEY_AREA,
        RuleKind.MUST_VISIT,
        RuleKind.RISK,
        RuleKind.FLAG,
    ):
        for _, v, run in of_kind(kind):
            if v is UNKNOWN:
                note_missing(run)

    # 4. Groups, areas, visits, risk types, deadlines.
    def matches(kind: RuleKind, attr: str) -> tuple[GroupMatch, ...]:
        return tuple(_group_match(pack.name, r, attr) for r, v, _ in of_kind(kind) if v is True)

    risk_types = (
        sorted(
            {
                t
                for r, _ in fired
                if r.kind in (RuleKind.RISK, RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL)
                for t in r.effect.risk_types
            }
        )
        if outcome != Outcome.NOT_ELIGIBLE
        else []
    )
    deadlines = tuple(
        d
        for r, v, _ in of_kind(RuleKind.DEADLINE)
        if v is True
        for d in [_deadline(ev, r, calendar)]
        if d is not None
    )
    return answer(
        [
            (r, run, False)
            for r, run in fired
            if r.kind not in (RuleKind.SCOPE, RuleKind.CATEGORY)
            or (r.kind == RuleKind.CATEGORY and r.effect.category == category)
        ],
        outcome=outcome,
        category=category,
        risk_types=tuple(risk_types),
        key_attention=matches(RuleKind.KEY_ATTENTION, "group"),
        key_areas=matches(RuleKind.KEY_AREA, "area"),
        flags=matches(RuleKind.FLAG, "flag"),
        must_visit=any(v is True for _, v, _ in of_kind(RuleKind.MUST_VISIT)),
        green_channel=green_channel,
        review_points=tuple(review),
        deadlines=deadlines,
        missing_facts=tuple(sorted(missing)),
    )


def _group_match(pack_name: str, rule: Rule, attr: str) -> GroupMatch:
    """The group (area, flag) a fired rule puts the household in: made once per rule, as it
    reads the rule only (a value: the same one serves every answer)."""
    key = (pack_name, id(rule), attr)
    kept = _GROUP_MATCHES.get(key)
    if kept is not None and kept[0] is rule:
        return kept[1]
    match = GroupMatch(
        id=f"{pack_name}:{getattr(rule.effect, attr)}",
        label=rule.title,
        rule_id=rule.id,
        citation=rule.citation,
    )
    if len(_GROUP_MATCHES) >= _GROUP_MATCHES_KEPT:
        _GROUP_MATCHES.clear()
    _GROUP_MATCHES[key] = (rule, match)
    return match


#: by (pack name, rule, effect attribute), each entry holding its rule (an id is not reused
#: while the rule it was given for is kept here)
_GROUP_MATCHES: dict[tuple[str, int, str], tuple[Rule, GroupMatch]] = {}
_GROUP_MATCHES_KEPT = 4096


def cached_missing_facts_text(missing: tuple[str, ...]) -> LocalText:
    """:func:`missing_facts_text`, worded once per list of missing facts (a text of the names
    only; most households of a batch that need review miss one of a few lists)."""
    text = _MISSING_TEXTS.get(missing)
    if text is None:
        text = missing_facts_text(missing)
        if len(_MISSING_TEXTS) >= _MISSING_TEXTS_KEPT:
            _MISSING_TEXTS.clear()
        _MISSING_TEXTS[missing] = text
    return text


_MISSING_TEXTS: dict[tuple[str, ...], LocalText] = {}
_MISSING_TEXTS_KEPT = 1024
#: The review point of a household whose scope is unknown.
SCOPE_UNKNOWN = LocalText(zh="是否属于排查范围未知", en="whether the household is in scope")
_NO_GREEN_CHANNEL = GreenChannel(applies=False)


def _scope_first(pack: Pack) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """The pack's scope rules and its other rules, each in evaluation order (once per pack)."""
    cached = _SCOPE_FIRST.get(pack)
    if cached is None:
        ordered = pack.ordered_rules()
        cached = _SCOPE_FIRST[pack] = (
            tuple(r for r in ordered if r.kind == RuleKind.SCOPE),
            tuple(r for r in ordered if r.kind != RuleKind.SCOPE),
        )
    return cached


_SCOPE_FIRST: weakref.WeakKeyDictionary[Pack, tuple[tuple[Rule, ...], tuple[Rule, ...]]] = (
    weakref.WeakKeyDictionary()
)


class _Step(NamedTuple):
    """One rule of a pack's plan on one day: its compiled condition (None when not in force on
    that day) and its (rule id, kind, status) entries, made once rather than per household
    (``by_value``: the entry of each value the rule can take)."""

    rule: Rule
    node: Node | None
    quick: Node | None
    kind: RuleKind
    statuses: Mapping[str, tuple[str, str, str]]
    rule_id: str
    by_value: Mapping[Truth, tuple[str, str, str]]


_STATUSES = ("fired", "not_fired", "unknown", "not_in_force", "skipped")
_NOT_RUN = frozenset(("not_in_force", "skipped"))


def _plan_on(
    pack: Pack, ev: Recorder
) -> tuple[tuple[_Step, ...], tuple[_Step, ...], bool, tuple[Rule, ...]]:
    """The scope rules and the other rules of ``pack`` as steps on ``ev.as_of`` (once a day),
    and whether the quick closures may run that day (every operand of the rules in force
    resolves: otherwise every leaf is evaluated, so the same one raises the same error), and
    every rule in plan order."""
    program = ev.program
    plan = program.plans.get(ev.as_of)
    if plan is None:
        as_of = ev.as_of

        def step(rule: Rule) -> _Step:
            texts = {s: (rule.id, rule.kind.value, s) for s in _STATUSES}
            return _Step(
                rule,
                program.condition(rule) if rule.in_force(as_of) else None,
                program.quick_condition(rule) if rule.in_force(as_of) else None,
                rule.kind,
                texts,
                rule.id,
                {True: texts["fired"], False: texts["not_fired"], UNKNOWN: texts["unknown"]},
            )

        def steps(rules: tuple[Rule, ...]) -> tuple[_Step, ...]:
            return tuple(step(rule) for rule in rules)

        scope_rules, other_rules = _scope_first(pack)
        in_force = [r for r in scope_rules + other_rules if r.in_force(as_of)]
        quick = program.operands_resolve(pack, as_of, in_force)
        plan = program.keep_plan(
            as_of, (steps(scope_rules), steps(other_rules), quick, scope_rules + other_rules)
        )
    return plan  # type: ignore[no-any-return]


def _run_plan(
    ev: Recorder,
    plan: tuple[_Step, ...],
    runs: RuleRuns,
    statuses: list[tuple[str, str, str]],
    by_kind: dict[RuleKind, list[tuple[Rule, Truth, RuleRun]]],
    quick: bool,
) -> None:
    """:func:`run_rules` over a day's plan, filling the answer's tables as it goes (with the
    quick closures: each run holds the rule's missing facts only)."""
    fired = ev.fired
    missing_by_rule = ev.missing_by_rule
    run = RuleRun()
    for rule, recording, fast, kind, texts, rule_id, by_value in plan:
        node = fast if quick else recording
        if node is None:
            fired[rule_id] = False
            statuses.append(texts["not_in_force"])
            continue
        # Recorder.evaluate, inlined (once per rule per household)
        ev.rule = rule
        ev.run = run
        value = node(ev, None)
        fired[rule_id] = value
        if quick and not run.missing:
            # Nothing missing (most rules): the run is kept for the next rule, as a quick run
            # is only ever asked for its missing facts; the rule's entry holds an empty one.
            entry = (rule, value, _NOTHING_MISSING)
            missing_by_rule[rule_id] = _NOTHING_MISSING.missing
        else:
            entry = (rule, value, run)
            missing_by_rule[rule_id] = run.missing
            run = RuleRun()
        runs[rule_id] = entry
        statuses.append(by_value[value])
        kinds = by_kind.get(kind)
        if kinds is None:
            by_kind[kind] = [entry]
        else:
            kinds.append(entry)
    # A rule's record is final: what is read after the rules (a deadline's parameter) is not
    # its own.
    ev.run = ev.idle


def _figures_read(
    population: Population, ev: Recorder, view: Household
) -> tuple[PopulationFigure, ...]:
    """The batch aggregates behind the population-level values this household read."""
    used = {name for name, _ in ev.population}
    areas = (view.area.county, "/".join((view.area.county, view.area.town, view.area.village)))
    return tuple(f for f in population.figures if f.variable in used and f.area in areas)


#: the run of a rule the quick closures found nothing missing for (never appended to)
_NOTHING_MISSING = RuleRun()


class _Replay:
    """The recorded run of every rule evaluated: as evaluated (recording closures), or, after
    the quick closures, replayed with the recording ones when first asked for.

    The replay reads the household's cached variable values and the day's resolved operands,
    so it records exactly what the recording closures would have recorded the first time; each
    rule's value is checked to be the one the quick closures gave."""

    def __init__(
        self,
        ev: Recorder,
        order: tuple[Rule, ...],
        statuses: list[tuple[str, str, str]],
        runs: RuleRuns,
        quick: bool,
    ) -> None:
        self.ev = ev
        self.order = order
        self.statuses = statuses
        self._runs: dict[str, RuleRun] | None = (
            None if quick else {rule_id: run for rule_id, (_, _, run) in runs.items()}
        )

    def records(self) -> list[RuleRecord]:
        """How each rule went, in plan order: skipped, not in force, or its recorded run."""
        runs = self.runs()
        return [
            RuleRecord(rule, status, runs.get(rule.id) if status not in _NOT_RUN else None)
            for rule, (_, _, status) in zip(self.order, self.statuses, strict=True)
        ]

    def runs(self) -> dict[str, RuleRun]:
        """Each evaluated rule's recorded run, by rule id (replayed once; the answer's builders
        run under its lock)."""
        if self._runs is None:
            runs = {}
            for rule, (_, _, status) in zip(self.order, self.statuses, strict=True):
                if status in _NOT_RUN:
                    continue
                value, recorded = self.ev.evaluate(rule)
                if _status(value) != status:  # pragma: no cover - a bug, never an answer
                    raise RuleError(
                        f"rule {rule.id}: {_status(value)} when recorded, {status} when evaluated"
                    )
                runs[rule.id] = recorded
            self._runs = runs
        return self._runs


@dataclass(frozen=True)
class _TraceRecord:
    """What a trace is built from: the rule records, the parameters read, the facts left out,
    the batch's aggregates (those the household read are picked out when the trace is read)."""

    replay: _Replay
    params_read: Mapping[str, ParameterValue]  # complete once the rules are replayed
    excluded: tuple[LeftOut, ...]
    population: Population | None
    view: Household

    def build(self) -> Trace:
        records = self.replay.records()
        population = self.population
        return Trace(
            rules=rule_traces(records),
            parameters=tuple(self.params_read[k] for k in sorted(self.params_read)),
            excluded_facts=excluded_facts(self.excluded),
            population=_figures_read(population, self.replay.ev, self.view) if population else (),
        )

    def json(self, context: Any) -> Written:
        """The JSON text of :meth:`build`'s trace, written without building it, and whether it
        holds an ID number (:class:`~fangfan_rules.engines.trace_json.Written`)."""
        records = self.replay.records()  # first: replaying completes the parameters read
        population = self.population
        return trace_written(
            records,
            check_of,
            parameters=tuple(self.params_read[k] for k in sorted(self.params_read)),
            excluded_facts=excluded_facts(self.excluded),
            population=_figures_read(population, self.replay.ev, self.view) if population else (),
            context=context,
        )


@dataclass(frozen=True)
class Population:
    """Population-level values of one batch: per household id, and the aggregates behind them."""

    values: Mapping[str, Mapping[tuple[str, str], Any]]
    figures: tuple[PopulationFigure, ...]


def population_for(pack: Pack, households: Iterable[Household], *, as_of: date) -> Population:
    """Compute, once, every population-level variable the pack's rules in force use."""
    from fangfan_rules.rules.conditions import walk
    from fangfan_rules.variables.population import population_key

    views = [known_at(h, as_of)[0] for h in households]
    refs: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    if views:
        ev = Recorder(pack, views[0], as_of)
        for rule in pack.rules:
            if not rule.in_force(as_of):
                continue
            ev.rule = rule
            for node in walk(rule.condition):
                ref = node.left if isinstance(node, Compare) else getattr(node, "var", None)
                if not isinstance(ref, VarRef) or get_variable(ref.name).batch is None:
                    continue
                args = {name: ev.resolve(arg) for name, arg in ref.args}
                refs[(ref.name, population_key(args))] = (get_variable(ref.name), args)
    values: dict[str, dict[tuple[str, str], Any]] = {h.id: {} for h in views}
    figures: list[PopulationFigure] = []
    for key, (variable, args) in sorted(refs.items(), key=lambda item: item[0]):
        per_household, stats = variable.batch(views, as_of, **args)
        for hid, value in per_household.items():
            values[hid][key] = value
        figures.extend(
            PopulationFigure(
                variable=s.variable,
                arguments=s.arguments,
                area=s.area,
                count=s.count,
                value=s.value,
            )
            for s in stats
        )
    return Population(values=values, figures=tuple(figures))


def as_batch(households: Any, api: str) -> list[Any]:
    """``households`` as a list, or :class:`~fangfan_rules.errors.BatchTypeError` when it is not a
    batch at all (one household, a string, a mapping): its elements are checked one by one later,
    each bad one a bad row in its place."""
    if isinstance(households, Household | str | bytes | Mapping):
        raise BatchTypeError(
            f"{api} takes an iterable of Household objects, not a "
            f"{type(households).__name__} (a single household: pack.identify)"
        )
    return list(households)


def identify_many(
    pack: Pack,
    households: Iterable[Household],
    *,
    as_of: date,
    calendar: cal.WorkingDayCalendar | None = None,
) -> list[Identification | BadRow]:
    """Identify a batch in input order; population-level rules see the whole batch.

    One answer per household, in its place. A household id that appears more than once: every
    copy is a :class:`~fangfan_rules.results.BadRow` (the batch is not refused, and which copy
    is right is not guessed); the population-level rules see the other households only, as in
    the vectorized engine. An element that is not a :class:`Household` (a dict from
    ``json.loads``, ``None``, a string) is a bad row in its place, naming its position and type —
    never read as a household, never an ``AttributeError`` for the whole batch. A single household,
    a string or a mapping given as the batch itself is a :class:`TypeError` (a
    :class:`~fangfan_rules.errors.FangfanError`) before any work.
    """
    batch = as_batch(households, "identify_many")
    counts = Counter(h.id for h in batch if isinstance(h, Household))
    repeated = {hid for hid, n in counts.items() if n > 1}
    answered = [h for h in batch if isinstance(h, Household) and h.id not in repeated]
    population = population_for(pack, answered, as_of=as_of)
    out: list[Identification | BadRow] = []
    for position, h in enumerate(batch):
        if not isinstance(h, Household):
            out.append(
                BadRow(
                    pack=pack.name,
                    household_id="<unknown id>",
                    as_of=as_of,
                    position=position,
                    error=(
                        f"element {position} of the batch is a {type(h).__name__}, not a "
                        "Household (load it first: ff.load_household)"
                    ),
                )
            )
            continue
        if h.id in repeated:
            error = FactError(h.id, [("id", h.id, DUPLICATED_HOUSEHOLD)])
            out.append(
                BadRow(
                    pack=pack.name,
                    household_id=h.id,
                    as_of=as_of,
                    position=position,
                    error=str(error),
                )
            )
            continue
        out.append(identify(pack, h, as_of=as_of, calendar=calendar, population=population))
    return out


def order_rules(rules: Iterable[Rule], pack: str) -> tuple[Rule, ...]:
    """``rules`` sorted so every ``fired`` reference comes first (stable by id); cycles raise."""
    from fangfan_rules.rules.conditions import rules_referenced

    by_id = {r.id: r for r in rules}
    done: set[str] = set()
    order: list[Rule] = []

    def visit(rule: Rule, path: tuple[str, ...]) -> None:
        if rule.id in done:
            return
        if rule.id in path:
            raise RuleError(f"{pack}: rules refer to each other in a cycle: {path}")
        for ref in sorted(rules_referenced(rule.condition)):
            if ref not in by_id:
                raise RuleError(
                    f"rule {rule.id}: 'fired' refers to {ref!r}, not in the same rule set"
                )
            visit(by_id[ref], (*path, rule.id))
        done.add(rule.id)
        order.append(rule)

    for rule in sorted(by_id.values(), key=lambda r: r.id):
        visit(rule, ())
    return tuple(order)
