"""A pack's rule trees compiled once into closures, for the native evaluator.

Interpreting a condition tree for every household repeats the same work: dispatching on the node
type, resolving the same parameters and as_of-relative dates, hashing the same variable
references. A :class:`Program` does that once per pack (the closures) and once per (pack, as_of)
(the resolved operands); evaluating a household then runs the closures against a
:class:`Recorder`, which reads variables (cached per household) and records each leaf's machine
values as a plain tuple. Nothing is worded here: the trace and its texts are built from those
tuples only when someone reads them.

The semantics are the tree interpreter's, node for node (CONVENTIONS.md, "Unknown is not no"):
every item of ``all`` / ``any`` is evaluated (each leaf is traced), a subtree whose value is known
forgets the missing facts read inside it, a caller figure not supplied makes its leaf unknown and
names the parameter.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import RuleError, UnsuppliedParameterError
from fangfan_rules.facts import Household, Member
from fangfan_rules.logic import UNKNOWN, Missing, Truth, k_and, k_not, k_or
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
    walk,
)
from fangfan_rules.rules.parameters import ParameterValue
from fangfan_rules.rules.rule import Rule
from fangfan_rules.variables import Context, Variable, get_variable

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


#: One evaluated leaf in machine values, worded into a Check only when read: (variable,
#: arguments, member id, value, operator, compared-with value, result, the name of the parameter
#: compared with or None). A plain tuple: cheap.
Recorded = tuple[str, Mapping[str, Any], str | None, Any, str | None, Any, Truth, str | None]


class RuleRun:
    """What evaluating one rule recorded: its leaves, missing facts and parameters, in order."""

    __slots__ = ("checks", "missing", "parameters")

    def __init__(self) -> None:
        self.checks: list[Recorded] = []
        self.missing: list[str] = []
        self.parameters: list[str] = []


class _Resolved(NamedTuple):
    """An operand resolved on one as_of: its value and the parameters read, in order (or, when
    ``unsupplied``, the :class:`UnsuppliedParameterError` it raised)."""

    value: Any
    params: tuple[tuple[str, ParameterValue], ...]
    unsupplied: bool = False


Node = Callable[["Recorder", Member | None], Truth]

_CONTEXT_FIELDS = ("household", "as_of", "member", "population")
_new = object.__new__


def _made_context(
    household: Household, as_of: date, member: Member | None, population: Mapping[Any, Any]
) -> Context:
    """``Context(household, as_of, member, population)`` without the frozen dataclass's
    ``__init__`` (an ``object.__setattr__`` per field): the same fields, set in the same order.

    Why: a context is made for every household and member whose variables a rule reads (each
    member of an ``any_member`` rule, on every row whose texts run it), and the frozen init
    was a third of making one. Used only while Context is the plain dataclass of those four
    fields (:data:`_context`)."""
    ctx = _new(Context)
    fields = ctx.__dict__
    fields["household"] = household
    fields["as_of"] = as_of
    fields["member"] = member
    fields["population"] = population
    return ctx


#: How the evaluator makes a context: :func:`_made_context` while Context is a plain frozen
#: dataclass of exactly those fields, without a ``__post_init__`` or slots; its own init else.
_context: Callable[[Household, date, Member | None, Mapping[Any, Any]], Context] = (
    _made_context
    if tuple(f.name for f in dataclasses.fields(Context)) == _CONTEXT_FIELDS
    and not hasattr(Context, "__post_init__")
    and "__slots__" not in Context.__dict__
    else Context
)


class Recorder:
    """One household's evaluation state: variable values, rules fired, parameters read."""

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
        self.program = program_of(pack)
        self.resolved = self.program.resolved_on(as_of)
        #: variable values by reference index (household) or (index, member id)
        self.cache: dict[Any, Any] = {}
        self.contexts: dict[str | None, Context] = {}
        self.fired: dict[str, Truth] = {}
        self.missing_by_rule: dict[str, list[str]] = {}
        self.params_read: dict[str, ParameterValue] = {}
        self.rule: Rule | None = None
        #: where reads outside a rule's evaluation are noted (never part of a rule's record)
        self.idle = self.run = RuleRun()

    @cached_property
    def members(self) -> list[Member]:
        """The household's members in id order (made when a rule first asks about members)."""
        return sorted(self.household.members, key=lambda m: m.id)

    # -- operands ---------------------------------------------------------------------------
    def resolve(self, operand: Operand) -> Any:
        """The value of ``operand`` on as_of, recording the parameters it reads."""
        read: list[tuple[str, ParameterValue]] = []
        try:
            return self._resolve(operand, read)
        finally:
            self._note_params(read)  # read before a failure too, as each was read

    def operand(self, operand: Operand) -> Any:
        """:meth:`resolve` for an operand of the pack's rules (resolved once per pack and day;
        keyed by identity, so only for operands the compiled program keeps alive)."""
        return self._once(operand, lambda read: self._resolve(operand, read))

    def _once(self, node: object, compute: Callable[[list[Any]], Any]) -> Any:
        resolved = self.resolved.get(id(node))
        if resolved is not None and not resolved.params and not resolved.unsupplied:
            return resolved.value  # the common case: constants and dates, no parameter read
        if resolved is None:
            read: list[tuple[str, ParameterValue]] = []
            try:
                value = compute(read)
            except UnsuppliedParameterError as exc:
                # A caller figure not supplied stays so all day: remembered, the leaf only needs
                # the parameter's name (other errors stop the evaluation and are not kept).
                self.resolved[id(node)] = _Resolved(exc, tuple(read), unsupplied=True)
                raise
            finally:
                self._note_params(read)  # read before a failure too, as each was read
            self.resolved[id(node)] = _Resolved(value, tuple(read))
            return value
        if resolved.params:
            self._note_params(resolved.params)
        if resolved.unsupplied:
            raise resolved.value.with_traceback(None)
        return resolved.value

    def _note_params(self, read: Any) -> None:
        parameters = self.run.parameters
        for name, value in read:
            self.params_read[name] = value
            if name not in parameters:
                parameters.append(name)

    def _resolve(self, operand: Operand, read: list[tuple[str, ParameterValue]]) -> Any:
        if isinstance(operand, Const):
            return operand.value
        if isinstance(operand, RELATIVE_DAYS):
            return relative_day(operand, self.as_of)
        if isinstance(operand, Window):
            return DateRange(
                start=self._resolve(operand.start, read), end=self._resolve(operand.end, read)
            )
        assert isinstance(operand, Param)
        value = self.pack.stated_value(
            operand.name, self.as_of, self.rule.id if self.rule else None
        )
        read.append((operand.name, value))
        return value.value

    def arguments(self, ref: VarRef, variable: Variable) -> Mapping[str, Any]:
        """The arguments of ``ref`` on as_of (resolved once per pack and day)."""

        def compute(read: list[Any]) -> dict[str, Any]:
            args = {name: self._resolve(arg, read) for name, arg in ref.args}
            if variable.enum is not None:
                for name, kind in variable.args.items():
                    if kind == "enum_list":
                        args[name] = tuple(variable.enum(v) for v in args[name])
            return args

        return self._once(ref, compute)  # type: ignore[no-any-return]

    def fetch(self, node: object, compute: Callable[[list[Any]], Any]) -> _Resolved:
        """The record of ``node`` resolved on as_of (computed on first use), its parameters
        noted as read; an unsupplied caller figure is returned (``unsupplied``), not raised: the
        leaves test for it instead of paying for an exception per household."""
        resolved = self.resolved.get(id(node))
        if resolved is None:
            try:
                self._once(node, compute)
            except UnsuppliedParameterError:
                pass  # remembered by _once, with the parameters read before it
            return self.resolved[id(node)]  # type: ignore[no-any-return]
        if resolved.params:
            self._note_params(resolved.params)
        return resolved

    def operand_of(self, operand: Operand) -> _Resolved:
        """:meth:`operand` as a record (see :meth:`fetch`)."""
        return self.fetch(operand, lambda read: self._resolve(operand, read))

    def arguments_of(self, ref: VarRef, variable: Variable) -> _Resolved:
        """:meth:`arguments` as a record (see :meth:`fetch`)."""

        def compute(read: list[Any]) -> dict[str, Any]:
            args = {name: self._resolve(arg, read) for name, arg in ref.args}
            if variable.enum is not None:
                for name, kind in variable.args.items():
                    if kind == "enum_list":
                        args[name] = tuple(variable.enum(v) for v in args[name])
            return args

        return self.fetch(ref, compute)

    def value_of(
        self, key: Any, variable: Variable, member: Member | None, args: Mapping[str, Any]
    ) -> Any:
        """The value of ``variable`` with ``args`` for the household (``member``), cached under
        ``key``, its missing facts noted (computed once per household)."""
        cache = self.cache
        if key in cache:
            value = cache[key]
        else:
            member_id = member.id if member is not None else None
            ctx = self.contexts.get(member_id)
            if ctx is None:
                ctx = self.contexts[member_id] = _context(
                    self.household, self.as_of, member, self.population
                )
            value = cache[key] = variable.compute(ctx, **args)
        if type(value) is Missing:
            missing = self.run.missing
            missing.extend(f for f in value.facts if f not in missing)
        return value

    def read(
        self, index: int, ref: VarRef, variable: Variable, member: Member | None
    ) -> tuple[Any, Mapping[str, Any]]:
        """The value of ``ref`` for the household (or ``member``), computed once per household."""
        args = self.arguments(ref, variable)
        key = index if member is None else (index, member.id)
        return self.value_of(key, variable, member, args), args

    def unsupplied(self, exc: UnsuppliedParameterError) -> Truth:
        """A figure the document leaves to the caller, not supplied: the leaf is unknown and the
        answer names the parameter (when_not_supplied: review)."""
        fact = unsupplied_fact(exc.parameter)
        if fact not in self.run.missing:
            self.run.missing.append(fact)
        if exc.parameter not in self.run.parameters:
            self.run.parameters.append(exc.parameter)
        return UNKNOWN

    # -- rules ------------------------------------------------------------------------------
    def evaluate(self, rule: Rule, node: Node | None = None) -> tuple[Truth, RuleRun]:
        """Run ``rule`` (its compiled ``node``, when the caller has it) and record it."""
        self.rule = rule
        self.run = run = RuleRun()
        value = (node or self.program.condition(rule))(self, None)
        self.fired[rule.id] = value
        self.missing_by_rule[rule.id] = run.missing  # final: nothing appends to it afterwards
        # The rule's record is final: what is read afterwards (a deadline's parameter) is not
        # the rule's, and its trace, built later, must show what it was when evaluated.
        self.run = self.idle
        return value, run


