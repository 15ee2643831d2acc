"""Text in Chinese and English for values, operators and conditions (reasons, cards, traces).

Values are written as the documents and the offices write them: money "5,700.38元" (whole yuan
without ".00"), dates "2023年6月5日", periods "2022年" / "2022年5月至2023年4月", enum values by their
label in :mod:`fangfan_rules.vocabulary`. Nothing here rounds or reinterprets a value.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import UNKNOWN, Missing
from fangfan_rules.money import format_yuan
from fangfan_rules.vocabulary import enum_label

#: Comparison words by the kind of value compared: (zh, en) for each operator.
_NUMBER_WORDS = {
    "eq": ("等于", "equal to"),
    "ne": ("不等于", "different from"),
    "lt": ("低于", "below"),
    "le": ("不超过", "not above"),
    "gt": ("超过", "above"),
    "ge": ("不低于", "not below"),
}
_DATE_WORDS = {
    "eq": ("为", "on"),
    "ne": ("不是", "not on"),
    "lt": ("早于", "before"),
    "le": ("不晚于", "not after"),
    "gt": ("晚于", "after"),
    "ge": ("不早于", "not before"),
}
_SET_WORDS = {
    "eq": ("是", "is"),
    "ne": ("不是", "is not"),
    "in": ("属于", "is one of"),
    "not_in": ("不属于", "is none of"),
    "contains": ("包括", "includes"),
    "not_contains": ("不包括", "does not include"),
}
#: What a comparison that came out false states instead ("不低于" for a failed "低于").
NEGATED_OPERATOR = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "in": "not_in",
    "not_in": "in",
    "contains": "not_contains",
    "not_contains": "contains",
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def money_text(amount: Decimal, lang: str = "zh") -> str:
    """``5,700.38元`` / ``7,000元``: fen shown only when there are fen (the value is exact)."""
    shown = format_yuan(amount).removesuffix(".00")
    return f"{shown}元" if lang == "zh" else f"{shown} yuan"


def date_text(day: date, lang: str = "zh") -> str:
    """``2023年6月5日`` / ``5 June 2023``."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def _month_text(day: date, lang: str) -> str:
    return (
        f"{day.year}年{day.month}月" if lang == "zh" else f"{_MONTHS_EN[day.month - 1]} {day.year}"
    )


#: The start a rule gives a window the document leaves open ("any recorded event up to as_of",
#: written ``{from: 1900-01-01, to: as_of}``): never shown as a date (see :func:`window_text`).
OPEN_START = date(1900, 1, 1)


def window_text(window: DateRange, lang: str = "zh") -> str:
    """A period as the documents name it: ``2022年``, ``2022年5月至2023年4月``, or the two days."""
    start, end = window.start, window.end
    if start <= OPEN_START:
        # A look-back the document does not bound (a rule's "any recorded event" window): the
        # placeholder start is no date of the document's, so only the end is shown.
        return f"截至{date_text(end, lang)}" if lang == "zh" else f"up to {date_text(end, lang)}"
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_months and start.month == 1 and end.month == 12 and start.year == end.year:
        return f"{start.year}年" if lang == "zh" else str(start.year)
    if whole_months:
        first, last = _month_text(start, lang), _month_text(end, lang)
        if start.year == end.year and start.month == end.month:
            return first
    else:
        first, last = date_text(start, lang), date_text(end, lang)
    return f"{first}至{last}" if lang == "zh" else f"{first} to {last}"


def format_value(value: Any, lang: str = "zh", *, enum: type | None = None) -> str:
    """Human-readable text of a value as used in reasons.

    ``enum``: the enum a rule's constant belongs to (a pack writes ``rural``; the reader sees
    农村户籍).
    """
    if isinstance(value, Missing):
        return "未知" if lang == "zh" else "unknown"
    if value is None:
        return "无" if lang == "zh" else "none"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, Decimal):
        return money_text(value, lang)
    if isinstance(value, DateRange):
        return window_text(value, lang)
    if isinstance(value, date):
        return date_text(value, lang)
    if isinstance(value, StrEnum):
        return enum_label(value, lang) or str(value.value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        joined = "、".join if lang == "zh" else ", ".join
        return joined(format_value(v, lang, enum=enum) for v in items) or (
            "无" if lang == "zh" else "none"
        )
    if isinstance(value, str) and value == "not_stated":
        return "文件未规定" if lang == "zh" else "not stated in the document"
    if isinstance(value, str) and isinstance(enum, type) and issubclass(enum, StrEnum):
        try:
            return format_value(enum(value), lang)
        except ValueError:
            return value
    return str(value)


def operator_text(op: str, lang: str = "zh", *, kind: str = "number") -> str:
    """The comparison word for ``op``: ``kind`` is "number" (money, counts), "date" or "set"
    (enum values, memberships)."""
    table = {"date": _DATE_WORDS, "set": _SET_WORDS}.get(kind, _NUMBER_WORDS)
    zh, en = table.get(op) or _SET_WORDS[op]
    return zh if lang == "zh" else en


def truth_word(value: Any, lang: str = "zh") -> str:
    if value is UNKNOWN:
        return "未知" if lang == "zh" else "unknown"
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
