"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation and masking.

An ID number is personal data. It is validated at the edge (18 characters, a valid birth date,
the ISO 7064 MOD 11-2 check digit) and masked in every output, log line and error message unless a
caller explicitly asks to reveal it (``reveal_ids=True`` / ``--reveal-ids``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, SerializationInfo, WrapSerializer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


_ANYWHERE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
# First-generation ID numbers (15 digits: area, YYMMDD, sequence) still turn up in old registers
# and spreadsheets; a run of exactly 15 digits is masked too (masking a stray long figure is the
# safe mistake).
_ANYWHERE_15 = re.compile(r"(?<![\dA-Za-z*])(\d{6})(\d{5})(\d{4})(?![\dA-Za-z*])")


def scrub_id_numbers(text: str) -> str:
    """Mask anything in free text that looks like an ID number, 18 or 15 characters long."""
    text = _ANYWHERE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return _ANYWHERE_15.sub(lambda m: m.group(1) + "*" * 5 + m.group(3), text)


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def mask_id_number(value: str) -> str:
    """Keep the 6-digit area code and the last 4 characters: ``110101********123X``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise ``ValueError`` (the message shows it masked)."""
    if not isinstance(value, str):
        raise ValueError("an ID number must be a string (leading zeros and a final X matter)")
    text = value.strip().upper()
    if not _PATTERN.match(text):
        raise ValueError(f"ID number {mask_id_number(text)!r} must be 17 digits and a digit or X")
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValueError(
            f"ID number {mask_id_number(text)!r} has an impossible birth date"
        ) from None
    if check_digit(text[:17]) != text[17]:
        raise ValueError(f"ID number {mask_id_number(text)!r} fails the GB 11643 check digit")
    return text


def _serialise(value: str, handler: Any, info: SerializationInfo) -> str:
    context = info.context or {}
    return value if context.get("reveal_ids") else mask_id_number(value)


#: A validated ID number; dumped masked unless ``context={"reveal_ids": True}`` is passed.
IdNumber = Annotated[str, AfterValidator(validate_id_number), WrapSerializer(_serialise)]

__all__ = ["IdNumber", "check_digit", "mask_id_number", "validate_id_number"]
