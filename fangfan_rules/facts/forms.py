"""The accepted forms of facts: one definition for the fact models, the tables and the schema.

The facts are an edge of trust, so every value is parsed strictly — what is not one of the
documented forms below is refused naming household, field and value, never read as something
close to it:

=============  =================================================================================
booleans       JSON ``true`` / ``false`` (a Python ``bool``); never ``"yes"``, ``"T"``, 1, 1.0
whole numbers  JSON integers or ASCII digit strings (``2019``, ``"2019"``); never ``"2019.0"``,
               ``2019.0``, full-width digits, ``"2_019"``, ``"+2019"``, exponents
dates          ISO ``YYYY-MM-DD`` strings (a Python ``date``); never numbers (``0``, epoch
               seconds), datetimes (with or without a time zone), ``"20230101"``, ``"2023-1-1"``
ids            household / member ids and area names: text without control characters,
               zero-width or other format characters (BOM, bidi overrides), line breaks or lone
               surrogates, not beginning or ending with a space
free text      names, descriptions, notes: no control characters but tab and line breaks, no lone
               surrogates
money          see :mod:`fangfan_rules.money` (decimal yuan, ASCII digits)
ID numbers     see :mod:`fangfan_rules.idnumber` (18 or 15 digits)
=============  =================================================================================

ASCII blanks around any text value are ignored (as around a CSV cell); other blanks are kept.
The same rules are applied to tables by :mod:`fangfan_rules.engines.columnar_validation`, which
imports the patterns from here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Strict, WithJsonSchema

#: Blanks stripped around every text value (ASCII only: a full-width space is data).
ASCII_BLANKS = " \t\n\r\x0b\x0c"

# Characters an id cannot hold: C0 / C1 controls (line breaks included), format characters
# (zero-width, BOM, bidi controls, invisible operators, tag characters…), line / paragraph
# separators and surrogates. Ranges of code points, rendered for Python, Rust (polars) and
# JSON Schema (which gets the BMP part: JSON Schema regexes are UTF-16).
_ID_FORBIDDEN: tuple[tuple[int, int], ...] = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
# Free text keeps tab and line breaks; it refuses the other controls and surrogates.
_TEXT_FORBIDDEN: tuple[tuple[int, int], ...] = (
    (0x00, 0x08),
    (0x0B, 0x0C),
    (0x0E, 0x1F),
    (0x7F, 0x9F),
    (0xD800, 0xDFFF),
)


def _python_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


def _rust_class(ranges: tuple[tuple[int, int], ...]) -> str:
    # Surrogates cannot occur in polars strings (UTF-8), and the Rust regex refuses them.
    usable = [(lo, hi) for lo, hi in ranges if not (0xD800 <= lo <= 0xDFFF)]
    return "".join(
        f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in usable
    )


def _schema_class(ranges: tuple[tuple[int, int], ...]) -> str:
    bmp = [(lo, hi) for lo, hi in ranges if hi <= 0xFFFF and not (0xD800 <= lo <= 0xDFFF)]
    return "".join(f"\\u{lo:04x}" if lo == hi else f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in bmp)


_ID_BAD = re.compile(f"[{_python_class(_ID_FORBIDDEN)}]")
_TEXT_BAD = re.compile(f"[{_python_class(_TEXT_FORBIDDEN)}]")
#: The same characters for polars (Rust regex), used by the columnar validation.
ID_FORBIDDEN_RUST = f"[{_rust_class(_ID_FORBIDDEN)}]"
TEXT_FORBIDDEN_RUST = f"[{_rust_class(_TEXT_FORBIDDEN)}]"
#: JSON Schema patterns (documentation for other systems; astral format characters omitted).
ID_PATTERN = f"^[^\\s{_schema_class(_ID_FORBIDDEN)}]([^{_schema_class(_ID_FORBIDDEN)}]*[^\\s{_schema_class(_ID_FORBIDDEN)}])?$"
TEXT_PATTERN = f"^[^{_schema_class(_TEXT_FORBIDDEN)}]*$"
WHOLE_NUMBER_PATTERN = "^-?[0-9]{1,18}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_WHOLE = re.compile(WHOLE_NUMBER_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def shown(value: Any, limit: int = 60) -> str:
    """A value as an error message shows it: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_identifier(value: str) -> str:
    """An id as given, or ``ValueError`` naming the character that cannot be in it."""
    bad = _ID_BAD.search(value)
    if bad:
        raise ValueError(
            f"an id cannot contain {_codepoint(bad.group())} (control, format or invisible "
            "character, line break or lone surrogate)"
        )
    if value != value.strip():
        raise ValueError("an id cannot begin or end with a space")
    return value


def check_text(value: str) -> str:
    """Free text as given, or ``ValueError`` naming the character that cannot be in it."""
    bad = _TEXT_BAD.search(value)
    if bad:
        raise ValueError(
            f"text cannot contain {_codepoint(bad.group())} (a control character or a lone "
            "surrogate)"
        )
    return value


def whole_number(value: Any) -> int:
    """A JSON integer or a string of ASCII digits (optionally ``-``) as an ``int``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip(ASCII_BLANKS)
        if _WHOLE.fullmatch(text):
            return int(text)
    raise ValueError(
        f"expected a whole number (a JSON integer or ASCII digits), got {shown(value)}"
    )


def iso_date(value: Any) -> date:
    """A ``date`` or an ISO ``YYYY-MM-DD`` string as a ``date``; nothing else."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date (YYYY-MM-DD), got a datetime {shown(value)}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip(ASCII_BLANKS)
        if _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"no such day: {shown(value)}") from None
    raise ValueError(f"expected a date as YYYY-MM-DD, got {shown(value)}")


#: A boolean: ``true`` / ``false`` only.
Flag = Annotated[bool, Strict()]
#: A whole number: a JSON integer or ASCII digits.
WholeNumber = Annotated[
    int,
    BeforeValidator(whole_number),
    WithJsonSchema(
        {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": WHOLE_NUMBER_PATTERN}]},
        mode="validation",
    ),
]
#: A day: ISO ``YYYY-MM-DD``.
Day = Annotated[
    date,
    BeforeValidator(iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": DATE_PATTERN}, mode="validation"
    ),
]
#: An id (household, member) or an area name.
Identifier = Annotated[
    str,
    AfterValidator(check_identifier),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": ID_PATTERN}, mode="validation"),
]
#: Free text.
Text = Annotated[
    str,
    AfterValidator(check_text),
    WithJsonSchema({"type": "string", "pattern": TEXT_PATTERN}, mode="validation"),
]

__all__ = [
    "ASCII_BLANKS",
    "DATE_PATTERN",
    "ID_FORBIDDEN_RUST",
    "ID_PATTERN",
    "TEXT_FORBIDDEN_RUST",
    "TEXT_PATTERN",
    "WHOLE_NUMBER_PATTERN",
    "Day",
    "Flag",
    "Identifier",
    "Text",
    "WholeNumber",
    "check_identifier",
    "check_text",
    "iso_date",
    "shown",
    "whole_number",
]
