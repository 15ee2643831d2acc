"""Text in Chinese and English for values, operators and conditions (reasons, cards, traces)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import Missing
from fangfan_rules.money import format_yuan

OPERATOR_TEXT = {
    "eq": ("等于", "equals"),
    "ne": ("不等于", "differs from"),
    "lt": ("低于", "below"),
    "le": ("不超过", "at most"),
    "gt": ("超过", "above"),
    "ge": ("不低于", "at least"),
    "in": ("属于", "is one of"),
    "not_in": ("不属于", "is none of"),
    "contains": ("包含", "includes"),
}


def format_value(value: Any, lang: str = "zh") -> str:
    """Human-readable text of a value as used in reasons."""
    if isinstance(value, Missing):
        return "未知" if lang == "zh" else "unknown"
    if value is None:
        return "无" if lang == "zh" else "none"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, Decimal):
        return f"{format_yuan(value)}元" if lang == "zh" else f"{format_yuan(value)} yuan"
    if isinstance(value, DateRange):
        sep = "至" if lang == "zh" else " to "
        return f"{value.start.isoformat()}{sep}{value.end.isoformat()}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label(lang) if callable(label) else str(value.value)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        joined = "、".join if lang == "zh" else ", ".join
        return joined(format_value(v, lang) for v in items) or ("无" if lang == "zh" else "none")
    if isinstance(value, str) and value == "not_stated":
        return "文件未规定" if lang == "zh" else "not stated in the document"
    return str(value)


def operator_text(op: str, lang: str = "zh") -> str:
    zh, en = OPERATOR_TEXT[op]
    return zh if lang == "zh" else en


def truth_word(value: Any, lang: str = "zh") -> str:
    from fangfan_rules.logic import UNKNOWN

    if value is UNKNOWN:
        return "未知" if lang == "zh" else "unknown"
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
