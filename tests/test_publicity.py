"""The draft village publicity list (13 §2): masked names, no ID number anywhere, the households
the pack recommends for the procedure, XLSX that never turns text into a formula, printable HTML."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.publicity import mask_name, publicity_html, publicity_rows, write_publicity
from tests import mini_pack
from tests.helpers import household, record

AS_OF = date(2024, 6, 1)
NUMBER = "11010519491231002X"


@pytest.mark.parametrize(
    "name,masked",
    [("张三", "张*"), ("李小明", "李**"), ("欧阳小明", "欧阳**"), ("欧阳", "欧*"),
     ("=HYPERLINK(1)", "=************"), (None, "（户主姓名未记录）"), ("  ", "（户主姓名未记录）")],
)  # fmt: skip
def test_names_are_masked_as_offices_do(name, masked):
    assert mask_name(name) == masked


@pytest.fixture
def evaluated(tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini")).with_parameters(
        income_window="2023-06-01..2024-05-31", spending_lookback_start="2023-06-01"
    )
    households = [
        household(
            id=hid,
            area={"county": "千山区", "town": "甘泉镇", "village": village},
            members=[{"id": "m1", "relation": "head", "name": name, "id_number": NUMBER}],
            income=[record("2023-06-01", "2024-05-31", wage=wage)],
            self_coping=False,
        )
        for hid, village, name, wage in (
            ("H1", "西村", "王五", "5000"),
            ("H2", "东村", "=SUM(A1)", "5000"),
            ("H3", "东村", "赵六", "9000"),
        )
    ]
    return pack, households, pack.identify_many(households, as_of=AS_OF)


def test_rows_hold_the_recommended_households_by_village(evaluated):
    _, households, results = evaluated
    rows = publicity_rows(results, households)
    assert [(r.number, r.village, r.head) for r in rows] == [
        (1, "东村", "=*******"),
        (2, "西村", "王*"),
    ]
    assert all(r.reason and r.clauses == "一、(二)" for r in rows)
    assert publicity_rows(results, households, outcomes=[ff.Outcome.NOT_ELIGIBLE])[0].head == "赵*"


def test_the_page_and_the_workbook_carry_no_id_number_and_no_formula(evaluated, tmp_path):
    from openpyxl import load_workbook

    pack, households, results = evaluated
    rows = publicity_rows(results, households)
    page = publicity_html(rows, place="甘泉镇", as_of=AS_OF, pack_title=pack.document.title)
    assert NUMBER not in page and "供村级民主评议，非认定结果" in page and "王*" in page
    assert "&lt;" not in page or "<table>" in page  # escaped text, real markup
    book = write_publicity(
        rows, tmp_path / "list.xlsx", place="甘泉镇", as_of=AS_OF, pack_title=pack.document.title
    )
    sheet = load_workbook(book).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(NUMBER not in str(c.value) for c in cells)
    (formula_like,) = [c for c in cells if str(c.value).startswith("=")]
    assert formula_like.data_type == "s"
    with pytest.raises(ff.errors.FangfanError, match=r"\.xlsx or \.html"):
        write_publicity(rows, tmp_path / "list.csv", place="", as_of=AS_OF, pack_title="")


def test_an_id_number_in_the_village_or_the_place_is_masked(tmp_path):
    """attack10 finding 4: the village and the place were posted as given."""
    from openpyxl import load_workbook

    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini")).with_parameters(
        income_window="2023-06-01..2024-05-31", spending_lookback_start="2023-06-01"
    )
    spaced = "110105 19491231 002X"
    households = [
        household(
            id=hid,
            area={"county": "千山区", "town": "甘泉镇", "village": village},
            members=[{"id": "m1", "relation": "head", "name": "王五", "id_number": NUMBER}],
            income=[record("2023-06-01", "2024-05-31", wage="5000")],
            self_coping=False,
        )
        for hid, village in (("H1", "西村" + NUMBER), ("H2", "东村" + spaced))
    ]
    results = pack.identify_many(households, as_of=AS_OF)
    rows = publicity_rows(results, households)
    assert sorted(r.village for r in rows) == ["东村110105**********002X", "西村110105********002X"]
    place = "甘泉镇" + NUMBER
    page = publicity_html(rows, place=place, as_of=AS_OF, pack_title=pack.document.title)
    assert "19491231" not in page and "甘泉镇110105********002X" in page
    # rows built by hand are posted masked too
    by_hand = [ff.publicity.PublicityRow(1, "北村" + NUMBER, "王*", "x", "y", "z")]
    assert "19491231" not in publicity_html(by_hand, place="", as_of=AS_OF, pack_title="")
    for name in ("list.html", "list.xlsx"):
        path = write_publicity(
            rows + by_hand, tmp_path / name, place=place, as_of=AS_OF, pack_title="t"
        )
        if name.endswith("html"):
            text = path.read_text("utf-8")
        else:
            sheet = load_workbook(path).active
            text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        assert "19491231" not in text and "110105********002X" in text
