"""The words of an answer: how a check, a reason and a list of missing facts read.

Every sentence an evaluator shows a person (reasons, the trace's check texts, the "find out" line
of a needs_review answer) is composed here, from the machine form the evaluator recorded (variable,
arguments, member, value, operator, compared-with value, result). The evaluators decide; this module
only words. Keeping it in one place lets the trace be built lazily (the text is a function of the
recorded values) and lets one test walk every rule through both languages.

Sentences are statements of fact a villager can check ("家庭人均纯收入5,700.38元，低于监测收入标准
7,000元", "成员m3是户主的子女", "入户记录为无能力自主应对"), never a formula; every field, enum value
and parameter is named by its label in :mod:`fangfan_rules.vocabulary`. The machine form (paths,
codes) stays in the result's own fields (``missing_facts``, the trace's ``Check`` values).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import UNKNOWN, Missing
from fangfan_rules.rules.exact_keys import BoundedMemo, check_key
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.render import (
    NEGATED_OPERATOR,
    format_value,
    operator_text,
    window_text,
)
from fangfan_rules.variables import get_variable
from fangfan_rules.vocabulary import (
    FACT_LABELS,
    PARAMETER_LABELS,
    RECORD_LABELS,
    Channel,
    ChildStatus,
    ClueKind,
    DibaoKind,
    ExpenditureKind,
    Relation,
    RiskType,
)

# -- checks ------------------------------------------------------------------------------------

#: Yes/no facts whose Chinese statement is not "<label>" / a regular negation of it:
#: (holds, does not hold).
_ZH_STATEMENTS: dict[str, tuple[str, str]] = {
    "lifted_out_of_poverty": ("是脱贫户", "不是脱贫户"),
    "self_coping": ("入户记录为有能力自主应对", "入户记录为无能力自主应对"),
    "serious_difficulty": ("入户记录为生活陷入严重困难", "入户记录为生活未陷入严重困难"),
    "compulsory_education_ok": ("义务教育有保障", "义务教育没有保障"),
    "drinking_water_safe": ("饮水安全有保障", "饮水安全没有保障"),
    "guarantees_secure": ("“三保障”和饮水安全有保障", "“三保障”或饮水安全没有保障"),
    "green_channel_facts_clear": ("严重困难事实清楚", "严重困难事实尚不清楚"),
    "green_channel_urgent": ("急需帮扶", "并非急需帮扶"),
    "loses_self_care": ("失能", "未失能"),
    "solitary": ("属于鳏寡孤独", "不属于鳏寡孤独"),
    "in_non_compulsory_school": ("在非义务教育阶段就读", "不在非义务教育阶段就读"),
    "whole_household_without_labour": ("整户无劳动能力", "家中有劳动能力成员"),
    "has_able_member": ("家中有劳动能力成员", "家中没有劳动能力成员"),
    "only_house": ("鉴定房屋为唯一住房", "鉴定房屋不是唯一住房"),
    "serious_difficulty_recorded": ("入户记录为生活陷入严重困难", "入户未记录生活陷入严重困难"),
    "under_monitoring": ("正在监测帮扶（风险未消除）", "不是正在监测帮扶的户"),
    "counted_in_household": ("计入家庭人口", "不计入家庭人口"),
    # neutral: each document names the finding in its own words in the rule's title (稳定消除或
    # 自然消除 in ewenki_2024 and puan_2025; rongan_2022 prints only 风险点是否消除)
    "risk_resolved": (
        "干部认定纳入监测时的返贫致贫风险已消除",
        "干部认定纳入监测时的返贫致贫风险尚未消除",
    ),
    "closed_clue_meets_criteria": (
        "经{channels}收到、已办结的监测预警信息记录为符合认定标准",
        "没有经{channels}收到、已办结并记录为符合认定标准的监测预警信息",
    ),
    "closed_clue_fails_criteria": (
        "经{channels}收到、已办结的监测预警信息记录为不符合认定标准",
        "没有经{channels}收到、已办结并记录为不符合认定标准的监测预警信息",
    ),
    "closed_clue_without_reason": (
        "经{channels}收到、已办结且不符合认定标准的监测预警信息未记录主要原因",
        "经{channels}收到、已办结且不符合认定标准的监测预警信息均已记录主要原因",
    ),
    "closed_clue_not_informed": (
        "经{channels}收到、已办结的监测预警信息未记录办理结果已告知本人",
        "经{channels}收到、已办结的监测预警信息均已记录办理结果告知本人",
    ),
    "closed_clue_informed_blank": (
        "经{channels}收到、已办结的监测预警信息未填写办理结果是否已告知本人",
        "经{channels}收到、已办结的监测预警信息均已填写办理结果是否已告知本人",
    ),
    "closed_clue_refused_not_told": (
        "经{channels}收到、已办结且不符合认定标准的监测预警信息记录为未告知本人",
        "经{channels}收到、已办结且不符合认定标准的监测预警信息未记录为未告知本人",
    ),
    "income_double_signed": ("收入信息经“双签字”确认", "收入信息未经“双签字”确认"),
    "guarantees_double_signed": (
        "“两不愁三保障”信息经“双签字”确认",
        "“两不愁三保障”信息未经“双签字”确认",
    ),
    "phone_interview_recorded": ("电话访谈已做记载记录", "电话访谈未做记载记录"),
    "phone_interview": ("采用电话访谈采集", "未采用电话访谈采集"),
    # the measure is the pack's reading (no document prints one): the text says how it was taken
    "income_stably_above": (
        "评估日及此前{months}个月每月同日，前12个月人均纯收入均超过{line}（按本包测算）",
        "评估日及此前{months}个月每月同日的前12个月人均纯收入并非均超过{line}（按本包测算）",
    ),
    "willing_to_develop": ("有劳动能力且有发展意愿", "并非有劳动能力且有发展意愿"),
    "development_confirmed": (
        "开发式帮扶经苏木乡镇嘎查两级确认",
        "开发式帮扶未经苏木乡镇嘎查两级确认",
    ),
    "transfer_income_main_source": (
        "收入主要来源为转移性收入（{window}）",
        "收入主要来源不是转移性收入（{window}）",
    ),
    "policy_transfer_main_source": (
        "收入主要来源为兜底保障等政策性转移收入（{window}）",
        "收入主要来源不是兜底保障等政策性转移收入（{window}）",
    ),
    "unverified_clue_received": (
        "收到风险线索（{channels}，{window}）且尚未入户核实、尚未办结",
        "没有尚未入户核实、尚未办结的风险线索（{channels}，{window}）",
    ),
    "department_warning": (
        "收到部门预警（{departments}，{window}）",
        "没有收到部门预警（{departments}，{window}）",
    ),
    "green_channel_publicly_recognised": ("群众普遍认可", "群众未普遍认可"),
    "ever_monitored": ("纳入过监测（含已消除风险）", "从未纳入监测"),
}

#: Regular Chinese negations of a predicate, by its first words (the labels are predicates).
_ZH_NEGATING_PREFIXES: tuple[tuple[str, str], ...] = (
    ("正在享受", "未享受"),
    ("正在", "不在"),
    ("有尚未", "没有尚未"),
    ("有", "没有"),
    ("已", "未"),
    ("患", "未患"),
    ("参加", "未参加"),
    ("经", "未经"),
    ("享受", "未享受"),
    ("收到", "未收到"),
    ("发生", "未发生"),
    ("出现", "未出现"),
    ("计入", "未计入"),
    ("采用", "未采用"),
    ("纳入", "未纳入"),
    ("属于", "不属于"),
    ("入户记录为", "入户记录不是"),
)


#: Negations inside a label that starts with a time or place phrase (first match wins).
_ZH_NEGATING_INFIXES: tuple[tuple[str, str], ...] = (
    ("记录为", "未记录为"),
    ("未记录", "已记录"),
    ("已办结", "未办结"),
    ("以来为", "以来不是"),
    ("新认定为", "未新认定为"),
    ("新纳入", "未新纳入"),
    ("纳入", "未纳入"),
    ("发生", "未发生"),
    ("包括", "不包括"),
    ("仅有", "不只有"),
    ("有保障", "没有保障"),
    ("排在", "未排在"),
)


def _zh_negation(label: str) -> str:
    """ "有能力自主应对" → "没有能力自主应对"; a label with a time phrase first keeps it in front
    ("2023年1月1日以来新纳入农村低保" → "2023年1月1日以来未新纳入农村低保")."""
    for head, negated in _ZH_NEGATING_PREFIXES:
        if label.startswith(head):
            return negated + label[len(head) :]
    for inner, negated in _ZH_NEGATING_INFIXES:
        if inner in label:
            return label.replace(inner, negated, 1)
    return f"{label}：否"


def _bool_text(
    variable: str, label: str, shown_args: Mapping[str, str], value: Any, who: str, lang: str
) -> str:
    """A yes/no fact as a statement: holds, does not hold, or not known."""
    if lang != "zh":
        word = "unknown" if isinstance(value, Missing) else ("yes" if value else "no")
        return f"{who}{label}: {word}"
    own = _ZH_STATEMENTS.get(variable)
    if own is not None:
        holds, fails = (t.format(**shown_args) for t in own)
    else:
        holds, fails = label, _zh_negation(label)
    if isinstance(value, Missing):  # the label asks the question: "是否有能力自主应对"
        return f"{who}是否{label}尚不清楚"
    return _after_who(who, holds if value else fails)


#: Enum facts with a statement of their own: (zh template, en template) with {who} and {value}.
_ENUM_STATEMENTS: dict[str, tuple[str, str]] = {
    "relation": ("{who}是户主的{value}", "{who}is the head's {value}"),
    "hukou": ("户籍为{value}", "the household's hukou is {value}"),
    "member_hukou": ("{who}户籍为{value}", "{who}hukou is {value}"),
    "labour": ("{who}劳动能力为{value}", "{who}labour capacity: {value}"),
    "schooling": ("{who}在校情况为{value}", "{who}schooling: {value}"),
}


def _who(member_id: str | None, lang: str) -> str:
    if member_id is None:
        return ""
    return f"成员{member_id}" if lang == "zh" else f"member {member_id}: "


def _after_who(who: str, statement: str) -> str:
    """ "成员m1" + "2022年4月新认定为…": a statement opening with a digit is set off by "：" so
    the member id and the date do not run together ("成员m12022年")."""
    if who and statement[:1].isdigit():
        return f"{who}：{statement}"
    return who + statement


#: The words of each distinct check, per language (a pack's checks repeat across households).
#: Texts are kept as worded, ID numbers included: outputs mask them when shown, as without it.
_CHECK_TEXTS = BoundedMemo(maxsize=50_000)


def check_text(
    variable: str,
    args: Mapping[str, Any],
    member_id: str | None,
    value: Any,
    op: str | None,
    right: Any,
    result: Any,
    lang: str,
    *,
    parameter: str | None = None,
) -> str:
    """One evaluated leaf of a condition, as a statement of fact in ``lang`` ("zh" or "en").

    ``value`` / ``right`` / ``args`` are the evaluated Python values (not their machine text);
    ``result`` is True, False or UNKNOWN; ``parameter`` names the pack parameter ``right`` was
    read from, if any ("低于监测收入标准7,000元"). Worded once per distinct check (every
    argument keyed exactly: :func:`~fangfan_rules.rules.exact_keys.check_key`).
    """
    check = (variable, args, member_id, value, op, right, result, parameter)
    key = check_key(*check)
    text: str = _CHECK_TEXTS.get_or_make(
        None if key is None else (key, lang), lambda: word_check(check, lang)
    )
    return text


def word_check(check: tuple[Any, ...], lang: str) -> str:
    """:func:`check_text` of ``check`` (its arguments, ``lang`` apart, in order) worded afresh
    (no memo): what the memo stores, and its reference."""
    variable, args, member_id, value, op, right, result, parameter = check
    var = get_variable(variable)
    shown_args = {k: format_value(v, lang) for k, v in args.items()}
    label = var.label(lang, shown_args)
    who = _who(member_id, lang)
    if op is None or isinstance(value, bool) or (var.value_type == "bool" and op in ("eq", "ne")):
        return _bool_text(variable, label, shown_args, value, who, lang)
    zh = lang == "zh"
    if isinstance(value, Missing):
        return _after_who(who, f"{label}未知") if zh else f"{who}{label}: unknown"
    if value is None:
        return f"{who}没有{label}记录" if zh else f"{who}{label}: none on record"
    if op in ("eq", "ne") and isinstance(right, tuple | frozenset | set) and not right:
        # Compared with "nothing": say what is recorded, or that nothing is.
        if not value:
            return f"{who}没有{label}记录" if zh else f"{who}{label}: none on record"
        shown = format_value(value, lang, enum=var.enum)
        return _after_who(who, f"{label}为{shown}") if zh else f"{who}{label}: {shown}"
    shown = format_value(value, lang, enum=var.enum)
    against = format_value(right, lang, enum=var.enum)
    if parameter is not None and parameter in PARAMETER_LABELS:
        name = PARAMETER_LABELS[parameter][0 if zh else 1]
        against = f"{name}{against}" if zh else f"{name} of {against}"
    stated_op = op if result is not False else NEGATED_OPERATOR[op]
    if isinstance(value, StrEnum | frozenset | tuple | set):
        return _membership_text(variable, label, shown, stated_op, against, result, who, lang)
    kind = "date" if isinstance(value, date) else "number"
    word = operator_text(stated_op, lang, kind=kind)
    if result is UNKNOWN:
        word = operator_text(op, lang, kind=kind) + ("？" if zh else "?")
    if zh:
        verb = "" if isinstance(value, Decimal) else "为"
        return _after_who(who, f"{label}{verb}{shown}，{word}{against}")
    return f"{who}{label} is {shown}, {word} {against}"


def _membership_text(
    variable: str,
    label: str,
    shown: str,
    op: str,
    against: str,
    result: Any,
    who: str,
    lang: str,
) -> str:
    """An enum value or a set compared with the rule's values."""
    zh = lang == "zh"
    word = operator_text(op, lang, kind="set")
    if op in ("contains", "not_contains"):
        if zh and variable != "area_tags":
            return _after_who(who, f"{label}{word}{against}")
        if variable == "area_tags":
            return (
                f"所在地{'是' if op == 'contains' else '不是'}{against}"
                if zh
                else f"the area {'is' if op == 'contains' else 'is not'} {against}"
            )
        return f"{who}{label}{word}{against}" if zh else f"{who}{label} {word} {against}"
    template = _ENUM_STATEMENTS.get(variable)
    if variable == "relation" and shown == format_value(Relation.HEAD, lang):
        fact = f"{who}是户主" if zh else f"{who}is the head of household"
    elif template is not None:
        fact = template[0 if zh else 1].format(who=who, value=shown)
    else:
        fact = _after_who(who, f"{label}为{shown}") if zh else f"{who}{label} is {shown}"
    if result is True:
        return fact
    return f"{fact}，{word}{against}" if zh else f"{fact}, {word} {against}"


