"""Compile a pack's rule values into durable_rules ruleset definitions (pure data, no durable import).

The durable_rules backend (:mod:`fangfan_rules.engines.durable_backend`) evaluates the *same* rule
values as the native evaluator. This module turns them into plain data the C engine can run
without tripping over its known limits, and documents each encoding decision.

Facts: one flat fact of primitive fields
    Every variable occurrence a rule uses (a variable with its resolved arguments) is computed by
    the core row variables (:mod:`fangfan_rules.variables`, never re-implemented here) and encoded
    as fields of the household's fact:

    * ``o<i>`` the value, ``o<i>__known`` (1 = known, 0 = the variable returned ``Missing``) and
      ``o<i>__none`` (1 = the thing does not exist, e.g. no certificate date). durable_rules makes
      every comparison with a missing field false and coerces types (``"5000" < 6000`` is true,
      ``true == 1``), so unknown is **never** left to a missing field and only ``int`` and ``str``
      values ever reach it (checked before every assert).
    * numbers — money, counts, days (``date.toordinal()``) and booleans (0/1) — are exact
      integers. A value ``x`` is sent as ``h = 2*floor(S*x) + r`` where ``r = 1`` when ``S*x`` is
      not an integer, and a threshold ``t`` as ``U = 2*S*t``; the scale ``S`` of an occurrence
      (100 for money: integer fen; 1 for counts, days and booleans) is raised until ``S*t`` is an
      integer for every threshold the pack compares that occurrence with. **Exactness**: with
      ``F = floor(S*x)`` and ``u = S*t`` an integer, ``S*x < u ⇔ F < u ⇔ 2F + r < 2u`` (r ≤ 1),
      ``S*x = u ⇔ F = u ∧ r = 0 ⇔ h = 2u``, and ``≤ > ≥ ≠`` follow. So the 40-digit exact
      per-capita incomes of :mod:`fangfan_rules.variables.income` (e.g. 20,699.99 / 3) compare
      with a fen threshold exactly as native does, and no float (``1e-05`` breaks durable's JSON)
      is ever produced. Values beyond ±2**60 are clamped to ±(2**60 + 2): every threshold must lie
      inside ±2**60 (checked at compile time), so a clamped value is on the same side of every
      threshold as the true value.
    * enums are their string values; a set variable (``area_tags``) becomes one 0/1 field
      ``o<i>__has<j>`` per tag a rule asks about.
    * ``any_member``: the fact carries one block of fields per member (``m<s>o<i>...``, members in
      id order) and a ruleset is compiled for each household size that occurs (members are not
      asserted as separate facts: that needs joins, and durable segfaults on joins that reference
      another fact's field). ``T(any_member P) = OR_s T(P, s)``, ``F = AND_s F(P, s)``.

Three-valued logic
    durable only matches or does not. Each rule condition is compiled twice, as Kleene formulas
    over the fields: ``T`` (the condition is true) and ``F`` (it is false: the Kleene negation,
    guarded by the ``__known`` flags). The action records which formula matched; *unknown* is
    "neither matched". ``F`` is compiled only where the combination needs it (scope, outcome,
    green-channel and category rules, and every rule those reference through ``fired``); ``T``
    for every rule but notes (which only add reasons).

Fitting durable_rules' limits (measured on 2.0.28, see the tests)
    * at most 15 ``$and``/``$or`` operators per rule expression (``MAX_SEQUENCE_EXPRESSIONS`` 32,
      two entries each; error 113 beyond). A formula is split: an ``or`` at the top becomes one
      durable rule per disjunct (same action), and an ``or`` nested in an ``and`` that does not fit
      — or a second non-exclusive one, which would multiply the firings — becomes an auxiliary
      target evaluated by durable in an earlier *stage*;
    * a fact holds at most 252 fields, and durable walks its alpha network with a stack of 64
      pending nodes (error 303 beyond): the rules of a stage are grouped so that each group's
      fact stays under :data:`MAX_FACT_FIELDS` and its rules under :data:`MAX_GROUP_WEIGHT`
      branches; every rule starts with its group's ``g`` field;
    * ``fired`` references and auxiliary targets are durable's own earlier results, copied into
      the next stage's fact as ``d<target>`` 0/1 fields (Python only carries them over);
    * field names are matched by a 32-bit FNV-1 hash in the C engine: names are checked for
      collisions at compile time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import RuleError, UnsuppliedParameterError
from fangfan_rules.result_rows import joined
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
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.variables import Variable, get_variable

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

#: ``$and``/``$or`` operators allowed in one durable rule expression (durable: 15, error 113 at 16).
MAX_NODES = 15
#: Fields of one asserted fact (durable: 252 user fields + sid; we keep a margin).
MAX_FACT_FIELDS = 240
#: Fields one durable rule may read before its body is split.
MAX_RULE_FIELDS = 120
#: Extra alpha branches (``or`` items beyond the first) one durable rule may inline, and a
#: group's rules together: durable walks its alpha network with a fixed stack of 64 pending
#: nodes (``MAX_STACK_SIZE``, error 303 beyond), and every rule of a group hangs off the
#: group's ``g`` node.
MAX_RULE_BRANCHES = 12
MAX_GROUP_WEIGHT = 32
#: Integer range used for numbers (durable parses JSON integers as 64-bit ``long``).
LIMIT = 2**60
CLAMP_HIGH = LIMIT + 2
CLAMP_LOW = -LIMIT - 2
#: Reserved field names (``g`` is our group discriminator).
RESERVED = ("sid", "id", "$s", "g")

#: Kinds whose *false* matters for the combination (unknown must be told apart from false).
NEEDS_FALSE = frozenset(
    {RuleKind.SCOPE, RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL, RuleKind.CATEGORY}
)


# ------------------------------------------------------------------------------------------------
# Formulas over fields


@dataclass(frozen=True)
class Lit:
    """``field OP value`` with OP one of eq ne lt le gt ge and an int or str value."""

    field: str
    op: str
    value: int | str


@dataclass(frozen=True)
class Ref:
    """An earlier durable target matched (carried into the fact as field ``d<target>``)."""

    target: int


@dataclass(frozen=True)
class And:
    items: tuple[Formula, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Formula, ...]
    #: at most one item can match at a time (so inlining it never multiplies firings)
    exclusive: bool = False


@dataclass(frozen=True)
class Const_:
    value: bool


TRUE = Const_(True)
FALSE = Const_(False)
Formula = Lit | Ref | And | Or | Const_


def conj(items: Iterable[Formula]) -> Formula:
    out: list[Formula] = []
    for item in items:
        if item == FALSE:
            return FALSE
        if item == TRUE:
            continue
        for sub in item.items if isinstance(item, And) else (item,):
            if sub not in out:
                out.append(sub)
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else And(tuple(out))


def disj(items: Iterable[Formula], *, exclusive: bool = False) -> Formula:
    out: list[Formula] = []
    excl = exclusive
    for item in items:
        if item == TRUE:
            return TRUE
        if item == FALSE:
            continue
        if isinstance(item, Or):
            excl = excl and item.exclusive
            subs: tuple[Formula, ...] = item.items
        else:
            subs = (item,)
        for sub in subs:
            if sub not in out:
                out.append(sub)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else Or(tuple(out), excl)


def nodes(formula: Formula) -> int:
    """``$and``/``$or`` operators the formula needs in a durable expression."""
    if isinstance(formula, And | Or):
        return 1 + sum(nodes(i) for i in formula.items)
    return 0


def branches(formula: Formula) -> int:
    """Alpha-network branches beyond the first that a formula adds in durable."""
    if isinstance(formula, Or):
        return len(formula.items) - 1 + sum(branches(i) for i in formula.items)
    if isinstance(formula, And):
        return sum(branches(i) for i in formula.items)
    return 0


def weight(body: Iterable[Formula]) -> int:
    """A durable rule's share of the alpha stack: its own path plus its inline branches."""
    return 1 + sum(branches(i) for i in body)


