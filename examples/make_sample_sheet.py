"""Build examples/sample_members.xlsx: a small, synthetic 入户排查表 under the default mapping.

    python examples/make_sample_sheet.py

Five invented households (one member per row, household cells on the head's row, one household's
rows apart from each other, a blank row and a 合计 row) with the default mapping's headers. Read it:

    from datetime import date
    from fangfan_rules.io import read_spreadsheet
    rows = read_spreadsheet("examples/sample_members.xlsx",
                            income_period=(date(2022, 5, 1), date(2023, 4, 30)))
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl

from fangfan_rules.idnumber import check_digit

OUT = Path(__file__).with_name("sample_members.xlsx")
HEADERS = [
    "序号", "户编号", "县（市、区、旗）", "乡（镇、街道、苏木）", "村（社区、嘎查）", "户籍",
    "是否脱贫户", "脱贫年度", "姓名", "身份证号", "与户主关系", "出生日期", "健康状况", "劳动技能",
    "在校生状况", "务工状况", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入",
    "生产经营性支出", "家庭人均纯收入", "享受低保", "低保纳入时间", "住房安全等级", "饮水安全有保障",
    "自主应对能力",
]  # fmt: skip

# (户编号, 是否脱贫户, wage, business, property, transfer, expense, 享受低保, members)
# members: (姓名, 与户主关系, 出生日期, 健康状况, 劳动技能, 在校生状况, 务工状况)
HOUSEHOLDS = [
    ("示例-001", "是", "12,000.00", "3000", "0", "4000", "500", "否", [
        ("示例甲", "户主", dt.date(1962, 4, 3), "长期慢性病", "弱劳动力或半劳动力", "非在校生", "就业不稳定"),
        ("示例乙", "配偶", dt.date(1964, 8, 19), "健康", "普通劳动力", "非在校生", "稳定就业"),
        ("示例丙", "之子", dt.date(2006, 9, 1), "健康", "普通劳动力", "普通高中", "")]),
    ("示例-002", "否", "30,000.00", "0", "200", "600", "0", "否", [
        ("示例丁", "户主", dt.date(1980, 1, 15), "健康", "技能劳动力", "非在校生", "稳定就业")]),
    ("示例-003", "是", "0", "2,400.00", "0", "6,000.00", "400", "是", [
        ("示例戊", "户主", dt.date(1950, 12, 2), "大病", "丧失劳动力", "非在校生", ""),
        ("示例己", "之孙女", dt.date(2012, 3, 30), "健康", "无劳动力", "小学", "")]),
    ("示例-004", "是", "8,000.00", "1,500.50", "0", "3,000.00", "0", "否", [
        ("示例庚", "户主", dt.date(1975, 6, 6), "健康", "普通劳动力", "非在校生", "转移就业"),
        ("示例辛", "之女", dt.date(2004, 2, 29), "健康", "普通劳动力", "本科及以上", "")]),
]  # fmt: skip


def _id_number(birth: dt.date, n: int) -> str:
    first17 = f"210311{birth:%Y%m%d}{n:03d}"
    return first17 + check_digit(first17)


def _per_capita(wage: str, business: str, prop: str, transfer: str, expense: str, n: int) -> str:
    parts = [Decimal(x.replace(",", "")) for x in (wage, business, prop, transfer, expense)]
    net = sum(parts[:4], Decimal(0)) - parts[4]
    return f"{(net / n).quantize(Decimal('0.01')):,}"


def rows() -> list[list[object]]:
    out: list[list[object]] = [HEADERS]
    later = []
    serial = 0
    for hid, lifted, wage, business, prop, transfer, expense, dibao, members in HOUSEHOLDS:
        for position, (name, relation, birth, health, labour, school, work) in enumerate(members):
            serial += 1
            cells: dict[str, object] = {
                "序号": serial, "户编号": hid, "姓名": name, "与户主关系": relation,
                "身份证号": _id_number(birth, serial), "出生日期": birth, "健康状况": health,
                "劳动技能": labour, "在校生状况": school, "务工状况": work,
            }  # fmt: skip
            if position == 0:
                cells.update({
                    "县（市、区、旗）": "示例区", "乡（镇、街道、苏木）": "示例镇",
                    "村（社区、嘎查）": "示例村", "户籍": "农村户籍", "是否脱贫户": lifted,
                    "脱贫年度": "2019" if lifted == "是" else "", "工资性收入": wage,
                    "生产经营性收入": business, "财产性收入": prop, "转移性收入": transfer,
                    "生产经营性支出": expense,
                    "家庭人均纯收入": _per_capita(wage, business, prop, transfer, expense, len(members)),
                    "享受低保": dibao, "低保纳入时间": "2023年3月1日" if dibao == "是" else "",
                    "住房安全等级": "A级", "饮水安全有保障": "是", "自主应对能力": "有",
                })  # fmt: skip
            row = [cells.get(h, None) for h in HEADERS]
            # the last member of the first household is entered at the end of the sheet
            (later if (hid, position) == ("示例-001", 2) else out).append(row)
    return [*out, [None] * len(HEADERS), *later, ["合计", *[None] * (len(HEADERS) - 1)]]


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "入户排查表"
    for row in rows():
        sheet.append(row)
    for cell in sheet["L"][1:]:
        cell.number_format = "yyyy/m/d"
    book.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
