"""prorata's range guards, now evaluated together with its result, still name the first
amount (in the order asked) that leaves the exact range and a household where it does.

The guard cannot fail on validated input at today's limits (it needs some 10**10 records of a
household), so the limit is lowered here to make it fail on chosen amounts.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar_variables as cv

WINDOW = DateRange(start=date(2022, 1, 1), end=date(2022, 12, 31))


def _income(wage: int, business: int) -> dict[str, pl.DataFrame]:
    amounts = {
        "wage_income_fen": [wage, wage],
        "business_income_fen": [business, business],
        "property_income_fen": [0, 0],
        "transfer_income_fen": [0, 0],
        "business_expense_fen": [0, 0],
    }
    frame = pl.DataFrame(
        {
            "household_id": pl.Series([0, 0], dtype=pl.UInt32),
            "start": [date(2021, 7, 1), date(2022, 7, 1)],  # both cut by the window
            "end": [date(2022, 6, 30), date(2023, 6, 30)],
            **amounts,
        }
    )
    return {"income": frame}


def test_the_first_failing_amount_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # |amount x days counted| x days x days: wage 1 (365**3, about 4.9e7) stays below 1e9,
    # business 10**4 does not
    monkeypatch.setattr(cv, "SAFE_MAGNITUDE", 1e9)
    tables = _income(wage=1, business=10**4)
    with pytest.raises(cv.ColumnarOverflowError, match=r"household 0: income \(business\) over"):
        cv.prorata(tables, WINDOW, ("wage", "business"))
    with pytest.raises(cv.ColumnarOverflowError, match=r"income \(net\) over 2022-01-01"):
        cv.prorata(tables, WINDOW, ("net", "wage", "business"))


def test_amounts_within_the_range_are_answered_exactly() -> None:
    got = cv.prorata(_income(wage=365, business=-365), WINDOW, ("wage", "business", "net"))
    row = got.row(0, named=True)
    # two records of 365 days, each counted for 184 and 181 days of the window
    assert row["wage"] / row["den"] == pytest.approx(184 + 181)
    assert row["business"] == -row["wage"] and row["net"] == 0
    assert row["known"] is True
