"""The condition language: small enough to interpret, compile to columns and to durable_rules.

A condition is plain data (what a pack's YAML holds), parsed into an immutable tree:

- ``{var: NAME, args: {...}, OP: OPERAND}`` — compare a variable with an operand; OP is one of
  ``eq ne lt le gt ge in not_in contains``;
- ``{var: NAME}`` — a boolean variable is true;
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}`` — Kleene and / or / not;
- ``{any_member: COND}`` — some member satisfies COND (member-level variables only inside);
- ``{fired: [RULE_ID, ...]}`` — one of these rules of the same pack fired (evaluated first).

An OPERAND (and an argument value) is a literal, ``{param: NAME}`` (a pack parameter, read with
its dated value and citation), ``as_of`` (the evaluation date), ``{as_of_minus: {months: M,
days: D}}`` (as_of moved back), ``{month_start: {back: N}}`` / ``{month_end: {back: N}}`` (the
first / last day of the calendar month N months before as_of's: "上月" is ``back: 1``) or, for
window arguments, ``{from: OPERAND, to: OPERAND}``. Anything else is a :class:`~fangfan_rules.errors.RuleError` at
pack load, naming the rule. If a rule needs more, add a variable to the core.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from fangfan_rules.dates import month_end, month_start
from fangfan_rules.errors import RuleError
from fangfan_rules.variables import get_variable

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains")


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class AsOf:
    pass


@dataclass(frozen=True)
class AsOfMinus:
    """``as_of`` moved back by whole months and/or days (e.g. "上月" feeds, "N days before")."""

    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class MonthEdge:
    """The first or last day of the calendar month ``back`` months before as_of's month.

    "上月" / "每月N日前…上月新增" is the previous calendar month (CONVENTIONS.md), not the 30 days
    before as_of: ``MonthEdge(1, "start")``..``MonthEdge(1, "end")`` on 2022-05-10 is
    2022-04-01..2022-04-30.
    """

    back: int
    edge: Literal["start", "end"]


def relative_day(operand: AsOf | AsOfMinus | MonthEdge, as_of: date) -> date:
    """The date an as_of-relative operand stands for (one definition for every engine)."""
    if isinstance(operand, AsOf):
        return as_of
    if isinstance(operand, AsOfMinus):
        return as_of - relativedelta(months=operand.months, days=operand.days)
    if operand.edge == "start":
        return month_start(as_of, operand.back)
    return month_end(as_of, operand.back)


@dataclass(frozen=True)
class Window:
    start: Operand
    end: Operand


Operand = Const | Param | AsOf | AsOfMinus | MonthEdge | Window
#: Operands whose value is a date computed from as_of alone.
RELATIVE_DAYS = (AsOf, AsOfMinus, MonthEdge)


@dataclass(frozen=True)
class VarRef:
    name: str
    args: tuple[tuple[str, Operand], ...] = ()


@dataclass(frozen=True)
class Compare:
    left: VarRef
    op: str
    right: Operand


@dataclass(frozen=True)
class IsTrue:
    var: VarRef


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class AnyMember:
    item: Condition


@dataclass(frozen=True)
class Fired:
    rule_ids: tuple[str, ...]


Condition = Compare | IsTrue | All | AnyOf | Not | AnyMember | Fired


#: The deepest condition tree accepted (the packs nest 4 levels; a pack is untrusted input).
MAX_CONDITION_DEPTH = 32


def parse_condition(
    data: Any, *, rule_id: str, member_level: bool = False, depth: int = 0
) -> Condition:
    """Parse and type-check a condition; errors name the rule."""

    def fail(message: str) -> RuleError:
        shown = repr(data)
        return RuleError(
            f"rule {rule_id}: {message} (in {shown[:300]}{'…' if len(shown) > 300 else ''})"
        )

    if depth > MAX_CONDITION_DEPTH:
        raise RuleError(
            f"rule {rule_id}: condition nested deeper than {MAX_CONDITION_DEPTH} levels"
        )

    if not isinstance(data, Mapping):
        raise fail("a condition must be a mapping")
    keys = set(data)
    for combinator in ("all", "any"):
        if keys == {combinator}:
            items = data[combinator]
            if not isinstance(items, list) or not items:
                raise fail(f"'{combinator}' needs a non-empty list")
            parsed = tuple(
                parse_condition(i, rule_id=rule_id, member_level=member_level, depth=depth + 1)
                for i in items
            )
            return All(parsed) if combinator == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(
            parse_condition(
                data["not"], rule_id=rule_id, member_level=member_level, depth=depth + 1
            )
        )
    if keys == {"any_member"}:
        if member_level:
            raise fail("'any_member' cannot be nested")
        return AnyMember(
            parse_condition(data["any_member"], rule_id=rule_id, member_level=True, depth=depth + 1)
        )
    if keys == {"fired"}:
        ids = data["fired"]
        if isinstance(ids, str):
            ids = [ids]
        if not ids or not all(isinstance(i, str) for i in ids):
            raise fail("'fired' needs a rule id or a list of rule ids")
        return Fired(tuple(ids))
    if "var" not in keys:
        raise fail("unknown condition form")
    try:
        variable = get_variable(str(data["var"]))
    except RuleError as exc:
        raise fail(str(exc)) from None
    expected_level = "member" if member_level else "household"
    if variable.level != expected_level:
        where = "inside any_member" if member_level else "outside any_member"
        raise fail(f"variable {variable.name!r} is {variable.level}-level, used {where}")
    raw_args = data.get("args", {}) or {}
    if set(raw_args) != set(variable.args):
        raise fail(f"variable {variable.name!r} takes arguments {sorted(variable.args)}")
    args = tuple(
        (name, _operand(raw_args[name], fail, window=variable.args[name] == "window"))
        for name in sorted(raw_args)
    )
    ref = VarRef(variable.name, args)
    for name, arg in args:
        if variable.args[name] in ("enum_list", "enum") and isinstance(arg, Const):
            _check_enum(variable.enum, arg.value, fail)
    ops = keys - {"var", "args"}
    if not ops:
        if variable.value_type != "bool":
            raise fail(f"variable {variable.name!r} is not boolean: compare it with an operator")
        return IsTrue(ref)
    if len(ops) != 1 or next(iter(ops)) not in OPERATORS:
        raise fail(f"expected exactly one operator of {OPERATORS}")
    op = next(iter(ops))
    right = _operand(data[op], fail, window=False)
    if variable.value_type in ("enum", "set") and isinstance(right, Const):
        _check_enum(variable.enum, right.value, fail)
    return Compare(ref, op, right)


def _check_enum(enum: Any, value: Any, fail: Any) -> None:
    for item in value if isinstance(value, tuple) else (value,):
        try:
            enum(item)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise fail(f"{item!r} is not a {enum.__name__} ({allowed})") from None


def _operand(data: Any, fail: Any, *, window: bool) -> Operand:
    if data == "as_of":
        return AsOf()
    if isinstance(data, Mapping):
        if set(data) == {"param"}:
            return Param(str(data["param"]))
        if set(data) == {"as_of_minus"} and isinstance(data["as_of_minus"], Mapping):
            offset = data["as_of_minus"]
            if not set(offset) <= {"months", "days"} or not all(
                isinstance(v, int) and v >= 0 for v in offset.values()
            ):
                raise fail(f"as_of_minus takes non-negative months / days: {offset!r}")
            return AsOfMinus(months=offset.get("months", 0), days=offset.get("days", 0))
        for edge in ("start", "end"):
            key = f"month_{edge}"
            if set(data) == {key}:
                spec = data[key]
                back = spec.get("back") if isinstance(spec, Mapping) else None
                if set(spec or {}) != {"back"} or not isinstance(back, int) or back < 0:
                    raise fail(f"{key} takes {{back: N}} with N ≥ 0 months: {spec!r}")
                return MonthEdge(back=back, edge=edge)  # type: ignore[arg-type]
        if window and set(data) == {"from", "to"}:
            return Window(
                _operand(data["from"], fail, window=False), _operand(data["to"], fail, window=False)
            )
        raise fail(f"unknown operand {data!r}")
    if isinstance(data, list):
        return Const(tuple(data))
    return Const(data)


def walk(condition: Condition) -> Iterator[Condition]:
    """Every node of a condition tree, depth first."""
    yield condition
    if isinstance(condition, All | AnyOf):
        for item in condition.items:
            yield from walk(item)
    elif isinstance(condition, Not | AnyMember):
        yield from walk(condition.item)


def operands(condition: Condition) -> Iterator[Operand]:
    """Every operand (including argument values) of a condition tree."""
    for node in walk(condition):
        refs: list[VarRef] = []
        if isinstance(node, Compare):
            refs.append(node.left)
            yield from _expand(node.right)
        elif isinstance(node, IsTrue):
            refs.append(node.var)
        for ref in refs:
            for _, arg in ref.args:
                yield from _expand(arg)


def _expand(operand: Operand) -> Iterator[Operand]:
    if isinstance(operand, Window):
        yield from _expand(operand.start)
        yield from _expand(operand.end)
    else:
        yield operand


def parameters_used(condition: Condition) -> frozenset[str]:
    return frozenset(o.name for o in operands(condition) if isinstance(o, Param))


def rules_referenced(condition: Condition) -> frozenset[str]:
    return frozenset(i for n in walk(condition) if isinstance(n, Fired) for i in n.rule_ids)
