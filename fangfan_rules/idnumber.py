"""Resident ID numbers (居民身份证号码): validation, masking, and the one switch that reveals them.

An ID number is personal data. It is validated at the edge and masked in every output, log line
and error message unless a caller explicitly asks to see it:

* 18 characters (GB 11643-1999): 6-digit area code, birth date ``YYYYMMDD``, 3-digit sequence
  and the ISO 7064 MOD 11-2 check character (a digit or ``X``);
* 15 digits (issued before 1999, GB 11643-1989): area code, birth date ``YYMMDD`` of the 1900s
  and a 3-digit sequence, no check digit.

Masking keeps the area code and the last four characters (``110105********002X``). Outputs mask
anything that validates as a 15- or 18-digit number — and any 18-character number of the shape,
a typo being personal data too — wherever it appears: an ID number, a household or member id
that is itself an ID number, free text. The one switch that reveals them in outputs is
:func:`reveal_ids` (``with ff.reveal_ids(): ...``; ``--reveal-ids`` on the command line;
``model_dump(context={"reveal_ids": True})`` and ``ledger_rows(reveal_ids=True)`` are the same
switch). Error messages and exceptions never reveal them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, SerializationInfo, WithJsonSchema, WrapSerializer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_EIGHTEEN = re.compile(r"[0-9]{17}[0-9X]")
_FIFTEEN = re.compile(r"[0-9]{15}")
#: The documented forms (JSON Schema of ``id_number``; lower-case x is read as X).
PATTERN = "^([0-9]{17}[0-9Xx]|[0-9]{15})$"

# In free text: runs of exactly 18 characters of the shape, or 15 digits, not inside a longer
# run of digits (ASCII digits: only they validate; a number in other digits is refused as input).
_ANYWHERE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
# A cheap first look (most texts hold no run of 15 digits): every digit made 0, then a substring
# search, on bytes — about ten times faster than any regular expression here.
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_RUN = b"0" * 15


_ZERO, _X = ord("0"), frozenset(b"Xx")


def _may_hold_one(text: str) -> bool:
    """Is there a run of exactly 15 or 18 digits, or of 17 then X? Longer runs (the exact
    quotients of a trace, "14049.58890410958904109589…") hold no ID number for the pattern above
    (it refuses a match inside a longer run), and sending every trace to the regular expression
    for them costs more than the rest of the dump."""
    digits = text.encode("utf-8", "surrogatepass").translate(_ZEROS)
    start = digits.find(_RUN)  # leftmost: the start of a maximal run
    while start != -1:
        end = start + 15
        while end < len(digits) and digits[end] == _ZERO:
            end += 1
        length = end - start
        if length in (15, 18) or (length == 17 and end < len(digits) and digits[end] in _X):
            return True
        start = digits.find(_RUN, end)
    return False


_REVEAL: ContextVar[bool] = ContextVar("fangfan_rules_reveal_ids", default=False)


@contextmanager
def reveal_ids(reveal: bool = True) -> Iterator[None]:
    """Within this block, outputs show ID numbers (and ids that are ID numbers) unmasked.

    >>> with reveal_ids():  # doctest: +SKIP
    ...     print(result.explain())
    """
    token = _REVEAL.set(reveal)
    try:
        yield
    finally:
        _REVEAL.reset(token)


def ids_revealed(context: Any = None) -> bool:
    """Is the reveal switch on (:func:`reveal_ids`, or a serialisation context's ``reveal_ids``)?"""
    if isinstance(context, dict) and context.get("reveal_ids"):
        return True
    return _REVEAL.get()


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _birth_date_valid(text: str) -> bool:
    """The birth date of an 18- or 15-digit number is a real day (15 digits: in the 1900s)."""
    digits = text[6:14] if len(text) == 18 else "19" + text[6:12]
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def is_id_number(text: str) -> bool:
    """Does ``text`` validate as a 15- or 18-digit ID number (ASCII digits)?"""
    text = text.upper()
    if _EIGHTEEN.fullmatch(text):
        return _birth_date_valid(text) and check_digit(text[:17]) == text[17]
    return bool(_FIFTEEN.fullmatch(text)) and _birth_date_valid(text)


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 15 and not _birth_date_valid(found):
        return found  # fifteen digits that are not a 15-digit ID number (an amount, a code)
    return mask_id_number(found)


def scrub_id_numbers(text: str) -> str:
    """``text`` with every 15- or 18-digit ID number in it masked (messages, logs, outputs)."""
    if len(text) < 15 or not _may_hold_one(text):
        return text
    return _ANYWHERE.sub(_mask_match, text)


def masked(text: str) -> str:
    """``text`` as an output shows it: ID numbers masked unless :func:`reveal_ids` is on."""
    return text if _REVEAL.get() else scrub_id_numbers(text)


def mask_id_number(value: str) -> str:
    """Keep the 6-digit area code and the last 4 characters: ``110101********123X``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise ``ValueError`` (the message shows it masked).

    18 characters with a valid birth date and check character, or 15 digits with a valid
    birth date; ASCII digits only (full-width digits are refused, not read); surrounding ASCII
    blanks are ignored and a lower-case ``x`` is read as ``X``.
    """
    if not isinstance(value, str):
        raise ValueError("an ID number must be a string (leading zeros and a final X matter)")
    text = value.strip(" \t\n\r\x0b\x0c").upper()
    shown = mask_id_number(text)
    if _EIGHTEEN.fullmatch(text):
        if not _birth_date_valid(text):
            raise ValueError(f"ID number {shown!r} has an impossible birth date")
        if check_digit(text[:17]) != text[17]:
            raise ValueError(f"ID number {shown!r} fails the GB 11643 check digit")
        return text
    if _FIFTEEN.fullmatch(text):
        if not _birth_date_valid(text):
            raise ValueError(f"ID number {shown!r} has an impossible birth date")
        return text
    raise ValueError(
        f"ID number {shown!r} must be 18 characters (17 digits and a digit or X) or 15 digits"
    )


def _serialise(value: str, handler: Any, info: SerializationInfo) -> str:
    return value if ids_revealed(info.context) else mask_id_number(value)


#: A validated ID number; dumped masked unless revealed (:func:`reveal_ids`, or
#: ``context={"reveal_ids": True}``).
IdNumber = Annotated[
    str,
    AfterValidator(validate_id_number),
    WrapSerializer(_serialise),
    WithJsonSchema({"type": "string", "pattern": PATTERN}, mode="validation"),
]

__all__ = [
    "PATTERN",
    "IdNumber",
    "check_digit",
    "ids_revealed",
    "is_id_number",
    "mask_id_number",
    "masked",
    "reveal_ids",
    "scrub_id_numbers",
    "validate_id_number",
]
