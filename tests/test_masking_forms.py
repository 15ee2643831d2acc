"""ID numbers written otherwise than as a plain 15- or 18-digit ASCII run (attack 2026-12-07,
finding 8): an 18-digit number missing a character (17 digits), full-width digits, and numbers
spaced as officials type them are personal data too — masked in outputs and error messages alike,
as household ids, member ids and in free text, by both engines, compare() and the CLI.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.idnumber import scrub_id_numbers
from tests.test_masking import _cli  # the CLI's stdout and stderr as one text
from tests.tricky import base_household

AS_OF = date(2023, 6, 5)
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)

SEVENTEEN = "11010519491231002"  # 11010519491231002X missing its check character
WIDE = "１１０１０５１９４９１２３１００２Ｘ"
SPACED = "110105 19491231 002X"
DASHED = "110105-1949-1231-002X"
SPACED15 = "210311 640301 977"
#: What must never be seen of each: the birth-date digits in the middle.
SECRETS = ("19491231", "１９４９１２３１", "1949-1231", "640301")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"户 {SEVENTEEN} 号", "户 110105*******1002 号"),
        (WIDE, "１１０１０５********００２Ｘ"),
        (SPACED, "110105**********002X"),
        (DASHED, "110105***********002X"),
        (f"旧证 {SPACED15}", "旧证 210311******* 977"),
        ("110105\u300019491231\u3000002X", "110105**********002X"),
        (
            "身份证号：１１０１０５ １９４９１２３１ ００２ｘ。",
            "身份证号：１１０１０５**********００２ｘ。",
        ),
    ],
)
def test_each_form_is_masked_keeping_area_code_and_last_four(text: str, shown: str) -> None:
    assert scrub_id_numbers(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "金额 14049.58890410958904109589 元",  # an exact quotient's decimals
        "0.12345678901234567",  # 17 decimals
        "3401011990010112345",  # 19 digits: no ID number
        "日期 2023-06-01 至 2023-12-31",
        "电话 0412-1234567",
        "１２３４５ 元",
        "共 12 户 345678 元",
    ],
)
def test_numbers_that_are_not_id_numbers_are_left_alone(text: str) -> None:
    assert scrub_id_numbers(text) == text


def _households() -> list[dict]:
    out = []
    for i, hid in enumerate((SEVENTEEN, WIDE, SPACED)):
        data = base_household(hid)
        data["members"][0]["id"] = (DASHED, SPACED15, SEVENTEEN)[i]
        data["members"][1]["name"] = f"户主身份证 {(WIDE, SPACED, SEVENTEEN)[i]}"
        data["clues"] = [
            {"channel": "department_push", "received_on": "2022-05-01", "description": DASHED}
        ]
        out.append(data)
    return out


def _leaks(text: str) -> list[str]:
    raw = (SEVENTEEN, WIDE, SPACED, DASHED, SPACED15)
    return [s for s in (*SECRETS, *raw) if s in text]


def test_no_output_shows_them() -> None:
    households = [ff.load_household(d) for d in _households()]
    texts: list[str] = []
    for h in households:
        r = PACK.identify(h, as_of=AS_OF)
        texts += [r.model_dump_json(), r.explain(), r.explain("en"), repr(r), str(r), repr(h)]
        texts.append(h.model_dump_json())
    frame = PACK.identify_frame(households, as_of=AS_OF)
    texts.append(frame.to_csv())
    native = ff.results_frame(PACK.identify_many(households, as_of=AS_OF))
    texts.append(native.to_csv())
    assert frame["household_id"].tolist() == native["household_id"].tolist()
    compared = ff.compare(
        households, ["qianshan_2023"], as_of=AS_OF, parameters={"monitoring_income_line": 7000}
    )
    texts.append(compared.to_csv())
    assert _leaks("\n".join(texts)) == []


def test_the_cli_shows_none_of_them(tmp_path: Path) -> None:
    src = tmp_path / "h.jsonl"
    src.write_text(
        "\n".join(json.dumps(d, ensure_ascii=False) for d in _households()) + "\n", "utf-8"
    )
    args = [
        "--pack",
        "qianshan_2023",
        "--as-of",
        "2023-06-05",
        "--param",
        "monitoring_income_line=7000",
    ]
    for fmt in ("jsonl", "csv", "table"):
        assert _leaks(_cli(["evaluate", *args, "--format", fmt, str(src)])) == [], fmt


def test_error_messages_show_none_of_them() -> None:
    data = base_household("B-1")
    data["members"][0]["birth_date"] = SEVENTEEN
    data["members"][1]["birth_date"] = WIDE
    with pytest.raises(ff.FactError) as info:
        ff.load_household(data)
    texts = [str(info.value), repr(info.value), repr(info.value.problems)]
    assert "members[0].birth_date" in texts[0] and "members[1].birth_date" in texts[0]
    assert _leaks("\n".join(texts)) == []


def test_revealed_when_asked() -> None:
    h = ff.load_household(_households()[2])
    with ff.reveal_ids():
        assert SPACED in PACK.identify(h, as_of=AS_OF).explain()
