"""Hand-worked tests of the caller-supplied look-backs (fangfan_rules/variables/lookback.py) and of
the clues still owed a home visit (fangfan_rules/variables/clue_visits.py), native and columnar."""

from datetime import date
from decimal import Decimal

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.errors import ParameterError
from fangfan_rules.variables import Context
from fangfan_rules.variables.lookback import lookback_window
from tests.helpers import household

AS_OF = date(2025, 7, 1)


def _value(name: str, h: ff.Household, as_of: date = AS_OF, **args):
    view, _ = ff.known_at(h, as_of)
    return ff.VARIABLES[name](Context(view, as_of), **args)


def _spend(day: str, amount: str, kind: str = "medical") -> dict:
    return {
        "kind": kind,
        "date": day,
        "total": amount,
        "reimbursed": "0",
        "compliant_self_paid": amount,
    }


def test_lookback_window_includes_both_ends_and_refuses_a_negative_length():
    assert lookback_window(AS_OF, 12) == ff.DateRange(start=date(2024, 7, 1), end=AS_OF)
    assert lookback_window(AS_OF, 0) == ff.DateRange(start=AS_OF, end=AS_OF)
    with pytest.raises(ParameterError):
        lookback_window(AS_OF, -1)


def test_risk_events_on_record_and_within_the_callers_months():
    h = household(
        risk_events=[
            {"type": "illness", "date": "2024-06-30"},  # 12 months and a day before as_of
            {"type": "accident", "date": "2025-07-02"},  # after as_of: not known yet
        ]
    )
    illness, accident = ("illness",), ("accident",)
    assert _value("risk_event_on_record", h, types=illness) is True
    assert _value("risk_event_within", h, months=12, types=illness) is False
    assert _value("risk_event_within", h, months=13, types=illness) is True
    assert _value("risk_event_on_record", h, types=accident) is False
    assert _value("risk_event_within", h, months=24, types=accident) is False


def test_compliant_self_paid_on_record_and_within_the_callers_months():
    h = household(
        expenditures=[
            _spend("2024-07-01", "1000.50"),  # on the first day of a 12-month look-back
            _spend("2024-06-30", "2000.00"),  # the day before it
            _spend("2025-07-01", "300.00", kind="schooling"),  # on as_of
        ]
    )
    kinds = ("medical", "schooling")
    assert _value("compliant_self_paid_on_record", h, kinds=kinds) == Decimal("3300.50")
    assert _value("compliant_self_paid_within", h, months=12, kinds=kinds) == Decimal("1300.50")
    assert _value("compliant_self_paid_within", h, months=0, kinds=kinds) == Decimal("300.00")
    assert _value("compliant_self_paid_within", h, months=12, kinds=("disaster",)) == 0


def test_a_clue_owes_its_visit_until_verified_or_closed_whatever_its_age():
    h = household(
        clues=[
            {"channel": "self_application", "received_on": "2024-07-01"},  # a year old, open
            {"channel": "routine_visit", "received_on": "2025-06-10", "verified_on": "2025-06-12"},
            {"channel": "cadre_screening", "received_on": "2025-06-20", "closed_on": "2025-07-01"},
            {"channel": "petition", "received_on": "2025-06-20", "verified_on": "2025-07-02"},
            {
                "channel": "routine_visit",
                "received_on": "2025-06-30",
                "department": "civil_affairs",
                "closed_on": "2025-07-02",
            },
        ]
    )
    assert _value("unverified_clue", h, channels=("self_application",)) is True
    # verified 06-12, open → the visit is done (the clue still awaits its judgement)
    assert _value("open_clue", h, channels=("routine_visit",)) is True
    assert _value("unverified_department_warning", h, departments=("civil_affairs",)) is True
    # closed on as_of → closed that day
    assert _value("unverified_clue", h, channels=("cadre_screening",)) is False
    # a verification dated after as_of is not known on as_of
    assert _value("unverified_clue", h, channels=("petition",)) is True
    assert _value("unverified_clue", h, as_of=date(2025, 7, 2), channels=("petition",)) is False
    # the civil-affairs clue (routine_visit, unverified) keeps the routine_visit channel owing a visit
    assert _value("unverified_clue", h, channels=("routine_visit",)) is True
    assert _value("unverified_department_warning", h, departments=("health",)) is False


def test_columnar_answers_as_native_through_the_puan_pack():
    pack = ff.load_pack("puan_2025").with_parameters(
        monitoring_income_line=7000, income_window="2024-07-01..2025-06-30"
    )
    base = {
        "members": [{"id": "m1", "relation": "head", "labour": "able", "employment": "stable"}],
        "income": [
            {
                "start": "2024-07-01",
                "end": "2025-06-30",
                "wage_income": "30000",
                "business_income": "0",
                "property_income": "0",
                "transfer_income": "0",
                "business_expense": "0",
            }
        ],
        "guarantees": {
            "housing_grade": "A",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
        "self_coping": True,
        "serious_difficulty": False,
        "lifted_out_of_poverty": False,
    }
    batch = [
        household(
            id="H-old-clue",
            clues=[{"channel": "self_application", "received_on": "2024-07-01"}],
            **base,
        ),
        household(
            id="H-verified",
            clues=[
                {
                    "channel": "routine_visit",
                    "received_on": "2025-06-10",
                    "verified_on": "2025-06-12",
                }
            ],
            **base,
        ),
        household(
            id="H-closed",
            clues=[
                {
                    "channel": "routine_visit",
                    "kind": "unsafe_housing",
                    "received_on": "2025-06-26",
                    "closed_on": "2025-06-28",
                }
            ],
            **base,
        ),
        household(
            id="H-warning",
            clues=[
                {
                    "channel": "routine_visit",
                    "department": "civil_affairs",
                    "received_on": "2025-06-20",
                }
            ],
            **base,
        ),
        household(id="H-event", risk_events=[{"type": "illness", "date": "2024-06-30"}], **base),
        household(id="H-spend", expenditures=[_spend("2024-07-01", "800")], **base),
        household(id="H-nothing", **base),
    ]
    for supplied in ({}, {"lookback_months": 12}, {"lookback_months": 24}):
        p = pack.with_parameters(**supplied) if supplied else pack
        native = results_frame(p.identify_many(batch, as_of=AS_OF))
        got = vz.VectorizedBatch(p, batch, as_of=AS_OF).frame
        for i in range(len(native)):
            for column in vz.EXACT_COLUMNS:
                a, b = got.iloc[i][column], native.iloc[i][column]
                assert (a is None and b is None) or a == b or (a != a and b != b), (
                    supplied,
                    native.iloc[i]["household_id"],
                    column,
                    a,
                    b,
                )
    outcomes = dict(zip(native.household_id, native.outcome, strict=True))
    assert outcomes["H-old-clue"] == "needs_review"  # a year-old open clue is still judged
    assert outcomes["H-closed"] == "not_eligible"  # handled and closed
    assert outcomes["H-event"] == "needs_review"  # 24 months reach 2023-07-01
    assert outcomes["H-nothing"] == "not_eligible"
