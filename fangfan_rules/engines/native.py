"""The native evaluator: interprets a pack's rule values for one household, with a full trace.

Effects combine by kind and precedence, never by the order rules appear in a file:
out of scope → green channel / identify → needs review → not eligible. A rule whose condition is
*unknown* neither fires nor fails: it lists the missing facts and caps the outcome at
``needs_review`` when it could have changed it (CONVENTIONS.md, "Unknown is not no").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from fangfan_rules import calendar as cal
from fangfan_rules.dates import DateRange
from fangfan_rules.errors import (
    DUPLICATED_HOUSEHOLD,
    FactError,
    RuleError,
    UnsuppliedParameterError,
)
from fangfan_rules.facts import Household, Member, known_at
from fangfan_rules.logic import UNKNOWN, Missing, Truth, k_and, k_not, k_or
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
from fangfan_rules.rules.conditions import (
    RELATIVE_DAYS,
    All,
    AnyMember,
    AnyOf,
    Compare,
    Condition,
    Const,
    Fired,
    IsTrue,
    Not,
    Operand,
    Param,
    VarRef,
    Window,
    relative_day,
)
from fangfan_rules.rules.parameters import LocalText, ParameterValue
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.rules.wording import check_text, missing_facts_text, reason_text
from fangfan_rules.variables import Context, get_variable

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "contains": lambda a, b: b in a,
}


def unsupplied_fact(parameter: str) -> str:
    """How a missing caller-supplied figure is listed among an answer's missing facts."""
    return f"parameter {parameter} (not stated in the document: supply it)"


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


@dataclass
class _RuleRun:
    checks: list[Check] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)


