"""Three-valued (Kleene) logic: true, false and unknown.

``unknown and false = false``, ``unknown or true = true``; anything else with unknown stays unknown.
SQL NULL and polars' null logic follow the same table, so columnar engines agree for free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; use the Kleene helpers")


UNKNOWN: Final = _Unknown()
Truth = bool | _Unknown


@dataclass(frozen=True)
class Missing:
    """A variable's value could not be computed because facts are missing (unknown, not "no")."""

    facts: tuple[str, ...]

    def __str__(self) -> str:
        return "unknown (missing: " + ", ".join(self.facts) + ")"


def k_and(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for v in values:
        if v is False:
            return False
        if v is UNKNOWN:
            result = UNKNOWN
    return result


def k_or(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for v in values:
        if v is True:
            return True
        if v is UNKNOWN:
            result = UNKNOWN
    return result


def k_not(value: Truth) -> Truth:
    return UNKNOWN if value is UNKNOWN else (not value)


def truth_text(value: Truth) -> str:
    return "unknown" if value is UNKNOWN else ("true" if value else "false")
