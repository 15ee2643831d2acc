"""Working days and deadlines on the official Chinese calendar.

Why this module exists: the monitoring documents set two kinds of limits (CONVENTIONS.md, "Periods
and deadlines"):

* "N 个工作日" counts *official* working days: Monday to Friday, minus the days the State Council's
  yearly holiday notice (国务院办公厅关于部分节假日安排的通知) gives off, plus the weekend days it
  turns into make-up working days (调休上班). Plain Monday-Friday arithmetic is wrong around every
  Spring Festival and National Day, so these are counted on a real calendar.
* "N 日 / N 天" counts natural days, by 民法典 第201条 (the triggering day is not counted) and
  第203条 (a period ending on a rest day ends on the day after the rest).

The schedule is announced one year at a time, so a calendar only knows the years it has a notice
for. Asked about any other date it raises :class:`~fangfan_rules.errors.CalendarError` instead of
guessing; the caller can then supply a calendar of its own (:class:`TableCalendar`, or any object
satisfying :class:`WorkingDayCalendar`). Every function takes ``calendar=``; without it the
module's :func:`default_calendar` is used. Nothing here needs to be patched in tests: pass a
calendar.

A year the bundled package does not know yet is added from the State Council's notice with a
schedule file (:mod:`fangfan_rules.holiday_schedule`): :func:`official_calendar` extends the
official calendar by such files, and the default calendar loads the files named by the
environment variable ``FANGFAN_CALENDAR`` (one path, or several separated by ``os.pathsep``).

Deadlines are dates: a period that "ends" on a day is met by anything done by the end of that day
(民法典 第203条第二款: 期间的最后一日的截止时间为二十四时).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

import chinese_calendar

from fangfan_rules.errors import CalendarError, ScheduleError
from fangfan_rules.holiday_schedule import HolidaySchedule, load_schedule, settled_span

__all__ = [
    "CALENDAR_ENV",
    "ExtendedCalendar",
    "HolidaySchedule",
    "NaturalDays",
    "OfficialCalendar",
    "Period",
    "TableCalendar",
    "WorkingDayCalendar",
    "WorkingDays",
    "add_working_days",
    "default_calendar",
    "is_statutory_holiday",
    "is_working_day",
    "load_schedule",
    "natural_day_deadline",
    "official_calendar",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)


@runtime_checkable
class WorkingDayCalendar(Protocol):
    """What the engine needs from a calendar. Every method raises ``CalendarError`` for a date
    outside :meth:`known_range`."""

    def is_working_day(self, d: date) -> bool:
        """True if government offices work on ``d`` (including a 调休 make-up weekend day)."""
        ...

    def is_statutory_holiday(self, d: date) -> bool:
        """True if ``d`` lies in an announced holiday break (not merely an ordinary weekend)."""
        ...

    def known_range(self) -> tuple[date, date]:
        """First and last date (both included) the calendar can answer for."""
        ...


def _require_date(d: object) -> date:
    # datetime is a subclass of date but would silently miss every table lookup (and carries a
    # time zone question we do not want to answer here), so it is refused too.
    if not isinstance(d, date) or isinstance(d, datetime):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__} {d!r}; pass d.date()")
    return d


def _check_known(d: object, known: tuple[date, date], source: str) -> date:
    d = _require_date(d)
    first, last = known
    if not first <= d <= last:
        raise CalendarError(
            f"{source} does not know whether {d.isoformat()} is a working day: it only covers "
            f"{first.isoformat()} to {last.isoformat()}. Add the year's State Council holiday "
            f"notice as a schedule file (--calendar FILE, {CALENDAR_ENV}=FILE, or in Python "
            f"calendar=official_calendar(extra=[FILE]); see README, 'Adding a year to the "
            f"calendar'), or pass calendar=TableCalendar(...) for local arrangements."
        )
    return d


class OfficialCalendar:
    """The national schedule, from the PyPI package ``chinese-calendar`` (>= 1.11).

    The known range is computed from the package's own tables (``chinese_calendar.holidays``), not
    discovered by catching its ``NotImplementedError``: 1 January of its first year to
    **28 December** of its last year. The last three days of a year are left out on purpose: the
    *next* year's notice arranges the New Year break and has repeatedly moved 29-31 December
    (2006-12-30/31 and 2007-12-29 worked, 2007-12-30/31 off, 2011-12-31 worked, 2018-12-29 worked,
    2018-12-30/31 off), so until that notice exists those days are not known.

    A *statutory holiday* is a day the package lists in its holiday table with a holiday name
    (``get_holiday_detail`` returns ``(True, name)``): every day of an announced break, including
    the weekend days and swapped days folded into it, but not an ordinary weekend.
    """

    _LAST_SETTLED_DECEMBER_DAY = 28

    def __init__(self) -> None:
        years = sorted({d.year for d in chinese_calendar.holidays})
        if not years or years != list(range(years[0], years[-1] + 1)):
            raise CalendarError(
                f"chinese-calendar's holiday table is empty or has gaps (years {years}); "
                f"supply your own calendar"
            )
        self._known = (
            date(years[0], 1, 1),
            date(years[-1], 12, self._LAST_SETTLED_DECEMBER_DAY),
        )

    def known_range(self) -> tuple[date, date]:
        return self._known

    def is_working_day(self, d: date) -> bool:
        d = _check_known(d, self._known, "the official calendar (chinese-calendar)")
        return bool(chinese_calendar.is_workday(d))

    def is_statutory_holiday(self, d: date) -> bool:
        d = _check_known(d, self._known, "the official calendar (chinese-calendar)")
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        return bool(on_holiday) and name is not None

    def __repr__(self) -> str:
        first, last = self._known
        return f"OfficialCalendar({first.isoformat()}..{last.isoformat()})"


class TableCalendar:
    """A calendar given as explicit tables, for local arrangements, future years and tests.

    ``holidays`` are the days off of announced breaks (weekdays and weekend days alike);
    ``workdays`` are the weekend days worked in exchange (调休). Every other day follows the week:
    Monday-Friday working, Saturday-Sunday rest. The calendar knows whole years
    ``first_year..last_year``; all table dates must lie in them, the two tables must not overlap,
    and a make-up workday must be a Saturday or Sunday (anything else is a typo in the table).
    """

    def __init__(
        self,
        *,
        holidays: Iterable[date],
        workdays: Iterable[date] = (),
        first_year: int,
        last_year: int,
        name: str = "TableCalendar",
    ) -> None:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        self._known = (date(first_year, 1, 1), date(last_year, 12, 31))
        self._name = name
        self._holidays = frozenset(_require_date(d) for d in holidays)
        self._workdays = frozenset(_require_date(d) for d in workdays)
        outside = sorted(
            d for d in self._holidays | self._workdays if not first_year <= d.year <= last_year
        )
        if outside:
            raise ValueError(
                f"{name}: dates outside {first_year}-{last_year}: "
                f"{', '.join(d.isoformat() for d in outside)}"
            )
        both = sorted(self._holidays & self._workdays)
        if both:
            raise ValueError(
                f"{name}: dates both holiday and workday: {', '.join(d.isoformat() for d in both)}"
            )
        weekday_workdays = sorted(d for d in self._workdays if d.weekday() < 5)
        if weekday_workdays:
            raise ValueError(
                f"{name}: make-up workdays must fall on a weekend: "
                f"{', '.join(d.isoformat() for d in weekday_workdays)}"
            )

    def known_range(self) -> tuple[date, date]:
        return self._known

    def is_working_day(self, d: date) -> bool:
        d = _check_known(d, self._known, self._name)
        return d in self._workdays or (d.weekday() < 5 and d not in self._holidays)

    def is_statutory_holiday(self, d: date) -> bool:
        d = _check_known(d, self._known, self._name)
        return d in self._holidays

    def __repr__(self) -> str:
        return f"{self._name}({self._known[0].year}..{self._known[1].year})"


class ExtendedCalendar:
    """A calendar (normally :class:`OfficialCalendar`) extended by yearly schedule files.

    Each schedule settles 29 December of the year before to 28 December of its year
    (:func:`~fangfan_rules.holiday_schedule.settled_span`). The schedules must continue the base
    calendar's known range without a gap (the year after its last, then the next...), or end
    right before its first. A schedule for a year the base already knows must agree with it day
    by day, unless the file gives ``overrides_package`` (the reason), in which case it replaces
    the base for those days. A year given twice is an error naming both files.
    """

    def __init__(self, base: WorkingDayCalendar, schedules: Sequence[HolidaySchedule]) -> None:
        self._base = base
        by_year: dict[int, HolidaySchedule] = {}
        for schedule in schedules:
            if schedule.year in by_year:
                raise ScheduleError(
                    f"the {schedule.year} holiday schedule is given twice: "
                    f"{by_year[schedule.year].source} and {schedule.source}"
                )
            by_year[schedule.year] = schedule
        first, last = base.known_range()
        self._own: dict[int, HolidaySchedule] = {}
        for year in sorted(by_year):
            schedule = by_year[year]
            start, end = settled_span(year)
            if start >= first and end <= last:
                self._check_agrees(schedule)
                continue
            if start == last + _ONE_DAY:
                last = end
            elif end == first - _ONE_DAY:
                first = start
            else:
                raise ScheduleError(
                    f"{schedule.source}: the {year} schedule does not continue the calendar, "
                    f"which covers {first}..{last}; add the years in between first (no year "
                    f"is guessed)"
                )
            self._own[year] = schedule
        self._known = (first, last)

    def _check_agrees(self, schedule: HolidaySchedule) -> None:
        start, end = settled_span(schedule.year)
        base = self._base
        off = schedule.days_off()
        differs = [
            d
            for d in _days(start, end)
            if schedule.is_working_day(d) != base.is_working_day(d)
            or (d in off) != base.is_statutory_holiday(d)
        ]
        if not differs:
            return
        if schedule.overrides_package is None:
            shown = ", ".join(d.isoformat() for d in differs[:5])
            more = f" and {len(differs) - 5} more" if len(differs) > 5 else ""
            raise ScheduleError(
                f"{schedule.source}: the {schedule.year} schedule contradicts the bundled "
                f"calendar ({base!r}) on {shown}{more}. Check the file against the notice; if "
                f"the file is right (e.g. a later notice moved a day), say why with "
                f"overrides_package: <reason>"
            )
        self._own[schedule.year] = schedule

    def _schedule_for(self, d: date) -> HolidaySchedule | None:
        for year in (d.year, d.year + 1):  # 29-31 December belong to the next year's notice
            schedule = self._own.get(year)
            if schedule is not None:
                start, end = settled_span(year)
                if start <= d <= end:
                    return schedule
        return None

    def known_range(self) -> tuple[date, date]:
        return self._known

    def is_working_day(self, d: date) -> bool:
        d = _check_known(d, self._known, repr(self))
        schedule = self._schedule_for(d)
        return schedule.is_working_day(d) if schedule else self._base.is_working_day(d)

    def is_statutory_holiday(self, d: date) -> bool:
        d = _check_known(d, self._known, repr(self))
        schedule = self._schedule_for(d)
        return d in schedule.days_off() if schedule else self._base.is_statutory_holiday(d)

    @property
    def schedules(self) -> tuple[HolidaySchedule, ...]:
        """The schedules that answer for some days (extensions and explicit overrides)."""
        return tuple(self._own[y] for y in sorted(self._own))

    def __repr__(self) -> str:
        years = ", ".join(f"{y} ({s.notice.number})" for y, s in sorted(self._own.items()))
        return f"{self._base!r} + schedules [{years}]"


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += _ONE_DAY


#: Environment variable naming schedule files the default calendar loads (``os.pathsep``-separated).
CALENDAR_ENV = "FANGFAN_CALENDAR"


def official_calendar(
    extra: Iterable[HolidaySchedule | Path | str] = (),
) -> OfficialCalendar | ExtendedCalendar:
    """The official calendar, extended by ``extra`` schedules (files or loaded schedules).

    >>> official_calendar(extra=["holidays_2027.yaml"])  # doctest: +SKIP
    """
    schedules = [s if isinstance(s, HolidaySchedule) else load_schedule(s) for s in extra]
    base = _bundled()
    return ExtendedCalendar(base, schedules) if schedules else base


@functools.cache
def _bundled() -> OfficialCalendar:
    return OfficialCalendar()


def schedule_paths_from_env() -> tuple[Path, ...]:
    """The schedule files named by ``FANGFAN_CALENDAR`` (empty entries ignored)."""
    value = os.environ.get(CALENDAR_ENV, "")
    return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())


@functools.cache
def _calendar_for(paths: tuple[Path, ...]) -> OfficialCalendar | ExtendedCalendar:
    return official_calendar(extra=paths)


def default_calendar() -> OfficialCalendar | ExtendedCalendar:
    """The calendar used when ``calendar=None``: the official calendar, extended by the schedule
    files named in ``FANGFAN_CALENDAR`` (read when called; each set of files is loaded once).
    It is a convenience, not a hidden dependency: every function accepts ``calendar=``."""
    return _calendar_for(schedule_paths_from_env())


def _resolve(calendar: WorkingDayCalendar | None) -> WorkingDayCalendar:
    return default_calendar() if calendar is None else calendar


def _require_count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__} {n!r}")
    if n < 0:
        raise ValueError(f"{what} must be >= 0, got {n}")
    return n


def is_working_day(d: date, *, calendar: WorkingDayCalendar | None = None) -> bool:
    """True if ``d`` is an official working day (调休 make-up weekend days included)."""
    return _resolve(calendar).is_working_day(_require_date(d))


def is_statutory_holiday(d: date, *, calendar: WorkingDayCalendar | None = None) -> bool:
    """True if ``d`` is a day off of an announced holiday break (not an ordinary weekend)."""
    return _resolve(calendar).is_statutory_holiday(_require_date(d))


def add_working_days(start: date, n: int, *, calendar: WorkingDayCalendar | None = None) -> date:
    """The ``n``-th working day after ``start``: the due date of "N 个工作日" from ``start``.

    As with natural days (民法典 第201条), the day of the triggering event is not counted, whether
    or not it is a working day: 2025-09-30 + 5 working days is 2025-10-14 (10-01..10-08 are the
    National Day break, 10-11 is a make-up Saturday).

    ``n == 0`` means "no later than the triggering day": ``start`` itself if it is a working day,
    otherwise the first working day after it. This keeps the result a working day for every ``n``
    (and makes ``n == 0`` the "roll forward to a working day" operation used by
    :func:`natural_day_deadline`). Negative ``n`` raises ``ValueError``; ``CalendarError`` is
    raised if the count runs past the calendar's known range.
    """
    start = _require_date(start)
    n = _require_count(n, "n (number of working days)")
    cal = _resolve(calendar)
    d = start
    if n == 0:
        while not cal.is_working_day(d):
            d += _ONE_DAY
        return d
    counted = 0
    while counted < n:
        d += _ONE_DAY
        if cal.is_working_day(d):
            counted += 1
    return d


def working_days_between(a: date, b: date, *, calendar: WorkingDayCalendar | None = None) -> int:
    """The number of working days ``d`` with ``a < d <= b``: how many working days of a period
    started on ``a`` have elapsed by the end of ``b``.

    It is the inverse of :func:`add_working_days`: for ``n >= 1``,
    ``working_days_between(a, add_working_days(a, n)) == n``. If ``b < a`` the result is the
    negative of ``working_days_between(b, a)`` (so it is antisymmetric and 0 for ``a == b``).
    """
    a, b = _require_date(a), _require_date(b)
    if b < a:
        return -working_days_between(b, a, calendar=calendar)
    cal = _resolve(calendar)
    count = 0
    d = a + _ONE_DAY
    while d <= b:
        if cal.is_working_day(d):
            count += 1
        d += _ONE_DAY
    return count


def natural_day_deadline(
    start: date,
    days: int,
    *,
    calendar: WorkingDayCalendar | None = None,
    extend_past_holiday: bool = True,
) -> date:
    """The last day of a period of ``days`` natural days ("N 日 / N 天") started by an event on
    ``start``.

    * 民法典 第201条: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算 — so the
      last day is ``start + days``.
    * 民法典 第203条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日.
      We read 法定休假日 as every day off fixed by law, i.e. the statutory holidays *and* the
      weekly rest days (公休日, Saturday/Sunday), as the courts have long done (民通意见 第198条:
      "期间的最后一天是星期日或者其他法定休假日 ... 有变通的，以实际休假日的次日为期间的最后一天").
      "The day after the rest ends" is therefore the first working day of the official calendar:
      a weekend day worked under 调休 is not a rest day and can itself be the last day.

    With ``extend_past_holiday=False`` (a document that says otherwise, cited by the pack, cf.
    民法典 第204条) the result is simply ``start + days`` and the calendar is not consulted.
    ``days`` must be >= 0.
    """
    start = _require_date(start)
    days = _require_count(days, "days (number of natural days)")
    last = start + timedelta(days=days)
    if not extend_past_holiday:
        return last
    return add_working_days(last, 0, calendar=calendar)


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """A period of ``n`` 个工作日, e.g. a pack parameter "3 个工作日内完成"."""

    n: int

    def __post_init__(self) -> None:
        _require_count(self.n, "WorkingDays.n")

    def due(self, start: date, *, calendar: WorkingDayCalendar | None = None) -> date:
        """Last day of the period started on ``start`` (see :func:`add_working_days`)."""
        return add_working_days(start, self.n, calendar=calendar)

    def is_late(
        self, start: date, done_on: date, *, calendar: WorkingDayCalendar | None = None
    ) -> bool:
        """True if something done on ``done_on`` misses the period (due by the end of the day)."""
        return _require_date(done_on) > self.due(start, calendar=calendar)

    def __str__(self) -> str:
        return f"{self.n}个工作日"


@dataclass(frozen=True, slots=True)
class NaturalDays:
    """A period of ``n`` natural days ("N 日 / N 天"), counted by 民法典 第201条/第203条."""

    n: int
    extend_past_holiday: bool = True

    def __post_init__(self) -> None:
        _require_count(self.n, "NaturalDays.n")

    def due(self, start: date, *, calendar: WorkingDayCalendar | None = None) -> date:
        """Last day of the period started on ``start`` (see :func:`natural_day_deadline`)."""
        return natural_day_deadline(
            start, self.n, calendar=calendar, extend_past_holiday=self.extend_past_holiday
        )

    def is_late(
        self, start: date, done_on: date, *, calendar: WorkingDayCalendar | None = None
    ) -> bool:
        """True if something done on ``done_on`` misses the period (due by the end of the day)."""
        return _require_date(done_on) > self.due(start, calendar=calendar)

    def __str__(self) -> str:
        return f"{self.n}日"


#: Either kind of period; packs store limits as one of these.
Period = WorkingDays | NaturalDays