class _Evaluator:
    def __init__(
        self,
        pack: Pack,
        household: Household,
        as_of: date,
        population: Mapping[tuple[str, str], Any] | None = None,
    ):
        self.pack = pack
        self.population = population or {}
        self.household = household
        self.as_of = as_of
        self.members = sorted(household.members, key=lambda m: m.id)
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.fired: dict[str, Truth] = {}
        self.missing_by_rule: dict[str, tuple[str, ...]] = {}
        self.params_read: dict[str, ParameterValue] = {}
        self.rule: Rule | None = None
        self.run = _RuleRun()

    # -- operands ---------------------------------------------------------------------------
    def resolve(self, operand: Operand) -> Any:
        if isinstance(operand, Const):
            return operand.value
        if isinstance(operand, RELATIVE_DAYS):
            return relative_day(operand, self.as_of)
        if isinstance(operand, Window):
            return DateRange(start=self.resolve(operand.start), end=self.resolve(operand.end))
        assert isinstance(operand, Param)
        value = self.pack.stated_value(
            operand.name, self.as_of, self.rule.id if self.rule else None
        )
        self.params_read[operand.name] = value
        if operand.name not in self.run.parameters:
            self.run.parameters.append(operand.name)
        return value.value

    def read(self, ref: VarRef, member: Member | None) -> tuple[Any, dict[str, Any]]:
        variable = get_variable(ref.name)
        args = {name: self.resolve(arg) for name, arg in ref.args}
        if variable.enum is not None:
            for name, kind in variable.args.items():
                if kind == "enum_list":
                    args[name] = tuple(variable.enum(v) for v in args[name])
        key = (
            ref,
            member.id if member else None,
            tuple(sorted((k, str(v)) for k, v in args.items())),
        )
        if key not in self.cache:
            ctx = Context(self.household, self.as_of, member, self.population)
            self.cache[key] = variable(ctx, **args)
        value = self.cache[key]
        if isinstance(value, Missing):
            self.run.missing.extend(f for f in value.facts if f not in self.run.missing)
        return value, args

    # -- conditions -------------------------------------------------------------------------
    def truth(self, node: Condition, member: Member | None = None) -> Truth:
        """Kleene value of ``node``; facts read are listed as missing only if they mattered.

        A subtree whose value is known (e.g. ``all`` with a false member) cannot be changed by the
        unknown facts inside it, so those are dropped again: "what would change the answer".
        """
        before = len(self.run.missing)
        value = self._truth(node, member)
        if value is not UNKNOWN:
            del self.run.missing[before:]
        return value

    def _truth(self, node: Condition, member: Member | None = None) -> Truth:
        if isinstance(node, All):
            return k_and([self.truth(i, member) for i in node.items])
        if isinstance(node, AnyOf):
            return k_or([self.truth(i, member) for i in node.items])
        if isinstance(node, Not):
            return k_not(self.truth(node.item, member))
        if isinstance(node, AnyMember):
            # Members in id order: the answer and its trace never depend on input order.
            return k_or([self.truth(node.item, m) for m in self.members])
        if isinstance(node, Fired):
            values = [self.fired[r] for r in node.rule_ids]
            for rule_id, value in zip(node.rule_ids, values, strict=True):
                if value is UNKNOWN:  # an unknown referenced rule passes on what it was missing
                    for fact in self.missing_by_rule.get(rule_id, ()):
                        if fact not in self.run.missing:
                            self.run.missing.append(fact)
            return k_or(values)
        try:
            return self._leaf(node, member)
        except UnsuppliedParameterError as exc:
            # A figure the document leaves to the caller, not supplied: this condition is unknown
            # and the answer names the parameter (when_not_supplied: review).
            fact = unsupplied_fact(exc.parameter)
            if fact not in self.run.missing:
                self.run.missing.append(fact)
            if exc.parameter not in self.run.parameters:
                self.run.parameters.append(exc.parameter)
            return UNKNOWN

    def _leaf(self, node: IsTrue | Compare, member: Member | None) -> Truth:
        if isinstance(node, IsTrue):
            value, args = self.read(node.var, member)
            result: Truth = UNKNOWN if isinstance(value, Missing) else value is True
            self.record(node.var, args, member, value, None, None, result)
            return result
        assert isinstance(node, Compare)
        value, args = self.read(node.left, member)
        right = self.resolve(node.right)
        if isinstance(value, Missing):
            result = UNKNOWN
        elif value is None:
            result = False  # the thing does not exist (e.g. no certificate): comparisons are false
        else:
            try:
                result = bool(_COMPARE[node.op](value, right))
            except TypeError as exc:
                rule_id = self.rule.id if self.rule else "?"
                raise RuleError(
                    f"rule {rule_id}: cannot compare {node.left.name}={value!r} {node.op} {right!r}"
                ) from exc
        named = node.right.name if isinstance(node.right, Param) else None
        self.record(node.left, args, member, value, node.op, right, result, parameter=named)
        return result

    def record(
        self,
        ref: VarRef,
        args: dict[str, Any],
        member: Member | None,
        value: Any,
        op: str | None,
        right: Any,
        result: Truth,
        parameter: str | None = None,
    ) -> None:
        member_id = member.id if member is not None else None
        texts = {
            lang: check_text(
                ref.name, args, member_id, value, op, right, result, lang, parameter=parameter
            )
            for lang in ("zh", "en")
        }
        self.run.checks.append(
            Check(
                variable=ref.name,
                arguments={k: machine_text(v) or "" for k, v in args.items()},
                member=member.id if member else None,
                value=machine_text(value),
                op=op,
                against=machine_text(right) if op else None,
                result="unknown" if result is UNKNOWN else ("true" if result else "false"),
                text_zh=texts["zh"],
                text_en=texts["en"],
            )
        )

    def evaluate(self, rule: Rule) -> tuple[Truth, _RuleRun]:
        self.rule, self.run = rule, _RuleRun()
        value = self.truth(rule.condition)
        self.fired[rule.id] = value
        self.missing_by_rule[rule.id] = tuple(self.run.missing)
        return value, self.run


