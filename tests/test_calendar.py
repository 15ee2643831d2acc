"""Tests for fangfan_rules.calendar: official working days, 调休, natural-day deadlines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.calendar import (
    NaturalDays,
    OfficialCalendar,
    TableCalendar,
    WorkingDayCalendar,
    WorkingDays,
    add_working_days,
    default_calendar,
    is_statutory_holiday,
    is_working_day,
    natural_day_deadline,
    working_days_between,
)
from fangfan_rules.errors import CalendarError

D = date.fromisoformat


# --- the official calendar -------------------------------------------------------------------


def test_official_calendar_satisfies_protocol_and_default_is_lazy_singleton() -> None:
    assert isinstance(OfficialCalendar(), WorkingDayCalendar)
    assert default_calendar() is default_calendar()


def test_known_range_comes_from_package_tables() -> None:
    years = {d.year for d in chinese_calendar.holidays}
    first, last = OfficialCalendar().known_range()
    assert first == date(min(years), 1, 1) == D("2004-01-01")
    # 29-31 December of the last year belong to the next (unpublished) New Year notice.
    assert last == date(max(years), 12, 28)
    assert last >= D("2026-12-28")


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2025: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked.
        ("2025-09-30", 5, "2025-10-14"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-27", 1, "2025-09-28"),
        ("2025-10-10", 1, "2025-10-11"),
        # National Day 2024: 10-01..10-07 off, Sun 09-29 and Sat 10-12 worked.
        ("2024-09-28", 1, "2024-09-29"),
        ("2024-09-30", 1, "2024-10-08"),
        ("2024-10-11", 1, "2024-10-12"),
        # Spring Festival 2024: 02-10..02-17 off, Sun 02-04 and Sun 02-18 worked.
        ("2024-02-03", 1, "2024-02-04"),
        ("2024-02-09", 1, "2024-02-18"),
        ("2024-02-08", 2, "2024-02-18"),
        # Spring Festival 2025: 01-28..02-04 off, Sun 01-26 and Sat 02-08 worked.
        ("2025-01-25", 1, "2025-01-26"),
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-02-07", 1, "2025-02-08"),
        # Year ends.
        ("2024-12-31", 1, "2025-01-02"),
        ("2025-12-31", 1, "2026-01-04"),  # 2026-01-01..03 off, Sun 01-04 worked
        ("2025-12-31", 2, "2026-01-05"),
        # An ordinary week.
        ("2025-06-06", 1, "2025-06-09"),
        ("2025-06-09", 5, "2025-06-16"),
    ],
)
def test_add_working_days_official(start: str, n: int, due: str) -> None:
    assert add_working_days(D(start), n) == D(due)
    assert working_days_between(D(start), D(due)) == n


@pytest.mark.parametrize(
    "day",
    [
        "2025-09-28",
        "2025-10-11",
        "2024-02-04",
        "2024-02-18",
        "2024-09-29",
        "2024-10-12",
        "2025-01-26",
        "2025-02-08",
        "2025-10-09",
        "2025-06-09",
    ],
)
def test_working_days(day: str) -> None:
    assert is_working_day(D(day))
    assert not is_statutory_holiday(D(day))


@pytest.mark.parametrize(
    "day",
    [
        "2025-10-01",
        "2025-10-04",
        "2025-10-08",
        "2024-10-07",
        "2024-02-10",
        "2024-02-17",
        "2025-01-28",
        "2025-02-04",
        "2025-01-01",
        "2024-01-01",
    ],
)
def test_statutory_holidays(day: str) -> None:
    assert not is_working_day(D(day))
    assert is_statutory_holiday(D(day))


@pytest.mark.parametrize("day", ["2025-10-12", "2025-06-07", "2025-06-08", "2024-02-25"])
def test_ordinary_weekend_is_rest_but_not_statutory_holiday(day: str) -> None:
    assert not is_working_day(D(day))
    assert not is_statutory_holiday(D(day))


@pytest.mark.parametrize("day", ["2003-06-01", "2003-12-31", "2030-01-01", "2027-01-04"])
def test_unknown_year_raises_calendar_error_naming_date(day: str) -> None:
    with pytest.raises(CalendarError) as info:
        is_working_day(D(day))
    message = str(info.value)
    assert day in message
    assert "2004-01-01" in message
    assert "calendar=" in message
    with pytest.raises(CalendarError, match=day):
        is_statutory_holiday(D(day))


def test_provisional_last_december_days_are_refused() -> None:
    assert is_working_day(D("2026-12-28"))
    with pytest.raises(CalendarError, match="2026-12-29"):
        is_working_day(D("2026-12-29"))


def test_counting_past_the_known_range_raises() -> None:
    with pytest.raises(CalendarError, match="2026-12-29"):
        add_working_days(D("2026-12-20"), 10)
    with pytest.raises(CalendarError):
        working_days_between(D("2003-12-01"), D("2004-01-05"))


def test_add_working_days_zero_rolls_forward_only_from_rest_days() -> None:
    assert add_working_days(D("2025-10-09"), 0) == D("2025-10-09")
    assert add_working_days(D("2025-10-01"), 0) == D("2025-10-09")
    assert add_working_days(D("2025-06-07"), 0) == D("2025-06-09")


def test_add_working_days_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        add_working_days(D("2025-06-09"), -1)
    with pytest.raises(TypeError):
        add_working_days(D("2025-06-09"), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(datetime(2025, 6, 9, 12), 1)  # type: ignore[arg-type]


def test_working_days_between_is_antisymmetric() -> None:
    a, b = D("2025-09-30"), D("2025-10-14")
    assert working_days_between(a, b) == 5
    assert working_days_between(b, a) == -5
    assert working_days_between(a, a) == 0
    # a < d <= b: a working day at the start is not counted, one at the end is.
    assert working_days_between(D("2025-06-09"), D("2025-06-10")) == 1


# --- natural days (民法典 第201条, 第203条) -------------------------------------------------------


def test_natural_day_deadline_landing_on_national_day_extends() -> None:
    # 2025-09-26 + 5 days = 2025-10-01 (National Day): the period ends on 10-09.
    assert natural_day_deadline(D("2025-09-26"), 5) == D("2025-10-09")
    assert natural_day_deadline(D("2024-09-30"), 3) == D("2024-10-08")
    assert natural_day_deadline(D("2025-09-26"), 5, extend_past_holiday=False) == D("2025-10-01")


def test_natural_day_deadline_weekend_and_make_up_day() -> None:
    # Ordinary Saturday (法定休假日 includes 公休日) → Monday.
    assert natural_day_deadline(D("2025-06-06"), 1) == D("2025-06-09")
    # Make-up Saturday 2025-10-11 is a working day: the period ends on it.
    assert natural_day_deadline(D("2025-10-06"), 5) == D("2025-10-11")
    # Working last day: unchanged; the triggering day is not counted.
    assert natural_day_deadline(D("2025-06-02"), 3) == D("2025-06-05")
    assert natural_day_deadline(D("2025-06-05"), 0) == D("2025-06-05")


def test_natural_day_deadline_without_extension_needs_no_calendar_data() -> None:
    assert natural_day_deadline(D("2030-01-01"), 10, extend_past_holiday=False) == D("2030-01-11")
    with pytest.raises(CalendarError, match="2030-01-11"):
        natural_day_deadline(D("2030-01-01"), 10)
    with pytest.raises(ValueError):
        natural_day_deadline(D("2025-06-05"), -1)


def test_period_helpers() -> None:
    assert WorkingDays(5).due(D("2025-09-30")) == D("2025-10-14")
    assert not WorkingDays(5).is_late(D("2025-09-30"), D("2025-10-14"))
    assert WorkingDays(5).is_late(D("2025-09-30"), D("2025-10-15"))
    assert NaturalDays(5).due(D("2025-09-26")) == D("2025-10-09")
    assert NaturalDays(5, extend_past_holiday=False).due(D("2025-09-26")) == D("2025-10-01")
    assert str(WorkingDays(3)) == "3个工作日"
    with pytest.raises(ValueError):
        WorkingDays(-1)


# --- caller-supplied calendars ---------------------------------------------------------------


def _table_2030() -> TableCalendar:
    return TableCalendar(
        holidays=[date(2030, 10, 1) + timedelta(days=i) for i in range(7)],
        workdays=[D("2030-09-29"), D("2030-10-12")],
        first_year=2030,
        last_year=2030,
        name="test calendar",
    )


def test_table_calendar_answers_inside_its_range() -> None:
    cal = _table_2030()
    assert isinstance(cal, WorkingDayCalendar)
    assert cal.known_range() == (D("2030-01-01"), D("2030-12-31"))
    assert is_working_day(D("2030-09-29"), calendar=cal)  # make-up Sunday
    assert not is_working_day(D("2030-10-01"), calendar=cal)
    assert is_statutory_holiday(D("2030-10-05"), calendar=cal)
    assert not is_statutory_holiday(D("2030-10-13"), calendar=cal)  # ordinary Sunday
    assert add_working_days(D("2030-09-28"), 1, calendar=cal) == D("2030-09-29")
    assert add_working_days(D("2030-09-30"), 1, calendar=cal) == D("2030-10-08")
    assert working_days_between(D("2030-09-30"), D("2030-10-12"), calendar=cal) == 5
    assert natural_day_deadline(D("2030-09-26"), 5, calendar=cal) == D("2030-10-08")


def test_table_calendar_refuses_outside_its_range() -> None:
    cal = _table_2030()
    with pytest.raises(CalendarError) as info:
        is_working_day(D("2029-12-31"), calendar=cal)
    assert "2029-12-31" in str(info.value)
    assert "test calendar" in str(info.value)
    with pytest.raises(CalendarError, match="2031-01-01"):
        add_working_days(D("2030-12-31"), 1, calendar=cal)


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ([D("2031-01-01")], [], "outside"),
        ([D("2030-09-29")], [D("2030-09-29")], "both"),
        ([], [D("2030-09-30")], "weekend"),
    ],
)
def test_table_calendar_validates_its_tables(
    holidays: list[date], workdays: list[date], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TableCalendar(holidays=holidays, workdays=workdays, first_year=2030, last_year=2030)


def test_any_protocol_object_can_be_injected() -> None:
    class EveryDay:
        def is_working_day(self, d: date) -> bool:
            return True

        def is_statutory_holiday(self, d: date) -> bool:
            return False

        def known_range(self) -> tuple[date, date]:
            return (date.min, date.max)

    cal = EveryDay()
    assert isinstance(cal, WorkingDayCalendar)
    assert add_working_days(D("2025-09-30"), 5, calendar=cal) == D("2025-10-05")
    assert natural_day_deadline(D("2025-09-26"), 5, calendar=cal) == D("2025-10-01")


# --- properties ------------------------------------------------------------------------------

_starts = st.dates(min_value=D("2005-01-01"), max_value=D("2025-12-31"))
_counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=200, deadline=None)
@given(a=_starts, n=_counts)
def test_add_working_days_is_monotonic_in_n(a: date, n: int) -> None:
    this, following = add_working_days(a, n), add_working_days(a, n + 1)
    assert this >= a
    if n >= 1 or is_working_day(a):
        assert this < following
    else:  # from a rest day, "0 working days" and "1 working day" both give the next working day
        assert this == following


@settings(max_examples=200, deadline=None)
@given(a=_starts, n=_counts)
def test_add_working_days_lands_on_working_day(a: date, n: int) -> None:
    due = add_working_days(a, n)
    assert is_working_day(due)
    if n >= 1:
        assert due > a


@settings(max_examples=200, deadline=None)
@given(a=_starts, n=_counts)
def test_working_days_between_inverts_add_working_days(a: date, n: int) -> None:
    due = add_working_days(a, n)
    if n >= 1:
        assert working_days_between(a, due) == n
        assert working_days_between(due, a) == -n
    else:
        # n == 0 rolls a rest day forward to the next working day, which is then counted once.
        assert working_days_between(a, due) == (0 if is_working_day(a) else 1)


@settings(max_examples=200, deadline=None)
@given(a=_starts, days=_counts)
def test_natural_day_deadline_is_first_working_day_on_or_after_plain_date(
    a: date, days: int
) -> None:
    plain = a + timedelta(days=days)
    due = natural_day_deadline(a, days)
    assert due >= plain
    assert is_working_day(due)
    assert all(not is_working_day(plain + timedelta(days=i)) for i in range((due - plain).days))
