"""What each output column is: its Chinese and English header, its kind and its priority.

One table serves every command and every format: terminal tables choose and lay out columns by
kind and priority, XLSX files get the Chinese headers. Kinds decide where text may break:

* ``atom`` — ids, codes, dates, numbers, flags: never broken; cut with ``…`` when too wide;
* ``text`` — sentences (reasons, errors, clauses): wrapped between words / CJK characters only.

Priority: lower is more important; columns are dropped from a narrow terminal highest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["atom", "text"]


@dataclass(frozen=True)
class Column:
    """An output column."""

    key: str
    zh: str
    en: str
    kind: Kind = "atom"
    priority: int = 50

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


#: Priority at or below which a column is essential: a table that cannot show every essential
#: column switches to one record per household.
ESSENTIAL = 10

_KNOWN = (
    Column("line", "行号", "line", "atom", 8),
    Column("household_id", "户编号", "household", "atom", 1),
    Column("pack", "政策包", "pack", "atom", 3),
    Column("as_of", "评估日期", "as of", "atom", 40),
    Column("outcome", "结果", "outcome", "atom", 2),
    Column("category", "监测类别", "category", "atom", 12),
    Column("risk_types", "风险类型", "risk types", "text", 30),
    Column("key_attention", "重点关注群体", "key groups", "text", 14),
    Column("key_areas", "重点地区", "key areas", "text", 35),
    Column("flags", "记录问题", "flags", "text", 32),
    Column("must_visit", "须入户", "visit", "atom", 20),
    Column("green_channel", "绿色通道", "green", "atom", 21),
    Column("deciding_rule", "决定规则", "deciding rule", "atom", 15),
    Column("decided_by_unknown", "因事实不全待核", "facts missing", "atom", 17),
    Column("first_reason", "首要理由", "first reason", "text", 5),
    Column("citation", "条款", "clause", "text", 33),
    Column("missing_facts", "缺少的事实", "missing facts", "text", 25),
    Column("error", "错误", "error", "text", 4),
    Column("unmet", "未满足条件", "unmet", "text", 13),
    Column("unknown", "未知条件", "unknown", "text", 16),
    # packs
    Column("name", "政策包", "pack", "atom", 1),
    Column("region", "地区", "region", "atom", 6),
    Column("document", "文件", "document", "text", 9),
    Column("number", "文号", "number", "atom", 22),
    Column("date", "日期", "date", "atom", 7),
    Column("in_force", "有效期", "in force", "atom", 11),
    Column("caller_must_supply", "须由调用方提供", "caller must supply", "text", 2),
    # due
    Column("deadline", "期限", "deadline", "atom", 24),
    Column("label", "事项", "label", "text", 4),
    Column("start", "起算日", "start", "atom", 6),
    Column("due", "截止日", "due", "atom", 2),
    Column("status", "状态", "status", "atom", 3),
    Column("normal_limit", "原则性期限", "normal limit", "atom", 26),
    Column("start_is_reading", "起算日为本包解读", "start is the pack's reading", "atom", 27),
    # sweep / diff
    Column("value", "取值", "value", "atom", 1),
    Column("parameter", "参数", "parameter", "atom", 3),
    Column("source", "来源", "source", "atom", 30),
    Column("measure", "指标", "measure", "atom", 4),
    Column("item", "项目", "item", "atom", 5),
    Column("count", "户数", "count", "atom", 2),
    Column("share", "占比", "share", "atom", 9),
    Column("pack_version", "政策包版本", "pack version", "atom", 45),
    Column("pack_hash", "政策包哈希", "pack hash", "atom", 46),
    Column("section", "部分", "section", "atom", 2),
    Column("key", "键", "key", "atom", 1),
    Column("fields", "字段", "fields", "text", 12),
    Column("a", "甲", "a", "text", 5),
    Column("b", "乙", "b", "text", 6),
    Column("a_citation", "条款（甲）", "clause (a)", "text", 13),
    Column("b_citation", "条款（乙）", "clause (b)", "text", 14),
    # explain trace
    Column("rule", "规则", "rule", "atom", 1),
    Column("clause", "条款", "clause", "atom", 3),
    Column("checks", "核查内容", "checks", "text", 2),
)
COLUMNS: dict[str, Column] = {c.key: c for c in _KNOWN}


def column(key: str) -> Column:
    """The known column ``key``, or an ``atom`` column of middle priority named after it
    (pack names in a comparison, key-attention groups in a sweep…). ``<pack>:rule`` columns of a
    comparison are less important than the outcomes, their ``<pack>:unknown`` flags least."""
    if key in COLUMNS:
        return COLUMNS[key]
    if key.endswith(":rule"):
        return Column(key, key, key, "atom", 60)
    if key.endswith(":unknown"):
        return Column(key, key, key, "atom", 61)
    return Column(key, key, key, "atom", 50)
