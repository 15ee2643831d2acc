"""The monthly warning calendar of jimo_2022 (一、(一), 一、(二)1–2, 一、(三)1) and its 5 → 3 switch.

Every date below is worked by hand from the notice's words ("每月4日前 / 7日前 / 30日前": by the end of
that day of every month) and the official calendars of 2022 and 2024; the engine's
``monthly_due_dates`` is checked against them. Readings (CLAUSES.md): the 30th in a month without one
is the month's last day; a due day on a rest day does not move (the notice states no extension).
"""

import re
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules import calendar as cal
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


def test_february_2022_the_30th_is_the_28th_and_the_4th_stays_in_the_spring_festival():
    due = _due(2022, 2)
    assert due == {
        "bureau_progress_dispatch": date(2022, 2, 4),
        "department_feed": date(2022, 2, 4),
        "bureau_feedback_to_towns": date(2022, 2, 7),
        "town_ledger_filing": date(2022, 2, 28),  # February 2022 has 28 days
    }
    # 2022-02-04 is in the Spring Festival holiday (01-31 … 02-06): not moved to 02-07.
    assert not cal.is_working_day(date(2022, 2, 4))


def test_february_2024_a_leap_year_the_30th_is_the_29th():
    due = _due(2024, 2)
    assert due == {
        "bureau_progress_dispatch": date(2024, 2, 4),  # a Sunday worked under 调休
        "department_feed": date(2024, 2, 4),
        "bureau_feedback_to_towns": date(2024, 2, 7),
        "town_ledger_filing": date(2024, 2, 29),
    }
    assert cal.is_working_day(date(2024, 2, 4))


def test_april_2022_due_days_on_holidays_do_not_move():
    due = _due(2022, 4)
    assert due == {
        "bureau_progress_dispatch": date(2022, 4, 4),  # 清明 holiday (04-03 … 05)
        "department_feed": date(2022, 4, 4),
        "bureau_feedback_to_towns": date(2022, 4, 7),  # the notice's own date
        "town_ledger_filing": date(2022, 4, 30),  # Saturday, first day of the Labour Day holiday
    }
    assert not cal.is_working_day(date(2022, 4, 4))
    assert not cal.is_working_day(date(2022, 4, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 1, 1), 5),  # the old rule (即扶贫组发〔2021〕2号), dated from the start of 2021
        (date(2022, 4, 6), 5),  # the day before 自本通知印发之日
        (date(2022, 4, 7), 3),  # the notice's date itself
        (date(2024, 2, 29), 3),  # no end date
    ],
)
def test_home_verification_working_days_switch_on_2022_04_07(day, expected):
    pack = ff.load_pack(PACK)
    value = pack.parameter_value("home_verification_working_days", day)
    assert value.value == expected
    assert value.citation == f"{PACK}:二、(二)"


def test_every_monthly_task_is_named_in_clauses_md():
    # The CLAUSES checker of tests/conftest.py reads deadlines, order rules and spans only.
    text = (Path(__file__).parents[1] / "policy_packs" / PACK / "CLAUSES.md").read_text("utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| "))
    for task in TASKS:
        assert re.search(rf"\b{task}\b", table), task
