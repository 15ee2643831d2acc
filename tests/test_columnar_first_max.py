"""``columnar_variables._first_max`` orders only the keys and row numbers and gathers the picked
rows; it gives exactly what sorting the whole frame and keeping each household's first row gave
(the same rows, columns, dtypes and order), for any keys: ties, nulls, one or two sort columns,
one household or many, no rows. The frames it makes are made once per batch (``VarContext.memo``)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.engines import columnar_variables as cv


def _old(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (
        frame.with_row_index("__i")
        .sort([*by, "__i"], descending=[*([True] * len(by)), False])
        .group_by("household_id", maintain_order=True)
        .first()
    )


_DAYS = st.one_of(st.none(), st.integers(0, 6).map(lambda d: date(2023, 1, 1) + timedelta(d)))
_ROWS = st.lists(
    st.tuples(st.integers(0, 5), _DAYS, _DAYS, st.one_of(st.none(), st.text(max_size=3))),
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(rows=_ROWS, two=st.booleans())
def test_first_max_picks_the_rows_the_whole_sort_picked(rows, two) -> None:
    frame = pl.DataFrame(
        rows,
        schema={
            "household_id": pl.UInt32,
            "identified_on": pl.Date,
            "system_entry_on": pl.Date,
            "helper": pl.String,
        },
        orient="row",
    ).with_columns(pl.col("helper").str.split(",").alias("measures"))
    by = ["system_entry_on", "identified_on"] if two else ["identified_on"]
    got, expected = cv._first_max(frame, by), _old(frame, by)
    assert got.schema == expected.schema
    assert got.equals(expected, null_equal=True)