class Program:
    """A pack's conditions as closures, and its operands resolved per as_of."""

    #: as_of days whose resolved operands are kept (a timeline walks a few hundred at most)
    DAYS_KEPT = 512

    def __init__(self) -> None:
        self._conditions: dict[int, tuple[Rule, Node]] = {}
        self._quick: dict[int, tuple[Rule, Node]] = {}
        self._refs: dict[VarRef, int] = {}
        self._days: dict[date, dict[int, _Resolved]] = {}
        #: per as_of, the engine's plan of the pack's rules (which are in force, compiled)
        self.plans: dict[date, Any] = {}
        self._compiling = threading.Lock()

    def resolved_on(self, as_of: date) -> dict[int, Any]:
        days = self._days
        resolved = days.get(as_of)
        if resolved is None:
            if len(days) >= self.DAYS_KEPT:
                days.clear()
            resolved = days[as_of] = {}
        return resolved

    def keep_plan(self, as_of: date, plan: Any) -> Any:
        """Remember the engine's ``plan`` for ``as_of`` (as many days as resolved operands)."""
        if len(self.plans) >= self.DAYS_KEPT:
            self.plans.clear()
        self.plans[as_of] = plan
        return plan

    def condition(self, rule: Rule) -> Node:
        compiled = self._conditions.get(id(rule))
        if compiled is None or compiled[0] is not rule:
            # One compiler at a time: two threads numbering variable references at once could
            # give two references one cache slot.
            with self._compiling:
                compiled = self._conditions.get(id(rule))
                if compiled is None or compiled[0] is not rule:
                    compiled = (rule, self._compile(rule.condition, rule))
                    self._conditions[id(rule)] = compiled
        return compiled[1]

    def quick_condition(self, rule: Rule) -> Node:
        """``rule``'s condition as closures that record nothing and stop as soon as the value
        is settled: the same value and missing facts as :meth:`condition` (a settled subtree
        forgets the missing facts read inside it, so the leaves not read could not add any),
        without the checks and parameters of the trace, which :meth:`condition` records when
        the trace is read."""
        compiled = self._quick.get(id(rule))
        if compiled is None or compiled[0] is not rule:
            with self._compiling:
                compiled = self._quick.get(id(rule))
                if compiled is None or compiled[0] is not rule:
                    compiled = (rule, self._compile_quick(rule.condition))
                    self._quick[id(rule)] = compiled
        return compiled[1]

    def _compile_quick(self, node: Condition) -> Node:
        if isinstance(node, All):
            return _quick_junction([self._compile_quick(i) for i in node.items], settles=False)
        if isinstance(node, AnyOf):
            return _quick_junction([self._compile_quick(i) for i in node.items], settles=True)
        if isinstance(node, Not):
            return _negated(self._compile_quick(node.item))
        if isinstance(node, AnyMember):
            return _quick_any_member(self._compile_quick(node.item))
        if isinstance(node, Fired):
            return _quick_fired(node.rule_ids)
        if isinstance(node, IsTrue):
            return _quick_leaf(self._index(node.var), node.var, get_variable(node.var.name))
        assert isinstance(node, Compare)
        return _quick_leaf(self._index(node.left), node.left, get_variable(node.left.name), node)

    def operands_resolve(self, pack: Pack, as_of: date, rules: Iterable[Rule]) -> bool:
        """Whether every operand of ``rules`` resolves on ``as_of`` (an unsupplied caller figure
        counts: the leaf is unknown); they are resolved now, once for the day. When one fails
        (a figure the document needs and the caller did not give), the engine evaluates every
        leaf that day, so the same leaf raises the same error as always."""
        rec = Recorder.__new__(Recorder)  # no household: operands only
        rec.pack, rec.as_of, rec.rule = pack, as_of, None
        rec.resolved = self.resolved_on(as_of)
        rec.idle = rec.run = RuleRun()
        rec.params_read = {}
        for rule in rules:
            rec.rule = rule
            for node in walk(rule.condition):
                try:
                    if isinstance(node, IsTrue):
                        rec.arguments_of(node.var, get_variable(node.var.name))
                    elif isinstance(node, Compare):
                        rec.arguments_of(node.left, get_variable(node.left.name))
                        rec.operand_of(node.right)
                except Exception:
                    return False
        return True

    def _index(self, ref: VarRef) -> int:
        # Equal references share one cached value per household (as the interpreter's cache key).
        return self._refs.setdefault(ref, len(self._refs))

    def _compile(self, node: Condition, rule: Rule) -> Node:
        if isinstance(node, All | AnyOf):
            return _combined(
                [self._compile(i, rule) for i in node.items],
                k_and if isinstance(node, All) else k_or,
            )
        if isinstance(node, Not):
            return _negated(self._compile(node.item, rule))
        if isinstance(node, AnyMember):
            return _any_member(self._compile(node.item, rule))
        if isinstance(node, Fired):
            return _fired(node.rule_ids)
        if isinstance(node, IsTrue):
            return _leaf(self._index(node.var), node.var, get_variable(node.var.name))
        assert isinstance(node, Compare)
        return _leaf(self._index(node.left), node.left, get_variable(node.left.name), node)


