"""Hand-worked tests, native and columnar alike, of jimo_2022 一、(二)2 "每月7日前将汇总后的预警信息
反馈镇街" (audit finding F6): last month's items reach the town by the end of the 7th. Up to then an
item of last month is on the town's ledger only once a department warning of its kind is recorded
as received since the 1st; otherwise whether it has arrived is unknown, and named. Earlier months'
items, and last month's from the 8th, count as fed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import fangfan_rules as ff
from fangfan_rules.logic import Missing
from fangfan_rules.rules.wording import fact_text
from fangfan_rules.variables.feeds import certain_feed_day, pending_name
from fangfan_rules.vocabulary import ClueKind
from tests.helpers import household, medical_stay
from tests.test_variables_feeds import clue, columnar, native, pupil

PENDING = pending_name(ClueKind.DROPOUT, date(2022, 6, 3), 7)

# id: (dropout date, as_of, clues, expected: True / False / "unknown")
CASES: dict[str, tuple[str, date, list[dict[str, Any]], object]] = {
    "May item on 06-03: pending, arrival not recorded": (
        "2022-05-20",
        date(2022, 6, 3),
        [],
        "unknown",
    ),
    "May item on 06-07 (the due day itself): still pending": (
        "2022-05-20",
        date(2022, 6, 7),
        [],
        "unknown",
    ),
    "May item on 06-08: due, fed": ("2022-05-20", date(2022, 6, 8), [], True),
    "May item on 06-01: pending": ("2022-05-31", date(2022, 6, 1), [], "unknown"),
    "April item on 06-03: due in May, fed": ("2022-04-20", date(2022, 6, 3), [], True),
    "May item on 06-03, a dropout warning received 06-02 (open): arrived": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("dropout", "2022-06-02", None)],
        True,
    ),
    "May item on 06-03, the warning received 06-02 closed 06-03: handled": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("dropout", "2022-06-02", "2022-06-03")],
        False,
    ),
    "May item on 06-03, a department dropout warning received in May (open): on the ledger": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("dropout", "2022-05-25", None)],
        True,
    ),
    "May item on 06-03, a department dropout warning received in April (open): no arrival": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("dropout", "2022-04-25", None)],
        "unknown",
    ),
    "May item on 06-03, a warning of another kind received 06-02: no arrival": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("education_aid", "2022-06-02", None)],
        "unknown",
    ),
    "May item on 06-03, a self-application of its kind received 06-02: not the feed": (
        "2022-05-20",
        date(2022, 6, 3),
        [{**clue("dropout", "2022-06-02", None), "channel": "self_application"}],
        "unknown",
    ),
    "June item on 06-03: not fed yet": ("2022-06-02", date(2022, 6, 3), [], False),
    "April item closed, May item pending": (
        "2022-05-20",
        date(2022, 6, 3),
        [clue("dropout", "2022-04-25", "2022-04-30")],
        "unknown",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_last_months_item_is_pending_until_the_due_day(case: str) -> None:
    dropout, as_of, clues, expected = CASES[case]
    h = pupil(dropout, *clues)
    got = native("dropout_feed_open", h, member="c1", as_of=as_of)
    twin = columnar("dropout_feed_open", [h], as_of=as_of)[(h.id, "c1")]
    if expected == "unknown":
        assert isinstance(got, Missing)
        assert got.facts == (pending_name(ClueKind.DROPOUT, as_of, 7),)
        assert twin is None
    else:
        assert got is expected and twin is expected


def test_the_certain_day_moves_on_the_8th() -> None:
    assert certain_feed_day(date(2022, 6, 7), 7) == date(2022, 4, 30)
    assert certain_feed_day(date(2022, 6, 8), 7) == date(2022, 5, 31)
    assert certain_feed_day(date(2023, 1, 5), 7) == date(2022, 11, 30)


def test_the_pending_fact_is_worded_for_the_officials() -> None:
    assert PENDING == "department feed dropout of 2022-05 (due at the town by 2022-06-07)"
    zh = fact_text(PENDING, "zh")
    assert zh == (
        "2022年5月的“失学辍学”预警信息是否已反馈到镇街（应于2022年6月7日前反馈；"
        "收到后录入该部门预警即可判断；过期未收到的，本包解读为已反馈）"
    )
    assert "have reached the town (due by 7 June 2022;" in fact_text(PENDING, "en")


def test_a_due_day_the_month_does_not_have_is_its_last_day() -> None:
    assert pending_name(ClueKind.DROPOUT, date(2023, 2, 10), 31).endswith("by 2023-02-28)")
    assert certain_feed_day(date(2023, 2, 28), 31) == date(2022, 12, 31)


def _burden(*spending: tuple[str, str, str | None]) -> ff.Household:
    rows = [medical_stay(d, amount, care) for d, amount, care in spending]
    return household(id="B-1", hukou="rural", expenditures=rows)


MEDICAL = {"care": ("inpatient", "chronic_special_outpatient"), "threshold": 20000}


@pytest.mark.parametrize(
    ("spending", "as_of", "expected"),
    [
        ([("2022-05-20", "25000", "inpatient")], date(2022, 6, 3), "pending"),
        ([("2022-05-20", "25000", "inpatient")], date(2022, 6, 8), True),
        ([("2022-04-20", "25000", "inpatient")], date(2022, 6, 3), True),
        # untyped May spending: May or never, and May's feed not yet due
        ([("2022-05-20", "25000", None)], date(2022, 6, 3), "pending+care"),
        ([("2022-05-20", "15000", "inpatient")], date(2022, 6, 3), False),
    ],
    ids=["May crossing on 06-03", "on 06-08", "April crossing on 06-03", "untyped", "no crossing"],
)
def test_a_medical_burden_crossing_of_last_month_is_pending_too(
    spending: list[tuple[str, str, str | None]], as_of: date, expected: object
) -> None:
    h = _burden(*spending)
    got = native("medical_burden_feed_open", h, as_of=as_of, **MEDICAL)
    twin = columnar("medical_burden_feed_open", [h], as_of=as_of, **MEDICAL)[(h.id,)]
    pending = pending_name(ClueKind.MEDICAL_BURDEN, as_of, 7)
    if expected == "pending":
        assert got == Missing((pending,)) and twin is None
    elif expected == "pending+care":
        assert got == Missing(("expenditures[medical 2022-05-20].care", pending))
        assert twin is None
    else:
        assert got is expected and twin is expected
