"""The range guard of per_capita_net_income_change, now proven by the columns' largest values
before testing the rows: it still fails (naming a household) exactly when a row's product
reaches the limit, and the proof never passes a frame whose rows would fail."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_variables as cv
from fangfan_rules.engines import vectorized as vz
from tests.helpers import sample_households

NOW = DateRange(start=date(2022, 1, 1), end=date(2022, 12, 31))
BEFORE = DateRange(start=date(2021, 1, 1), end=date(2021, 12, 31))


def _context() -> cv.VarContext:
    tables = vz.prepare(sample_households()).tables
    as_of = date(2023, 6, 5)
    return cv.VarContext(col.view_at(vz._integer_keys(tables), as_of), as_of, "household")


def test_the_change_is_answered_within_the_range() -> None:
    value = cv.COLUMNAR["per_capita_net_income_change"].compute(
        _context(), window=NOW, previous=BEFORE
    )
    assert value.den is not None


def _figures(rows: list[tuple[int, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"household_id": pl.UInt32, "num": pl.Int128, "den": pl.Int128}, orient="row"
    )


@pytest.mark.parametrize(
    "bad", [(10**20, 1, 1, 10**18), (1, 10**20, 10**18, 1), (1, 1, 10**19, 10**19)]
)
def test_the_change_s_guard_still_names_a_household(bad: tuple[int, int, int, int]) -> None:
    """Per-capita figures given to the context (as its memo holds them): a product of the
    change beyond the range fails, naming the household, whichever of the three it is."""
    num, num_b, den, den_b = bad
    ctx = _context()
    ctx._memo[("per_capita", NOW)] = _figures([(3, 5, 1), (8, num, den)])
    ctx._memo[("per_capita", BEFORE)] = _figures([(3, 4, 1), (8, num_b, den_b)])
    with pytest.raises(cv.ColumnarOverflowError, match=r"household 8: the change of per-capita"):
        cv.COLUMNAR["per_capita_net_income_change"].compute(ctx, window=NOW, previous=BEFORE)


BIG = st.one_of(st.none(), st.integers(-(10**20), 10**20))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(BIG, BIG), max_size=6), st.sampled_from([1e3, 1e20, 1e37]))
def test_the_proof_agrees_with_the_rows(
    rows: list[tuple[int | None, int | None]], limit: float
) -> None:
    frame = pl.DataFrame(rows, schema={"x": pl.Int128, "y": pl.Int128}, orient="row")
    by_rows = frame.select(
        (cv._magnitude(pl.col("x"), pl.col("y")) < limit).fill_null(True).all()
    ).item()
    saved = cv.SAFE_MAGNITUDE
    try:
        cv.SAFE_MAGNITUDE = limit
        proven = cv._products_below(frame, [("x", "y")])
    finally:
        cv.SAFE_MAGNITUDE = saved
    assert not proven or by_rows  # proven => every row passes
