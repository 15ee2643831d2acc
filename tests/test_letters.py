"""Written answers (书面告知, jimo_2022 一、(三)2): the officials' recorded result and reason (附件2),
dated on the 办结日期, with at most the pack's own comparison of a figure, labelled as such."""

from datetime import date
from pathlib import Path
from shutil import copytree

import pytest

import fangfan_rules as ff
from fangfan_rules.letters import LetterError, written_answer

AS_OF = date(2022, 5, 10)
PACK = ff.load_pack("jimo_2022").with_parameters(
    monitoring_income_line=7000, income_window={"start": "2021-05-01", "end": "2022-04-30"}
)
REASON = "家庭人均纯收入高于监测收入标准"
CLOSED_SELF_APPLICATION = {
    "channel": "self_application",
    "received_on": "2022-04-20",
    "source": "12317",
    "closed_on": "2022-05-08",
    "meets_criteria": False,
    "reason_not_met": REASON,
    "applicant_informed": True,
}


def _household(**fields) -> ff.Household:
    data = {
        "id": "JM-L1",
        "area": {"county": "即墨区", "town": "龙山街道", "village": "东村"},
        "hukou": "rural",
        "members": [
            {
                "id": "m1",
                "relation": "head",
                "name": "张某",
                "birth_date": "1970-03-01",
                "health": {"major_illness": False},
                "solitary": False,
            }
        ],
        "guarantees": {"housing_grade": "B", "only_house": True},
        "income": [
            {
                "start": "2021-05-01",
                "end": "2022-04-30",
                "wage_income": "9000",
                "business_income": "0",
                "property_income": "0",
                "transfer_income": "0",
                "business_expense": "0",
            }
        ],
        "clues": [CLOSED_SELF_APPLICATION],
    }
    data.update(fields)
    return ff.load_household(data)


def _letter(lang: str = "zh", **changes) -> str:
    h = _household(**changes)
    return written_answer(PACK.identify(h, as_of=AS_OF), household=h, lang=lang)


def test_the_letter_states_the_recorded_result_and_reason_dated_on_the_closing_day():
    h = _household()
    result = PACK.identify(h, as_of=AS_OF)
    assert result.outcome == ff.Outcome.NOT_ELIGIBLE
    text = written_answer(result, household=h)
    assert text.startswith("书面告知")
    assert "即乡振发〔2022〕1号" in text and "一、(三)2" in text
    assert "办结日期：2022-05-08" in text and "2022-05-10" not in text.split("本工具")[0]
    assert "审核结果为：不符合认定标准。" in text
    assert f"原因：{REASON}" in text
    # The pack's own income comparison, labelled as its check, with the caller's figures.
    check = text.split("本工具")[1]
    assert "于2022-05-10按本包规则所作的核对" in text
    assert "〔二、(一)〕" in check and "9,000元，不低于监测收入标准7,000元" in check
    assert "7,000元（调用方提供）" in check
    # Never a feed, the green channel, an open warning or a screening group as a reason.
    for clause in ("附件1", "二、(三)", "一、(三)1", "三、(三)"):
        assert clause not in text
    assert "：是" not in text and "未知" not in text


def test_english_letter():
    text = _letter("en")
    assert text.startswith("Written notice")
    assert "Closed on: 2022-05-08" in text
    assert "the identification standard is not met." in text
    assert f"Reason (as recorded by the officials): {REASON}" in text
    assert "(supplied by the caller)" in text


def test_the_recorded_reason_is_quoted_verbatim_even_when_the_pack_found_nothing_to_compare():
    # Income unknown (no record): the pack's comparison is not known, so it is not shown; the
    # officials' reason stands on its own.
    reason = "经入户核实，家庭成员均有稳定务工收入"
    clue = dict(CLOSED_SELF_APPLICATION, reason_not_met=reason)
    text = _letter(income=[], clues=[clue])
    assert f"原因：{reason}" in text and "本工具" not in text


