"""Memo keys that tell apart what ``==`` does not, and a bounded process-wide memo.

The words of a check are a function of the values it recorded, so a process words each distinct
check once. A memo keyed by the values themselves would be wrong: ``True == 1 == Decimal(1)`` and
``Decimal("1.0") == Decimal("1.00")``, yet each is worded differently ("是" / "1" / "1元",
"1.0元" / "1元"). :func:`exact_key` keys a value by its exact type and the value itself (types
whose equal values are the same value) or its repr (types whose repr states the whole value);
tuples and frozensets element by element. Any other value (a list, a set, a float subclass, an
object whose repr is its address) has no key, and the caller words it without the memo. A
check's arguments (a mapping) are keyed by their items as they are at the call: the key is made
afresh at every call, so a mapping changed later cannot meet a stale text.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import UNKNOWN, Missing

#: Types whose values are equal only when they are the same value: the value is its own key.
_SELF_KEYED: frozenset[type] = frozenset({str, int, bool, type(None), date, type(UNKNOWN)})
#: Types whose repr states the whole value (immutable, no address in the repr) where ``==``
#: does not: ``Decimal("1.0") == Decimal("1.00")``, ``0.0 == -0.0``.
_REPR_KEYED: frozenset[type] = frozenset({float, Decimal, Missing})


def exact_key(value: Any) -> Hashable | None:
    """``(type, value)`` or ``(type, repr)`` of a value (element by element for a tuple, a
    frozenset or a mapping), or None when the value has no faithful key (mutable, or a repr that
    does not state it)."""
    kind = type(value)
    if kind in _SELF_KEYED or isinstance(value, Enum):  # an enum's members are singletons
        return (kind, value)
    if kind in _REPR_KEYED:
        return (kind, repr(value))
    if kind is DateRange:  # its two days (hashing the model itself costs more than the rest)
        return (kind, value.start, value.end)
    if kind is dict or isinstance(value, Mapping):
        return _mapping_key(kind, value)
    if kind is tuple or kind is frozenset:
        parts = []
        for item in value:
            part = exact_key(item)
            if part is None:
                return None
            parts.append(part)
        # a frozenset's repr order may differ between equal sets: its key is a set of keys
        return (kind, frozenset(parts) if kind is frozenset else tuple(parts))
    return None


def _mapping_key(kind: type, mapping: Mapping[Any, Any]) -> Hashable | None:
    if not mapping:  # most checks read a variable without arguments
        return (kind, ())
    parts = []
    for name, item in mapping.items():
        name_key, item_key = exact_key(name), exact_key(item)
        if name_key is None or item_key is None:
            return None
        parts.append((name_key, item_key))
    return (kind, tuple(parts))


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

    def get_or_make(self, key: Hashable | None, make: Callable[[], Any]) -> Any:
        """The result stored under ``key``, made by ``make()`` and stored when absent; made
        afresh and not stored when ``key`` is None (a value without an exact key)."""
        if key is None:
            return make()
        result = self._data.get(key)
        if result is None:
            result = make()
            self.put(key, result)
        return result

    def put(self, key: Hashable, result: Any) -> None:
        if len(self._data) >= self.maxsize:
            self._data.clear()
        self._data[key] = result

    def clear(self) -> None:
        self._data.clear()
