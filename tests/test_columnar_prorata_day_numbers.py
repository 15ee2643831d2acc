"""prorata counts days on the dates' day numbers (Int64), not on durations: the same overlap and
length of every record, also for records spanning most of the calendar (years 1 to 9999, beyond
any Int32 difference of day numbers in between) — exact sums checked with fractions, as in
``tests/test_columnar_prorata_uncut.py``."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar_variables as cv
from tests.test_columnar_prorata_uncut import AMOUNTS, SCHEMA, assert_exact_sums

_DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_DAYS, _DAYS, st.integers(-(10**12), 10**12)), max_size=6), _DAYS, _DAYS)
def test_day_counts_over_any_span_are_exact(records, first, last) -> None:
    window = DateRange(start=min(first, last), end=max(first, last))
    rows = [
        (key, min(a, b), max(a, b), amount, 0, 0, 0, 0, None)
        for key, (a, b, amount) in enumerate(records)  # one record per household: no overlap
    ]
    income = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    frame = cv.prorata({"income": income}, window, AMOUNTS)
    assert_exact_sums(frame, income, window)