def fields_of(formula: Formula) -> set[str]:
    if isinstance(formula, Lit):
        return {formula.field}
    if isinstance(formula, Ref):
        return {derived_field(formula.target)}
    if isinstance(formula, And | Or):
        return set().union(*(fields_of(i) for i in formula.items))
    return set()


def refs_of(formula: Formula) -> set[int]:
    if isinstance(formula, Ref):
        return {formula.target}
    if isinstance(formula, And | Or):
        return set().union(*(refs_of(i) for i in formula.items))
    return set()


def derived_field(target: int) -> str:
    return f"d{target}"


_OPS = {"eq": None, "ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def to_durable(formula: Formula) -> dict[str, Any]:
    """The durable_rules JSON expression of a formula (constants must be folded away first)."""
    if isinstance(formula, Lit):
        op = _OPS[formula.op]
        return (
            {formula.field: formula.value} if op is None else {op: {formula.field: formula.value}}
        )
    if isinstance(formula, Ref):
        return {derived_field(formula.target): 1}
    if isinstance(formula, And):
        return {"$and": [to_durable(i) for i in formula.items]}
    if isinstance(formula, Or):
        return {"$or": [to_durable(i) for i in formula.items]}
    raise AssertionError(f"constant {formula!r} reached the durable expression")


def fnv1_32(name: str) -> int:
    """durable_rules' property-name hash (FNV-1, 32 bits, over the UTF-8 bytes as signed chars)."""
    value = 2166136261
    for byte in name.encode("utf-8"):
        signed = byte - 256 if byte > 127 else byte
        value = ((value ^ (signed & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return value


# ------------------------------------------------------------------------------------------------
# Resolving operands exactly as the native evaluator does


def resolve_operand(pack: Pack, as_of: date, operand: Operand, rule_id: str) -> Any:
    """The value native's ``Recorder.resolve`` gives (same exceptions, same order)."""
    if isinstance(operand, Const):
        return operand.value
    if isinstance(operand, RELATIVE_DAYS):
        return relative_day(operand, as_of)
    if isinstance(operand, Window):
        return DateRange(
            start=resolve_operand(pack, as_of, operand.start, rule_id),
            end=resolve_operand(pack, as_of, operand.end, rule_id),
        )
    assert isinstance(operand, Param)
    return pack.stated_value(operand.name, as_of, rule_id).value


def resolve_args(pack: Pack, as_of: date, ref: VarRef, rule_id: str) -> dict[str, Any]:
    variable = get_variable(ref.name)
    args = {name: resolve_operand(pack, as_of, arg, rule_id) for name, arg in ref.args}
    if variable.enum is not None:
        for name, kind in variable.args.items():
            if kind == "enum_list":
                args[name] = tuple(variable.enum(v) for v in args[name])
    return args


def raise_first_error(
    pack: Pack, as_of: date, rule: Rule, n_members: int, node: Condition | None = None
) -> None:
    """Re-run native's operand resolution for ``rule`` in native's order; raise what it raises."""
    node = rule.condition if node is None else node
    if isinstance(node, All | AnyOf):
        for item in node.items:
            raise_first_error(pack, as_of, rule, n_members, item)
    elif isinstance(node, Not):
        raise_first_error(pack, as_of, rule, n_members, node.item)
    elif isinstance(node, AnyMember):
        for _ in range(n_members):
            raise_first_error(pack, as_of, rule, n_members, node.item)
    elif isinstance(node, IsTrue | Compare):
        try:
            resolve_args(pack, as_of, node.var if isinstance(node, IsTrue) else node.left, rule.id)
            if isinstance(node, Compare):
                resolve_operand(pack, as_of, node.right, rule.id)
        except UnsuppliedParameterError:
            pass  # native makes this condition unknown and goes on


# ------------------------------------------------------------------------------------------------
# Occurrences: a variable with resolved arguments, the unit of the flattened fact

Kind = Literal["num", "str", "set"]


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


@dataclass
class Occurrence:
    index: int
    variable: Variable
    args: dict[str, Any]
    kind: Kind
    scale: int = 1
    thresholds: list[Fraction] = field(default_factory=list)
    tags: dict[str, int] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return self.variable.level

    def base(self, slot: int | None) -> str:
        return f"o{self.index}" if slot is None else f"m{slot}o{self.index}"

    def field_names(self, slot: int | None) -> list[str]:
        base = self.base(slot)
        names = [f"{base}__known", f"{base}__none"]
        if self.kind == "set":
            names += [f"{base}__has{j}" for j in self.tags.values()]
        else:
            names.append(base)
        return names

    # -- runtime encoding ----------------------------------------------------------------------
    def encode(self, value: Any, slot: int | None, out: dict[str, int | str]) -> None:
        """Write this occurrence's fields for ``value`` (a variable's result) into ``out``."""
        from fangfan_rules.logic import Missing

        base = self.base(slot)
        known = not isinstance(value, Missing)
        none = known and value is None
        out[f"{base}__known"] = 1 if known else 0
        out[f"{base}__none"] = 1 if none else 0
        present = known and not none
        if self.kind == "set":
            if present and not isinstance(value, frozenset | set | tuple | list):
                raise self._type_error(value)
            for tag, j in self.tags.items():
                out[f"{base}__has{j}"] = 1 if present and tag in value else 0
        elif self.kind == "str":
            if present:
                if not isinstance(value, str):
                    raise self._type_error(value)
                out[base] = str(value.value if isinstance(value, Enum) else value)
            else:
                out[base] = "-"
        else:
            out[base] = self._number(value) if present else 0

    def _number(self, value: Any) -> int:
        vt = self.variable.value_type
        if vt == "date":
            if not isinstance(value, date) or isinstance(value, datetime):
                raise self._type_error(value)
            x = Fraction(value.toordinal())
        elif vt == "bool":
            if not isinstance(value, bool):
                raise self._type_error(value)
            x = Fraction(int(value))
        else:
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise self._type_error(value)
            if isinstance(value, Decimal) and not value.is_finite():
                raise self._type_error(value)
            x = Fraction(value)
        scaled = x * self.scale
        floor = scaled.numerator // scaled.denominator
        h = 2 * floor + (0 if scaled.denominator == 1 else 1)
        if h > LIMIT:
            return CLAMP_HIGH
        if h < -LIMIT:
            return CLAMP_LOW
        return h

    def _type_error(self, value: Any) -> RuleError:
        return RuleError(
            f"durable backend: variable {self.variable.name!r} ({self.variable.value_type}) "
            f"returned {value!r} ({type(value).__name__}); refusing to pass it to durable_rules"
        )


def occurrence_key(name: str, args: Mapping[str, Any]) -> tuple[Any, ...]:
    return (name, tuple((k, _hashable(args[k])) for k in sorted(args)))


def _kind_of(variable: Variable) -> Kind:
    vt = variable.value_type
    if vt == "set":
        return "set"
    if vt == "enum":
        return "str"
    return "num"


# ------------------------------------------------------------------------------------------------
# Numeric thresholds


def _rational(value: Any, variable: Variable, fail: Callable[[str], RuleError]) -> Fraction:
    """A comparison operand of a numeric occurrence as an exact rational (the native semantics)."""
    vt = variable.value_type
    if vt == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return Fraction(value.toordinal())
        raise fail(f"a date variable is compared with {value!r} ({type(value).__name__})")
    if isinstance(value, bool | int | Decimal | Fraction):
        if isinstance(value, Decimal) and not value.is_finite():
            raise fail(f"cannot compare with {value!r}")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise fail(f"cannot compare with {value!r}")
        return Fraction(value)  # exactly the float's binary value, as Python compares it
    raise fail(
        f"variable {variable.name!r} ({vt}) is compared with {value!r} ({type(value).__name__}); "
        "the durable backend refuses mixed-type comparisons (durable_rules would coerce them)"
    )


# ------------------------------------------------------------------------------------------------
# The plan: everything that does not depend on the household size


@dataclass
class Leaf:
    """A resolved comparison (or boolean test) of one occurrence."""

    occurrence: Occurrence
    op: str  # eq ne lt le gt ge in not_in contains istrue
    right: Any  # resolved operand: Fraction, tuple of Fractions, str, tuple of str, (lo, hi)


class _UnknownLeaf:
    """A condition that reads a caller-supplied figure not supplied (when_not_supplied: review)."""


UNKNOWN_LEAF = _UnknownLeaf()


@dataclass
class RulePlan:
    rule: Rule
    #: "ok", "error" (an operand fails outside any_member: raises whenever evaluated) or
    #: "member_error" (only inside any_member: raises when the household has members)
    status: str
    phase: Literal["scope", "main"]
    needs_false: bool = False


class Plan:
    """A pack's in-force rules at ``as_of`` resolved into leaves over occurrences."""

    def __init__(self, pack: Pack, as_of: date):
        self.pack = pack
        self.as_of = as_of
        ordered = pack.ordered_rules()
        scope = [r for r in ordered if r.kind == RuleKind.SCOPE]
        #: rules in native's trace order (scope first), in force only
        self.rules: list[Rule] = [
            r for r in scope + [r for r in ordered if r.kind != RuleKind.SCOPE] if r.in_force(as_of)
        ]
        self.in_force = {r.id for r in self.rules}
        self.by_id = {r.id: r for r in pack.rules}
        self.occurrences: dict[tuple[Any, ...], Occurrence] = {}
        self.leaves: dict[tuple[str, Condition], Leaf | _UnknownLeaf] = {}
        self.plans: dict[str, RulePlan] = {}
        self.uses_members = False
        self.deadline_errors: list[Rule] = []
        for rule in self.rules:
            self._plan_rule(rule)
        for occ in self.occurrences.values():
            self._choose_scale(occ)
        # which rules need their FALSE formula: the kinds whose unknown matters, and what they
        # reference through `fired` (Kleene negation of `fired` is AND of the referenced FALSEs)
        for rule in self.rules:
            if rule.kind in NEEDS_FALSE:
                self.plans[rule.id].needs_false = True
        for rule in pack.rules:
            deadline = rule.effect.deadline
            if (
                rule.id in self.in_force
                and rule.kind == RuleKind.DEADLINE
                and deadline is not None
                and isinstance(deadline.days, dict)
            ):
                try:
                    resolve_operand(pack, as_of, Param(deadline.days["param"]), rule.id)
                except Exception:
                    self.deadline_errors.append(rule)

    # -- resolution ------------------------------------------------------------------------
    def _plan_rule(self, rule: Rule) -> None:
        errors: list[bool] = []  # True: inside any_member
        phase: Literal["scope", "main"] = "scope" if rule.kind == RuleKind.SCOPE else "main"
        self._walk(rule, rule.condition, False, errors)
        status = "ok"
        if any(not inside for inside in errors):
            status = "error"
        elif errors:
            status = "member_error"
        self.plans[rule.id] = RulePlan(rule, status, phase)
        if phase == "scope":
            for node in _walk_nodes(rule.condition):
                if isinstance(node, Fired):
                    for ref in node.rule_ids:
                        if self.by_id[ref].kind != RuleKind.SCOPE:
                            raise RuleError(
                                f"rule {rule.id}: a scope rule refers to non-scope rule {ref} "
                                "(scope rules are evaluated first)"
                            )

    def _walk(self, rule: Rule, node: Condition, inside: bool, errors: list[bool]) -> None:
        if isinstance(node, All | AnyOf):
            for item in node.items:
                self._walk(rule, item, inside, errors)
        elif isinstance(node, Not):
            self._walk(rule, node.item, inside, errors)
        elif isinstance(node, AnyMember):
            self.uses_members = True
            self._walk(rule, node.item, True, errors)
        elif isinstance(node, IsTrue | Compare):
            try:
                leaf = self._leaf(rule, node)
            except RuleError:
                raise
            except UnsuppliedParameterError:
                # when_not_supplied: review — unknown, as in native: neither T nor F matches.
                self.leaves[(rule.id, node)] = UNKNOWN_LEAF
                return
            except Exception:
                errors.append(inside)
                return
            self.leaves[(rule.id, node)] = leaf

    def _leaf(self, rule: Rule, node: IsTrue | Compare) -> Leaf:
        ref = node.var if isinstance(node, IsTrue) else node.left
        args = resolve_args(self.pack, self.as_of, ref, rule.id)
        right = (
            None
            if isinstance(node, IsTrue)
            else resolve_operand(self.pack, self.as_of, node.right, rule.id)
        )
        variable = get_variable(ref.name)
        op = "istrue" if isinstance(node, IsTrue) else node.op
        key = occurrence_key(ref.name, args)
        occ = self.occurrences.get(key)
        if occ is None:
            occ = Occurrence(len(self.occurrences), variable, args, _kind_of(variable))
            self.occurrences[key] = occ

        def fail(message: str) -> RuleError:
            return RuleError(f"rule {rule.id}: durable backend: {message}")

        return Leaf(occ, op, self._typed_right(occ, op, right, fail))

    def _typed_right(
        self, occ: Occurrence, op: str, right: Any, fail: Callable[[str], RuleError]
    ) -> Any:
        variable = occ.variable
        if op == "istrue":
            if variable.value_type != "bool":
                raise fail(f"{variable.name!r} is not boolean")
            occ.thresholds.append(Fraction(1))
            return Fraction(1)
        if occ.kind == "set":
            if op != "contains" or not isinstance(right, str):
                raise fail(
                    f"set variable {variable.name!r} supports only 'contains' with one value"
                )
            tag = str(right.value if isinstance(right, Enum) else right)
            occ.tags.setdefault(tag, len(occ.tags))
            return tag
        if occ.kind == "str":
            if op in ("eq", "ne"):
                if not isinstance(right, str):
                    raise fail(f"enum {variable.name!r} is compared with {right!r}")
                return str(right.value if isinstance(right, Enum) else right)
            if op in ("in", "not_in"):
                if not isinstance(right, tuple) or not all(isinstance(v, str) for v in right):
                    raise fail(f"enum {variable.name!r} '{op}' needs a list of values")
                return tuple(str(v.value if isinstance(v, Enum) else v) for v in right)
            raise fail(f"operator {op!r} is not supported on enum {variable.name!r}")
        # numbers (money, int, date, bool)
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            value = _rational(right, variable, fail)
            occ.thresholds.append(value)
            return value
        if op in ("in", "not_in"):
            if isinstance(right, DateRange) and variable.value_type == "date":
                lo, hi = Fraction(right.start.toordinal()), Fraction(right.end.toordinal())
                occ.thresholds += [lo, hi]
                return ("range", lo, hi)
            if not isinstance(right, tuple):
                raise fail(f"'{op}' on {variable.name!r} needs a list (got {right!r})")
            values = tuple(_rational(v, variable, fail) for v in right)
            occ.thresholds.extend(values)
            return values
        raise fail(f"operator {op!r} is not supported on {variable.name!r}")

    def _choose_scale(self, occ: Occurrence) -> None:
        if occ.kind != "num":
            return
        scale = 100 if occ.variable.value_type == "money" else 1
        for t in occ.thresholds:
            scaled = t * scale
            if scaled.denominator != 1:
                scale *= scaled.denominator
        for t in occ.thresholds:
            if abs(2 * scale * t) > LIMIT:
                raise RuleError(
                    f"durable backend: threshold {float(t):g} of {occ.variable.name!r} is out of "
                    f"range for durable's 64-bit integers at scale {scale}"
                )
        occ.scale = scale


def _walk_nodes(condition: Condition) -> Iterator[Condition]:
    yield condition
    if isinstance(condition, All | AnyOf):
        for item in condition.items:
            yield from _walk_nodes(item)
    elif isinstance(condition, Not | AnyMember):
        yield from _walk_nodes(condition.item)


# ------------------------------------------------------------------------------------------------
# Compiling for one household size


@dataclass
class Target:
    id: int
    name: str
    formula: Formula
    phase: Literal["scope", "main"]
    stage: int = 0
    bodies: list[tuple[Formula, ...]] = field(default_factory=list)


@dataclass
class Group:
    gid: int
    phase: Literal["scope", "main"]
    stage: int
    base_fields: list[str]
    ref_targets: list[int]
    rules: list[tuple[int, tuple[Formula, ...]]]  # (target id, body without the g literal)


class Compiled:
    """The durable ruleset for households of ``n_members`` counted members in id order."""

    def __init__(self, plan: Plan, n_members: int):
        self.plan = plan
        self.n = n_members if plan.uses_members else 0
        self.targets: list[Target] = []
        self._by_formula: dict[tuple[str, Formula], int] = {}
        self.rule_targets: dict[tuple[str, bool], int] = {}
        self._phase: Literal["scope", "main"] = "scope"
        #: base field -> (occurrence, slot)
        self.field_source: dict[str, tuple[Occurrence, int | None]] = {}
        for phase in ("scope", "main"):
            self._phase = phase  # type: ignore[assignment]
            for rule in plan.rules:
                rp = plan.plans[rule.id]
                if rp.phase != phase or not self._compilable(rp):
                    continue
                if rule.kind != RuleKind.NOTE:  # notes only add reasons
                    self.rule_target(rule.id, True)
                if rp.needs_false:
                    self.rule_target(rule.id, False)
        self._emit_all()
        self.groups = self._group()
        self._check_names()

    def _compilable(self, rp: RulePlan) -> bool:
        return rp.status == "ok" or (rp.status == "member_error" and self.n == 0)

    # -- targets -----------------------------------------------------------------------------
    def rule_target(self, rule_id: str, polarity: bool) -> int:
        key = (rule_id, polarity)
        if key in self.rule_targets:
            return self.rule_targets[key]
        rp = self.plan.plans[rule_id]
        if rp.phase == "main" and self._phase == "scope":
            raise RuleError(f"rule {rule_id}: referenced from a scope rule")
        rule = rp.rule
        formula = self.form(rule, rule.condition, polarity, None)
        tid = self._new_target(("T:" if polarity else "F:") + rule_id, formula, rp.phase)
        self.rule_targets[key] = tid
        return tid

    def _new_target(self, name: str, formula: Formula, phase: Literal["scope", "main"]) -> int:
        tid = len(self.targets)
        self.targets.append(Target(tid, name, formula, phase))
        return tid

    def aux_target(self, formula: Formula) -> int:
        key = (self._phase, formula)
        if key not in self._by_formula:
            self._by_formula[key] = self._new_target(
                f"aux{len(self.targets)}", formula, self._phase
            )
        return self._by_formula[key]

    # -- Kleene formulas -----------------------------------------------------------------------
    def form(self, rule: Rule, node: Condition, pol: bool, slot: int | None) -> Formula:
        if isinstance(node, All):
            parts = [self.form(rule, i, pol, slot) for i in node.items]
            return conj(parts) if pol else disj(parts)
        if isinstance(node, AnyOf):
            parts = [self.form(rule, i, pol, slot) for i in node.items]
            return disj(parts) if pol else conj(parts)
        if isinstance(node, Not):
            return self.form(rule, node.item, not pol, slot)
        if isinstance(node, AnyMember):
            # no members: k_or([]) is false (and a member_error rule is only compiled then)
            parts = [self.form(rule, node.item, pol, s) for s in range(self.n)]
            return disj(parts) if pol else conj(parts)
        if isinstance(node, Fired):
            parts = []
            for rid in node.rule_ids:
                if rid not in self.plan.in_force:
                    parts.append(FALSE if pol else TRUE)  # native: fired[rule] = False
                elif not self._compilable(self.plan.plans[rid]):
                    # that rule raises before this one is evaluated: never read at runtime
                    parts.append(FALSE if pol else TRUE)
                else:
                    parts.append(Ref(self.rule_target(rid, pol)))
            return disj(parts) if pol else conj(parts)
        leaf = self.plan.leaves[(rule.id, node)]
        if isinstance(leaf, _UnknownLeaf):
            return FALSE
        return self.leaf_formula(leaf, pol, slot)

    def leaf_formula(self, leaf: Leaf, pol: bool, slot: int | None) -> Formula:
        occ = leaf.occurrence
        base = occ.base(slot)
        for name in occ.field_names(slot):
            self.field_source[name] = (occ, slot)
        known = Lit(f"{base}__known", "eq", 1)
        not_none = Lit(f"{base}__none", "eq", 0)
        is_none = Lit(f"{base}__none", "eq", 1)
        positive = self._compare(occ, base, leaf.op, leaf.right)
        if pol:
            return conj([known, not_none, positive])
        negative = self._compare(occ, base, _NEGATE[leaf.op], leaf.right)
        return conj([known, disj([is_none, conj([not_none, negative])], exclusive=True)])

    def _compare(self, occ: Occurrence, base: str, op: str, right: Any) -> Formula:
        if occ.kind == "set":
            j = occ.tags[right]
            return Lit(f"{base}__has{j}", "eq", 1 if op == "contains" else 0)
        if occ.kind == "str":
            if op in ("eq", "ne"):
                return Lit(base, op, right)
            if op == "in":
                return disj([Lit(base, "eq", v) for v in right], exclusive=True)
            return conj([Lit(base, "ne", v) for v in right])

        def u(t: Fraction) -> int:
            scaled = 2 * occ.scale * t
            assert scaled.denominator == 1
            return int(scaled)

        if op == "istrue":
            return Lit(base, "eq", u(Fraction(1)))
        if op == "nottrue":
            return Lit(base, "ne", u(Fraction(1)))
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return Lit(base, op, u(right))
        if isinstance(right, tuple) and right and right[0] == "range":
            _, lo, hi = right
            if op == "in":
                return conj([Lit(base, "ge", u(lo)), Lit(base, "le", u(hi))])
            return disj([Lit(base, "lt", u(lo)), Lit(base, "gt", u(hi))], exclusive=True)
        if op == "in":
            return disj([Lit(base, "eq", u(v)) for v in right], exclusive=True)
        return conj([Lit(base, "ne", u(v)) for v in right])

    # -- emitting durable rules ------------------------------------------------------------------
    def _emit_all(self) -> None:
        done = 0
        while done < len(self.targets):  # aux targets are appended while emitting
            target = self.targets[done]
            self._phase = target.phase
            self._emit(target)
            done += 1
        for target in self.targets:
            self._stage(target, set())

    def _emit(self, target: Target) -> None:
        formula = target.formula
        if formula == FALSE:
            return
        disjuncts = formula.items if isinstance(formula, Or) else (formula,)
        for d in disjuncts:
            items: list[Formula] = (
                list(d.items) if isinstance(d, And) else ([] if d == TRUE else [d])
            )
            target.bodies.append(self._fit(items))

    def _fit(self, items: list[Formula]) -> tuple[Formula, ...]:
        """Make a conjunction fit one durable rule (operators, fields, firings)."""
        body: list[Formula] = []
        inline_free = True  # one non-exclusive `or` may stay inline
        ors = sorted(
            (i for i in items if isinstance(i, Or)), key=lambda f: (not f.exclusive, nodes(f))
        )
        simple = [i for i in items if not isinstance(i, Or)]
        body.extend(simple)
        cost = 1  # the top $and (holding the g literal)
        extra = 0
        for item in ors:
            c, b = nodes(item), branches(item)
            fits = cost + c <= MAX_NODES and extra + b <= MAX_RULE_BRANCHES
            if (item.exclusive or inline_free) and fits:
                body.append(item)
                cost += c
                extra += b
                if not item.exclusive:
                    inline_free = False
            else:
                body.append(Ref(self.aux_target(item)))
        if len(_body_fields(body)) > MAX_RULE_FIELDS:
            chunks: list[list[Formula]] = [[]]
            seen: set[str] = set()
            for part in body:
                f = fields_of(part)
                if chunks[-1] and len(seen | f) > MAX_RULE_FIELDS // 2:
                    chunks.append([])
                    seen = set()
                chunks[-1].append(part)
                seen |= f
            body = [Ref(self.aux_target(conj(chunk))) for chunk in chunks]
        return tuple(body)

    def _stage(self, target: Target, visiting: set[int]) -> int:
        if target.stage:
            return target.stage
        visiting.add(target.id)
        stage = 1
        for body in target.bodies:
            for ref in set().union(set(), *(refs_of(i) for i in body)):
                other = self.targets[ref]
                if other.phase != target.phase:
                    continue  # the scope phase has finished before the main phase starts
                stage = max(stage, self._stage(other, visiting) + 1)
        target.stage = stage
        return stage

    def _group(self) -> list[Group]:
        groups: list[Group] = []
        phases: tuple[Literal["scope", "main"], ...] = ("scope", "main")
        for phase in phases:
            stages = sorted({t.stage for t in self.targets if t.phase == phase and t.bodies})
            for stage in stages:
                current: Group | None = None
                seen: set[str] = set()
                load = 0
                for target in self.targets:
                    if target.phase != phase or target.stage != stage:
                        continue
                    for body in target.bodies:
                        f = _body_fields(body)
                        w = weight(body)
                        if (
                            current is None
                            or len(seen | f) > MAX_FACT_FIELDS
                            or load + w > MAX_GROUP_WEIGHT
                        ):
                            current = Group(len(groups) + 1, phase, stage, [], [], [])
                            groups.append(current)
                            seen, load = set(), 0
                        seen |= f
                        load += w
                        current.rules.append((target.id, body))
        for g in groups:
            names = set().union(set(), *(_body_fields(body) for _, body in g.rules))
            refs = set().union(set(), *(refs_of(i) for _, body in g.rules for i in body))
            g.ref_targets = sorted(refs)
            g.base_fields = sorted(names - {derived_field(r) for r in refs})
        return groups

    def _check_names(self) -> None:
        names = set(RESERVED)
        for g in self.groups:
            names |= set(g.base_fields) | {derived_field(r) for r in g.ref_targets}
        hashes: dict[int, str] = {}
        for name in sorted(names):
            h = fnv1_32(name)
            if h in hashes:
                raise RuleError(
                    f"durable backend: field names {hashes[h]!r} and {name!r} share a 32-bit hash"
                )
            hashes[h] = name

    # -- the durable definition ------------------------------------------------------------------
    def definition(self, action: Callable[[int], Callable[[Any], None]]) -> dict[str, Any]:
        """``{rule name: {"all": [{"m": expression}], "run": action(target id)}}``."""
        out: dict[str, Any] = {}
        actions: dict[int, Callable[[Any], None]] = {}
        for g in self.groups:
            for k, (tid, body) in enumerate(g.rules):
                expression = to_durable(_conj_raw((Lit("g", "eq", g.gid), *body)))
                if tid not in actions:
                    actions[tid] = action(tid)
                out[f"g{g.gid}r{k}t{tid}"] = {"all": [{"m": expression}], "run": actions[tid]}
        return out

    def stats(self) -> dict[str, int]:
        return {
            "targets": len(self.targets),
            "durable_rules": sum(len(g.rules) for g in self.groups),
            "groups": len(self.groups),
            "stages": len({(g.phase, g.stage) for g in self.groups}),
            "max_fields": max(
                (len(g.base_fields) + len(g.ref_targets) for g in self.groups), default=0
            ),
        }


def _body_fields(body: Iterable[Formula]) -> set[str]:
    return set().union(set(), *(fields_of(i) for i in body))


def _conj_raw(items: tuple[Formula, ...]) -> Formula:
    return items[0] if len(items) == 1 else And(items)


_NEGATE = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "le": "gt",
    "gt": "le",
    "ge": "lt",
    "in": "not_in",
    "not_in": "in",
    "contains": "not_contains",
    "istrue": "nottrue",
}


# ------------------------------------------------------------------------------------------------
# Combining rule truths exactly as native.identify does


def combine(plan: Plan, true: set[str], false: set[str]) -> dict[str, Any]:
    """The compared columns from the rules' truth (native's precedence, never rule order).

    ``true`` / ``false`` hold the ids of rules durable matched as true / false; a rule in neither
    is unknown (only asked for rules whose FALSE was compiled).
    """
    pack = plan.pack
    rules = plan.rules

    def of(kind: RuleKind) -> list[Rule]:
        return [r for r in rules if r.kind == kind]

    def unknown(r: Rule) -> bool:
        return r.id not in true and r.id not in false

    scope = of(RuleKind.SCOPE)
    outside = [r for r in scope if r.id in false]
    if outside:
        return {
            "outcome": "out_of_scope",
            "category": None,
            "risk_types": joined(()),
            "key_attention": joined(()),
            "key_areas": joined(()),
            "flags": joined(()),
            "must_visit": False,
            "green_channel": False,
            "deciding_rule": outside[0].id,
            "decided_by_unknown": False,
        }
    scope_unknown = any(unknown(r) for r in scope)
    deciders = of(RuleKind.OUTCOME) + of(RuleKind.GREEN_CHANNEL)
    if any(r.id in true and r.effect.outcome == "identify" for r in deciders):
        outcome = "identify"
    elif any(r.id in true and r.effect.outcome == "needs_review" for r in deciders) or any(
        unknown(r) and r.effect.outcome is not None for r in deciders
    ):
        outcome = "needs_review"
    else:
        outcome = "not_eligible"
    if scope_unknown and outcome == "identify":
        outcome = "needs_review"
    category = None
    if outcome in ("identify", "needs_review"):
        by_category = {r.effect.category: r for r in of(RuleKind.CATEGORY)}
        for wanted in pack.category_precedence:
            if wanted not in by_category:
                continue
            r = by_category[wanted]
            if r.id in true:
                category = wanted.value
                break
            if unknown(r):
                break
    risk_types = joined(())
    if outcome != "not_eligible":
        kinds = (RuleKind.RISK, RuleKind.OUTCOME, RuleKind.GREEN_CHANNEL)
        risk_types = joined(
            t.value
            for t in sorted(
                {t for r in rules if r.kind in kinds and r.id in true for t in r.effect.risk_types}
            )
        )

    def groups(kind: RuleKind, attr: str) -> str:
        return joined(f"{pack.name}:{getattr(r.effect, attr)}" for r in of(kind) if r.id in true)

    green = sorted(r.id for r in of(RuleKind.GREEN_CHANNEL) if r.id in true)
    decided = sorted(r.id for r in of(RuleKind.OUTCOME) if r.id in true)
    deciding: str | None = (green + decided)[0] if green or decided else None
    by_unknown = False
    if deciding is None and outcome == "needs_review":
        # a review caused by unknown facts: the first deciding-kind rule left unknown
        kinds = (RuleKind.SCOPE, RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)
        first = next((r for r in rules if r.kind in kinds and unknown(r)), None)
        if first is not None:
            deciding, by_unknown = first.id, True
    return {
        "outcome": outcome,
        "category": category,
        "risk_types": risk_types,
        "key_attention": groups(RuleKind.KEY_ATTENTION, "group"),
        "key_areas": groups(RuleKind.KEY_AREA, "area"),
        "flags": groups(RuleKind.FLAG, "flag"),
        "must_visit": any(r.id in true for r in of(RuleKind.MUST_VISIT)),
        "green_channel": bool(green),
        "deciding_rule": deciding,
        "decided_by_unknown": by_unknown,
    }
