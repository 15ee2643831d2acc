"""The result frame handed to pandas is the same whether or not the clean-batch shortcut (no
sort, no blanking of error cells) is taken.

``_to_pandas`` skips sorting by input row and blanking cells when there is no error row and the
results are in input order. Shuffled results and results with error rows take the full path;
these tests compare both paths on the same rows: values, dtypes and cell types.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
AS_OF = date(2023, 6, 5)
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
COMPILED = vz.compile_pack(PACK, as_of=AS_OF)
_TABLES = col.to_tables(
    [ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:80]]
)
_PREPARED = vz.prepare(_TABLES)
RESULTS = COMPILED.evaluate(_PREPARED.tables)
NO_ERRORS = pl.DataFrame(
    schema={"household_id": pl.String, "__hrow": pl.UInt32, "error": pl.String}
)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    for column in a.columns:
        left, right = a[column].tolist(), b[column].tolist()
        assert [type(x) for x in left] == [type(y) for y in right], column
        assert [str(x) for x in left] == [str(y) for y in right], column


def test_the_results_are_in_input_order_and_clean() -> None:
    # the shortcut is taken on the engine's own results
    assert RESULTS.get_column("__hrow").is_sorted() and RESULTS.height == 80


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), bad=st.lists(st.integers(0, 79), max_size=4, unique=True))
def test_shortcut_and_full_path_give_the_same_frame(seed: int, bad: list[int]) -> None:
    shuffled = RESULTS.sample(fraction=1.0, shuffle=True, seed=seed)
    # shuffled rows (unless the shuffle left them in order) take the sort
    _same(vz._to_pandas(COMPILED, RESULTS, NO_ERRORS), vz._to_pandas(COMPILED, shuffled, NO_ERRORS))
    if not bad:
        return
    # error rows: the rows of those households are errors instead (always the full path)
    rows = pl.Series(bad, dtype=pl.UInt32)
    errors = RESULTS.filter(pl.col("__hrow").is_in(rows.implode())).select(
        "household_id", "__hrow", pl.format("household {}: broken", "household_id").alias("error")
    )
    kept = RESULTS.filter(~pl.col("__hrow").is_in(rows.implode()))
    full = vz._to_pandas(COMPILED, kept, errors)
    assert full["outcome"].tolist().count("error") == len(bad)
    _same(full, vz._to_pandas(COMPILED, kept.sample(fraction=1.0, shuffle=True, seed=seed), errors))
    clean = vz._to_pandas(COMPILED, RESULTS, NO_ERRORS)
    others = [i for i in range(80) if i not in bad]
    for column in ("household_id", "outcome", "category", "citation", "risk_types", "flags"):
        # every other row as in the clean frame (the error rows change other columns' dtypes)
        assert [clean[column].iloc[i] for i in others] == [full[column].iloc[i] for i in others]
