"""The warning ledger (jimo_2022 附件2 防止返贫监测预警信息办理情况汇总表) as CSV / XLSX."""

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

import fangfan_rules as ff
from fangfan_rules.ledger import LedgerError, LedgerSpec, ledger_rows, ledger_spec, write_ledger

AS_OF = date(2022, 5, 10)
PACK = ff.load_pack("jimo_2022").with_parameters(
    monitoring_income_line=7000, income_window={"start": "2021-05-01", "end": "2022-04-30"}
)
ID_NUMBER = "11010519491231002X"
# Copied from 附件2 of 004_df00656d85e0dab8.txt, in the printed order (two headers are printed across a
# line break: "户主   姓名", "办结  日期").
COLUMNS = [
    "镇街",
    "村",
    "户主姓名",
    "身份证",
    "预警方式",
    "预警信息来源",
    "具体预警信息",
    "信息反馈日期",
    "是否符合认定标准",
    "不符合认定标准的主要原因",
    "办理结果是否已告知本人（仅自主申报户和信访户填写）",
    "核查人员",
    "办结日期",
]


def _household(hid="JM-L", members=None, clues=()) -> ff.Household:
    return ff.load_household(
        {
            "id": hid,
            "area": {"county": "即墨区", "town": "龙山街道", "village": "东村"},
            "hukou": "rural",
            "members": members
            if members is not None
            else [
                {"id": "m2", "relation": "spouse", "name": "李某"},
                {"id": "m1", "relation": "head", "name": "张某", "id_number": ID_NUMBER},
            ],
            "clues": list(clues),
        }
    )


CLUES = [
    {  # listed second: received later
        "channel": "department_push",
        "department": "disabled_persons_federation",
        "kind": "severe_disability",
        "received_on": "2022-05-07",
        "description": "新办理重度残疾人证",
        "applicant_informed": True,  # not a column for department warnings
    },
    {
        "channel": "self_application",
        "received_on": "2022-04-20",
        "source": "12317",
        "description": "家庭成员突发疾病",
        "feedback_on": "2022-04-22",
        "meets_criteria": False,
        "reason_not_met": "人均纯收入高于监测标准",
        "applicant_informed": True,
        "checker": "王某",
        "closed_on": "2022-05-08",
    },
    {
        "channel": "petition",
        "received_on": "2022-05-09",
        "source": "12345",
        "closed_on": "2022-05-12",
    },
    {
        "channel": "cadre_screening",
        "received_on": "2022-05-11",
        "source": "东村村委",
    },  # after as_of
]


def _rows(households, **kwargs):
    results = [PACK.identify(h, as_of=AS_OF) for h in households]
    return ledger_rows(households, results, pack=PACK, **kwargs)


def test_columns_are_those_of_the_document_in_order():
    spec = ledger_spec(PACK)
    assert list(spec.names) == COLUMNS
    assert spec.citation == "附件2" and spec.title == "防止返贫监测预警信息办理情况汇总表"
    assert list(_rows([_household()]).columns) == COLUMNS


def test_one_row_per_warning_known_on_the_results_date():
    rows = _rows([_household(clues=CLUES)])
    # The cadre clue of 2022-05-11 was not received by 2022-05-10: three rows, by date received.
    assert [r["预警方式"] for r in rows] == ["自主申报", "部门预警", "信访信息"]
    first, second, third = rows
    assert list(first) == COLUMNS
    assert first["镇街"] == "龙山街道" and first["村"] == "东村"
    assert first["户主姓名"] == "张某"  # the member whose relation is head, not the first member
    assert first["身份证"] == "110105********002X"
    assert first["预警信息来源"] == "12317" and first["具体预警信息"] == "家庭成员突发疾病"
    assert first["信息反馈日期"] == date(2022, 4, 22)
    assert first["是否符合认定标准"] == "否"
    assert first["不符合认定标准的主要原因"] == "人均纯收入高于监测标准"
    assert first["办理结果是否已告知本人（仅自主申报户和信访户填写）"] == "是"
    assert first["核查人员"] == "王某" and first["办结日期"] == date(2022, 5, 8)
    # A department warning: the source falls back to the department; the 告知 column stays empty.
    assert second["预警信息来源"] == "残联"
    assert second["办理结果是否已告知本人（仅自主申报户和信访户填写）"] == ""
    assert second["是否符合认定标准"] == "" and second["办结日期"] == ""
    # Closed 2022-05-12, after the result's date: not closed yet on the ledger of 2022-05-10.
    assert third["预警信息来源"] == "12345" and third["办结日期"] == ""


