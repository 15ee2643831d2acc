"""attack10 finding 12: the Chinese of a CSV sheet's bad cells keeps the field; reasons that were
left in English; values shown as given."""

from __future__ import annotations

import pytest

import fangfan_rules as ff
from fangfan_rules.messages_zh import fact_error_zh, field_zh, reason_zh
from tests.tricky import base_household


def test_a_csv_cell_names_its_column_number_and_its_fact():
    where = "sheet upload.csv row 2, column 工资性收入 (column 11) (income[0].business_income)"
    assert field_zh(where) == (
        "工作表“upload.csv”第2行，“工资性收入”列（第11列），对应“收入记录第1条·生产经营性收入”"
    )
    assert (
        field_zh("sheet 表1 row 4, column 出生日期 (J)") == "工作表“表1”第4行，“出生日期”列（J列）"
    )
    assert field_zh("sheet 表1 row 4, column 出生日期 (J) (members[0].birth_date)").endswith(
        "（J列），对应“成员第1人·出生日期”"
    )


def test_four_missing_facts_of_one_cell_are_four_different_lines():
    text = "\n".join(
        [
            "household H1: 2 invalid fact(s)",
            "  - sheet s.csv row 2, column 工资性收入 (column 11) (income[0].business_income): "
            "missing (a required field)",
            "  - sheet s.csv row 2, column 工资性收入 (column 11) (income[0].property_income): "
            "missing (a required field)",
        ]
    )
    zh = reason_zh(text)
    assert "生产经营性收入”：缺少（必填项）" in zh and "财产性收入”：缺少（必填项）" in zh
    assert "row" not in zh and "column" not in zh


@pytest.mark.parametrize(
    ("reason", "zh"),
    [
        (
            "not an amount in yuan in a declared form (12345.60, 12,345.60元)",
            "不是映射允许的金额写法（应写作12345.60, 12,345.60元）",
        ),
        ("no such date (day is out of range for month)", "没有这一天（该月没有这一天）"),
        ("no such date (month must be in 1..12)", "没有这一天（月份应在1至12之间）"),
        ("amount cannot be negative here", "此处金额不能为负"),
        ("脱贫年度 must be in 2013..2030", "脱贫年度应在2013至2030之间"),
        ("Input should be a valid tuple", "应为列表"),
        ("Value should have at least 1 item after validation, not 0", "不能为空"),
    ],
)
def test_reasons_that_were_left_in_english(reason, zh):
    assert reason_zh(reason) == zh


def test_a_columnar_fen_column_is_named_as_its_yuan_fact_and_shown_in_both():
    error = ff.FactError(
        "B", [("income[0].wage_income_fen", "-5", "amount cannot be negative here")]
    )
    text = fact_error_zh(error)
    assert "收入记录第1条·工资性收入（表中填写的是-5分，即-0.05元）：此处金额不能为负" in text
    assert "（表中填写的是-5分，即-0.05元）" in reason_zh(str(error))


def test_a_number_given_for_an_id_number_is_shown_as_a_number_masked():
    data = base_household("H")
    data["members"][0]["id_number"] = 11010519491231109
    with pytest.raises(ff.FactError) as info:
        ff.load_household(data)
    assert "= 110105*******1109:" in str(info.value)
    assert "'110105" not in str(info.value) and "1949123" not in str(info.value)


def test_a_sheet_cells_refused_value_is_shown_as_the_sheet_gave_it(tmp_path):
    from fangfan_rules.io.sheets.reader import read_spreadsheet
    from tests.test_spreadsheet import HEADERS, head, write_xlsx

    path = write_xlsx(tmp_path / "s.xlsx", [HEADERS, head("B-1", 工资性收入="-5")])
    (row,) = read_spreadsheet(path, income_period=("2022-05-01", "2023-04-30"))
    assert row.error is not None and "= '-5': amount cannot be negative here" in row.error
    assert "（填写的是'-5'）" in (row.error_text("zh") or "")
