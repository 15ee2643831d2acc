"""A pack's edges, read from its own parameters and rules: where property tests should look.

Every threshold a pack states is a comparison in one of its rules (``per_capita_net_income lt
{param: monitoring_income_line}``, ``age ge 60``, ``disability_certificate_date ge {param:
new_since}``). :func:`pack_edges` collects them, with each parameter's values in every period
(and the caller's figure when supplied), so the strategies draw facts on that pack's edges and
a pack written by a third party gets the same without any constant in this library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from fangfan_rules.dates import DateRange, month_end, month_start
from fangfan_rules.rules.conditions import (
    RELATIVE_DAYS,
    Compare,
    Const,
    IsTrue,
    Operand,
    Param,
    Window,
    relative_day,
    walk,
)
from fangfan_rules.variables import get_variable
from fangfan_rules.variables.feeds import FEED_VARIABLES, certain_feed_day, last_feed_day
from fangfan_rules.variables.lookback import lookback_window
from fangfan_rules.vocabulary import CareType, ExpenditureKind

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

__all__ = ["PackEdges", "SpendingSum", "Threshold", "pack_edges"]

_DAY = timedelta(days=1)
_FEN = Decimal("0.01")
ThresholdKind = Literal["money", "int", "date"]


@dataclass(frozen=True)
class Threshold:
    """One stated threshold: ``variable op value`` in rule ``rule_id``.

    ``source`` is the parameter it comes from (``None`` for a figure written in the rule).
    """

    rule_id: str
    variable: str
    op: str
    kind: ThresholdKind
    value: Decimal | int | date
    source: str | None
    population: bool  # read from a whole village (嘎查村) or area, not from one household

    def side(self, value: Decimal | int | date) -> Literal["below", "on", "above"]:
        """Where ``value`` lies with respect to this threshold."""
        if value == self.value:
            return "on"
        return "below" if value < self.value else "above"  # type: ignore[operator]


@dataclass(frozen=True)
class PackEdges:
    """What :func:`pack_edges` reads from a pack (every tuple sorted, without repeats)."""

    pack: str
    thresholds: tuple[Threshold, ...]
    #: every money threshold − 0.01, on it and + 0.01
    money: tuple[Decimal, ...]
    #: every count threshold − 1, on it and + 1 (never negative)
    counts: tuple[int, ...]
    #: every date parameter and date threshold − 1 day, on it and + 1 day, and window ends
    dates: tuple[date, ...]
    #: every window parameter's value (income periods, 上年度, 2023年 …)
    windows: tuple[DateRange, ...]
    #: ages (whole years) compared against (``age ge 60``: 60)
    ages: tuple[int, ...]
    #: per variable, the enum values its rules compare against (``hukou eq rural``)
    enums: dict[str, tuple[Any, ...]]
    #: the variables the pack's rules read
    variables: frozenset[str]
    #: per enum (ExpenditureKind, RiskType, CareType, ClueKind, Department…), the values the
    #: rules select facts by (``kinds: [medical]``, ``departments: [medical_insurance]``)
    selected: dict[type, tuple[Any, ...]]
    #: every money threshold on a sum of spending, with the days and records it sums
    sums: tuple[SpendingSum, ...] = field(default=())


@dataclass(frozen=True)
class SpendingSum:
    """A stated money threshold on a sum of rigid spending: what records it adds up, over which
    days, so the strategies can draw spending whose sum lands on the threshold's edges.

    ``part`` is the amount each record adds: ``"self_paid"`` (合规自付, records of ``kinds``) or
    ``"burden"`` (个人负担 = total − reimbursed, medical records of care type ``care``).
    """

    threshold: Threshold
    window: DateRange
    part: Literal["self_paid", "burden"]
    kinds: tuple[ExpenditureKind, ...]
    care: tuple[CareType, ...]


def _values(pack: Pack, name: str) -> Iterator[Any]:
    """Every value ``name`` takes (each period, and the caller's figure), except 'not stated'."""
    if name in pack.overrides:
        yield pack.overrides[name].value
    for value in pack.parameters[name].values:
        if value.stated:
            yield value.value


def _kind(variable: str) -> ThresholdKind | None:
    value_type = get_variable(variable).value_type
    return value_type if value_type in ("money", "int", "date") else None  # type: ignore[return-value]


#: Variables that compare with a threshold given as an argument, not as the rule's operand:
#: argument name and the comparison it makes (medical_burden_feed_open: the year's sum 超过 it).
_ARGUMENT_THRESHOLDS: dict[str, tuple[str, str]] = {"medical_burden_feed_open": ("threshold", "gt")}


def _thresholds(pack: Pack) -> Iterator[Threshold]:
    for rule in (*pack.rules, *pack.elimination):
        for node in walk(rule.condition):
            ref = getattr(node, "left", None) or getattr(node, "var", None)
            if ref is not None and ref.name in _ARGUMENT_THRESHOLDS:
                yield from _argument_thresholds(pack, rule.id, ref)
            if not isinstance(node, Compare):
                continue
            kind = _kind(node.left.name)
            if kind is None:
                continue
            population = get_variable(node.left.name).args.get("area") is not None or (
                node.left.name.startswith(("village_", "area_"))
            )
            # as_of-relative operands move with as_of: the date strategies cover them
            for value, source in _stated(pack, node.right):
                if kind == "money":
                    value = Decimal(str(value)).quantize(_FEN)
                elif kind == "int" and not isinstance(value, int):
                    continue
                elif kind == "date" and not isinstance(value, date):
                    continue
                yield Threshold(rule.id, node.left.name, node.op, kind, value, source, population)


def _argument_thresholds(pack: Pack, rule_id: str, ref: Any) -> Iterator[Threshold]:
    name, op = _ARGUMENT_THRESHOLDS[ref.name]
    for key, arg in ref.args:
        for value, source in _stated(pack, arg) if key == name else ():
            money = Decimal(str(value)).quantize(_FEN)
            yield Threshold(rule_id, ref.name, op, "money", money, source, False)


def _stated(pack: Pack, operand: Operand) -> list[tuple[Any, str | None]]:
    """A stated figure's values with the parameter they come from (None: written in the rule);
    none for an operand that moves with as_of."""
    if isinstance(operand, Param):
        return [(v, operand.name) for v in _values(pack, operand.name)]
    if isinstance(operand, Const):
        return [(operand.value, None)]
    return []


def _day(pack: Pack, operand: Operand, as_of: date | None) -> list[date]:
    """The days an operand stands for (each period's value of a date parameter)."""
    if isinstance(operand, RELATIVE_DAYS):
        return [] if as_of is None else [relative_day(operand, as_of)]
    if isinstance(operand, Param):
        return [v for v in _values(pack, operand.name) if isinstance(v, date)]
    if isinstance(operand, Const) and isinstance(operand.value, date):
        return [operand.value]
    return []


def _relative(pack: Pack, as_of: date | None) -> tuple[set[DateRange], set[date]]:
    """Windows and days written in the rules' arguments (``{from: {as_of_minus: {months: 12}},
    to: as_of}``, ``{month_start: {back: 1}}``…), resolved on ``as_of`` when given."""
    windows: set[DateRange] = set()
    days: set[date] = set()
    for rule in (*pack.rules, *pack.elimination):
        for node in walk(rule.condition):
            ref = (
                node.left
                if isinstance(node, Compare)
                else node.var
                if isinstance(node, IsTrue)
                else None
            )
            if ref is None:
                continue
            operands = [arg for _, arg in ref.args]
            if ref.name == "per_capita_net_income_months_back" and as_of is not None:
                # an as_of-relative window written as a month count: the 12 months ending on as_of
                for key, arg in ref.args:
                    if key == "months" and isinstance(arg, Const) and isinstance(arg.value, int):
                        windows.add(DateRange.months_back(as_of, arg.value))
            if ref.name in FEED_VARIABLES and as_of is not None:
                # a feed item is read up to the end of as_of's previous month (the day after is
                # the first not yet fed), certainly at the town up to certain_feed_day, and a
                # department warning received since the 1st of as_of's month tells that last
                # month's has arrived: fangfan_rules.variables.feeds
                days.add(last_feed_day(as_of))
                days.add(month_start(as_of))
                for key, arg in ref.args:
                    if key == "due_day":  # a constant or the pack's parameter (jimo's 7th)
                        for due in _arg_values(pack, arg, as_of):
                            if isinstance(due, int):
                                days.add(certain_feed_day(as_of, due))
            if isinstance(node, Compare):
                operands.append(node.right)
            for operand in operands:
                if isinstance(operand, Window):
                    for start in _day(pack, operand.start, as_of):
                        for end in _day(pack, operand.end, as_of):
                            if start <= end:
                                windows.add(DateRange(start=start, end=end))
                    days.update(_day(pack, operand.start, as_of))
                    days.update(_day(pack, operand.end, as_of))
                else:
                    days.update(_day(pack, operand, as_of))
    return windows, days


def pack_edges(pack: Pack, as_of: date | None = None) -> PackEdges:
    """The edges of ``pack`` (its parameters in every period, its rules' comparisons).

    With ``as_of``, the windows and days the rules state relative to it (the 12 months before,
    the previous calendar month…) are resolved on that day and included too.

    >>> from fangfan_rules import load_pack
    >>> edges = pack_edges(load_pack("jimo_2022"))
    >>> [str(m) for m in edges.money if 19999 < m < 20001]
    ['19999.99', '20000.00', '20000.01']
    >>> edges.ages
    (18, 60)
    """
    thresholds = tuple(dict.fromkeys(_thresholds(pack)))
    money: set[Decimal] = set()
    counts: set[int] = set()
    days: set[date] = set()
    ages: set[int] = set()
    for t in thresholds:
        value = t.value
        if isinstance(value, Decimal):
            money |= {value - _FEN, value, value + _FEN}
        elif isinstance(value, int) and t.variable == "age":
            ages.add(value)
        elif isinstance(value, int):
            counts |= {n for n in (value - 1, value, value + 1) if n >= 0}
        else:
            days |= {value - _DAY, value, value + _DAY}
    windows: set[DateRange] = set()
    for name in pack.needed_parameters():
        for value in _values(pack, name):
            if isinstance(value, DateRange):
                windows.add(value)
                days |= {value.start - _DAY, value.start, value.end, value.end + _DAY}
            elif isinstance(value, date):
                days |= {value - _DAY, value, value + _DAY}
    relative_windows, relative_days = _relative(pack, as_of)
    windows |= relative_windows
    for day in relative_days:
        days |= {day - _DAY, day, day + _DAY}
    days |= {pack.valid_from - _DAY, pack.valid_from}
    enums: dict[str, set[Any]] = {}
    variables: set[str] = set()
    selected: dict[type, set[Any]] = {}
    for rule in (*pack.rules, *pack.elimination):
        for node in walk(rule.condition):
            ref = getattr(node, "left", None) or getattr(node, "var", None)
            if ref is not None:
                variables.add(ref.name)
                for found in _selected(ref):
                    selected.setdefault(type(found), set()).add(found)
            if isinstance(node, Compare) and isinstance(node.right, Const):
                enum = get_variable(node.left.name).enum
                found = node.right.value
                for value in found if isinstance(found, tuple) else (found,):
                    if enum is not None and isinstance(value, str):
                        enums.setdefault(node.left.name, set()).add(enum(value))
    return PackEdges(
        pack=pack.name,
        thresholds=thresholds,
        money=tuple(sorted(money)),
        counts=tuple(sorted(counts)),
        dates=tuple(sorted(days)),
        windows=tuple(sorted(windows, key=lambda w: (w.start, w.end))),
        ages=tuple(sorted(ages)),
        enums={k: tuple(sorted(v, key=str)) for k, v in sorted(enums.items())},
        variables=frozenset(variables),
        selected={k: tuple(sorted(v, key=str)) for k, v in selected.items()},
        sums=tuple(dict.fromkeys(_sums(pack, thresholds, as_of))),
    )


# How each spending-sum variable picks its days (fangfan_rules.variables: household, lookback,
# status, warnings), from its resolved arguments and as_of. A window argument is the window; the
# others are read from as_of alone, so they are known only when as_of is given.
_WindowOf = Callable[[dict[str, Any], date], DateRange | None]


def _year_through(args: dict[str, Any], as_of: date) -> DateRange:
    end = month_end(as_of, args["back"])
    return DateRange(start=end.replace(month=1, day=1), end=end)


def _year_before(args: dict[str, Any], as_of: date) -> DateRange | None:
    first = month_start(as_of, args["back"])
    if first.month == 1:  # nothing of that calendar year comes before January
        return None
    return DateRange(start=first.replace(month=1), end=first - _DAY)


_SUM_WINDOWS: dict[str, tuple[Literal["self_paid", "burden"], _WindowOf]] = {
    "compliant_self_paid": ("self_paid", lambda args, as_of: args["window"]),
    "compliant_self_paid_on_record": (
        "self_paid",
        lambda args, as_of: DateRange(start=date(1900, 1, 1), end=as_of),
    ),
    "compliant_self_paid_within": (
        "self_paid",
        lambda args, as_of: lookback_window(as_of, args["months"]),
    ),
    "compliant_self_paid_since": (
        "self_paid",
        lambda args, as_of: (
            DateRange(start=args["since"], end=as_of) if args["since"] <= as_of else None
        ),
    ),
    "medical_personal_burden": ("burden", lambda args, as_of: args["window"]),
    "medical_personal_burden_year_to_date": (
        "burden",
        lambda args, as_of: DateRange(start=as_of.replace(month=1, day=1), end=as_of),
    ),
    "medical_burden_through_month": ("burden", _year_through),
    "medical_burden_before_month": ("burden", _year_before),
    # the feed item is the day the year's sum went over: the sum through the last fed day
    "medical_burden_feed_open": (
        "burden",
        lambda args, as_of: DateRange(
            start=last_feed_day(as_of).replace(month=1, day=1), end=last_feed_day(as_of)
        ),
    ),
}


def _arg_values(pack: Pack, operand: Operand, as_of: date | None) -> list[Any]:
    """Every value an argument stands for (a window parameter's periods, a window's ends…)."""
    if isinstance(operand, Window):
        return [
            DateRange(start=start, end=end)
            for start in _day(pack, operand.start, as_of)
            for end in _day(pack, operand.end, as_of)
            if start <= end
        ]
    if isinstance(operand, Param):
        return list(_values(pack, operand.name))
    if isinstance(operand, Const):
        return [operand.value]
    return _day(pack, operand, as_of)


def _sums(
    pack: Pack, thresholds: tuple[Threshold, ...], as_of: date | None
) -> Iterator[SpendingSum]:
    by_rule: dict[tuple[str, str, str], list[Threshold]] = {}
    for t in thresholds:
        by_rule.setdefault((t.rule_id, t.variable, t.op), []).append(t)
    for rule in (*pack.rules, *pack.elimination):
        for node in walk(rule.condition):
            ref = getattr(node, "left", None) or getattr(node, "var", None)
            if ref is None or ref.name not in _SUM_WINDOWS:
                continue
            if isinstance(node, Compare):
                op = node.op
            elif ref.name in _ARGUMENT_THRESHOLDS:
                op = _ARGUMENT_THRESHOLDS[ref.name][1]
            else:
                continue
            part, window_of = _SUM_WINDOWS[ref.name]
            found = by_rule.get((rule.id, ref.name, op), [])
            choices: list[dict[str, Any]] = [{}]
            for name, arg in ref.args:
                values = _arg_values(pack, arg, as_of)
                choices = [{**c, name: v} for c in choices for v in values]
            selected = tuple(_selected(ref))
            kinds = tuple(v for v in selected if isinstance(v, ExpenditureKind))
            care = tuple(v for v in selected if isinstance(v, CareType))
            for args in choices:
                if as_of is None and "window" not in args:
                    continue  # read from as_of: unknown until as_of is given
                window = window_of(args, as_of or date.min)
                if not isinstance(window, DateRange):
                    continue
                for t in found:
                    yield SpendingSum(t, window, part, kinds, care)


def _selected(ref: Any) -> Iterator[Any]:
    """The enum values a variable's arguments select facts by (``kinds: [medical]``)."""
    variable = get_variable(ref.name)
    for name, arg in ref.args:
        if variable.args.get(name) not in ("enum", "enum_list") or not isinstance(arg, Const):
            continue
        values = arg.value if isinstance(arg.value, tuple) else (arg.value,)
        for value in values:
            enum = variable.enum
            if enum is not None and isinstance(value, str):
                try:
                    yield enum(value)
                except ValueError:
                    continue
