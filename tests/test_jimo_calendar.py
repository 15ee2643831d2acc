"""The monthly warning calendar of jimo_2022 (一、(一), 一、(二)1–2, 一、(三)1) and its 5 → 3 switch.

Every date below is worked by hand from the notice's words ("每月4日前 / 7日前 / 30日前": by the end of
that day of every month) and the official calendars of 2022–2024; the engine's ``monthly_due_dates``
is checked against them. Readings (CLAUSES.md): the 30th in a month without one is the month's last
day; a due day on a rest day does not move (the notice states no extension); the list of 上月新增的
监测帮扶对象 for the departments (一、(二)2, "并…", a sentence after a full stop) has no due day: none
is printed. The notice is dated 2022-04-07: nothing is owed for a month before it.
"""

import re
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules import calendar as cal
from fangfan_rules.errors import NotInForceError
from fangfan_rules.timeline import monthly_due_dates

PACK = "jimo_2022"
TASKS = (
    "bureau_progress_dispatch",
    "department_feed",
    "bureau_feedback_to_towns",
    "town_ledger_filing",
)


def _due(year: int, month: int) -> dict[str, date]:
    pack = ff.load_pack(PACK)
    return {
        task.id.removeprefix(f"{PACK}."): due for task, due in monthly_due_dates(pack, year, month)
    }


def test_the_pack_has_exactly_the_four_monthly_tasks_with_their_clauses():
    pack = ff.load_pack(PACK)
    found = {
        t.id.removeprefix(f"{PACK}."): (t.day, t.covers, t.citation) for t in pack.timeline.monthly
    }
    assert found == {
        "bureau_progress_dispatch": (4, "previous_month", f"{PACK}:一、(一)"),
        "department_feed": (4, "previous_month", f"{PACK}:一、(二)1"),
        "bureau_feedback_to_towns": (7, "previous_month", f"{PACK}:一、(二)2"),
        "town_ledger_filing": (30, "current_month", f"{PACK}:一、(三)1"),
    }
    assert not any(t.extend_past_rest_day for t in pack.timeline.monthly)  # no extension is stated


@pytest.mark.parametrize(("year", "month"), [(2021, 6), (2022, 2), (2022, 3)])
def test_months_before_the_notice_owe_nothing(year, month):
    """The notice of 2022-04-07 owes no report due before it, nor one on a month before it."""
    with pytest.raises(NotInForceError, match=f"{year}-{month:02d}"):
        _due(year, month)


def test_april_2022_owes_only_the_ledger_of_april():
    # The 4th (reports on March) and the 7th (March's warnings and newly monitored households)
    # are before the notice or report on a month before it; April's own ledger is due 04-30.
    assert _due(2022, 4) == {"town_ledger_filing": date(2022, 4, 30)}
    assert not cal.is_working_day(date(2022, 4, 30))  # Saturday, Labour Day holiday: not moved


def test_may_2022_is_the_first_full_month():
    assert _due(2022, 5) == {
        "bureau_progress_dispatch": date(2022, 5, 4),  # in the Labour Day holiday: not moved
        "department_feed": date(2022, 5, 4),
        "bureau_feedback_to_towns": date(2022, 5, 7),  # a Saturday worked under 调休
        "town_ledger_filing": date(2022, 5, 30),
    }
    assert not cal.is_working_day(date(2022, 5, 4))
    assert cal.is_working_day(date(2022, 5, 7))


def test_february_2023_the_30th_is_the_28th():
    due = _due(2023, 2)
    assert due == {
        "bureau_progress_dispatch": date(2023, 2, 4),
        "department_feed": date(2023, 2, 4),
        "bureau_feedback_to_towns": date(2023, 2, 7),
        "town_ledger_filing": date(2023, 2, 28),  # February 2023 has 28 days
    }
    assert not cal.is_working_day(date(2023, 2, 4))  # a Saturday: the 4th does not move


def test_february_2024_a_leap_year_the_30th_is_the_29th():
    due = _due(2024, 2)
    assert due == {
        "bureau_progress_dispatch": date(2024, 2, 4),  # a Sunday worked under 调休
        "department_feed": date(2024, 2, 4),
        "bureau_feedback_to_towns": date(2024, 2, 7),
        "town_ledger_filing": date(2024, 2, 29),
    }
    assert cal.is_working_day(date(2024, 2, 4))


def test_october_2022_due_days_in_national_day_do_not_move():
    due = _due(2022, 10)
    assert due == {
        "bureau_progress_dispatch": date(2022, 10, 4),  # 国庆 holiday (10-01 … 10-07)
        "department_feed": date(2022, 10, 4),
        "bureau_feedback_to_towns": date(2022, 10, 7),
        "town_ledger_filing": date(2022, 10, 30),  # a Sunday
    }
    for day in (4, 7, 30):
        assert not cal.is_working_day(date(2022, 10, day))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 4, 7), 3),  # the notice's date itself
        (date(2024, 2, 29), 3),  # no end date
    ],
)
def test_home_verification_working_days_switch_on_2022_04_07(day, expected):
    pack = ff.load_pack(PACK)
    value = pack.parameter_value("home_verification_working_days", day)
    assert value.value == expected
    assert value.citation == f"{PACK}:二、(二)"
    assert "5个工作日调整为3个工作日" in (value.quote or "")


def test_the_five_days_claim_no_start():
    """The notice prints the 5 days it replaced, not since when they applied (audit finding 4): no
    value is keyed before 2022-04-07 and the limit applies to warnings received from that day."""
    pack = ff.load_pack(PACK)
    (only,) = pack.parameters["home_verification_working_days"].values
    assert only.value == 3 and only.valid_from == date(2022, 4, 7)
    assert "no start is invented" in (only.interpretation or "")
    with pytest.raises(NotInForceError):
        pack.parameter_value("home_verification_working_days", date(2022, 4, 6))
    (rule,) = [d for d in pack.timeline.deadlines if d.id.endswith(".home_verification_time")]
    assert rule.valid_from == date(2022, 4, 7)


def test_every_monthly_task_is_named_in_clauses_md():
    # The CLAUSES checker of tests/conftest.py reads deadlines, order rules and spans only.
    text = (Path(__file__).parents[1] / "policy_packs" / PACK / "CLAUSES.md").read_text("utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| "))
    for task in TASKS:
        assert re.search(rf"\b{task}\b", table), task


def test_the_feeds_due_day_is_the_towns_monthly_task_day():
    """一、(二)2 "每月7日前将汇总后的预警信息反馈镇街" is printed once: the feed rules' parameter
    town_feed_due_day and the monthly task bureau_feedback_to_towns must say the same day."""
    pack = ff.load_pack(PACK)
    task = next(t for t in pack.timeline.monthly if t.id == f"{PACK}.bureau_feedback_to_towns")
    (value,) = pack.parameters["town_feed_due_day"].values
    assert value.value == task.day == 7 and value.citation == task.citation