# Each node forgets the missing facts read inside it when its value is known: they could not
# change it ("what would change the answer").


def _combined(items: list[Node], combine: Callable[[list[Truth]], Truth]) -> Node:
    # Every item is evaluated, even after the value is settled: each leaf is traced.
    if combine is k_and:

        def node(rec: Recorder, member: Member | None) -> Truth:
            missing = rec.run.missing
            before = len(missing)
            value: Truth = True
            for item in items:
                v = item(rec, member)
                if v is False:
                    value = False
                elif v is UNKNOWN and value is True:
                    value = UNKNOWN
            if value is not UNKNOWN:
                del missing[before:]
            return value

        return node

    def any_node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        value = combine([item(rec, member) for item in items])
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return any_node


def _negated(item: Node) -> Node:
    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        value = k_not(item(rec, member))
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _any_member(item: Node) -> Node:
    # Members in id order: the answer and its trace never depend on input order.
    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        value = k_or([item(rec, m) for m in rec.members])
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _fired(rule_ids: tuple[str, ...]) -> Node:
    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        values = [rec.fired[r] for r in rule_ids]
        for rule_id, value in zip(rule_ids, values, strict=True):
            if value is UNKNOWN:  # an unknown referenced rule passes on what it was missing
                for fact in rec.missing_by_rule.get(rule_id, ()):
                    if fact not in missing:
                        missing.append(fact)
        result = k_or(values)
        if result is not UNKNOWN:
            del missing[before:]
        return result

    return node


