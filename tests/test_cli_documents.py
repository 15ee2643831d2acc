"""Issue 13 §2 (CLI): the written answers (书面告知) from an evaluation, as XLSX and as printable
HTML pages in Chinese; ID numbers and names masked; a due answer the record cannot give is reported
(exit 3), households with no answer due are not."""

from __future__ import annotations

import json
import re

import pytest

from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, main
from tests.test_letters import CLOSED_SELF_APPLICATION, _household

NUMBER = "11010519491231002X"
ARGS = [
    "--pack",
    "jimo_2022",
    "--as-of",
    "2022-05-10",
    "--param",
    "monitoring_income_line=7000",
    "--param",
    "income_window=2021-05-01..2022-04-30",
]
HEADERS = ["序号", "村", "户主", "户编号", "申报日期", "办结日期", "审核结果", "原因", "依据文件"]


def _line(hid: str, village: str, name: str, **changes) -> str:
    data = _household(id=hid, **changes).model_dump(mode="json", exclude_none=True)
    data["area"]["village"] = village
    data["members"][0].update(name=name, id_number=NUMBER)
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def households(tmp_path):
    reason = f"经核实，申请人{NUMBER}家庭人均纯收入高于监测收入标准"
    lines = [
        _line(
            "JM-2", "西村", "欧阳小明", clues=[dict(CLOSED_SELF_APPLICATION, reason_not_met=reason)]
        ),
        _line("JM-1", "东村", "张三"),
        _line("JM-3", "东村", "李四", clues=[]),  # no application: no answer due
        _line("JM-4", "东村", "王五", clues=[dict(CLOSED_SELF_APPLICATION, meets_criteria=True)]),
    ]
    path = tmp_path / "households.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_html_pages_one_letter_a_page_in_chinese_nothing_unmasked(households, tmp_path, capsys):
    out = tmp_path / "letters.html"
    assert main(["letters", *ARGS, "-o", str(out), str(households)]) == EXIT_OK
    page = out.read_text("utf-8")
    letters = page.split('<section class="letter">')[1:]
    assert len(letters) == 2  # JM-1 and JM-2; JM-3 applied for nothing, JM-4 was found eligible
    first, second = letters  # by village, then household
    assert "东村" in first and "JM-1" in first and "张*户：" in first
    assert "西村" in second and "JM-2" in second and "欧阳**户：" in second
    for letter in letters:
        assert "<h1>书面告知</h1>" in letter and "审核结果为：不符合认定标准" in letter
        assert "办结日期" in letter and "2022-05-08" in letter and "一、(三)2" in letter
        assert "镇（街道）（盖章）" in letter
    assert NUMBER not in page and "110105********002X" in second
    for name in ("张三", "欧阳小明", "李四", "王五"):
        assert name not in page
    assert page.count("page-break-after: always") == 1 and 'lang="zh-CN"' in page
    assert "2 written answers of 4 households" in capsys.readouterr().err


def test_xlsx_one_row_per_answer_with_chinese_headers(households, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "letters.xlsx"
    assert main(["letters", *ARGS, "-o", str(out), str(households)]) == EXIT_OK
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows() if any(c.value for c in row)]
    heading, header, *body = rows
    assert heading[0] == "书面告知"
    assert header[: len(HEADERS)] == HEADERS
    assert [r[:4] for r in body] == [[1, "东村", "张*", "JM-1"], [2, "西村", "欧阳**", "JM-2"]]
    assert all(r[5] == "2022-05-08" and r[6] == "不符合认定标准" for r in body)
    assert all(NUMBER not in str(cell) for r in rows for cell in r)


def test_an_answer_due_but_not_recorded_is_reported_and_exit_3(tmp_path, capsys):
    path = tmp_path / "households.jsonl"
    gap = dict(CLOSED_SELF_APPLICATION, reason_not_met=None)
    path.write_text(_line("JM-9", "东村", "赵六", clues=[gap]) + "\n", encoding="utf-8")
    out = tmp_path / "letters.html"
    assert main(["letters", *ARGS, "-o", str(out), str(path)]) == EXIT_BAD_ROWS
    err = capsys.readouterr().err
    assert re.search(r"no written answer.*JM-9.*reason_not_met", err.replace("\n", " "))
    assert "本次评估无应书面告知的自主申报农户" in out.read_text("utf-8")


def test_english_pages_and_bad_extension(households, tmp_path, capsys):
    out = tmp_path / "letters.html"
    assert main(["letters", *ARGS, "--lang", "en", "-o", str(out), str(households)]) == EXIT_OK
    page = out.read_text("utf-8")
    assert page.count("Written notice of the review result</h1>") == 2
    assert "To the household of 张*:" in page
    assert main(["letters", *ARGS, "-o", str(tmp_path / "x.csv"), str(households)]) == (
        EXIT_CANNOT_RUN
    )
    assert ".xlsx or .html" in capsys.readouterr().err
    # As every command: --format wins over the extension.
    page = tmp_path / "letters.txt"
    assert main(["letters", *ARGS, "--format", "html", "-o", str(page), str(households)]) == 0
    assert page.read_text("utf-8").count('<section class="letter">') == 2
    listing = tmp_path / "list.dat"
    argv = ["publicity", *ARGS, "--format", "xlsx", "-o", str(listing), str(households)]
    assert main(argv) == EXIT_OK and listing.read_bytes().startswith(b"PK")


def test_a_pack_that_asks_for_no_written_answer_cannot_run(households, tmp_path, capsys):
    args = [
        "--pack",
        "puan_2025",
        "--as-of",
        "2025-06-01",
        "--param",
        "monitoring_income_line=7000",
    ]
    out = tmp_path / "letters.html"
    assert main(["letters", *args, "-o", str(out), str(households)]) == EXIT_CANNOT_RUN
    assert "asks for no written answer" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["letters", *args, "-o", str(out), str(empty)]) == EXIT_CANNOT_RUN
