"""Written answers (书面告知, jimo_2022 一、(三)2) composed from a result's trace."""

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.letters import LetterError, written_answer

AS_OF = date(2022, 5, 10)
PACK = ff.load_pack("jimo_2022").with_parameters(
    monitoring_income_line=7000, income_window={"start": "2021-05-01", "end": "2022-04-30"}
)
CLOSED_SELF_APPLICATION = {
    "channel": "self_application",
    "received_on": "2022-04-20",
    "source": "12317",
    "closed_on": "2022-05-08",
    "meets_criteria": False,
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


def test_not_eligible_self_applicant_gets_the_unmet_conditions_with_clauses():
    result = PACK.identify(_household(), as_of=AS_OF)
    assert result.outcome == ff.Outcome.NOT_ELIGIBLE
    text = written_answer(result)
    assert text.startswith("书面告知")
    assert "即乡振发〔2022〕1号" in text and "一、(三)2" in text
    assert "结果为：不符合监测对象条件" in text
    # The income condition, with the value read and the caller-supplied line, and its clause.
    assert "人均纯收入低于监测收入标准〔二、(一)〕" in text
    assert "为9,000.00元，低于7,000.00元：否" in text
    assert "7,000.00元（调用方提供）" in text
    # Each department feed checked, with its clause; the house's grade as read.
    for clause in (
        "附件1 教体局",
        "附件1 民政局",
        "附件1 住房和城乡建设局",
        "附件1 医保局",
        "附件1 残联",
    ):
        assert f"〔{clause}〕" in text
    assert "住房安全等级为B级" in text
    assert "〔二、(三)〕" in text  # the green channel was checked and not met
    # Screening groups of 三、(三) are not conditions of identification: never given as a reason.
    assert "三、(三)" not in text and "低保家庭" not in text
    # Only conditions that were false are listed: nothing true or unknown is a "reason".
    assert "：是" not in text and "未知" not in text


def test_english_letter():
    text = written_answer(PACK.identify(_household(), as_of=AS_OF), lang="en")
    assert text.startswith("Written notice")
    assert "Result: not eligible." in text
    assert "per-capita net income below the monitoring line [二、(一)]" in text
    assert "(supplied by the caller)" in text


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        # Income below the line → needs_review: still to be decided, no refusal.
        (
            {
                "income": [
                    {
                        "start": "2021-05-01",
                        "end": "2022-04-30",
                        "wage_income": "6000",
                        "business_income": "0",
                        "property_income": "0",
                        "transfer_income": "0",
                        "business_expense": "0",
                    }
                ]
            },
            "needs_review",
        ),
        # The application is still open → needs_review (being verified).
        ({"clues": [{"channel": "self_application", "received_on": "2022-05-05"}]}, "needs_review"),
        # Green channel → identify.
        (
            {
                "risk_events": [{"type": "accident", "date": "2022-05-01"}],
                "serious_difficulty": True,
                "green_channel": {"publicly_recognised": True},
            },
            "identify",
        ),
    ],
)
def test_no_letter_for_other_outcomes(changes, outcome):
    result = PACK.identify(_household(**changes), as_of=AS_OF)
    assert result.outcome.value == outcome
    with pytest.raises(LetterError, match=outcome):
        written_answer(result)


def test_no_letter_without_a_self_application():
    cadre = {"channel": "cadre_screening", "received_on": "2022-04-20", "closed_on": "2022-05-08"}
    result = PACK.identify(_household(clues=[cadre]), as_of=AS_OF)
    assert result.outcome == ff.Outcome.NOT_ELIGIBLE
    with pytest.raises(LetterError, match="no self-application"):
        written_answer(result)
    # An application received after the evaluation date was not on record then.
    later = dict(CLOSED_SELF_APPLICATION, received_on="2022-05-11", closed_on=None)
    result = PACK.identify(_household(clues=[later]), as_of=AS_OF)
    with pytest.raises(LetterError, match="no self-application"):
        written_answer(result)


def test_out_of_scope_letter_needs_the_household():
    h = _household(hukou="urban")
    result = PACK.identify(h, as_of=AS_OF)
    assert result.outcome == ff.Outcome.OUT_OF_SCOPE
    with pytest.raises(LetterError, match="household="):
        written_answer(result)
    text = written_answer(result, household=h)
    assert "结果为：不在排查范围" in text
    assert "〔一、(四)1〕" in text and "城镇户籍" in text
    assert "附件1" not in text  # nothing but scope was evaluated
    with pytest.raises(LetterError, match="not the result's"):
        written_answer(result, household=_household(id="OTHER", hukou="urban"))


def test_id_numbers_never_appear_unmasked():
    number = "11010519491231002X"
    result = PACK.identify(_household(id=number), as_of=AS_OF)
    text = written_answer(result)
    assert number not in text and "110105********002X" in text


def test_pack_must_match_the_result_and_lang_is_checked():
    result = PACK.identify(_household(), as_of=AS_OF)
    with pytest.raises(LetterError, match="qianshan_2023"):
        written_answer(result, pack=ff.load_pack("qianshan_2023"))
    with pytest.raises(LetterError, match="lang"):
        written_answer(result, lang="fr")