def _leaf(index: int, ref: VarRef, variable: Variable, compare: Compare | None = None) -> Node:
    """A variable that is true (``compare`` None) or a variable compared with an operand."""
    name = ref.name
    op = compare.op if compare is not None else None
    right_operand = compare.right if compare is not None else None
    test = _COMPARE[op] if op is not None else None
    ref_id = id(ref)
    right_id = id(right_operand)
    # The words name the figure compared with ("低于监测收入标准7,000元") when it is a parameter.
    parameter = right_operand.name if isinstance(right_operand, Param) else None

    def node(rec: Recorder, member: Member | None) -> Truth:
        # The operands were resolved once for the day: their records are read here without a
        # call in the common case (no parameter read), and an unsupplied caller figure is a
        # record too (no exception raised per household).
        resolved = rec.resolved
        found = resolved.get(ref_id)
        if found is None or found.params or found.unsupplied:
            found = rec.arguments_of(ref, variable)
            if found.unsupplied:
                return rec.unsupplied(found.value)
        args = found.value
        run = rec.run
        missing = run.missing
        before = len(missing)
        key = index if member is None else (index, member.id)
        value = rec.cache.get(key, _UNREAD)
        if value is _UNREAD:
            value = rec.value_of(key, variable, member, args)
        elif type(value) is Missing:  # read before: its missing facts are this leaf's too
            missing.extend(f for f in value.facts if f not in missing)
        result: Truth
        right: Any = None
        if test is None:
            result = UNKNOWN if type(value) is Missing else value is True
        else:
            found = resolved.get(right_id)
            if found is None or found.params or found.unsupplied:
                found = rec.fetch(right_operand, lambda read: rec._resolve(right_operand, read))  # type: ignore[arg-type]
                if found.unsupplied:
                    return rec.unsupplied(found.value)  # the variable's missing facts stay
            right = found.value
            if type(value) is Missing:
                result = UNKNOWN
            elif value is None:
                result = False  # the thing does not exist (e.g. no certificate): never true
            else:
                try:
                    result = bool(test(value, right))
                except TypeError as exc:
                    rule_id = rec.rule.id if rec.rule else "?"
                    raise RuleError(
                        f"rule {rule_id}: cannot compare {name}={value!r} {op} {right!r}"
                    ) from exc
        run.checks.append(
            (
                name,
                args,
                member.id if member is not None else None,
                value,
                op,
                right,
                result,
                parameter,
            )
        )
        if result is not UNKNOWN:
            del missing[before:]
        return result

    return node


