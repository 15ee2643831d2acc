"""Date windows (inclusive on both ends), the unit of every "N年度" / "周期" in the documents."""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, model_validator


class DateRange(BaseModel):
    """A window of days, both ends included (e.g. 2022-05-01 … 2023-04-30)."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    @classmethod
    def year(cls, year: int) -> DateRange:
        """The calendar year (``2022年度``)."""
        return cls(start=date(year, 1, 1), end=date(year, 12, 31))

    @classmethod
    def months_back(cls, end: date, months: int) -> DateRange:
        """The ``months`` months ending on ``end`` (e.g. 12 months back from a home visit).

        They start on the day after the same day ``months`` months earlier, unless that day does
        not exist there (clamped to a month's end), in which case they start ``months`` months
        before the day after ``end``: the later of the two, so no window is a day too long. 12
        months to 2025-02-28 are 2024-03-01 … 2025-02-28 (not from 02-29); to 2024-02-28,
        2023-03-01 … 2024-02-28 (not from 02-28); 6 months to 2025-08-30, 2025-03-01 … 08-30."""
        one = relativedelta(days=1)
        start = max(
            end - relativedelta(months=months) + one, end + one - relativedelta(months=months)
        )
        return cls(start=start, end=end)

    def shifted_years(self, years: int) -> DateRange:
        """The same window ``years`` years earlier (negative) or later (year-on-year change)."""
        return DateRange(
            start=self.start + relativedelta(years=years), end=self.end + relativedelta(years=years)
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap_days(self, start: date, end: date) -> int:
        lo, hi = max(self.start, start), min(self.end, end)
        return max(0, (hi - lo).days + 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


# Both are pure and called for the same few days again and again (every feed item of a batch, on
# one as_of): cached, they cost a dictionary look-up.
@lru_cache(maxsize=4096)
def month_start(day: date, back: int = 0) -> date:
    """The first day of the calendar month ``back`` months before ``day``'s month ("上月": 1)."""
    first = day.replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
    return date(year, month + 1, 1)


@lru_cache(maxsize=4096)
def month_end(day: date, back: int = 0) -> date:
    """The last day of the calendar month ``back`` months before ``day``'s month."""
    first = month_start(day, back)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])
