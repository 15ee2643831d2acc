"""The web page reads the spreadsheets village and town staff keep (入户排查表: XLSX, CSV...) as the
``import`` command does: a bad cell makes its household a bad row naming sheet, row, column and
value, every other household is answered and kept; the income period is the clerk's to give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fangfan_rules.idnumber import check_digit, mask_id_number
from fangfan_rules.service.uploads import is_spreadsheet
from tests.test_service import WINDOW, facts
from tests.test_spreadsheet import HEADERS, child, head, write_csv, write_xlsx

PERIOD = WINDOW["income_window"]  # the mini pack's own window: the sheet's income covers it
ID_NUMBER = "210311196403019770"
ID_NUMBER = ID_NUMBER[:17] + check_digit(ID_NUMBER[:17])


# ``web`` (client, store, token): the signed-in page, tests/conftest.py


def upload(client, path: Path, period: str = PERIOD, text: str = ""):
    return client.post(
        "/ui/evaluate",
        data={"pack": "mini_pack", "as_of": "2024-06-01", "households": text,
              "income_period": period},
        files={"upload": (path.name, path.read_bytes(), "application/octet-stream")},
    )  # fmt: skip


def sheet_rows() -> list[list]:
    return [
        HEADERS,
        head("H-1", 身份证号=ID_NUMBER),
        child("H-1"),
        head("H-2", 出生日期="1964/13/1"),  # no 13th month: H-2 is a bad row
        head("H-3", **{"村（社区、嘎查）": "西村"}),  # another village: refused for this token
        head("H-4", 工资性收入="1,000"),
    ]


def test_an_uploaded_workbook_is_read_row_by_row(web, tmp_path):
    client, store, _ = web
    page = upload(client, write_xlsx(tmp_path / "排查表.xlsx", sheet_rows()))
    assert page.status_code == 200, page.text
    text = page.text
    assert "评估结果" in text and "共 2 户" in text and "另有 2 条无法读取" in text
    assert "H-1" in text and "H-4" in text
    # the bad cell, where it is: sheet, row, column and value, in Chinese for the staff
    assert "第4行：户H-2：1项信息有误" in text
    assert (
        "工作表“入户排查表”第4行，“出生日期”列（J列）（填写的是&#39;1964/13/1&#39;）：没有这一天"
        in text
    )
    assert "第5行：令牌“east”" in text and "无权处理户H-3" in text and "西村" in text
    assert ID_NUMBER not in text
    assert store.count_decisions() == 2


def test_a_gbk_csv_is_read_like_the_import_command(web, tmp_path):
    client, store, _ = web
    path = write_csv(tmp_path / "排查表.CSV", [HEADERS, head("H-1"), child("H-1")], "gbk")
    page = upload(client, path)
    assert page.status_code == 200 and "共 1 户" in page.text and "无法读取" not in page.text
    assert store.count_decisions() == 1


def test_the_income_period_is_never_assumed(web, tmp_path):
    client, store, _ = web
    page = upload(client, write_xlsx(tmp_path / "排查表.xlsx", sheet_rows()), period="")
    assert "表格无法读取" in page.text and "收入周期" in page.text
    assert "评估结果" not in page.text
    assert store.count_decisions() == 0


@pytest.mark.parametrize(
    ("period", "why"),
    [("2023-06-01", "开始日期..结束日期"), ("2024-05-31..2023-06-01", "结束日期早于开始日期"),
     ("2023-6-1..2024-05-31", "YYYY-MM-DD")],
)  # fmt: skip
def test_a_bad_income_period_is_named(web, tmp_path, period, why):
    client, store, _ = web
    page = upload(client, write_xlsx(tmp_path / "排查表.xlsx", sheet_rows()), period=period)
    assert "income_period" in page.text and why in page.text
    assert store.count_decisions() == 0


def test_a_sheet_without_the_key_column_is_refused_in_chinese(web, tmp_path):
    client, store, _ = web
    page = upload(
        client, write_xlsx(tmp_path / "x.xlsx", [["姓名", "出生日期"], ["张三", "1964/3/1"]])
    )
    assert "表格无法读取" in page.text and "户编号" in page.text
    assert store.count_decisions() == 0


def test_a_json_upload_is_still_read_as_json(web, tmp_path):
    client, store, _ = web
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(facts("J-1")) + "\n", encoding="utf-8")
    page = upload(client, path, period="")
    assert page.status_code == 200 and "共 1 户" in page.text
    assert store.count_decisions() == 1


def test_a_duplicated_household_is_named_by_its_own_line(web, tmp_path):
    """A batch's bad row for a household id given twice names the household's line in the file,
    not its place among the households that were read (a bad line before it shifted it)."""
    client, _, _ = web
    lines = [
        "{not json",
        json.dumps(facts("D-1")),
        json.dumps(facts("OK")),
        json.dumps(facts("D-1")),
    ]
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = upload(client, path, period="")
    assert "第1条" in page.text and "第2条" in page.text and "第4条" in page.text
    assert "第3条" not in page.text  # OK was answered


def test_spreadsheets_are_told_by_their_ending():
    assert is_spreadsheet("入户排查表.XLSX") and is_spreadsheet("a.csv") and is_spreadsheet("b.ods")
    assert not is_spreadsheet("h.jsonl") and not is_spreadsheet("h.json")
    assert not is_spreadsheet(None) and not is_spreadsheet("")
    assert mask_id_number(ID_NUMBER) != ID_NUMBER
