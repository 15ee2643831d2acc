"""Why a household's facts were refused, in Chinese, for the town and village staff who read it.

The library's errors are written in English for the systems and developers that call it (and so
stay stable for them); a page or a report for staff shows the same error through this module:
:func:`fact_error_zh` renders a :class:`~fangfan_rules.errors.FactError` (its household, each
field as a Chinese path — ``成员第1人·出生日期`` — the value as given, the reason), and
:func:`reason_zh` a single reason. A reason this table does not know is shown as it is, in
English, never dropped or paraphrased into something it did not say. ID numbers arrive masked
(FactError masks them) and nothing here unmasks them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fangfan_rules.errors import NO_VALUE, FactError, shown_value

#: Field names as staff call them (the household's and its records' keys).
FIELD_ZH: dict[str, str] = {
    "id": "编号",
    "area": "所在地",
    "county": "县",
    "town": "乡镇",
    "village": "村",
    "tags": "地区标签",
    "hukou": "户籍",
    "has_urban_social_security": "享受城镇社保待遇",
    "members": "成员",
    "relation": "与户主关系",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "name": "姓名",
    "schooling": "在校生状况",
    "labour": "劳动技能",
    "employment": "务工状况",
    "health": "健康状况",
    "major_illness": "大病",
    "chronic_illness": "慢性病",
    "disability": "残疾",
    "grade": "等级",
    "certificate_date": "办证日期",
    "lifted_out_of_poverty": "是否脱贫户",
    "lifted_year": "脱贫年度",
    "social_assistance": "社会救助记录",
    "kind": "类别",
    "start": "开始日期",
    "end": "结束日期",
    "full_or_top_grade": "全额或最高档",
    "monitoring": "监测记录",
    "identified_on": "识别日期",
    "eliminated_on": "风险消除日期",
    "category": "监测类别",
    "risk_types": "风险类型",
    "measures": "帮扶措施",
    "helper": "帮扶责任人",
    "second_helper": "第二帮扶人",
    "income": "收入记录",
    "wage_income": "工资性收入",
    "business_income": "生产经营性收入",
    "property_income": "财产性收入",
    "transfer_income": "转移性收入",
    "policy_transfer_income": "政策性转移收入",
    "business_expense": "生产经营性支出",
    "expenditures": "支出记录",
    "date": "日期",
    "total": "总额",
    "reimbursed": "报销金额",
    "compliant_self_paid": "合规自付",
    "risk_events": "风险事件",
    "type": "类型",
    "guarantees": "三保障和饮水安全",
    "housing_grade": "住房安全等级",
    "basic_medical_insured": "参加基本医疗保险",
    "compulsory_education_ok": "义务教育有保障",
    "drinking_water_safe": "饮水安全有保障",
    "self_coping": "自主应对能力",
    "serious_difficulty": "生活陷入严重困难",
    "livestock": "存栏牲畜",
    "head_count": "头只数",
    "estimated_value": "估值",
    "clues": "风险线索",
    "channel": "渠道",
    "received_on": "收到日期",
    "verified_on": "核实日期",
    "closed_on": "办结日期",
    "department": "部门",
    "renovations": "危房改造",
    "provenance": "数据来源",
    # the columnar tables' money columns, in fen (分): named as the yuan fact, the value shown
    # in yuan beside the fen given (:func:`problems_zh`)
    **{
        f"{name}_fen": zh
        for name, zh in (
            ("wage_income", "工资性收入"),
            ("business_income", "生产经营性收入"),
            ("property_income", "财产性收入"),
            ("transfer_income", "转移性收入"),
            ("policy_transfer_income", "政策性转移收入"),
            ("business_expense", "生产经营性支出"),
            ("total", "总额"),
            ("reimbursed", "报销金额"),
            ("compliant_self_paid", "合规自付"),
            ("estimated_value", "估值"),
        )
    },
}

_INDEXED_ZH = {"members": "人", "income": "条", "expenditures": "条", "monitoring": "条"}

# a workbook names a cell's column by its letter, ``(K)``; a CSV sheet by its number,
# ``(column 11)``; the fact the cell feeds may follow, ``(income[0].business_income)``
_SHEET = re.compile(
    r"^sheet (?P<sheet>.+?) row (?P<row>\d+), column (?P<column>.+?) "
    r"\((?:(?P<letter>[A-Z]{1,3})|column (?P<number>\d+))\)"
    r"(?: \((?P<path>[^()]*)\))?$"
)
_SHEET_ROW = re.compile(r"^sheet (?P<sheet>.+?) row (?P<row>\d+) \((?P<path>[^()]*)\)$")
_SHEET_ONLY = re.compile(r"^sheet (?P<sheet>.+?) \((?P<path>[^()]*)\)$")
_STEP = re.compile(r"\.|(\[\d+\])")


def field_zh(path: str) -> str:
    """A fact path (``members[0].birth_date``) or a sheet cell as staff read it (the fact the
    cell feeds named after it: which of a household's missing facts it is)."""
    for pattern, text in (
        (_SHEET, "工作表“{sheet}”第{row}行，“{column}”列（{where}）"),
        (_SHEET_ROW, "工作表“{sheet}”第{row}行"),
        (_SHEET_ONLY, "工作表“{sheet}”"),
    ):
        found = pattern.match(path)
        if found:
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            if "letter" in groups:
                groups["where"] = f"{groups['letter']}列"
            elif "number" in groups:
                groups["where"] = f"第{groups['number']}列"
            shown = text.format(**groups)
            fact = groups.get("path")
            return f"{shown}，对应“{_path_zh(fact)}”" if fact else shown
    return _path_zh(path)


def _path_zh(path: str) -> str:
    if path in ("<household>", "<json>", ""):
        return "整户信息"
    out: list[str] = []
    last = ""
    for part in (p for p in _STEP.split(path) if p):
        if part.startswith("[") and part.endswith("]"):
            out[-1] += f"第{int(part[1:-1]) + 1}{_INDEXED_ZH.get(last, '项')}"
        else:
            last = part
            out.append(FIELD_ZH.get(part, part))
    return "·".join(out)


#: (English reason as the library writes it, its Chinese), tried in order; groups are kept.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), zh)
    for pattern, zh in (
        (r"missing \(a required field\)", "缺少（必填项）"),
        (r"Field required", "缺少（必填项）"),
        (r"Extra inputs are not permitted", "不是已知的字段（请检查拼写）"),
        (r"no such day: (?P<v>.+)", "没有这一天：{v}"),
        (r"no such date \((?P<why>.+)\)", "没有这一天（{why}）"),
        (r"day is out of range for month", "该月没有这一天"),
        (r"month must be in 1\.\.12", "月份应在1至12之间"),
        (r"year (?P<y>-?\d+) is out of range", "年份{y}超出范围"),
        (r"expected a date as YYYY-MM-DD, got (?P<v>.+)", "日期应写作YYYY-MM-DD，填写的是{v}"),
        (
            r"expected a date \(YYYY-MM-DD\), got a datetime (?P<v>.+)",
            "应填日期（YYYY-MM-DD），不带时间：{v}",
        ),
        (
            r"expected a whole number \(a JSON integer or ASCII digits\), got (?P<v>.+)",
            "应为整数，填写的是{v}",
        ),
        (
            r"income period ends \((?P<e>[^)]+)\) before it starts \((?P<s>[^)]+)\)",
            "收入时段的结束日期（{e}）早于开始日期（{s}）",
        ),
        (
            r"assistance ends \((?P<e>[^)]+)\) before it starts \((?P<s>[^)]+)\)",
            "救助的结束日期（{e}）早于开始日期（{s}）",
        ),
        (r"eliminated_on is before identified_on", "风险消除日期早于识别日期"),
        (r"member id (?P<v>.+) appears twice", "成员编号{v}重复"),
        (
            r"lifted_year is set but lifted_out_of_poverty is false",
            "填写了脱贫年度，但“是否脱贫户”为否",
        ),
        (
            r"income periods overlap: (?P<a>\S+) and (?P<b>\S+) .*",
            "收入时段重叠：{a} 与 {b}（重叠部分会被重复计算）",
        ),
        (
            r"two monitoring spells identified on (?P<d>\S+):.*",
            "两条监测记录的识别日期同为{d}，无法判断哪条是当前记录",
        ),
        (
            r"policy transfer income (?P<p>\S+) exceeds transfer income (?P<t>\S+).*",
            "政策性转移收入{p}超过转移性收入{t}（它是其中一部分）",
        ),
        (r"reimbursed (?P<r>\S+) exceeds total (?P<t>\S+)", "报销金额{r}超过总额{t}"),
        (
            r"compliant self-paid (?P<c>\S+) exceeds total minus reimbursed \((?P<d>[^)]+)\)",
            "合规自付{c}超过总额减报销（{d}）",
        ),
        (
            r"an id cannot contain (?P<c>U\+[0-9A-F]+) .*",
            "编号中不能有字符{c}（控制字符、不可见字符或换行）",
        ),
        (r"an id cannot begin or end with a space", "编号首尾不能有空格"),
        (r"text cannot contain (?P<c>U\+[0-9A-F]+) .*", "文字中不能有字符{c}（控制字符）"),
        (r"ID number (?P<v>\S+) has an impossible birth date", "身份证号{v}的出生日期不存在"),
        (
            r"ID number (?P<v>\S+) fails the GB 11643 check digit",
            "身份证号{v}校验码不符（GB 11643）",
        ),
        (
            r"ID number (?P<v>\S+) must be 18 characters.*",
            "身份证号{v}应为18位（17位数字加数字或X）或15位数字",
        ),
        (r"an ID number must be a string.*", "身份证号应作为文字填写（保留开头的0和末尾的X）"),
        (
            r"money cannot be a float \((?P<v>[^)]+)\).*",
            "金额不能是浮点数（{v}）：请填写文字或精确数值",
        ),
        (
            r"money has finer precision than one fen \(0\.01 yuan\): (?P<v>[^;]+);.*",
            "金额{v}精确到分以下：请在源头处理，系统不会四舍五入",
        ),
        (
            r"(?P<v>.+) is finer than one fen \(0\.01 yuan\); fangfan-rules does not round",
            "{v}精确到分以下，系统不会四舍五入",
        ),
        (r"not a money amount: (?P<v>.+?)(?: \(.*\))?", "不是金额：{v}（应填元，如1234.50）"),
        (r"money must be a finite number, got (?P<v>.+)", "金额应为有限的数：{v}"),
        (r"money cannot be negative zero: (?P<v>.+)", "金额不能是负零：{v}"),
        (r"money amount out of range: (?P<v>.+)", "金额超出范围：{v}"),
        (r"amount cannot be negative here: (?P<v>.+)", "此处金额不能为负：{v}"),
        (r"amount cannot be negative here", "此处金额不能为负"),
        (
            r"not an amount in yuan in a declared form \((?P<f>.+)\)",
            "不是映射允许的金额写法（应写作{f}）",
        ),
        (r"(?P<f>.+?) must be in (?P<a>\d+)\.\.(?P<b>\d+)", "{f}应在{a}至{b}之间"),
        (r"a money amount cannot be a boolean.*", "金额不能填是/否"),
        (r"Input should be (?P<v>'.+)", "应为以下之一：{v}"),
        (r"Input should be a valid boolean.*", "应为是/否（true / false）"),
        (r"Input should be a valid integer.*", "应为整数"),
        (r"Input should be a valid string.*", "应为文字"),
        (r"Input should be a valid list.*", "应为列表"),
        (r"Input should be a valid tuple.*", "应为列表"),
        (r"Value should have at least 1 item after validation, not 0", "不能为空"),
        (
            r"Value should have at least (?P<n>\d+) items after validation, not (?P<m>\d+)",
            "至少应有{n}项，填写的只有{m}项",
        ),
        (r"Input should be a valid (dictionary|object).*", "应为对象（{…}）"),
        (r"Input should be greater than or equal to (?P<n>\S+)", "应不小于{n}"),
        (r"Input should be less than or equal to (?P<n>\S+)", "应不大于{n}"),
        (r"String should have at least (?P<n>\d+) characters?", "至少应有{n}个字符"),
        (r"key (?P<k>.+) appears twice in the object", "同一对象中键{k}出现两次"),
        (r"not valid JSON: nested too deeply to read", "不是有效的JSON：嵌套过深，无法读取"),
        (r"not valid JSON: (?P<why>.+)", "不是有效的JSON（{why}）"),
        (
            r"line (?P<n>\d+) is not UTF-8 text \(byte (?P<b>0x[0-9a-f]+) at column (?P<c>\d+)\);.*",
            "第{n}行不是UTF-8编码的文字（第{c}列，字节{b}）：请另存为UTF-8（Excel导出的GBK文件需先转换）",
        ),
        (r"expected a JSON object, got (?P<k>.+)", "应为一户的JSON对象，却是{k}"),
        (r"not UTF-8 .*", "不是UTF-8编码的文字（表格请另存为UTF-8或直接上传Excel文件）"),
        (r"not a date in a declared form \((?P<f>.+)\)", "不是映射允许的日期写法（{f}）"),
        (r"not a word this mapping knows here \((?P<k>.+)\)", "不是映射中此列认可的词（{k}）"),
        (r"not a whole number(?P<u>.*)", "不是整数{u}"),
        (r"not an amount", "不是金额"),
        (r"not a finite number", "不是有限的数"),
        (r"a number with decimals where text is expected", "此处应填文字，却是带小数的数字"),
        (
            r"a number too long for Excel to keep exactly; format it as text",
            "数字过长，Excel无法精确保存：请把单元格设为文本",
        ),
        (
            r"an Excel date-and-time cell with a time of day; a date is expected",
            "单元格带有时刻，应只填日期",
        ),
        (
            r"token '(?P<t>.+)' \((?P<role>county|town|village) (?P<a>\S+)\) does not cover household"
            r" '(?P<h>.+)' \((?P<ha>[^()]+)\)",
            "令牌“{t}”（{a}）无权处理户{h}（{ha}），已记录",
        ),
        (
            r"household id appears more than once in the batch: .*",
            "户编号在本批中出现不止一次：每一条都列为无法读取，均不评估",
        ),
    )
)


