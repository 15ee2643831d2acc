"""Reading one cell as the mapping declares it: nothing coerced, rounded or guessed.

Every parser takes what the sheet holds (text from a CSV; text, a number, a date or a boolean from
a workbook) and returns the fact's value, ``None`` for a blank cell, or raises :class:`CellError`
saying why the cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fangfan_rules.facts.forms import ASCII_BLANKS
from fangfan_rules.idnumber import mask_id_number, validate_id_number
from fangfan_rules.io.sheets.mapping import Column
from fangfan_rules.money import FEN


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason (never the unmasked ID number)."""


_MONEY_TEXT = {
    "plain": re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$"),
    # Groups of exactly three digits: "1,00" or "12,34.5" are errors, not 100 or 1234.5.
    "thousands": re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"),
}
_WAN = Decimal(10000)
_UNKNOWN = object()
_DATE_TEXT = {
    "ymd_slash": re.compile(r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})$"),
    "ymd_dash": re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$"),
    "ymd_chinese": re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$"),
    "ymd_dot": re.compile(r"^([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})$"),
    "ymd_compact": re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$"),
}
_EXAMPLE = {
    "plain": "12345.60",
    "thousands": "12,345.60",
    "yuan_suffix": "12345.60元",
    "wan": "1.2万",
    "ymd_slash": "2023/5/1",
    "ymd_dash": "2023-05-01",
    "ymd_chinese": "2023年5月1日",
    "ymd_dot": "2023.5.1",
    "ymd_compact": "20230501",
    "excel_date": "an Excel date cell",
    "excel_serial": "an Excel date number such as 45047",
}
# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the 29 February 1900 that did
# not exist, so serials from 61 on count from 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_blank(value: Any) -> bool:
    """An empty cell (a workbook's empty cell, or text that is only ASCII blanks: a full-width
    space is data, as in the facts — :data:`~fangfan_rules.facts.forms.ASCII_BLANKS`)."""
    return value is None or (isinstance(value, str) and not value.strip(ASCII_BLANKS))


