"""Parameters: dated, cited values (the openfisca ``parameters/`` idea).

Every value a pack uses carries its unit, the clause that states it and the dates it is valid for.
A figure the document does not state is recorded as :data:`NOT_STATED` with the clause that needs
it; the caller must supply it (:meth:`Pack.with_parameters`), and evaluating without it is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import NotInForceError, ParameterError, validation_message
from fangfan_rules.money import to_yuan

ParameterType = Literal["money", "int", "date", "window", "text", "bool"]
NOT_STATED = "not_stated"


class LocalText(BaseModel):
    """The same text in Chinese and English."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str
    en: str

    def __call__(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class ParameterValue(BaseModel):
    """One dated value of a parameter, as read by an evaluation (shown in traces)."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: Any = Field(description="the value, or 'not_stated'")
    type: ParameterType
    unit: str | None
    citation: str = Field(description="<pack>:<clause>, or 'caller-supplied'")
    valid_from: date
    valid_to: date | None = None
    source: Literal["document", "caller", "reform"] = "document"
    note: str | None = None
    quote: str | None = Field(
        None, description="the document's words the value comes from (verbatim, as printed)"
    )
    interpretation: str | None = Field(
        None,
        description="how the words were read where the figure is not printed as such, and why",
    )

    @model_validator(mode="before")
    @classmethod
    def _typed_value(cls, data: Any) -> Any:
        # Values travel through JSON as text ("7000.00", "2022-05-01"): restore their type so a
        # stored result reads back equal to the one computed.
        if (
            isinstance(data, Mapping)
            and "value" in data
            and data.get("type") in ("money", "int", "date", "window", "text", "bool")
        ):
            data = dict(data)
            data["value"] = coerce_value(str(data.get("name")), data["type"], data["value"])
        return data

    @property
    def stated(self) -> bool:
        return not (isinstance(self.value, str) and self.value == NOT_STATED)

    def text(self, lang: str = "zh") -> str:
        from fangfan_rules.rules.render import format_value

        return format_value(self.value, lang)


class Parameter(BaseModel):
    """A named parameter with its dated values (non-overlapping, in date order)."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: LocalText
    type: ParameterType
    unit: str | None = None
    values: tuple[ParameterValue, ...]
    when_not_supplied: Literal["error", "review"] = Field(
        "error",
        description=(
            "a not_stated figure the caller has not supplied: 'error' stops the evaluation "
            "(MissingParameterError); 'review' makes each condition that reads it unknown, so the "
            "answer is at most needs_review and names the parameter to supply"
        ),
    )

    def at(self, day: date) -> ParameterValue:
        """The value in force on ``day``."""
        for value in self.values:
            if value.valid_from <= day and (value.valid_to is None or day <= value.valid_to):
                return value
        spans = ", ".join(f"{v.valid_from}..{v.valid_to or ''}" for v in self.values)
        raise NotInForceError(f"parameter {self.name!r} has no value in force on {day} ({spans})")


_MONEY_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")
_INT_TEXT = re.compile(r"^[0-9]+$")
_DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _plain_date(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _DATE_TEXT.match(raw):
        return date.fromisoformat(raw)
    raise ValueError("expected a date written YYYY-MM-DD")


def coerce_value(name: str, type_: ParameterType, raw: Any) -> Any:
    """Convert a raw YAML / CLI value to the parameter's type, strictly, with a clear error.

    Figures are read only in their plain forms — money: a non-negative amount in yuan with ASCII
    digits and at most two decimals (``7000``, ``8300.50``); counts: ASCII digits; dates:
    ``YYYY-MM-DD``; windows: ``START..END``; booleans: ``true`` / ``false``. Anything else
    (``７０００``, ``1e3``, ``10_000``, ``-7000``, ``2023/5/1``) is refused, never reinterpreted.
    """
    if isinstance(raw, str) and raw == NOT_STATED:
        return NOT_STATED
    try:
        if type_ == "money":
            if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
                raise ValueError("expected an amount in yuan")
            text = raw.strip() if isinstance(raw, str) else str(raw)
            if isinstance(raw, float):
                text = repr(raw)
            if not _MONEY_TEXT.match(text.removesuffix(".0") if isinstance(raw, float) else text):
                raise ValueError(
                    "expected a non-negative amount in yuan with ASCII digits and at most two "
                    "decimals (e.g. 7000 or 8300.50)"
                )
            return to_yuan(text)
        if type_ == "int":
            if isinstance(raw, bool) or not (
                isinstance(raw, int) or (isinstance(raw, str) and _INT_TEXT.match(raw.strip()))
            ):
                raise ValueError("expected a whole number written with ASCII digits")
            value = int(raw)
            if value < 0:
                raise ValueError("expected a whole number ≥ 0")
            return value
        if type_ == "date":
            return _plain_date(raw.strip() if isinstance(raw, str) else raw)
        if type_ == "window":
            if isinstance(raw, DateRange):
                return raw
            if isinstance(raw, str) and ".." in raw:
                start, end = raw.split("..", 1)
                raw = {"start": start.strip(), "end": end.strip()}
            if not isinstance(raw, Mapping) or set(raw) != {"start", "end"}:
                raise ValueError("expected START..END or {start: …, end: …}")
            return DateRange(start=_plain_date(raw["start"]), end=_plain_date(raw["end"]))
        if type_ == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip() in ("true", "false"):
                return raw.strip() == "true"
            raise ValueError("expected true or false")
        if not isinstance(raw, str):
            raise ValueError("expected text")
        return raw
    except (ValueError, TypeError, ValidationError) as exc:
        reason = (
            validation_message(exc.errors()[0]) if isinstance(exc, ValidationError) else str(exc)
        )
        raise ParameterError(
            f"parameter {name!r}: invalid {type_} value {raw!r}: {reason}"
        ) from None


#: Keys of one dated value in ``parameters.yaml``.
VALUE_KEYS = frozenset({"value", "citation", "quote", "interpretation", "note", "expires"})


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def parse_parameters(pack: str, data: Any, source: str) -> dict[str, Parameter]:
    """Parse a pack's ``parameters.yaml`` mapping; every value must be dated and cited."""
    if not isinstance(data, Mapping):
        raise ParameterError(f"{source}: expected a mapping of parameter names")
    out: dict[str, Parameter] = {}
    for name, spec in data.items():
        where = f"{source}: parameter {name!r}"
        if not isinstance(spec, Mapping) or not isinstance(spec.get("values"), Mapping):
            raise ParameterError(f"{where}: needs 'values' keyed by valid-from date")
        unknown = set(spec) - {"description", "type", "unit", "values", "when_not_supplied"}
        if unknown:
            raise ParameterError(f"{where}: unknown keys {sorted(unknown)}")
        type_ = spec.get("type")
        if type_ not in ("money", "int", "date", "window", "text", "bool"):
            raise ParameterError(f"{where}: type must be money/int/date/window/text/bool")
        dated = []
        for start, entry in spec["values"].items():
            if not isinstance(start, date):
                raise ParameterError(f"{where}: value key {start!r} is not a date (undated value)")
            if not isinstance(entry, Mapping) or "value" not in entry or "citation" not in entry:
                raise ParameterError(f"{where}: value of {start} needs 'value' and 'citation'")
            extra = set(entry) - VALUE_KEYS
            if extra:
                raise ParameterError(f"{where}: unknown keys {sorted(extra)} in value of {start}")
            if entry["value"] != NOT_STATED and not _text(entry.get("quote")):
                # Every figure a document states carries the words it comes from (the guard in
                # tests/test_fidelity.py checks them against the document itself).
                raise ParameterError(
                    f"{where}: the value of {start} needs 'quote': the document's words it comes "
                    "from (or 'value: not_stated' if the document does not state it)"
                )
            for key in ("quote", "interpretation", "note"):
                if key in entry and not _text(entry[key]):
                    raise ParameterError(f"{where}: '{key}' of {start} must be non-empty text")
            dated.append((start, entry))
        if not dated:
            raise ParameterError(f"{where}: no dated value")
        dated.sort(key=lambda item: item[0])
        values = []
        for i, (start, entry) in enumerate(dated):
            following = dated[i + 1][0] - timedelta(days=1) if i + 1 < len(dated) else None
            expires = entry.get("expires")
            if expires is not None and not isinstance(expires, date):
                raise ParameterError(f"{where}: 'expires' of {start} must be a date")
            end = expires if following is None else min(following, expires or following)
            values.append(
                ParameterValue(
                    name=name,
                    value=coerce_value(name, type_, entry["value"]),
                    type=type_,
                    unit=spec.get("unit"),
                    citation=f"{pack}:{entry['citation']}",
                    valid_from=start,
                    valid_to=end,
                    note=entry.get("note"),
                    quote=entry.get("quote"),
                    interpretation=entry.get("interpretation"),
                )
            )
        try:
            description = LocalText.model_validate(spec.get("description"))
        except Exception as exc:
            raise ParameterError(f"{where}: description needs zh and en ({exc})") from None
        policy = spec.get("when_not_supplied", "error")
        if policy not in ("error", "review"):
            raise ParameterError(f"{where}: when_not_supplied must be 'error' or 'review'")
        if policy == "review" and all(v.stated for v in values):
            raise ParameterError(f"{where}: when_not_supplied applies to a not_stated value only")
        out[name] = Parameter(
            name=name,
            description=description,
            type=type_,
            unit=spec.get("unit"),
            values=tuple(values),
            when_not_supplied=policy,
        )
    return out


def money(value: Any) -> Decimal:
    """Helper for callers: an exact yuan value for :meth:`Pack.with_parameters`."""
    return to_yuan(value)
