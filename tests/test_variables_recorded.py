"""Hand-worked tests of fangfan_rules/variables/recorded.py and its columnar twin.

- unverified_clue_received: rongan_2022 二、(一)2 "各乡镇在3月15日之前完成入户核实" — a list entry is owed a
  home visit until the verification (or the clue's closure) is recorded; a date after as_of is not
  known yet, and a time limit never makes the entry expire.
- difficulty_recorded: a visit's recorded finding (生活陷入严重困难 true, or 自主应对 false); a finding
  not recorded is "not on record", so a recommendation that acts on recorded findings does not fire.
"""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.dates import DateRange
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household

Q1 = DateRange(start=date(2022, 1, 1), end=date(2022, 3, 31))
LIST = ("department_push",)


def unverified(h: ff.Household, as_of: date, window: DateRange = Q1) -> object:
    view, _ = ff.known_at(h, as_of)
    return get_variable("unverified_clue_received")(
        Context(view, as_of), window=window, channels=LIST
    )


def difficulty(h: ff.Household) -> object:
    return get_variable("difficulty_recorded")(Context(h, date(2022, 4, 1)))


def entry(**fields: object) -> dict:
    return {"channel": "department_push", "received_on": "2022-03-03", **fields}


def test_an_entry_waits_until_its_verification_is_recorded():
    h = household(clues=[entry(verified_on="2022-03-08")])
    assert unverified(h, date(2022, 3, 7)) is True  # verification dated after as_of: not known yet
    assert unverified(h, date(2022, 3, 8)) is False  # verified that day


def test_a_closed_entry_no_longer_waits_and_an_old_one_never_expires():
    assert unverified(household(clues=[entry(closed_on="2022-03-06")]), date(2022, 3, 10)) is False
    # Received 03-03, never verified: still owed in December (the 3月15日 makes it late, not gone).
    assert unverified(household(clues=[entry()]), date(2022, 12, 1)) is True


def test_window_channel_and_receipt_date_are_respected():
    assert unverified(household(clues=[entry(received_on="2022-04-01")]), date(2022, 5, 1)) is False
    assert (
        unverified(household(clues=[entry(channel="self_application")]), date(2022, 5, 1)) is False
    )
    assert unverified(household(clues=[entry()]), date(2022, 3, 2)) is False  # not received yet
    assert unverified(household(), date(2022, 3, 10)) is False


@pytest.mark.parametrize(
    ("serious", "coping", "expected"),
    [
        (True, None, True),
        (None, False, True),
        (True, True, True),
        (False, True, False),
        (None, None, False),  # nothing on record: not a finding (and not unknown)
        (False, None, False),
    ],
)
def test_difficulty_recorded(serious, coping, expected):
    h = household(serious_difficulty=serious, self_coping=coping)
    assert difficulty(h) is expected


def test_the_variables_are_registered_with_labels():
    assert "尚未入户核实" in ff.VARIABLES["unverified_clue_received"].label("zh")
    assert ff.VARIABLES["difficulty_recorded"].value_type == "bool"


def test_the_vectorized_engine_agrees_with_the_native_one():
    # rongan_2022 reads both variables (must_visit.department_online_list, outcome.review_difficulty).
    pack = ff.load_pack("rongan_2022").with_parameters(
        monitoring_income_line="6000", income_window={"start": "2021-01-01", "end": "2021-12-31"}
    )
    where = {"county": "融安县", "town": "长安镇", "village": "示例村"}
    income = [
        {
            "start": "2021-01-01",
            "end": "2021-12-31",
            "wage_income": "30000.00",
            "business_income": "0",
            "property_income": "0",
            "transfer_income": "0",
            "business_expense": "0",
        }
    ]
    guarantees = {
        "housing_grade": "A",
        "basic_medical_insured": True,
        "compulsory_education_ok": True,
        "drinking_water_safe": True,
    }
    variants = [
        {},
        {"serious_difficulty": True},
        {"self_coping": False},
        {"self_coping": True, "serious_difficulty": False},
        {"clues": [entry()]},
        {"clues": [entry(verified_on="2022-03-08")]},
        {"clues": [entry(verified_on="2022-03-20")]},  # after as_of
        {"clues": [entry(verified_on="2022-03-05", closed_on="2022-03-06")]},
    ]
    batch = [
        ff.load_household(
            {
                "id": f"r{i}",
                "hukou": "rural",
                "area": where,
                "lifted_out_of_poverty": False,
                "members": [{"id": "m1", "relation": "head"}, {"id": "m2", "relation": "spouse"}],
                "income": income,
                "guarantees": guarantees,
                **extra,
            }
        )
        for i, extra in enumerate(variants)
    ]
    as_of = date(2022, 3, 10)
    native = results_frame(pack.identify_many(batch, as_of=as_of))
    vectorized = pack.identify_frame(batch, as_of=as_of, engine="vectorized")
    assert list(native.outcome) == list(vectorized.outcome)
    assert list(native.must_visit) == list(vectorized.must_visit)
    assert list(native.outcome) == [
        "not_eligible",
        "needs_review",
        "needs_review",
        "not_eligible",
        "needs_review",  # open list entry
        "needs_review",  # verified, not closed
        "needs_review",
        "not_eligible",  # verified and closed
    ]
    assert list(native.must_visit) == [False, False, False, False, True, False, True, False]