def reason_zh(reason: str) -> str:
    """One reason in Chinese, or as it is when this table does not know it. The text of a whole
    :class:`FactError` (``household H: n invalid fact(s)`` and its lines, as a bad row carries
    it) is rendered line by line, as :func:`fact_error_zh` does."""
    whole = _FACT_ERROR.fullmatch(reason)
    if whole:
        return _fact_error_text_zh(whole)
    for pattern, zh in _REASONS:
        found = pattern.fullmatch(reason)
        if found:
            groups = {
                k: reason_zh(v) if k == "why" else _listed(v)
                for k, v in found.groupdict().items()
                if v is not None
            }
            return zh.format(**groups)
    return reason


def _listed(text: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as a Chinese list, "'a'、'b'、'c'"."""
    return text.replace("' or '", "'、'").replace("', '", "'、'")


def problems_zh(problems: Iterable[tuple[str, object, str]]) -> list[str]:
    """Each (field, value, reason) of a fact error as one Chinese line."""
    lines = []
    for field, value, reason in problems:
        shown = "" if value is NO_VALUE else _given(field, shown_value(value))
        lines.append(f"{field_zh(field)}{shown}：{reason_zh(reason)}")
    return lines


_FEN = re.compile(r"'?(?P<fen>-?\d{1,30})'?")


def _given(field: str, value: str) -> str:
    """``（填写的是…）``; a columnar table's money in fen (``wage_income_fen``, named as the
    yuan fact) also in yuan, so that staff do not read fen as yuan."""
    found = _FEN.fullmatch(value) if field.endswith("_fen") else None
    if found is None:
        return f"（填写的是{value}）"
    fen = int(found["fen"])
    sign = "-" if fen < 0 else ""
    return f"（表中填写的是{found['fen']}分，即{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}元）"


def fact_error_zh(error: FactError) -> str:
    """A :class:`FactError` as staff read it: the household, then one line per problem."""
    who = f"户{error.household_id}" if error.household_id is not None else "编号不明的户"
    lines = [f"{who}：{len(error.problems)}项信息有误"]
    lines += [f"  - {line}" for line in problems_zh(error.problems)]
    return "\n".join(lines)


_FACT_ERROR = re.compile(
    r"(?:line (?P<line>\d+): )?household (?P<hid>.+?): (?P<n>\d+) invalid fact\(s\)\n(?P<rest>.*)",
    re.DOTALL,
)


def _fact_error_text_zh(whole: re.Match[str]) -> str:
    hid = whole["hid"]
    who = "编号不明的户" if hid == "<unknown id>" else f"户{hid}"
    head = f"第{whole['line']}行：" if whole["line"] else ""
    lines = [f"{head}{who}：{whole['n']}项信息有误"]
    for line in whole["rest"].split("\n  - "):
        lines.append(f"  - {_problem_line_zh(line.removeprefix('  - '))}")
    return "\n".join(lines)


def _problem_line_zh(line: str) -> str:
    """``field = value: reason`` or ``field: reason`` (errors.FactError's lines): the split is
    the first ``: `` whose right side is a reason this table knows, else the first one."""
    cuts = [i for i in range(len(line)) if line.startswith(": ", i)]
    if not cuts:
        return line
    chosen = next((i for i in cuts if reason_zh(line[i + 2 :]) != line[i + 2 :]), cuts[0])
    left, reason = line[:chosen], line[chosen + 2 :]
    field, sep, value = left.partition(" = ")
    shown = _given(field, value) if sep else ""
    return f"{field_zh(field)}{shown}：{reason_zh(reason)}"