@pytest.mark.parametrize(
    ("department", "printed"),
    [
        ("education", "教体局"),
        ("civil_affairs", "民政局"),
        ("housing", "住房和城乡建设局"),
        ("health", "卫生健康局"),
        ("medical_insurance", "医保局"),
        ("disabled_persons_federation", "残联"),
    ],
)
def test_a_pushing_department_is_named_as_附件1_prints_it(department, printed):
    warning = {"channel": "department_push", "department": department, "received_on": "2022-05-03"}
    assert _rows([_household(clues=[warning])])[0]["预警信息来源"] == printed


def test_ids_are_revealed_only_on_request():
    rows = _rows([_household(clues=CLUES[1:2])], reveal_ids=True)
    assert rows[0]["身份证"] == ID_NUMBER


def test_households_keep_input_order_and_a_household_without_warnings_has_no_row():
    a = _household("A", clues=[CLUES[2]])
    b = _household("B")
    c = _household("C", clues=[CLUES[1]])
    rows = _rows([a, b, c])
    assert [r["预警方式"] for r in rows] == ["信访信息", "自主申报"]


def test_head_of_household_missing_or_ambiguous():
    no_head = _household(
        members=[{"id": "m1", "relation": "spouse", "name": "李某"}], clues=CLUES[1:2]
    )
    row = _rows([no_head])[0]
    assert row["户主姓名"] == "" and row["身份证"] == ""
    two_heads = _household(
        members=[{"id": "m1", "relation": "head"}, {"id": "m2", "relation": "head"}],
        clues=CLUES[1:2],
    )
    with pytest.raises(LedgerError, match="exactly one head"):
        _rows([two_heads])


def test_results_must_fit_the_households():
    h = _household(clues=CLUES[1:2])
    with pytest.raises(LedgerError, match="no result"):
        ledger_rows([h], [], pack=PACK)
    other = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
    foreign = other.identify(
        ff.load_household(
            {"id": "JM-L", "area": {"county": "x", "town": "y", "village": "z"}, "hukou": "urban"}
        ),
        as_of=date(2023, 5, 20),
    )
    with pytest.raises(LedgerError, match="qianshan_2023"):
        ledger_rows([h], [foreign], pack=PACK)
    with pytest.raises(LedgerError, match="prescribes no ledger"):
        ledger_rows([h], [], pack="qianshan_2023")


def test_csv_round_trip_with_formula_guard(tmp_path):
    tricky = dict(CLUES[1], description='=HYPERLINK("x")')
    rows = _rows([_household(clues=[tricky, CLUES[0]])])
    path = write_ledger(tmp_path / "台账.csv", rows)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == COLUMNS
    assert table[1][COLUMNS.index("具体预警信息")] == '\'=HYPERLINK("x")'
    assert table[1][COLUMNS.index("办结日期")] == "2022-05-08"
    assert table[1][COLUMNS.index("身份证")] == "110105********002X"
    assert len(table) == 3


def test_xlsx_round_trip(tmp_path):
    tricky = dict(CLUES[1], description="=1+1")
    rows = _rows([_household(clues=[tricky])])
    path = write_ledger(tmp_path / "台账.xlsx", rows, format="xlsx")
    sheet = load_workbook(path).active
    assert sheet.title == "防止返贫监测预警信息办理情况汇总表"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == COLUMNS
    cell = sheet.cell(row=2, column=COLUMNS.index("具体预警信息") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"  # text, never a formula
    closed = sheet.cell(row=2, column=COLUMNS.index("办结日期") + 1).value
    assert closed.date() == date(2022, 5, 8)
    assert values[1][COLUMNS.index("身份证")] == "110105********002X"


def test_empty_ledger_keeps_its_header(tmp_path):
    rows = _rows([_household()])
    assert rows == []
    path = write_ledger(tmp_path / "empty.csv", rows)
    assert path.read_text(encoding="utf-8-sig").splitlines() == [",".join(COLUMNS)]
    with pytest.raises(LedgerError, match="no columns"):
        write_ledger(tmp_path / "x.csv", [])
    with pytest.raises(LedgerError, match="format"):
        write_ledger(tmp_path / "x.ods", rows, format="ods")


def test_spec_is_validated():
    base = {
        "title": "t",
        "citation": "附件2",
        "columns": [{"name": "村", "source": "area.village"}],
    }
    assert LedgerSpec.from_mapping(base).names == ("村",)
    with pytest.raises(LedgerError, match="unknown source"):
        LedgerSpec.from_mapping(dict(base, columns=[{"name": "x", "source": "clue.nothing"}]))
    with pytest.raises(LedgerError, match="twice"):
        LedgerSpec.from_mapping(dict(base, columns=base["columns"] * 2))
    with pytest.raises(LedgerError, match="citation"):
        LedgerSpec.from_mapping({"title": "t", "columns": base["columns"]})
    with pytest.raises(LedgerError, match="Channel"):
        LedgerSpec.from_mapping(
            dict(base, columns=[{"name": "x", "source": "area.town", "only_channels": ["fax"]}])
        )
