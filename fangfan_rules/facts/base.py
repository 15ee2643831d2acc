"""The common configuration of every fact model: strict, immutable, and safe to print.

* Unknown fields are errors (a typo is not silently ignored); values are parsed in the
  documented forms only (:mod:`fangfan_rules.facts.forms`, :mod:`fangfan_rules.money`).
* ASCII blanks around a text value are ignored, in every field (enums, dates and amounts too),
  exactly as around a cell of a table (the columnar validation strips the same characters).
* A ``ValidationError`` leaving a fact model never carries an ID number: its messages, locations
  and inputs are masked, and the original error is not chained (pydantic keeps the raw input in
  ``errors()`` and ``json()``; ``hide_input_in_errors`` hides it from ``str()`` only).
* ``repr`` / ``str`` and ``model_dump`` / ``model_dump_json`` mask ID numbers wherever they
  appear (a household or member id that is an ID number, free text) unless revealed
  (:func:`fangfan_rules.idnumber.reveal_ids`, or ``context={"reveal_ids": True}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from fangfan_rules.errors import validation_message
from fangfan_rules.facts.forms import ASCII_BLANKS
from fangfan_rules.idnumber import ids_revealed, scrub_id_numbers
from fangfan_rules.jsonparse import MAX_DEPTH, loads


def masked_value(value: Any, depth: int = 0) -> Any:
    """``value`` with ID numbers masked in every string it holds (dicts, lists, tuples)."""
    if isinstance(value, str):
        return scrub_id_numbers(value)
    if depth > MAX_DEPTH:
        return "<…>"
    if isinstance(value, Mapping):
        return {masked_value(k, depth + 1): masked_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(masked_value(v, depth + 1) for v in value)
    return value


def masked_json(text: str, options: Mapping[str, Any]) -> str:
    """JSON text from ``model_dump_json(**options)`` with ID numbers masked in its strings
    unless revealed (parsed and written again only when it holds one)."""
    if ids_revealed(options.get("context")) or scrub_id_numbers(text) == text:
        return text
    indent = options.get("indent")
    data = masked_value(json.loads(text))
    if indent is None:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(data, ensure_ascii=False, indent=indent)


def sanitized(error: ValidationError) -> ValidationError:
    """The same errors (type, location, message, input) with every ID number masked."""
    details: list[InitErrorDetails] = []
    for item in error.errors(include_url=False):
        details.append(
            {
                "type": PydanticCustomError(
                    item["type"], scrub_id_numbers(validation_message(item))
                ),
                "loc": tuple(masked_value(part) for part in item["loc"]),
                "input": masked_value(item.get("input")),
            }
        )
    return ValidationError.from_exception_data(error.title, details, hide_input=True)


_BLANK = frozenset(ASCII_BLANKS)


def _padded(value: Any) -> bool:
    """A string with ASCII blanks around it, or a list of strings holding one (kept cheap: it
    runs for every fact of every household)."""
    kind = type(value)
    if kind is str:
        return bool(value) and (value[0] in _BLANK or value[-1] in _BLANK)
    if (kind is list or kind is tuple) and value and type(value[0]) is str:
        return any(type(v) is str and v and (v[0] in _BLANK or v[-1] in _BLANK) for v in value)
    return False


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip(ASCII_BLANKS)
    if isinstance(value, list | tuple):
        return [v.strip(ASCII_BLANKS) if isinstance(v, str) else v for v in value]
    return value


class Fact(BaseModel):
    """Immutable, strict about unknown fields and forms, masked when printed or dumped."""

    # hide_input_in_errors: a raw pydantic error would otherwise echo an unmasked ID number.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except ValidationError as exc:
            error = sanitized(exc)
        raise error  # outside the handler: the raw error is not the new one's context

    # Marked as pydantic's own __init__, so that nested facts are still validated in pydantic's
    # core (a custom __init__ would be called for every nested model: twice as slow).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate ``obj``; a ``ValidationError`` carries no ID number (see the module)."""
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            error = sanitized(exc)
        raise error

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """Parse strictly (:mod:`fangfan_rules.jsonparse`: exact numbers, duplicated keys are
        errors, bounded depth), then validate as :meth:`model_validate` does."""
        text = bytes(json_data) if isinstance(json_data, bytearray) else json_data
        try:
            data = loads(text)
        except ValueError as exc:
            problem = PydanticCustomError("json_invalid", scrub_id_numbers(str(exc)))
            detail: InitErrorDetails = {"type": problem, "loc": (), "input": "<json>"}
        else:
            return cls.model_validate(data, **options)
        raise ValidationError.from_exception_data(cls.__name__, [detail], hide_input=True)

    @model_validator(mode="before")
    @classmethod
    def _strip_blanks(cls, data: Any) -> Any:
        # any(_padded(v) for v in data.values()), its common cases inlined: it runs for every
        # fact of every household
        if type(data) is dict or isinstance(data, Mapping):
            for v in data.values():
                kind = type(v)
                if kind is str:
                    if v and (v[0] in _BLANK or v[-1] in _BLANK):
                        break
                elif kind is bool or kind is int or v is None:
                    continue
                elif _padded(v):
                    break
            else:
                return data
            return {k: _stripped(v) for k, v in data.items()}
        return data

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """As pydantic's, with ID numbers masked unless revealed (see the module)."""
        data = super().model_dump(**options)
        return data if ids_revealed(options.get("context")) else masked_value(data)

    def model_dump_json(self, **options: Any) -> str:
        """As pydantic's, with ID numbers masked unless revealed (see the module)."""
        return masked_json(super().model_dump_json(**options), options)

    def __repr__(self) -> str:
        text = super().__repr__()
        return text if ids_revealed() else scrub_id_numbers(text)

    def __str__(self) -> str:
        text = super().__str__()
        return text if ids_revealed() else scrub_id_numbers(text)