def _quick_junction(items: list[Node], settles: bool) -> Node:
    """all (``settles=False``: one false item settles it) or any (``settles=True``) in Kleene
    logic, stopping at the first item that settles it; the missing facts its items noted are
    kept only when the answer is unknown."""

    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        value: Truth = not settles
        for item in items:
            v = item(rec, member)
            if v is settles:
                del missing[before:]
                return settles
            if v is UNKNOWN:
                value = UNKNOWN
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _quick_any_member(item: Node) -> Node:
    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        value: Truth = False
        for m in rec.members:
            v = item(rec, m)
            if v is True:
                del missing[before:]
                return True
            if v is UNKNOWN:
                value = UNKNOWN
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _quick_fired(rule_ids: tuple[str, ...]) -> Node:
    def node(rec: Recorder, member: Member | None) -> Truth:
        missing = rec.run.missing
        before = len(missing)
        fired = rec.fired
        value: Truth = False
        for rule_id in rule_ids:
            v = fired[rule_id]
            if v is True:
                del missing[before:]
                return True
            if v is UNKNOWN:  # an unknown referenced rule passes on what it was missing
                value = UNKNOWN
                missing.extend(f for f in rec.missing_by_rule.get(rule_id, ()) if f not in missing)
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _quick_leaf(
    index: int, ref: VarRef, variable: Variable, compare: Compare | None = None
) -> Node:
    """:func:`_leaf` recording nothing: the value and the missing facts only (the parameters
    read are the recorded leaf's).

    A leaf adds missing facts only when its value is missing, and its result is then unknown:
    it never has any of its own to forget (the recording leaf's ``del`` is a no-op here)."""
    name = ref.name
    op = compare.op if compare is not None else None
    right_operand = compare.right if compare is not None else None
    test = _COMPARE[op] if op is not None else None
    ref_id = id(ref)
    right_id = id(right_operand)
    compute = variable.compute

    def value_of(rec: Recorder, member: Member | None, args: Mapping[str, Any]) -> Any:
        # Recorder.value_of without its missing facts (noted by the caller): computed once per
        # household, in a context made once per member.
        member_id = member.id if member is not None else None
        ctx = rec.contexts.get(member_id)
        if ctx is None:
            ctx = rec.contexts[member_id] = _context(
                rec.household, rec.as_of, member, rec.population
            )
        return compute(ctx, **args) if args else compute(ctx)

    def node(rec: Recorder, member: Member | None) -> Truth:
        found = rec.resolved.get(ref_id)
        if found is None or found.unsupplied:
            found = rec.arguments_of(ref, variable)
            if found.unsupplied:
                return rec.unsupplied(found.value)
        cache = rec.cache
        if member is None:
            value = cache.get(index, _UNREAD)
            if value is _UNREAD:
                value = cache[index] = value_of(rec, None, found.value)
        else:
            key = (index, member.id)
            value = cache.get(key, _UNREAD)
            if value is _UNREAD:
                value = cache[key] = value_of(rec, member, found.value)
        if type(value) is Missing:
            missing = rec.run.missing
            missing.extend(f for f in value.facts if f not in missing)
            if test is not None:
                found = rec.resolved.get(right_id)
                if found is None or found.unsupplied:
                    found = rec.operand_of(right_operand)  # type: ignore[arg-type]
                    if found.unsupplied:
                        return rec.unsupplied(found.value)  # the variable's missing facts stay
            return UNKNOWN
        if test is None:
            return value is True
        found = rec.resolved.get(right_id)
        if found is None or found.unsupplied:
            found = rec.operand_of(right_operand)  # type: ignore[arg-type]
            if found.unsupplied:
                return rec.unsupplied(found.value)
        if value is None:
            return False  # the thing does not exist (e.g. no certificate): never true
        try:
            return bool(test(value, found.value))
        except TypeError as exc:
            rule_id = rec.rule.id if rec.rule else "?"
            raise RuleError(
                f"rule {rule_id}: cannot compare {name}={value!r} {op} {found.value!r}"
            ) from exc

    return node


#: a variable value not computed yet for the household (None is a value)
_UNREAD = object()

_PROGRAMS: weakref.WeakKeyDictionary[Pack, Program] = weakref.WeakKeyDictionary()


def program_of(pack: Pack) -> Program:
    """The compiled program of ``pack`` (compiled on first use; a pack is immutable)."""
    program = _PROGRAMS.get(pack)
    if program is None:
        program = _PROGRAMS[pack] = Program()
    return program
