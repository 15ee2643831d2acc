"""Memo keys that tell apart what ``==`` does not, and a bounded process-wide memo.

The words of a check are a function of the values it recorded, so a process words each distinct
check once. A memo keyed by the values themselves would be wrong: ``True == 1 == Decimal(1)`` and
``Decimal("1.0") == Decimal("1.00")``, yet each is worded differently ("是" / "1" / "1元",
"1.0元" / "1元"). :func:`exact_key` keys a value by its exact type and its repr, which for the
types listed here states the whole value; any other value (a list, a set, a dict, an object whose
repr is its address) has no key, and the caller words it without the memo.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import UNKNOWN, Missing

#: Types whose repr states the whole value (immutable, no address in the repr).
_FAITHFUL: frozenset[type] = frozenset(
    {str, int, float, bool, type(None), Decimal, date, DateRange, Missing, type(UNKNOWN)}
)


def exact_key(value: Any) -> Hashable | None:
    """``(type, repr)`` of a value (element by element for a tuple, a frozenset or a mapping),
    or None when the value has no faithful key (mutable, or a repr that does not state it)."""
    kind = type(value)
    if kind in _FAITHFUL or isinstance(value, Enum):
        return (kind, repr(value))
    if kind is tuple or kind is frozenset or isinstance(value, Mapping):
        items = value.items() if isinstance(value, Mapping) else value
        parts = []
        for item in items:
            part = exact_key(item)
            if part is None:
                return None
            parts.append(part)
        # a frozenset's repr order may differ between equal sets: its key is a set of keys
        return (kind, frozenset(parts) if kind is frozenset else tuple(parts))
    return None


def check_key(
    variable: str,
    args: Mapping[str, Any],
    member: str | None,
    value: Any,
    op: str | None,
    right: Any,
    result: Any,
    parameter: str | None,
) -> Hashable | None:
    """The key of one recorded check (every argument, exactly), or None when it has none."""
    parts = (exact_key(args), exact_key(value), exact_key(right), exact_key(result))
    if None in parts:
        return None
    return (variable, member, op, parameter, *parts)


class BoundedMemo:
    """A process-wide dict of results, emptied when it reaches ``maxsize`` entries.

    Emptying (rather than evicting the oldest) keeps every operation a single dict operation,
    safe without a lock when several threads answer at once; the distinct checks of a pack are
    far fewer than ``maxsize``, so it is emptied only under unusual input.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        """The stored result, or None."""
        return self._data.get(key)

    def put(self, key: Hashable, result: Any) -> None:
        if len(self._data) >= self.maxsize:
            self._data.clear()
        self._data[key] = result

    def clear(self) -> None:
        self._data.clear()
