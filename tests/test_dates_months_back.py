"""``DateRange.months_back``: N months ending on a day, never a day too long (elimination audit E3
and its review R1: month ends, the 28th of February in and after a leap year, the 30th)."""

from __future__ import annotations

from datetime import date

import pytest

from fangfan_rules.dates import DateRange

CASES = [
    # (end, months, first day)
    (date(2025, 2, 28), 12, date(2024, 3, 1)),  # not 2024-02-29
    (date(2024, 2, 28), 12, date(2023, 3, 1)),  # not 2023-02-28
    (date(2024, 2, 29), 12, date(2023, 3, 1)),
    (date(2025, 8, 30), 6, date(2025, 3, 1)),  # not 02-28
    (date(2025, 8, 31), 12, date(2024, 9, 1)),
    (date(2024, 6, 30), 1, date(2024, 6, 1)),  # June, not from 05-31
    (date(2024, 6, 30), 3, date(2024, 4, 1)),
    (date(2025, 3, 30), 1, date(2025, 3, 1)),
    (date(2024, 3, 15), 1, date(2024, 2, 16)),
    (date(2024, 12, 31), 12, date(2024, 1, 1)),
]


@pytest.mark.parametrize(("end", "months", "first"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_months_back(end: date, months: int, first: date) -> None:
    window = DateRange.months_back(end, months)
    assert (window.start, window.end) == (first, end)
