"""Why a household was refused, in Chinese for the staff who read the web page: every reason the
facts, the readers and the spreadsheet import give for the usual mistakes has its Chinese, the
fields are named as staff name them, and nothing is lost or unmasked on the way."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.idnumber import check_digit, mask_id_number
from fangfan_rules.io import read_households
from fangfan_rules.io.sheets.reader import read_spreadsheet
from fangfan_rules.messages_zh import fact_error_zh, field_zh, reason_zh
from tests.helpers import sample_households
from tests.test_spreadsheet import HEADERS, head, write_xlsx


def _household() -> dict:
    return json.loads(sample_households()[0].model_dump_json(context={"reveal_ids": True}))


def _bad_id_number() -> str:
    first17 = "11010519491231002"
    wrong = "0" if check_digit(first17) != "0" else "1"
    return first17 + wrong


#: One usual mistake each: (what is changed, how).
MISTAKES = {
    "missing field": lambda d: d.pop("area"),
    "unknown field": lambda d: d.update(hukuo="rural"),
    "bad word": lambda d: d.update(hukou="农村"),
    "bad day": lambda d: d["members"][0].update(birth_date="2020-02-30"),
    "not a date": lambda d: d["members"][0].update(birth_date="2020/01/01"),
    "datetime": lambda d: d["members"][0].update(birth_date="2020-01-01T00:00:00"),
    "period order": lambda d: d["income"][0].update(end="1900-01-01"),
    "money fen": lambda d: d["income"][0].update(wage_income="12.345"),
    "money text": lambda d: d["income"][0].update(wage_income="十二元"),
    "negative money": lambda d: d["income"][0].update(wage_income="-1"),
    "bool": lambda d: d.update(self_coping="yes"),
    "member twice": lambda d: d["members"].append(dict(d["members"][0])),
    "id blank": lambda d: d.update(id="H-1\u3000"),
    "id control": lambda d: d.update(id="H\x01"),
    "id number": lambda d: d["members"][0].update(id_number=_bad_id_number()),
    "lifted year": lambda d: d.update(lifted_out_of_poverty=False, lifted_year=2019),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_every_usual_mistake_reads_in_chinese(mistake):
    data = _household()
    MISTAKES[mistake](data)
    with pytest.raises(ff.FactError) as caught:
        ff.load_household(data)
    for _, _, reason in caught.value.problems:
        assert reason_zh(reason) != reason, f"no Chinese for {reason!r}"
    text = fact_error_zh(caught.value)
    assert text.startswith(f"户{caught.value.household_id}：") or text.startswith("编号不明的户：")
    assert "invalid fact" not in text and "Value error" not in text


def test_an_id_number_stays_masked():
    data = _household()
    wrong = _bad_id_number()
    data["members"][0]["id_number"] = wrong
    with pytest.raises(ff.FactError) as caught:
        ff.load_household(data)
    text = fact_error_zh(caught.value)
    assert wrong not in text and mask_id_number(wrong) in text
    assert "成员第1人·身份证号" in text and "校验码不符" in text


def test_fields_are_named_as_staff_name_them():
    assert field_zh("members[1].birth_date") == "成员第2人·出生日期"
    assert field_zh("income[0].wage_income") == "收入记录第1条·工资性收入"
    assert field_zh("guarantees.housing_grade") == "三保障和饮水安全·住房安全等级"
    assert field_zh("<household>") == "整户信息"
    assert (
        field_zh("sheet 表1 row 4, column 出生日期 (J)") == "工作表“表1”第4行，“出生日期”列（J列）"
    )
    assert field_zh("an_unknown_key") == "an_unknown_key"  # named as given, never dropped


def test_a_reason_it_does_not_know_is_kept_as_it_is():
    assert reason_zh("something new went wrong") == "something new went wrong"


def test_rows_read_from_json_lines_carry_the_chinese():
    data = _household()
    data["members"][0]["birth_date"] = "2020-02-30"
    lines = b"{not json\n" + json.dumps(data).encode() + b"\n\xd5\xc5\n"
    rows = list(read_households(io.BytesIO(lines)))
    texts = [r.error_text("zh") for r in rows]
    assert texts[0] is not None and "不是有效的JSON" in texts[0]
    assert texts[1] is not None and "没有这一天" in texts[1] and "成员第1人·出生日期" in texts[1]
    assert texts[2] is not None and "不是UTF-8编码" in texts[2]
    assert [r.error_text("en") for r in rows] == [r.error for r in rows]


def test_rows_read_from_a_workbook_carry_the_chinese(tmp_path: Path):
    path = write_xlsx(tmp_path / "t.xlsx", [HEADERS, head("H-2", 出生日期="1964/13/1")])
    (row,) = read_spreadsheet(path, income_period=("2022-05-01", "2023-04-30"))
    text = row.error_text("zh")
    assert text is not None
    assert text.startswith("户H-2：1项信息有误")
    assert "工作表“入户排查表”第2行，“出生日期”列（J列）" in text and "没有这一天" in text


def test_the_text_of_a_bad_row_is_rendered_line_by_line():
    error = ff.FactError("D-1", [("id", "D-1", ff.errors.DUPLICATED_HOUSEHOLD)])
    assert reason_zh(str(error)) == fact_error_zh(error)
    assert "户编号在本批中出现不止一次" in reason_zh(str(error))
