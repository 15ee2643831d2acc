"""prorata when the window cuts no record (the sums of whole records over ``den`` 1, without the
join of cut records and the Int128 products) and when it cuts some: both are the exact sums of
the records' ``amount × overlap / days`` (checked with fractions), with the same columns, dtypes
and households, and the same range guard."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar_variables as cv

DAY0 = date(2021, 1, 1)
WINDOWS = [
    DateRange(start=date(2022, 1, 1), end=date(2022, 12, 31)),
    DateRange(start=date(2021, 1, 1), end=date(2021, 12, 31)),
    DateRange(start=date(2022, 3, 15), end=date(2023, 2, 10)),
    DateRange(start=date(2022, 6, 1), end=date(2022, 6, 30)),
    DateRange(start=date(1990, 1, 1), end=date(1990, 12, 31)),  # no record at all
]
AMOUNTS = ("net", "wage", "transfer")
SCHEMA = {
    "household_id": pl.UInt32,
    "start": pl.Date,
    "end": pl.Date,
    "wage_income_fen": pl.Int64,
    "business_income_fen": pl.Int64,
    "property_income_fen": pl.Int64,
    "transfer_income_fen": pl.Int64,
    "business_expense_fen": pl.Int64,
    "policy_transfer_income_fen": pl.Int64,
}


def _income(households: list[list[tuple[int, int, int]]], aligned: bool) -> pl.DataFrame:
    """Records that never overlap within a household: (gap before, length, amount); ``aligned``:
    calendar years from 2021 (no window of whole years cuts them)."""
    rows = []
    for key, records in enumerate(households):
        day = DAY0
        for n, (gap, length, amount) in enumerate(records):
            if aligned:
                start, end = date(2021 + n, 1, 1), date(2021 + n, 12, 31)
            else:
                start = day + timedelta(days=gap)
                end = start + timedelta(days=length - 1)
            rows.append((key, start, end, amount, amount // 3, -amount // 7, amount % 5, 5, None))
            day = end + timedelta(days=1)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def assert_exact_sums(
    frame: pl.DataFrame, income: pl.DataFrame, window: DateRange
) -> list[dict[str, Any]]:
    """Each household's row of ``prorata``'s ``frame`` holds the exact pro-rata sum of its
    ``income`` over ``window`` (net / den) and says whether the records cover every day of it;
    returns the rows checked."""
    exact = _exact(income, window)
    got = {r["household_id"]: r for r in frame.iter_rows(named=True)}
    assert set(got) == set(exact)
    for key, row in got.items():
        assert Fraction(row["net"], row["den"]) == exact[key][0]
        assert row["known"] == (exact[key][1] >= window.days)
    return list(got.values())


def _income_in_order(
    households: list[list[tuple[int, int, int]]], aligned: bool, shuffle: bool
) -> pl.DataFrame:
    """:func:`_income`, shuffled when asked (not grouped by household: the group-by path)."""
    income = _income(households, aligned)
    return income.sample(fraction=1.0, shuffle=True, seed=1) if shuffle else income


def _exact(income: pl.DataFrame, window: DateRange) -> dict[int, tuple[Fraction, int]]:
    out: dict[int, tuple[Fraction, int]] = {}
    for r in income.iter_rows(named=True):
        overlap = (min(r["end"], window.end) - max(r["start"], window.start)).days + 1
        if overlap <= 0:
            continue
        net = (
            r["wage_income_fen"]
            + r["business_income_fen"]
            + r["property_income_fen"]
            + r["transfer_income_fen"]
            - r["business_expense_fen"]
        )
        days = (r["end"] - r["start"]).days + 1
        total, covered = out.get(r["household_id"], (Fraction(0), 0))
        out[r["household_id"]] = (total + Fraction(net * overlap, days), covered + overlap)
    return out


RECORD = st.tuples(st.integers(0, 200), st.integers(1, 400), st.integers(-(10**15), 10**15))
EXPECTED_SCHEMA = pl.Schema(
    {
        "household_id": pl.UInt32,
        "net": pl.Int128,
        "wage": pl.Int128,
        "transfer": pl.Int128,
        "den": pl.Int128,
        "known": pl.Boolean,
    }
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(RECORD, max_size=4), max_size=8),
    st.sampled_from(WINDOWS),
    st.booleans(),
    st.booleans(),
)
def test_cut_or_not_the_sums_are_exact(
    households: list[list[tuple[int, int, int]]],
    window: DateRange,
    aligned: bool,
    shuffle: bool,
) -> None:
    income = _income_in_order(households, aligned, shuffle)
    frame = cv.prorata({"income": income}, window, AMOUNTS)
    assert frame.schema == EXPECTED_SCHEMA
    for row in assert_exact_sums(frame, income, window):
        if aligned and window.start.month == 1 and window.end.month == 12:
            assert row["den"] == 1  # whole records only


def test_both_paths_are_taken_and_agree_on_whole_records() -> None:
    """The same households, one window cutting a record of another household or not: the
    households whose records are whole get the same sums either way."""
    whole = _income([[(0, 0, 365_00)], [(0, 0, 730_00), (0, 0, 10)]], aligned=True)
    cut = pl.concat(
        [
            whole,
            pl.DataFrame(
                [(7, date(2021, 7, 1), date(2022, 6, 30), 365, 0, 0, 0, 0, None)],
                schema=SCHEMA,
                orient="row",
            ),
        ]
    )
    window = WINDOWS[1]  # 2021: cuts household 7's record (mid-2021 to mid-2022) only
    fast = cv.prorata({"income": whole}, window, AMOUNTS)
    general = cv.prorata({"income": cut}, window, AMOUNTS)
    assert fast.schema == general.schema
    assert general.filter(pl.col("household_id") == 7).get_column("den").item() == 365
    for key in (0, 1):
        a = fast.filter(pl.col("household_id") == key).row(0, named=True)
        b = general.filter(pl.col("household_id") == key).row(0, named=True)
        assert Fraction(a["net"], a["den"]) == Fraction(b["net"], b["den"])
        assert a["known"] == b["known"]


def test_the_guard_of_whole_records_still_names_the_amount(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cv, "SAFE_MAGNITUDE", 1e9)
    income = _income([[(0, 0, 10**5)], [(0, 0, 10**10)]], aligned=True)
    with pytest.raises(cv.ColumnarOverflowError, match=r"household 1: income \(net\) over"):
        cv.prorata({"income": income}, WINDOWS[1], ("net",))
    # below the limit: answered
    assert cv.prorata({"income": income.head(1)}, WINDOWS[1], ("net",)).height == 1