# -- reasons -----------------------------------------------------------------------------------


def reason_text(title: LocalText, details: Sequence[str], *, negated: bool, lang: str) -> str:
    """A reason: the rule's title, then the checks that made it fire; when negated (a scope or
    condition not met), the checks that do not hold, then what is therefore not met."""
    if lang == "zh":
        detail = "；".join(details)
        if negated:
            return f"{detail}，不符合“{title.zh}”" if detail else f"不符合“{title.zh}”"
        return title.zh + (f"（{detail}）" if detail else "")
    detail = "; ".join(details)
    if negated:
        return f"{detail}, so not met: {title.en}" if detail else f"Not met: {title.en}"
    return title.en + (f" ({detail})" if detail else "")


# -- missing facts -----------------------------------------------------------------------------

_INCOME_GAP = re.compile(r"^income records for (\d+) of (\d+) days of (\S+)\.\.(\S+)$")
_PARAMETER = re.compile(r"^parameter (\w+) \(not stated in the document: supply it\)$")
_POPULATION = re.compile(r"^population-level value (\w+) \(evaluate the area with identify_many\)$")
_NO_MEMBERS = "household members (none counted)"
#: fangfan_rules.variables.feeds.pending_name: last month's feed not yet due at the town.
_PENDING_FEED = re.compile(
    r"^department feed (\w+) of (\d{4})-(\d{2}) \(due at the town by (\S+)\)$"
)
_ITEM = re.compile(r"^(\w+)\[([^\]]*)\]\.?(.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The vocabulary of the kind named in a list item's key ("clues[self_application 2023-03-01]").
_ITEM_KINDS: dict[str, type[StrEnum]] = {
    "clues": Channel,
    "social_assistance": DibaoKind,
    "expenditures": ExpenditureKind,
    "risk_events": RiskType,
    "child_status": ChildStatus,
}


def _item_text(collection: str, key: str, lang: str) -> str:
    """One item of a dated list of the household record, e.g. "2023年3月1日经自主申报收到的线索"."""
    templates = RECORD_LABELS.get(collection)
    if templates is None:
        return f"{collection}[{key}]"
    fields = {"key": key, "date": key, "kind": ""}
    kind_text, _, day = key.rpartition(" ")
    if ".." in key:
        start, end = key.split("..", 1)
        fields["key"] = window_text(
            DateRange(start=date.fromisoformat(start), end=date.fromisoformat(end)), lang
        )
    elif _ISO_DATE.match(day):
        fields["date"] = format_value(date.fromisoformat(day), lang)
        enum = _ITEM_KINDS.get(collection)
        if kind_text and enum is not None:
            fields["kind"] = format_value(kind_text, lang, enum=enum)
    return templates[0 if lang == "zh" else 1].format(**fields)


def fact_text(fact: str, lang: str = "zh") -> str:
    """The machine name of a fact (``guarantees.drinking_water_safe``, ``members[m3].schooling``,
    an income gap, a caller parameter) as a person asks for it."""
    zh = lang == "zh"
    if fact == _NO_MEMBERS:
        return "家庭成员（没有计入家庭人口的成员）" if zh else "household members (none counted)"
    if match := _INCOME_GAP.match(fact):
        gap, days, start, end = match.groups()
        window = window_text(
            DateRange(start=date.fromisoformat(start), end=date.fromisoformat(end)), lang
        )
        if zh:
            return f"{window}的收入记录不全（缺{gap}天）"
        return f"income records for {window} ({gap} of {days} days missing)"
    if match := _PARAMETER.match(fact):
        return parameter_text(match.group(1), lang)
    if match := _PENDING_FEED.match(fact):
        kind, year, month, due = match.groups()
        kind_text = format_value(kind, lang, enum=ClueKind)
        due_text = format_value(date.fromisoformat(due), lang)
        if zh:
            return (
                f"{year}年{int(month)}月的“{kind_text}”预警信息是否已反馈到镇街（应于{due_text}前反馈；"
                "收到后录入该部门预警即可判断；过期未收到的，本包解读为已反馈）"
            )
        return (
            f'whether the "{kind_text}" warnings of {year}-{month} have reached the town (due by'
            f" {due_text}; record the department warning when it arrives — after the due day the pack"
            " reads them as received)"
        )
    if match := _POPULATION.match(fact):
        # The batch figure is named without its arguments: they were never read.
        label = re.sub(
            r"\{\w+\}",
            "…",
            get_variable(match.group(1)).label_zh if zh else get_variable(match.group(1)).label_en,
        )
        return f"{label}（需对全地区农户一并评估）" if zh else f"{label} (evaluate the whole area)"
    if match := _ITEM.match(fact):
        owner = _item_text(match.group(1), match.group(2), lang)
        rest = match.group(3)
        if not rest:
            return owner
        return f"{owner}的{fact_text(rest, lang)}" if zh else f"{owner}: {fact_text(rest, lang)}"
    labels = FACT_LABELS.get(fact)
    return fact if labels is None else labels[0 if zh else 1]


def parameter_text(name: str, lang: str = "zh") -> str:
    """A figure the document leaves to the caller, by its short name."""
    label = parameter_label(name, lang)
    return f"{label}（文件未规定）" if lang == "zh" else f"{label} (not stated in the document)"


def missing_facts_text(missing: Sequence[str]) -> LocalText:
    """The "find out" line of a needs_review answer, from the machine names of missing facts:
    "缺少：饮水安全情况、是否参加基本医疗保险；2022年5月至2023年4月的收入记录不全（缺120天）；
    需由调用方提供：低收入标准（文件未规定）"."""
    return LocalText(zh=_missing_line(missing, "zh"), en=_missing_line(missing, "en"))


def missing_facts_list(missing: Sequence[str], lang: str = "zh") -> str:
    """The missing facts of an answer as one line of an explanation (same words as the review)."""
    return _missing_line(missing, lang)


def _missing_line(missing: Sequence[str], lang: str) -> str:
    zh = lang == "zh"
    facts: list[str] = []
    gaps: list[str] = []
    parameters: list[str] = []
    for fact in missing:
        if _PARAMETER.match(fact):
            parameters.append(fact_text(fact, lang))
        elif _INCOME_GAP.match(fact):
            gaps.append(fact_text(fact, lang))
        else:
            facts.append(fact_text(fact, lang))
    parts = []
    if facts:
        parts.append(("缺少：" if zh else "find out: ") + ("、" if zh else ", ").join(facts))
    parts.extend(gaps)
    if parameters:
        parts.append(
            ("需由调用方提供：" if zh else "to be supplied by the caller: ")
            + ("、" if zh else ", ").join(parameters)
        )
    return ("；" if zh else "; ").join(parts)


def parameter_label(name: str, lang: str = "zh") -> str:
    """A parameter's short name (its machine name when the vocabulary has none)."""
    labels = PARAMETER_LABELS.get(name)
    return name if labels is None else labels[0 if lang == "zh" else 1]


_REFORM = re.compile(r"^(rule:)?([^=]+)=(.*) \((\w+)\)$")
_REFORM_SOURCES = {
    "caller": ("调用方提供", "supplied by the caller"),
    "reform": ("参数调整", "override"),
    "document": ("文件规定", "stated"),
}
_RULE_CHANGES = {
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "replaced": ("替换", "replaced"),
}


def reform_text(reform: str, lang: str = "zh") -> str:
    """A figure or rule the caller changed (``monitoring_income_line=7000.00 (caller)``) in words:
    "监测收入标准：7,000元（调用方提供）"."""
    match = _REFORM.match(reform)
    if match is None:
        return reform
    is_rule, name, raw, source = match.groups()
    i = 0 if lang == "zh" else 1
    how = _REFORM_SOURCES.get(source, (source, source))[i]
    if is_rule:
        change = _RULE_CHANGES.get(raw, (raw, raw))[i]
        return f"规则{change}（{how}）" if lang == "zh" else f"rule {name} {change} ({how})"
    value: Any = raw
    if ".." in raw:
        start, end = raw.split("..", 1)
        value = DateRange(start=date.fromisoformat(start), end=date.fromisoformat(end))
    elif _ISO_DATE.match(raw):
        value = date.fromisoformat(raw)
    elif re.fullmatch(r"-?\d+\.\d{2}", raw):
        value = Decimal(raw)
    shown = format_value(value, lang)
    label = parameter_label(name, lang)
    return f"{label}：{shown}（{how}）" if lang == "zh" else f"{label}: {shown} ({how})"
