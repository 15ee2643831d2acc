"""Per-household sums read off running totals (rows grouped by household) equal the group-by's,
and the pro rata income sums are the same frames whatever the order of the income records."""

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

AMOUNT = st.one_of(st.none(), st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1))


def _by_group_by(frame: pl.DataFrame, sums: list[str]) -> pl.DataFrame:
    return frame.group_by("household_id").agg(pl.col(sums).sum()).sort("household_id")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 400), AMOUNT), min_size=0, max_size=40))
def test_running_totals_equal_the_group_by(rows: list[tuple[int, int, int | None]]) -> None:
    """Sorted keys, nulls (nothing), Int128 amounts near the validated bound, empty frames."""
    frame = pl.DataFrame(
        rows,
        schema={"household_id": pl.UInt32, "days": pl.Int64, "amount": pl.Int64},
        orient="row",
    ).with_columns(pl.col("amount").cast(pl.Int128))
    ordered = frame.sort("household_id", maintain_order=True)
    assert cv._keys_grouped(ordered)
    sums = ["days", "amount"]
    got = cv.household_sums(ordered.lazy(), sums, grouped=True).collect()
    expected = _by_group_by(frame, sums)
    assert got.schema == expected.schema
    assert got.equals(expected)
    fallback = cv.household_sums(frame.lazy(), sums, grouped=False).collect()
    assert fallback.sort("household_id").equals(expected)


def test_only_sorted_integer_keys_without_nulls_count_as_grouped() -> None:
    def frame(keys: list[object], dtype: pl.DataType) -> pl.DataFrame:
        return pl.DataFrame({"household_id": pl.Series(keys, dtype=dtype)})

    assert cv._keys_grouped(frame([0, 0, 1, 3], pl.UInt32()))
    assert not cv._keys_grouped(frame([0, 2, 1], pl.UInt32()))
    assert not cv._keys_grouped(frame([None, 0, 1], pl.UInt32()))
    assert not cv._keys_grouped(frame(["a", "b"], pl.String()))


@pytest.mark.parametrize(
    "window",
    [
        DateRange(start=date(2022, 1, 1), end=date(2022, 12, 31)),
        DateRange(start=date(2022, 3, 15), end=date(2023, 2, 10)),  # records cut at both ends
        DateRange(start=date(2022, 6, 1), end=date(2022, 6, 30)),  # inside one record
        DateRange(start=date(1990, 1, 1), end=date(1990, 12, 31)),  # no record at all
    ],
)
@pytest.mark.parametrize("amounts", [("net",), ("wage", "business", "property", "transfer")])
def test_prorata_is_the_same_in_any_record_order(
    window: DateRange, amounts: tuple[str, ...]
) -> None:
    """Grouped integer keys (running totals), shuffled ones and string ids (group-by): one frame."""
    tables = vz.prepare(sample_households()).tables
    as_of = date(2023, 6, 5)
    keyed = col.view_at(vz._integer_keys(tables), as_of)
    assert cv._keys_grouped(keyed["income"])
    shuffled = {
        **keyed,
        "income": keyed["income"].sample(fraction=1.0, shuffle=True, seed=3),
    }
    assert not cv._keys_grouped(shuffled["income"])
    grouped = cv.prorata(keyed, window, amounts).sort("household_id")
    assert grouped.equals(cv.prorata(shuffled, window, amounts).sort("household_id"))
    by_id = cv.prorata(col.view_at(col.to_tables(sample_households()), as_of), window, amounts)
    ids = keyed["households"].select("household_id", "__id")
    translated = (
        grouped.join(ids, on="household_id").drop("household_id").rename({"__id": "household_id"})
    )
    assert translated.sort("household_id").equals(
        by_id.select(translated.columns).sort("household_id")
    )