RuleRuns = dict[str, tuple[Rule, Truth, _RuleRun]]


def run_rules(
    ev: _Evaluator,
    rules: Iterable[Rule],
    *,
    skip: Callable[[Rule, RuleRuns], bool] | None = None,
) -> tuple[RuleRuns, list[RuleTrace]]:
    """Evaluate ``rules`` in order (``fired`` references first) and trace each one: skipped,
    not in force on as_of, or fired / not fired / unknown with the values it read."""
    runs: RuleRuns = {}
    traces: list[RuleTrace] = []
    for rule in rules:
        base = dict(rule_id=rule.id, kind=rule.kind.value, citation=rule.citation)
        if skip is not None and skip(rule, runs):
            traces.append(RuleTrace(**base, status="skipped"))
            continue
        if not rule.in_force(ev.as_of):
            ev.fired[rule.id] = False
            traces.append(RuleTrace(**base, status="not_in_force"))
            continue
        value, run = ev.evaluate(rule)
        runs[rule.id] = (rule, value, run)
        traces.append(
            RuleTrace(
                **base,
                status=_status(value),
                checks=tuple(run.checks),
                missing_facts=tuple(run.missing),
                parameters=tuple(run.parameters),
            )
        )
    return runs, traces


def _status(value: Truth) -> str:
    return "unknown" if value is UNKNOWN else ("fired" if value else "not_fired")


def _reason(rule: Rule, run: _RuleRun, *, negated: bool = False) -> Reason:
    relevant = [c for c in run.checks if c.result == ("false" if negated else "true")] or run.checks
    return Reason(
        rule_id=rule.id,
        kind=rule.kind.value,
        citation=rule.citation,
        text_zh=reason_text(rule.title, [c.text_zh for c in relevant], negated=negated, lang="zh"),
        text_en=reason_text(rule.title, [c.text_en for c in relevant], negated=negated, lang="en"),
        quote=rule.quote,
    )


def _deadline(
    ev: _Evaluator, rule: Rule, calendar: cal.WorkingDayCalendar | None
) -> Deadline | None:
    spec = rule.effect.deadline
    assert spec is not None
    ctx = Context(ev.household, ev.as_of)
    start = get_variable(spec.start)(ctx)
    if not isinstance(start, date):
        return None
    days = spec.days
    if isinstance(days, dict):
        days = int(ev.resolve(Param(days["param"])))
    met_on = get_variable(spec.met_by)(ctx) if spec.met_by else None
    return Deadline.compute(
        name=spec.name,
        label=spec.label,
        start=start,
        days=days,
        count=spec.count,
        met_on=met_on if isinstance(met_on, date) else None,
        as_of=ev.as_of,
        normal_limit=spec.normal_limit,
        citation=rule.citation,
        note="原则上 (normal limit; exceptions possible)" if spec.normal_limit else None,
        calendar=calendar,
    )


