"""Loading households from untrusted input, with errors that name household, field and value.

JSON text is parsed strictly (:mod:`fangfan_rules.jsonparse`: exact numbers, a duplicated key is
an error naming it, bounded nesting) and validated in the documented forms
(:mod:`fangfan_rules.facts.forms`). Whatever goes wrong is a
:class:`~fangfan_rules.errors.FactError`, never another exception, with ID numbers masked and no
chained exception that could still hold them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from fangfan_rules.errors import NO_VALUE, FactError, printable, validation_message
from fangfan_rules.facts.forms import shown
from fangfan_rules.facts.household import Household
from fangfan_rules.idnumber import PATTERN as ID_NUMBER_PATTERN
from fangfan_rules.idnumber import mask_id_number
from fangfan_rules.jsonparse import JsonProblem, loads


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<household>"


def _shown(loc: tuple[Any, ...], value: Any) -> Any:
    if any("id" in str(part) and "number" in str(part) for part in loc) and isinstance(value, str):
        return mask_id_number(value)
    if isinstance(value, Mapping | list | tuple):
        # the problem is of a whole object (a field missing from it, a rule between its fields):
        # the field is named, no stand-in value is shown
        return NO_VALUE
    if isinstance(value, str):
        return value if len(value) <= 60 else shown(value)
    if isinstance(value, Decimal):  # a JSON number, shown as it was sent
        return value if len(str(value)) <= 60 else shown(str(value))
    return (
        value if isinstance(value, int | bool | None) and len(repr(value)) <= 60 else shown(value)
    )


def _problem(e: Any) -> tuple[str, Any, str]:
    loc = tuple(e["loc"])
    if e["type"] == "missing":
        return _location(loc), NO_VALUE, "missing (a required field)"
    return _location(loc), _shown(loc, e.get("input")), validation_message(e)


def json_kind(data: Any) -> str:
    """What a parsed JSON value is, as an error names it (``a string``, ``a number``, ``null``)."""
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true / false"
    if isinstance(data, str):
        return "a string"
    if isinstance(data, list | tuple):
        return "an array"
    return "a number" if isinstance(data, int | float | Decimal) else f"a {type(data).__name__}"


def raw_household_id_of(data: Any) -> str | None:
    """The household id as given in raw input, as text (a lone surrogate kept), or None: what a
    :class:`FactError` is given — it masks ID numbers first, then escapes."""
    hid = data.get("id") if isinstance(data, Mapping) else None
    if hid is None:
        return None
    return hid if isinstance(hid, str) else shown(hid)


def household_id_of(data: Any) -> str | None:
    """The household id as given in raw input (for error rows and messages), or None; a lone
    surrogate in it is shown as its escape (so that any output can write it; the scrubber masks
    an ID number after such an escape as before it)."""
    hid = raw_household_id_of(data)
    return None if hid is None else printable(hid)


def fact_error(data: Any, error: ValidationError) -> FactError:
    """Turn a pydantic ``ValidationError`` into a :class:`FactError` naming the household; a
    missing field is named as missing, a problem of a whole object names the object (no stand-in
    value)."""
    problems = [_problem(e) for e in error.errors(include_url=False)]
    return FactError(raw_household_id_of(data), problems)


def parse_household_json(text: str | bytes) -> Any:
    """Strictly parsed JSON, or a :class:`FactError` naming the household when it can."""
    try:
        return loads(text)
    except JsonProblem as exc:
        problem = exc
    hid = _id_in_text(text)
    raise FactError(hid, [(problem.path or "<json>", NO_VALUE, problem.reason)])


_LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*"([^"\\]{1,200})"')


def _id_in_text(text: str | bytes) -> str | None:
    """The household id of a document that is not valid JSON when its first key is a plain
    ``"id": "..."`` (so that the bad row can still be matched to its household)."""
    if isinstance(text, bytes):
        text = text[:512].decode("utf-8", "replace")
    found = _LEADING_ID.match(text[:512])
    return found.group(1) if found else None  # FactError masks it, then escapes


def load_household(data: Mapping[str, Any] | str | bytes) -> Household:
    """Validate one household from a mapping or a JSON document.

    Raises :class:`~fangfan_rules.errors.FactError` naming the household id, every bad field and
    its value (ID numbers masked) — for any input: malformed or deeply nested JSON, numbers
    outside the documented forms, duplicated keys, a value of the wrong kind.
    """
    if isinstance(data, str | bytes):
        data = parse_household_json(data)
    if not isinstance(data, Mapping):
        raise FactError(
            None, [("<household>", NO_VALUE, f"expected a JSON object, got {json_kind(data)}")]
        )
    try:
        return Household.model_validate(data)
    except ValidationError as exc:
        error = fact_error(data, exc)
    raise error  # outside the handler: no chained error holding the raw input


def household_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Household` (the input format of every pack and the CLI).

    Every documented form is in it: money (decimal strings with ASCII digits, or exact numbers),
    whole numbers, ISO dates (``format: date`` and a pattern), ids and free text (patterns that
    exclude control, format and invisible characters) and ID numbers (18 or 15 digits), so that
    another system can validate before sending.
    """
    schema = Household.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "fangfan-rules household"
    schema["description"] = (
        "A rural household and everything observed about it. Booleans are JSON true/false; "
        "whole numbers are JSON integers or ASCII digit strings; dates are ISO YYYY-MM-DD; "
        "money is yuan as a decimal string with ASCII digits (optional thousands commas and 元) "
        "or an exact JSON number, fen precision, never in exponent form; ID numbers are 18 "
        f"characters or 15 digits ({ID_NUMBER_PATTERN}); a key may appear only once in an object."
    )
    return schema