def shown(value: Any, column: Column | None = None) -> str:
    """The cell as an error shows it: ID numbers masked, whole numbers without '.0'."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    if column is not None and column.kind == "id_number":
        return mask_id_number(text.strip(ASCII_BLANKS))
    return text


def _accepted(forms: Collection[str]) -> str:
    return ", ".join(_EXAMPLE[f] for f in sorted(forms))


def _fen_exact(amount: Decimal, what: str) -> Decimal:
    if amount != amount.quantize(FEN):
        raise CellError(f"{what} is finer than one fen (0.01 yuan); fangfan-rules does not round")
    return amount.quantize(FEN)


def read_money(value: Any, forms: Collection[str]) -> Decimal:
    """An amount in yuan, in one of the declared text forms or an Excel number cell."""
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(f"a {type(value).__name__} cell where an amount in yuan is expected")
    if isinstance(value, int):
        return Decimal(value).quantize(FEN)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("not a finite number")
        # repr is the shortest text that is this float: 1000.5 -> "1000.5", 0.1+0.2 -> "0.3000…4".
        return _fen_exact(Decimal(repr(value)), f"the Excel number {value!r}")
    text = str(value).strip(ASCII_BLANKS)
    body, scale = text, Decimal(1)
    if "yuan_suffix" in forms and body.endswith("元"):
        body = body[:-1].rstrip(ASCII_BLANKS)
    if "wan" in forms and body.endswith("万"):
        body, scale = body[:-1].rstrip(ASCII_BLANKS), _WAN
    if not any(_MONEY_TEXT[f].match(body) for f in ("plain", "thousands") if f in forms):
        if _MONEY_TEXT["thousands"].match(body) and "thousands" not in forms:
            reason = "thousands separators are not declared in this mapping's money_forms"
        else:
            reason = f"not an amount in yuan in a declared form ({_accepted(forms)})"
        raise CellError(reason)
    try:
        amount = Decimal(body.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise CellError("not an amount") from None
    return _fen_exact(amount, f"{text!r}")


def read_date(value: Any, forms: Collection[str]) -> dt.date:
    """A date, in one of the declared text forms or an Excel date cell / serial number."""
    if isinstance(value, dt.datetime):
        if "excel_date" not in forms:
            raise CellError("an Excel date cell, but excel_date is not among the date_forms")
        if value.time() != dt.time(0, 0):
            raise CellError("an Excel date-and-time cell with a time of day; a date is expected")
        return value.date()
    if isinstance(value, dt.date):
        if "excel_date" not in forms:
            raise CellError("an Excel date cell, but excel_date is not among the date_forms")
        return value
    if isinstance(value, bool) or isinstance(value, dt.time | dt.timedelta):
        raise CellError(f"a {type(value).__name__} cell where a date is expected")
    if isinstance(value, int | float):
        if "excel_serial" not in forms:
            raise CellError(
                f"a number where a date is expected ({_accepted(forms)}); format the column as "
                "dates, or declare excel_serial"
            )
        if not float(value).is_integer() or not 61 <= value <= 2958465:
            raise CellError("not a whole Excel date number from 1900-03-01 on")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip(ASCII_BLANKS)
    for form, pattern in _DATE_TEXT.items():
        match = pattern.match(text) if form in forms else None
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise CellError(f"no such date ({exc})") from None
    raise CellError(f"not a date in a declared form ({_accepted(forms)})")


def read_integer(value: Any, suffixes: Collection[str]) -> int:
    """A whole number (a year, a head count), optionally followed by a declared unit word."""
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(f"a {type(value).__name__} cell where a whole number is expected")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("not a whole number")
        return int(value)
    text = str(value).strip(ASCII_BLANKS)
    for suffix in suffixes:
        if text.endswith(suffix):
            text = text[: -len(suffix)].rstrip(ASCII_BLANKS)
            break
    if not re.fullmatch(r"-?[0-9]+", text):
        units = f" (units allowed: {', '.join(suffixes)})" if suffixes else ""
        raise CellError(f"not a whole number{units}")
    return int(text)


def read_text(value: Any) -> str:
    """Text as written, ASCII blanks around it ignored (a full-width or no-break space is data,
    kept as the JSON and CSV readers keep it: a 户编号 ``"B-1\u3000"`` is not ``"B-1"``); a whole
    number typed into a text column (a 户编号) reads as its digits."""
    if isinstance(value, str):
        return value.strip(ASCII_BLANKS)
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(f"a {type(value).__name__} cell where text is expected")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        if abs(value) >= 2**53:
            raise CellError("a number too long for Excel to keep exactly; format it as text")
        return str(int(value))
    raise CellError("a number with decimals where text is expected")


def read_id_number(value: Any) -> str:
    """A resident ID number (GB 11643), which must be text: Excel keeps only 15 digits."""
    if not isinstance(value, str):
        raise CellError(
            "an ID number stored as a number: Excel keeps only 15 significant digits, so the "
            "last digits are already lost; format the column as text and type it again"
        )
    try:
        return validate_id_number(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def read_word(value: Any, words: Mapping[str, Any]) -> Any:
    """The value the mapping gives this word (the word itself must be listed)."""
    text = read_text(value)  # a TRUE/FALSE cell is an error, not 是/否
    if text not in words:
        known = "、".join(words)
        raise CellError(f"not a word this mapping knows here ({known})")
    return words[text]


def reader_for(
    column: Column, money_forms: Collection[str], date_forms: Collection[str]
) -> Callable[[Any], Any]:
    """The parser for one column's cells."""
    if column.kind == "words":
        assert column.words is not None
        words = column.words

        def word(value: Any) -> Any:
            if value.__class__ is str:  # the common case, without the checks of read_word
                found = words.get(value.strip(ASCII_BLANKS), _UNKNOWN)
                if found is not _UNKNOWN:
                    return found
            return read_word(value, words)

        return word
    if column.kind == "money":
        return lambda v: read_money(v, money_forms)
    if column.kind == "date":
        return lambda v: read_date(v, date_forms)
    if column.kind == "integer":
        suffixes = column.suffixes
        return lambda v: read_integer(v, suffixes)
    if column.kind == "id_number":
        return read_id_number
    return read_text
