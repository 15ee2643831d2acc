"""Which facts a spreadsheet column can fill, and what kind of cell each one needs.

The lists come from the fact models themselves (:mod:`fangfan_rules.facts`), so a field added to
``Household`` or ``Member`` can be mapped without touching this package, and a mapping can never
name a field the schema does not have.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from fangfan_rules.errors import validation_message
from fangfan_rules.facts import (
    Expenditure,
    Household,
    IncomeRecord,
    Member,
    RiskEvent,
    SocialAssistance,
)

#: How a cell is read: text as written, an amount in yuan, a date, a whole number, an ID number,
#: or a word looked up in the mapping's vocabulary (enums, yes/no, several facts at once).
CellKind = Literal["text", "money", "date", "integer", "id_number", "words"]

#: The dated records a row can carry, by the household field they are appended to.
RECORD_MODELS: dict[str, type[BaseModel]] = {
    "income": IncomeRecord,
    "social_assistance": SocialAssistance,
    "expenditures": Expenditure,
    "risk_events": RiskEvent,
}

# Household fields that are lists of records (filled by ``records:``) or that no sheet carries.
_NOT_A_COLUMN = frozenset(
    {
        "members",
        "income",
        "social_assistance",
        "expenditures",
        "risk_events",
        "monitoring",
        "clues",
        "renovations",
        "judgement",
        "tags",
        "diseases",
        "child_status",
        "synthetic",
    }
)


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X`` (a blank cell is how a sheet says *unknown*)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(model: type[BaseModel], prefix: str, out: dict[str, Any]) -> None:
    for name, info in model.model_fields.items():
        if name in _NOT_A_COLUMN:
            continue
        annotation = _unwrap(info.annotation)
        path = f"{prefix}{name}"
        out[path] = annotation
        if _is_model(annotation):
            _walk(annotation, f"{path}.", out)


@cache
def household_fields() -> dict[str, Any]:
    """Dotted household paths a column may fill (``area.county``, ``guarantees.housing_grade``)."""
    out: dict[str, Any] = {}
    _walk(Household, "", out)
    return out


@cache
def member_fields() -> dict[str, Any]:
    """Dotted member paths a column may fill (``relation``, ``health.chronic_illness``)."""
    out: dict[str, Any] = {}
    _walk(Member, "", out)
    return out


@cache
def record_fields(into: str) -> dict[str, Any]:
    """The fields of one kind of dated record (``income``: ``wage_income``…)."""
    out: dict[str, Any] = {}
    _walk(RECORD_MODELS[into], "", out)
    return out


def cell_kind(path: str, annotation: Any) -> CellKind:
    """The kind of cell a field needs; enums, booleans and whole objects need words."""
    if path.endswith("id_number"):
        return "id_number"
    origin = typing.get_origin(annotation)
    base = typing.get_args(annotation)[0] if origin is typing.Annotated else annotation
    if base is Decimal:
        return "money"
    if base is dt.date:
        return "date"
    if base is int:
        return "integer"
    if base is str:
        return "text"
    return "words"


def is_object(annotation: Any) -> bool:
    """A field that is a whole fact (``health``): its words map to several sub-facts at once."""
    return _is_model(annotation)


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def check_word_value(annotation: Any, value: Any) -> str | None:
    """Why ``value`` cannot fill a field of ``annotation`` (None: it can)."""
    if value is None:
        return None
    if _is_model(annotation):
        if not isinstance(value, dict):
            return f"{value!r} is not an object of {annotation.__name__} fields"
        for key, sub in value.items():
            info = annotation.model_fields.get(key)
            if info is None or key in _NOT_A_COLUMN:
                return f"{annotation.__name__} has no field {key!r}"
            problem = check_word_value(_unwrap(info.annotation), sub)
            if problem:
                return f"{key}: {problem}"
        return None
    if isinstance(value, dict):
        return f"{value!r}: an object, but the field takes one value"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        allowed = [m.value for m in annotation]
        return None if value in allowed else f"{value!r} is not one of {allowed}"
    try:
        _adapter(annotation).validate_python(value, strict=True)
    except ValidationError as exc:  # its first problem, without pydantic's type / input suffix
        return f"{value!r}: {validation_message(exc.errors(include_url=False)[0])}"
    return None
