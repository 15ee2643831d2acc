"""Loading households from untrusted input, with errors that name household, field and value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from fangfan_rules.errors import FactError
from fangfan_rules.facts.household import Household
from fangfan_rules.idnumber import mask_id_number


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<household>"


def _shown(loc: tuple[Any, ...], value: Any) -> Any:
    if any("id" in str(part) and "number" in str(part) for part in loc):
        return mask_id_number(str(value))
    if isinstance(value, Mapping | list):
        return "<" + type(value).__name__ + ">"
    return value


def fact_error(data: Any, error: ValidationError) -> FactError:
    """Turn a pydantic ``ValidationError`` into a :class:`FactError` naming the household."""
    hid = data.get("id") if isinstance(data, Mapping) else None
    problems = [
        (_location(tuple(e["loc"])), _shown(tuple(e["loc"]), e.get("input")), e["msg"])
        for e in error.errors(include_url=False)
    ]
    return FactError(str(hid) if hid is not None else None, problems)


def load_household(data: Mapping[str, Any] | str | bytes) -> Household:
    """Validate one household from a mapping or a JSON document.

    Raises :class:`~fangfan_rules.errors.FactError` naming the household id, every bad field and
    its value (ID numbers masked).
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data, parse_float=Decimal)  # no float ever touches money
        except json.JSONDecodeError as exc:
            raise FactError(None, [("<json>", None, f"not valid JSON: {exc}")]) from None
    if not isinstance(data, Mapping):
        raise FactError(None, [("<household>", type(data).__name__, "expected a JSON object")])
    try:
        return Household.model_validate(data)
    except ValidationError as exc:
        raise fact_error(data, exc) from None


def household_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Household` (the input format of every pack and the CLI)."""
    schema = Household.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "fangfan-rules household"
    return schema
