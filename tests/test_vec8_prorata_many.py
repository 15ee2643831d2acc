"""Per-capita incomes of several windows read in one polars call give, window by window, exactly
the frames of one call per window (``prorata_many`` / ``per_capita_many`` /
``VarContext.prefetch_per_capita``, issue 14 target 2)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar_variables as cv
from tests.test_columnar_prorata_uncut import RECORD, WINDOWS, _income, _income_in_order

AMOUNTS = ("net", "wage", "transfer")


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.schema == b.schema and a.sort("household_id").equals(b.sort("household_id"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(RECORD, max_size=4), max_size=8),
    st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=5),
    st.booleans(),
    st.booleans(),
)
def test_many_windows_together_equal_one_by_one(
    households: list[list[tuple[int, int, int]]],
    windows: list[DateRange],
    aligned: bool,
    shuffle: bool,
) -> None:
    tables = {"income": _income_in_order(households, aligned, shuffle)}
    together = cv.prorata_many(tables, windows, AMOUNTS)
    assert list(together) == list(dict.fromkeys(windows))  # each window once, in order
    for window in windows:
        assert _same(together[window], cv.prorata(tables, window, AMOUNTS))


def _tables(households: list[list[tuple[int, int, int]]]) -> dict[str, pl.DataFrame]:
    income = _income(households, aligned=False)
    keys = list(range(len(households)))
    members = pl.DataFrame(
        {
            "household_id": pl.Series([k for k in keys for _ in range(k % 3 + 1)], dtype=pl.UInt32),
            "counted_in_household": [j % 4 != 3 for k in keys for j in range(k % 3 + 1)],
        }
    )
    return {"income": income, "members": members}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(RECORD, min_size=1, max_size=4), min_size=1, max_size=8),
    st.lists(st.sampled_from(WINDOWS), min_size=2, max_size=4),
)
def test_prefetched_per_capita_equals_computed_alone(
    households: list[list[tuple[int, int, int]]], windows: list[DateRange]
) -> None:
    tables = _tables(households)
    alone = cv.VarContext(tables, date(2023, 6, 5), "household")
    ahead = cv.VarContext(tables, date(2023, 6, 5), "household")
    ahead.prefetch_per_capita(windows)
    for window in windows:
        assert _same(ahead.per_capita(window), alone.per_capita(window))
        assert _same(
            ahead.per_capita(window), cv.per_capita_over(tables, window, alone.counted_members())
        )


def test_an_overflow_is_left_to_the_variables_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Amounts beyond the exact range (the limit lowered here so that a few records reach it):
    the prefetch keeps nothing, and each window raises when it is read, as it did without the
    prefetch."""
    monkeypatch.setattr(cv, "SAFE_MAGNITUDE", 1e20)
    huge = 10**17
    income = pl.DataFrame(
        [
            (0, date(2021, 7, 1), date(2022, 6, 30), huge, huge, huge, huge, -huge, None),
            (0, date(2022, 7, 1), date(2023, 6, 30), huge, huge, huge, huge, -huge, None),
        ],
        schema=dict(_income([], aligned=True).schema),
        orient="row",
    )
    members = pl.DataFrame(
        {"household_id": pl.Series([0], dtype=pl.UInt32), "counted_in_household": [True]}
    )
    tables = {"income": income, "members": members}
    windows = [WINDOWS[0], WINDOWS[2]]
    for window in windows:
        with pytest.raises(cv.ColumnarOverflowError) as alone:
            cv.per_capita_over(tables, window)
    ctx = cv.VarContext(tables, date(2023, 6, 5), "household")
    ctx.prefetch_per_capita(windows)
    assert not [key for key in ctx._memo if isinstance(key, tuple) and key[0] == "per_capita"]
    with pytest.raises(cv.ColumnarOverflowError) as prefetched:
        ctx.per_capita(windows[-1])
    assert str(prefetched.value) == str(alone.value)
