"""The variables of :mod:`fangfan_rules.variables.warnings` (closed warnings, the officials' recorded
finding per warning, month-end medical burden of a calendar year, the housing appraisal date) and
their columnar twins: each value worked by hand, then both engines compared on every jimo_2022 case.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import fangfan_rules as ff
from fangfan_rules.dates import DateRange
from fangfan_rules.facts import known_at
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context, get_variable
from fangfan_rules.vocabulary import CareType, Channel, ClueKind
from tests.helpers import medical_stay

AS_OF = date(2022, 5, 10)
APRIL = DateRange(start=date(2022, 4, 1), end=AS_OF)


def _v(name: str, args: dict[str, Any], as_of: date = AS_OF, **household: Any) -> Any:
    data = {
        "id": "W1",
        "area": {"county": "即墨区", "town": "龙山街道", "village": "东村"},
        "hukou": "rural",
        **household,
    }
    view, _ = known_at(ff.load_household(data), as_of)
    return get_variable(name)(Context(view, as_of), **args)


ALL = tuple(Channel)
SELF = (Channel.SELF_APPLICATION,)


def clue(**fields: Any) -> dict[str, Any]:
    return {"channel": "self_application", "received_on": "2022-04-20", **fields}


def test_a_closed_warning_of_the_kind_received_in_the_window_ends_the_feed_item():
    args = {"window": APRIL, "kinds": (ClueKind.DROPOUT,)}
    closed = clue(kind="dropout", received_on="2022-05-06", closed_on="2022-05-08")
    assert _v("closed_clue_kind", args, clues=[closed]) is True
    # closed after as_of: still open on as_of
    assert _v("closed_clue_kind", args, clues=[{**closed, "closed_on": "2022-05-11"}]) is False
    # received before the window (an older warning of the same kind)
    assert _v("closed_clue_kind", args, clues=[{**closed, "received_on": "2022-03-31"}]) is False
    # another kind
    assert _v("closed_clue_kind", args, clues=[{**closed, "kind": "major_disease"}]) is False


def test_the_recorded_finding_is_read_kleene():
    met, failed, unrecorded = (
        clue(closed_on="2022-05-08", meets_criteria=True),
        clue(closed_on="2022-05-08", meets_criteria=False),
        clue(received_on="2022-04-21", closed_on="2022-05-08"),
    )
    meets, fails = (
        lambda **h: _v("closed_clue_meets_criteria", {"channels": ALL}, **h),
        lambda **h: _v("closed_clue_fails_criteria", {"channels": SELF}, **h),
    )
    assert meets(clues=[met]) is True and fails(clues=[met]) is False
    assert meets(clues=[failed]) is False and fails(clues=[failed]) is True
    # not recorded: unknown, naming the clue's field; a recorded answer elsewhere still decides
    assert meets(clues=[unrecorded]) == Missing(
        ("clues[self_application 2022-04-21].meets_criteria",)
    )
    assert meets(clues=[unrecorded, met]) is True
    assert isinstance(fails(clues=[unrecorded, met]), Missing)
    # open warnings carry no finding yet; a finding of a clue closed after as_of is not known
    assert meets(clues=[clue(meets_criteria=True)]) is False
    assert meets(clues=[clue(closed_on="2022-05-11", meets_criteria=True)]) is False
    # channels are respected
    assert fails(clues=[{**failed, "channel": "petition"}]) is False


def test_reason_and_told_record_checks():
    args = {"channels": ALL}
    no_reason = clue(closed_on="2022-05-08", meets_criteria=False, reason_not_met=" \u3000")
    assert _v("closed_clue_without_reason", args, clues=[no_reason]) is True
    reason = {**no_reason, "reason_not_met": "收入稳定"}
    assert _v("closed_clue_without_reason", args, clues=[reason]) is False
    # a finding not recorded is not this check's business
    unrecorded = clue(closed_on="2022-05-08")
    assert _v("closed_clue_without_reason", args, clues=[unrecorded]) is False
    told = {"channels": (Channel.SELF_APPLICATION, Channel.PETITION)}
    assert _v("closed_clue_not_informed", told, clues=[reason]) is True  # not recorded
    assert _v("closed_clue_not_informed", told, clues=[{**reason, "applicant_informed": False}])
    assert (
        _v("closed_clue_not_informed", told, clues=[{**reason, "applicant_informed": True}])
        is False
    )
    assert _v("closed_clue_not_informed", told, clues=[clue()]) is False  # still open
    # the column empty (an incomplete ledger) — 是 or 否 completes it
    assert _v("closed_clue_informed_blank", told, clues=[reason]) is True
    for answer in (True, False):
        row = {**reason, "applicant_informed": answer}
        assert _v("closed_clue_informed_blank", told, clues=[row]) is False
    # 否 on a row found 不符合 (一、(三)2's answer not given); 符合 or 是: no; finding unknown: unknown
    selfs = {"channels": (Channel.SELF_APPLICATION,)}
    refused = {**reason, "applicant_informed": False}
    assert _v("closed_clue_refused_not_told", selfs, clues=[refused]) is True
    met = {**refused, "meets_criteria": True}
    assert _v("closed_clue_refused_not_told", selfs, clues=[met]) is False
    assert (
        _v("closed_clue_refused_not_told", selfs, clues=[{**refused, "applicant_informed": True}])
        is False
    )
    unknown = clue(closed_on="2022-05-08", applicant_informed=False)
    assert _v("closed_clue_refused_not_told", selfs, clues=[unknown]) == Missing(
        ("clues[self_application 2022-04-20].meets_criteria",)
    )


CARE = (CareType.INPATIENT, CareType.CHRONIC_SPECIAL_OUTPATIENT)


@pytest.mark.parametrize(
    ("as_of", "through", "before"),
    [
        # April 2022: through 04-30 = 100 + 200 + 400; before April = 100 + 200
        (date(2022, 5, 10), "700.00", "300.00"),
        # May 2022 looked at in June: the 05-31 stay counts, the 06-01 one does not
        (date(2022, 6, 1), "1700.00", "700.00"),
        # January 2022 (as_of in February): nothing of 2022 before January
        (date(2022, 2, 1), "100.00", "0.00"),
        # January 2023: the calendar year 2023 starts again
        (date(2023, 2, 28), "0.00", "0.00"),
    ],
)
def test_month_end_burden_of_the_calendar_year(as_of, through, before):
    spending = [
        medical_stay("2021-12-31", "5000"),
        medical_stay("2022-01-31", "100"),
        medical_stay("2022-03-01", "200"),
        medical_stay("2022-04-30", "400"),
        medical_stay("2022-05-31", "1000"),
        medical_stay("2022-06-01", "9000"),
        medical_stay("2022-04-15", "7000", care="general_outpatient"),
    ]
    args = {"care": CARE, "back": 1}
    assert _v("medical_burden_through_month", args, as_of, expenditures=spending) == Decimal(
        through
    )
    assert _v("medical_burden_before_month", args, as_of, expenditures=spending) == Decimal(before)


def test_an_untyped_stay_makes_the_burden_unknown_only_inside_the_window():
    untyped = {**medical_stay("2022-04-03", "100"), "care": None}
    args = {"care": CARE, "back": 1}
    assert isinstance(_v("medical_burden_through_month", args, expenditures=[untyped]), Missing)
    assert _v("medical_burden_before_month", args, expenditures=[untyped]) == Decimal("0.00")


def test_appraisal_date_identified_in_and_the_recorded_difficulty():
    assert _v("housing_appraised_on", {}) is None
    dated = {"housing_grade": "C", "housing_appraised_on": "2022-04-20"}
    assert _v("housing_appraised_on", {}, guarantees=dated) == date(2022, 4, 20)
    # an appraisal dated after as_of was not known then
    later = {**dated, "housing_appraised_on": "2022-05-11"}
    assert _v("housing_appraised_on", {}, guarantees=later) is None
    spell = {"category": "marginal", "identified_on": "2022-04-25"}
    window = {"window": DateRange(start=date(2022, 4, 1), end=date(2022, 4, 30))}
    assert _v("monitoring_identified_in", window, monitoring=[spell]) is True
    assert (
        _v(
            "monitoring_identified_in",
            window,
            monitoring=[{**spell, "identified_on": "2022-05-02"}],
        )
        is False
    )
    assert _v("serious_difficulty_recorded", {}, serious_difficulty=True) is True
    assert _v("serious_difficulty_recorded", {}) is False  # not recorded: no finding
    assert _v("serious_difficulty_recorded", {}, serious_difficulty=False) is False