# Reasons are listed by weight: what decided the outcome first, then findings, then screening.
_KIND_ORDER = {
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
) -> Identification:
    """Evaluate ``pack``'s identification rules for one household on ``as_of``.

    ``population`` carries the batch aggregates of population-level variables (computed by
    :func:`identify_many`); without it those variables are unknown.
    """
    pack.check_in_force(as_of)
    view, excluded = known_at(household, as_of)
    values = population.values.get(household.id, {}) if population else {}
    ev = _Evaluator(pack, view, as_of, values)
    ordered = list(pack.ordered_rules())
    # Scope first: a household the document does not cover is answered without evaluating (or
    # needing the parameters of) any other rule.
    scope_first = [r for r in ordered if r.kind == RuleKind.SCOPE]
    ordered = scope_first + [r for r in ordered if r.kind != RuleKind.SCOPE]
    # Scope first: once a scope rule is false, the other rules are skipped (not evaluated).
    runs, traces = run_rules(
        ev,
        ordered,
        skip=lambda rule, done: (
            rule.kind != RuleKind.SCOPE
            and any(v is False for r, v, _ in done.values() if r.kind == RuleKind.SCOPE)
        ),
    )

    def of_kind(kind: RuleKind) -> list[tuple[Rule, Truth, _RuleRun]]:
        return [runs[t.rule_id] for t in traces if t.rule_id in runs and t.kind == kind.value]

    fired = [(r, run) for r, v, run in runs.values() if v is True]
    fired.sort(key=lambda item: (_KIND_ORDER[item[0].kind], item[0].id))
    missing: list[str] = []
    review: list[LocalText] = []

    def note_missing(run: _RuleRun) -> None:
        missing.extend(f for f in run.missing if f not in missing)

    common = dict(
        pack=pack.name,
        pack_version=pack.version,
        pack_hash=pack.content_hash,
        household_id=household.id,
        as_of=as_of,
        reforms=pack.reforms,
    )

    def trace() -> Trace:
        used = {name for name, _ in ev.population}
        areas = (view.area.county, "/".join((view.area.county, view.area.town, view.area.village)))
        return Trace(
            rules=tuple(traces),
            parameters=tuple(ev.params_read[k] for k in sorted(ev.params_read)),
            excluded_facts=excluded,
            population=tuple(
                f
                for f in (population.figures if population else ())
                if f.variable in used and f.area in areas
            ),
        )

    # 1. Scope: a household the document does not cover gets a distinct answer saying why.
    scope = of_kind(RuleKind.SCOPE)
    outside = [(r, run) for r, v, run in scope if v is False]
    if outside:
        return Identification(
            **common,
            outcome=Outcome.OUT_OF_SCOPE,
            reasons=tuple(_reason(r, run, negated=True) for r, run in outside),
            trace=trace(),
        )
    for _, v, run in scope:
        if v is UNKNOWN:
            note_missing(run)
            review.append(
                LocalText(zh="是否属于排查范围未知", en="whether the household is in scope")
            )

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
        review.append(missing_facts_text(missing))
    green = [(r, run) for r, v, run in of_kind(RuleKind.GREEN_CHANNEL) if v is True]
    green_channel = (
        GreenChannel(applies=True, why=green[0][0].title, citation=green[0][0].citation)
        if green
        else GreenChannel(applies=False)
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
        return tuple(
            GroupMatch(
                id=f"{pack.name}:{getattr(r.effect, attr)}",
                label=r.title,
                rule_id=r.id,
                citation=r.citation,
            )
            for r, v, _ in of_kind(kind)
            if v is True
        )

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
    reasons = tuple(
        _reason(r, run)
        for r, run in fired
        if r.kind not in (RuleKind.SCOPE, RuleKind.CATEGORY)
        or (r.kind == RuleKind.CATEGORY and r.effect.category == category)
    )
    return Identification(
        **common,
        outcome=outcome,
        category=category,
        risk_types=tuple(risk_types),
        key_attention=matches(RuleKind.KEY_ATTENTION, "group"),
        key_areas=matches(RuleKind.KEY_AREA, "area"),
        flags=matches(RuleKind.FLAG, "flag"),
        must_visit=any(v is True for _, v, _ in of_kind(RuleKind.MUST_VISIT)),
        green_channel=green_channel,
        reasons=reasons,
        review_points=tuple(review),
        deadlines=deadlines,
        missing_facts=tuple(sorted(missing)),
        trace=trace(),
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
        ev = _Evaluator(pack, views[0], as_of)
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
    the vectorized engine.
    """
    batch = list(households)
    counts = Counter(h.id for h in batch)
    repeated = {hid for hid, n in counts.items() if n > 1}
    answered = [h for h in batch if h.id not in repeated] if repeated else batch
    population = population_for(pack, answered, as_of=as_of)
    out: list[Identification | BadRow] = []
    for position, h in enumerate(batch):
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