def test_a_check_that_disagrees_with_the_finding_is_not_shown():
    low = [dict(_household().model_dump(mode="json")["income"][0], wage_income="6000")]
    text = _letter(income=low)
    assert f"原因：{REASON}" in text and "本工具" not in text


def test_no_reason_recorded_is_a_clear_error_naming_the_field():
    clue = dict(CLOSED_SELF_APPLICATION, reason_not_met="  ")
    with pytest.raises(LetterError, match=r"clues\[self_application 2022-04-20\]\.reason_not_met"):
        _letter(clues=[clue])


@pytest.mark.parametrize(
    ("clue", "message"),
    [
        # Found to meet the standard: no refusal to write.
        (dict(CLOSED_SELF_APPLICATION, meets_criteria=True), "meeting the identification"),
        # The finding is not recorded: the officials' result is unknown.
        (dict(CLOSED_SELF_APPLICATION, meets_criteria=None), "meets_criteria"),
        # Still open on as_of (closing date later): no 审核结果 yet.
        (dict(CLOSED_SELF_APPLICATION, closed_on="2022-05-11"), "not known yet"),
        # Received after as_of: not on record then.
        (dict(CLOSED_SELF_APPLICATION, received_on="2022-05-11", closed_on=None), "no self-app"),
        # Another channel: the written answer is for self-applicants.
        (dict(CLOSED_SELF_APPLICATION, channel="cadre_screening"), "no self-application"),
    ],
)
def test_no_letter_unless_a_closed_self_application_is_recorded_as_not_met(clue, message):
    with pytest.raises(LetterError, match=message):
        _letter(clues=[clue])


def test_the_latest_closed_application_is_answered():
    older = dict(CLOSED_SELF_APPLICATION, received_on="2022-03-01", closed_on="2022-03-20")
    newer = dict(CLOSED_SELF_APPLICATION, reason_not_met="已享受临时救助，生活无困难")
    text = _letter(clues=[newer, dict(older, reason_not_met="旧的原因")])
    assert "原因：已享受临时救助，生活无困难" in text and "旧的原因" not in text


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        # Green channel → needs_review (help first, the procedure decides).
        (
            {
                "risk_events": [{"type": "accident", "date": "2022-05-01"}],
                "serious_difficulty": True,
                "green_channel": {"publicly_recognised": True},
            },
            "needs_review",
        ),
        # An urban self-applicant: hukou decides nothing of the notice (no out_of_scope).
        ({"hukou": "urban"}, "not_eligible"),
    ],
)
def test_the_answer_follows_the_recorded_finding_not_the_pack_outcome(changes, outcome):
    h = _household(**changes)
    result = PACK.identify(h, as_of=AS_OF)
    assert result.outcome.value == outcome
    assert f"原因：{REASON}" in written_answer(result, household=h)


def test_the_household_must_be_the_results():
    result = PACK.identify(_household(), as_of=AS_OF)
    with pytest.raises(LetterError, match="not the result's"):
        written_answer(result, household=_household(id="OTHER"))


def test_id_numbers_never_appear_unmasked():
    number = "11010519491231002X"
    clue = dict(CLOSED_SELF_APPLICATION, reason_not_met=f"申请人{number}家庭收入高于标准")
    h = _household(id=number, clues=[clue])
    text = written_answer(PACK.identify(h, as_of=AS_OF), household=h)
    assert number not in text and "110105********002X" in text


def test_pack_must_match_the_result_and_lang_is_checked(tmp_path):
    # Another pack: jimo's files under another name (the result names jimo_2022).
    other = tmp_path / "other_pack"
    copytree(Path(PACK.directory), other)
    meta = other / "pack.yaml"
    meta.write_text(meta.read_text("utf-8").replace("name: jimo_2022", "name: other_pack"), "utf-8")
    h = _household()
    result = PACK.identify(h, as_of=AS_OF)
    with pytest.raises(LetterError, match="other_pack"):
        written_answer(result, household=h, pack=ff.Pack.from_directory(other))
    with pytest.raises(LetterError, match="lang"):
        written_answer(result, household=h, lang="fr")
