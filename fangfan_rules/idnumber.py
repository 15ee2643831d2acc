"""Resident ID numbers (居民身份证号码): validation, masking, and the one switch that reveals them.

An ID number is personal data. It is validated at the edge and masked in every output, log line
and error message unless a caller explicitly asks to see it:

* 18 characters (GB 11643-1999): 6-digit area code, birth date ``YYYYMMDD``, 3-digit sequence
  and the ISO 7064 MOD 11-2 check character (a digit or ``X``);
* 15 digits (issued before 1999, GB 11643-1989): area code, birth date ``YYMMDD`` of the 1900s
  and a 3-digit sequence, no check digit.

Masking keeps the area code and the last four characters (``110105********002X``). Outputs mask
anything that validates as a 15- or 18-digit number — and any 18-character number of the shape,
and any run of 17 (an 18-digit number missing a character), a typo being personal data too —
wherever it appears: an ID number, a household or member id that is itself an ID number, free
text; written in any script's decimal digits (full-width ``１１０１０５…``, Arabic-Indic
``١١٠١٠٥…``, Devanagari …), or spaced as officials type them (``110105 19491231 002X``,
``110105-1949-1231-002X``, ``210311 640301 977``: any run of blanks — NBSP, U+2007, U+202F,
U+3000, tabs, zero-width ones —, hyphens and dashes ``－ — –``, ``· . / _ , 、`` between the
groups), it is masked alike; and after a backslash escape (``\\ud800``, ``\\x85`` as ``repr``
writes them) as without it. The one switch that reveals them in outputs is
:func:`reveal_ids` (``with ff.reveal_ids(): ...``; ``--reveal-ids`` on the command line;
``model_dump(context={"reveal_ids": True})`` and ``ledger_rows(reveal_ids=True)`` are the same
switch). Error messages and exceptions never reveal them.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, SerializationInfo, WithJsonSchema, WrapSerializer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_EIGHTEEN = re.compile(r"[0-9]{17}[0-9X]")
_FIFTEEN = re.compile(r"[0-9]{15}")
#: The documented forms (JSON Schema of ``id_number``; lower-case x is read as X).
PATTERN = "^([0-9]{17}[0-9Xx]|[0-9]{15})$"

#: What may stand between the groups of a spaced ID number (``110105 19491231 002X``): blanks
#: (any Unicode space: NBSP from a web page, U+2007, U+202F, U+3000, tabs; the invisible
#: zero-width ones), hyphens and dashes (``-``, full-width ``－``, ``—`` and the dash family),
#: and ``·`` ``.`` ``/`` ``_`` ``,`` ``、`` in their ASCII and full-width forms — one or more
#: of them, mixed or not. Code point ranges, one list for Python and for polars (Rust).
_SEPARATORS: tuple[tuple[int, int], ...] = (
    (0x09, 0x0D),  # tab, line feed, vertical tab, form feed, carriage return
    (0x20, 0x20),
    (0x2C, 0x2F),  # , - . /
    (0x5F, 0x5F),  # _
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0xB7, 0xB7),  # ·
    (0x1680, 0x1680),
    (0x2000, 0x200D),  # the typographic spaces, zero-width space / joiners
    (0x2010, 0x2015),  # hyphen … horizontal bar (the dash family)
    (0x2027, 0x2029),  # hyphenation point, line / paragraph separator
    (0x202F, 0x202F),
    (0x205F, 0x2060),
    (0x2212, 0x2212),  # minus sign
    (0x2E3A, 0x2E3B),  # two- and three-em dash
    (0x3000, 0x3002),  # ideographic space, comma, full stop
    (0x30FB, 0x30FB),  # katakana middle dot
    (0xFE58, 0xFE58),
    (0xFE63, 0xFE63),
    (0xFEFF, 0xFEFF),
    (0xFF0C, 0xFF0F),  # full-width , - . /
    (0xFF3F, 0xFF3F),  # full-width _
)


def _class(escape: str) -> str:
    return "".join(
        escape.format(a) if a == b else f"{escape.format(a)}-{escape.format(b)}"
        for a, b in _SEPARATORS
    )


_SEP = f"[{_class(chr(92) + 'U{:08x}')}]+"
# In free text (after folding every script's digits to ASCII, one character for one): runs of
# exactly 18 characters of the shape, or 15 digits, not inside a longer run of digits; runs of 17
# (17 digits, or 16 and X) not inside a longer run nor after a decimal point (an exact quotient's
# decimals); the shapes spaced as people type them (any run of separators between the groups).
_ANYWHERE = re.compile(
    r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])"
    r"|(?<![0-9.])(?:[0-9]{17}|[0-9]{16}[Xx])(?![0-9])"
    rf"|(?<![0-9])[0-9]{{6}}{_SEP}(?:[0-9]{{8}}{_SEP}[0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{4}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{3}}[0-9Xx]|[0-9]{{6}}{_SEP}[0-9]{{3}})(?![0-9])"
)
#: A regular expression (Rust / polars syntax) true of every text :func:`scrub_id_numbers` may
#: change: a run of 15 ASCII digits, a spaced number's start, a decimal digit of another script.
MAY_HOLD_PATTERN = r"[0-9]{15}|[0-9]{6}[" + _class(r"\x{{{:X}}}") + r"]+[0-9]{4}|[\d&&[^0-9]]"
#: A decimal digit of another script (Unicode ``Nd``, not ASCII): such texts are folded first.
_OTHER_DIGIT = re.compile(r"[^\x00-\x7f](?<=\d)")
#: The UTF-8 lead bytes of every such digit (Arabic-Indic, Devanagari …, full-width ０-９, the
#: digits beyond the BMP): a cheap first look on bytes, Chinese text has none of them (checked
#: against every ``Nd`` character by the tests).
_NOT_LEAD = bytes(b for b in range(256) if b not in b"\xd9\xdb\xdf\xe0\xe1\xea\xf0")
_WIDE_DIGIT = re.compile(rb"\xef\xbc[\x90-\x99]")


def _other_digit(text: str, encoded: bytes) -> bool:
    """Does ``text`` (UTF-8 ``encoded``, not ASCII) hold a decimal digit of another script?"""
    if encoded.translate(None, _NOT_LEAD) or _WIDE_DIGIT.search(encoded):
        return _OTHER_DIGIT.search(text) is not None
    return False


# A backslash escape (``\ud800``, ``\x85``, ``\u3000``, ``\t``: a lone surrogate or a control
# character as ``repr`` or ``printable`` writes it): its hex digits are no part of a number beside
# it, and it separates the groups of a spaced number as the character it stands for would.
_ESCAPE = re.compile(r"\\(?:[tnrfv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
#: An escape right before a digit: only then can reading it as one character change a match.
_ESCAPE_THEN_DIGIT = re.compile(
    r"\\(?:[tnrfv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})[0-9]"
)
# A cheap first look (most texts hold no run of 15 digits): every digit made 0, then a substring
# search, on bytes — about ten times faster than any regular expression here.
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_RUN = b"0" * 15
#: The start of a spaced number (digits made 0): six digits, separators, four digits.
_SPACED = re.compile(
    b"000000(?:"
    + b"|".join(re.escape(chr(c).encode("utf-8")) for a, b in _SEPARATORS for c in range(a, b + 1))
    + b")+0000"
)


_ZERO, _X = ord("0"), frozenset(b"Xx")


def _may_hold_one(text: str, encoded: bytes | None = None) -> bool:
    """Is there a run of exactly 15 or 18 digits, or of 17 then X? Longer runs (the exact
    quotients of a trace, "14049.58890410958904109589…") hold no ID number for the pattern above
    (it refuses a match inside a longer run), and sending every trace to the regular expression
    for them costs more than the rest of the dump."""
    if encoded is None:
        encoded = text.encode("utf-8", "surrogatepass")
    digits = encoded.translate(_ZEROS)
    start = digits.find(_RUN)  # leftmost: the start of a maximal run
    while start != -1:
        end = start + 15
        while end < len(digits) and digits[end] == _ZERO:
            end += 1
        length = end - start
        if length in (15, 17, 18) or (length == 16 and end < len(digits) and digits[end] in _X):
            return True
        start = digits.find(_RUN, end)
    return b"000000" in digits and _SPACED.search(digits) is not None


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Every decimal digit of another script → its ASCII digit; full-width X → X (made once, on
    the first text that needs it: one character for one, so a match's span is the original's)."""
    table = {
        c: str(unicodedata.digit(chr(c)))
        for c in range(128, sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Nd"
    }
    table[ord("Ｘ")], table[ord("ｘ")] = "X", "x"
    return table


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


_NOT_DIGIT = re.compile(r"[^0-9Xx]")


def _is_one(found: str) -> bool:
    """Is a match of the pattern masked? Fifteen digits (run together or spaced) only with a
    real birth date: else an amount, a code."""
    digits = found if len(found) <= 18 and found[6:7].isdigit() else _NOT_DIGIT.sub("", found)
    return len(digits) != 15 or _birth_date_valid(digits)


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    return mask_id_number(found) if _is_one(found) else found


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _ANYWHERE.finditer(text) if _is_one(m.group(0))]


