"""The registry of variables: named values derived from facts at an ``as_of`` date.

Variables are defined once, in the core, so that two packs saying "人均纯收入" mean the same
computation. A rule refers to a variable by name (and arguments such as a date window); a variable
returns a value, ``None`` when the thing does not exist (no disability certificate → no date), or
:class:`~fangfan_rules.logic.Missing` when the facts needed are unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from fangfan_rules.errors import RuleError
from fangfan_rules.facts import Household, Member
from fangfan_rules.logic import Missing

Level = Literal["household", "member"]
#: Value types; columnar engines use them to choose column dtypes.
ValueType = Literal["bool", "money", "int", "date", "enum", "set"]
#: Argument types a rule may pass.
ArgType = Literal["window", "date", "enum_list", "enum", "int", "money"]


@dataclass(frozen=True)
class Context:
    """What a variable sees: the household as known on ``as_of`` and, for member variables, one member."""

    household: Household
    as_of: date
    member: Member | None = None
    #: values of population-level variables for this household, computed once per batch
    population: Mapping[tuple[str, str], Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable:
    """A named, documented derived value."""

    name: str
    level: Level
    value_type: ValueType
    label_zh: str
    label_en: str
    compute: Callable[..., Any]
    args: Mapping[str, ArgType] = field(default_factory=dict)
    enum: type | None = None  # the enum of an "enum"/"enum_list" value or argument
    #: population-level variables: ``batch(views, as_of, **args) -> (values by household id, stats)``
    batch: Callable[..., Any] | None = None

    def __call__(self, ctx: Context, **kwargs: Any) -> Any:
        return self.compute(ctx, **kwargs)

    def label(self, lang: str, args: Mapping[str, str] | None = None) -> str:
        template = self.label_zh if lang == "zh" else self.label_en
        return (
            template.format(**(args or {})) if args else template.replace("{", "").replace("}", "")
        )


VARIABLES: dict[str, Variable] = {}


def variable(
    name: str,
    *,
    level: Level = "household",
    value_type: ValueType,
    zh: str,
    en: str,
    args: Mapping[str, ArgType] | None = None,
    enum: type | None = None,
    batch: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(ctx, **args)`` as variable ``name`` (``batch`` for population-level ones)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in VARIABLES:
            raise RuleError(f"variable {name!r} defined twice")
        VARIABLES[name] = Variable(
            name, level, value_type, zh, en, fn, dict(args or {}), enum, batch
        )
        return fn

    return register


def get_variable(name: str) -> Variable:
    try:
        return VARIABLES[name]
    except KeyError:
        known = ", ".join(sorted(VARIABLES))
        raise RuleError(f"unknown variable {name!r}; known variables: {known}") from None


def known(value: object, fact: str) -> object:
    """``value``, or :class:`~fangfan_rules.logic.Missing` naming ``fact`` when it is None."""
    return Missing((fact,)) if value is None else value
