"""Strict JSON for untrusted input: exact numbers, no silent last-key-wins, bounded depth.

The standard parser is used (it is fast and correct), with hooks that keep what the facts must
not be read as something else:

* a number with a fraction is an exact ``Decimal``, never a float; a number in exponent form
  (``1e3``), ``NaN`` / ``Infinity``, an integer of more than 30 digits and ``-0`` become a
  :class:`NumberForm` that every fact refuses naming field and value;
* a key that appears twice in an object is an error naming the key (the standard parser keeps
  the last value silently);
* nesting deep enough to exhaust Python's parser is an error, never a crash (and nothing walks a
  value recursively beyond :data:`MAX_DEPTH` levels: deeper parts are shown as ``<…>``).

Errors are :class:`JsonProblem` (a ``ValueError``) with a path (``members[0].id``) when one is
known; :func:`fangfan_rules.facts.load_household` and the readers turn them into bad rows.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

#: Deepest nesting any walk of a parsed value goes (a household is about 5 deep).
MAX_DEPTH = 32
_MAX_INT_DIGITS = 30


class NumberForm:
    """A JSON number outside the documented forms, kept as written (refused by every fact)."""

    __slots__ = ("text", "why")

    def __init__(self, text: str, why: str) -> None:
        self.text = text if len(text) <= 40 else text[:20] + f"…({len(text)} characters)"
        self.why = why

    def __repr__(self) -> str:
        return f"{self.text} ({self.why})"


class JsonProblem(ValueError):
    """The text is not acceptable JSON: ``path`` (may be empty) and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class _Duplicated(dict):  # type: ignore[type-arg]
    """An object in which a key appeared twice (the keys are listed)."""

    duplicated: list[str]


class _Count(threading.local):
    """How many objects with a duplicated key this thread's parses have made: a parse that made
    none needs no walk to find them. Per thread: the parser runs in the caller's thread, and a
    shared counter's ``+=`` could lose an update between threads (then a parse that made one
    would look as if it had made none)."""

    made = 0


_COUNT = _Count()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    twice = [key for key, _ in pairs if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    if twice:
        marked = _Duplicated(out)
        marked.duplicated = twice
        _COUNT.made += 1
        return marked
    return out


def _float(text: str) -> Decimal | NumberForm:
    if "e" in text or "E" in text:
        return NumberForm(text, "a number in exponent form")
    value = Decimal(text)
    if value.is_zero() and value.is_signed():
        return NumberForm(text, "negative zero")
    return value


def _int(text: str) -> int | NumberForm:
    digits = len(text) - text.startswith("-")
    if digits > _MAX_INT_DIGITS:
        return NumberForm(text, f"an integer of {digits} digits")
    if text == "-0":
        return NumberForm(text, "negative zero")
    return int(text)


def _constant(name: str) -> NumberForm:
    return NumberForm(name, "not a number: NaN and Infinity are not JSON")


def _path(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check(value: Any, duplicates_before: int | None = None) -> None:
    """Duplicated keys in a parsed value, with their path; raises :class:`JsonProblem`.

    Walked only when the parse made an object with a duplicated key (``duplicates_before``:
    the count of :func:`duplicates_made` before it; None: walk). Depth needs no walk: Python's
    parser refuses deeper nesting than it can read (a :class:`JsonProblem`), and nothing walks
    a value recursively beyond :data:`MAX_DEPTH` levels.
    """
    if duplicates_before is not None and _COUNT.made == duplicates_before:
        return
    _explain(value)


def duplicates_made() -> int:
    """How many objects with a duplicated key the parser has made so far in this thread (see
    :func:`check`)."""
    return _COUNT.made


def _explain(value: Any) -> None:
    """The first object with a duplicated key, with its path (walked without recursion)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if isinstance(node, _Duplicated):
                key = node.duplicated[0]
                raise JsonProblem(_path((*path, key)), f"key {key!r} appears twice in the object")
            stack.extend((v, (*path, k)) for k, v in node.items() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node) if isinstance(v, dict | list))


def decoder() -> json.JSONDecoder:
    """A decoder with the strict hooks (for reading an array element by element); run
    :func:`check` on each value it returns."""
    return json.JSONDecoder(
        parse_float=_float, parse_int=_int, parse_constant=_constant, object_pairs_hook=_object
    )


def loads(text: str | bytes) -> Any:
    """Parse one JSON document strictly (see the module docstring); :class:`JsonProblem` if not.

    The parser's own exception is not chained: its context holds the whole document.
    """
    problem: JsonProblem
    before = _COUNT.made
    try:
        value = json.loads(
            text,
            parse_float=_float,
            parse_int=_int,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        problem = JsonProblem(
            "", f"not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        )
    except RecursionError:
        problem = JsonProblem("", "not valid JSON: nested too deeply to read")
    except UnicodeDecodeError as exc:
        problem = JsonProblem("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except ValueError as exc:  # e.g. a number the parser cannot convert
        problem = JsonProblem("", f"not valid JSON: {str(exc)[:100]}")
    else:
        check(value, before)
        return value
    raise problem


__all__ = ["MAX_DEPTH", "JsonProblem", "NumberForm", "check", "decoder", "duplicates_made", "loads"]