def _neutral(match: re.Match[str]) -> str:
    """An escape as a run of as many characters that are no digit: blanks if it stands for a
    separator (``repr`` writes NBSP as ``\\xa0``), else letters."""
    escape = match.group(0)
    if len(escape) == 2:  # \\t \\n \\r \\f \\v
        return "  "
    code = int(escape[2:], 16)
    return ("g", " ")[any(a <= code <= b for a, b in _SEPARATORS)] * len(escape)


def scrub_id_numbers(text: str) -> str:
    """``text`` with every 15- or 18-digit ID number in it masked (messages, logs, outputs), in
    any script's digits and spaced as people type them (see the module docstring). A text whose
    odd characters were already written as escapes (``\\ud800``, ``\\x85``, ``\\u3000``: by
    ``repr``, :func:`~fangfan_rules.errors.printable`) is masked as the text before escaping:
    the escape's hex digits never join the number after it."""
    if len(text) < 15:
        return text
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) != len(text) and _other_digit(text, encoded):
        folded = text.translate(_fold_table())
    elif "\\" not in text or _ESCAPE_THEN_DIGIT.search(text) is None:
        return _ANYWHERE.sub(_mask_match, text) if _may_hold_one(text, encoded) else text
    elif not _may_hold_one(text, encoded) and not _may_hold_one(_ESCAPE.sub(_neutral, text)):
        return text
    else:
        folded = text
    spans = _spans(folded)
    if "\\" in folded:
        neutral = _ESCAPE.sub(_neutral, folded)
        if neutral != folded:
            # a number right after an escape is masked over its own span; a match of the
            # escaped text that overlaps one is kept only if it is itself a valid ID number
            # (a backslash that escapes nothing, "\\x" then the number): both are masked then
            first = _spans(neutral)
            spans = first + [
                (a, b)
                for a, b in spans
                if all(b <= c or d <= a for c, d in first)
                or is_id_number(_NOT_DIGIT.sub("", folded[a:b]))
            ]
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        for at, ch in enumerate(mask_id_number(text[start:end]), start=start):
            if ch == "*":
                out[at] = "*"
    return "".join(out)


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
    "MAY_HOLD_PATTERN",
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
