"""compare()'s frame is assembled from each pack's columns without reading every cell back into
Python (:func:`fangfan_rules.analysis.compare._column`), and the batch engine's input tables
convert money with Arrow (:func:`fangfan_rules.engines.columnar._fen_column`). Both must give
exactly what the cell-by-cell way gave: the dtype pandas infers from all of a column's values,
the same values, and the same integer fen."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pytest

import fangfan_rules as ff
import tests.test_differential_vectorized as dv
from fangfan_rules.analysis.compare import _column
from fangfan_rules.engines.columnar import _fen, _fen_column
from tests.helpers import sample_households


def _inferred(parts: list[Any]) -> pd.Series:
    """The column as compare() made it before: every cell a Python value, pandas inferring."""
    values: list[Any] = []
    for part in parts:
        values.extend(part.tolist() if hasattr(part, "tolist") else part)
    return pd.DataFrame({"c": values})["c"]


def _assembled(parts: list[Any]) -> pd.Series:
    kept = (pd.Series([True]).dtype, pd.Series(["text", None]).dtype)
    return pd.DataFrame({"c": _column(pd, parts, kept)})["c"]


TEXTS = pd.Series(["a", None, "b"]).astype(pd.Series(["text"]).dtype)
NO_TEXT = pd.Series([None, None]).astype(pd.Series(["text"]).dtype)


@pytest.mark.parametrize(
    "parts",
    [
        [TEXTS, TEXTS],  # texts in every pack: put end to end
        [NO_TEXT, NO_TEXT],  # no text anywhere: inferred from NaNs, as before
        [NO_TEXT, TEXTS],
        [pd.Series([True, False]), pd.Series([False])],  # flags
        [pd.Series([True, False]), [None, None]],  # an error pack's cells
        [TEXTS, ["error", "error"]],  # an error pack's texts
        [TEXTS, [None, None]],
        [pd.Series([None, None], dtype=object), TEXTS],  # an object column beside texts
        [pd.Series([date(2023, 6, 5)] * 2, dtype=object), pd.Series([date(2022, 3, 15)])],
        [pd.Series([None, "x"], dtype=object), pd.Series([None], dtype=object)],
    ],
)
def test_a_column_is_what_pandas_infers_from_all_its_cells(parts: list[Any]) -> None:
    got, expected = _assembled(parts), _inferred(parts)
    assert got.dtype == expected.dtype
    pd.testing.assert_series_equal(got, expected, check_exact=True)


def test_compare_equals_the_frame_of_every_cell_inferred() -> None:
    """The README's call on the bundled sample, one pack an error pack (no as_of): each column
    equal in values and dtype to the frame pandas infers from the cells."""
    households = sample_households()[:120]
    as_of = {name: day for name, day in dv.README_AS_OF.items() if name != "jimo_2022"}
    packs = sorted(dv.README_AS_OF)
    got = ff.compare(households, packs, as_of=as_of, parameters=dv.README_PARAMETERS)
    assert (got.loc[got.pack == "jimo_2022", "outcome"] == "error").all()
    per_pack = [got[got.pack == name] for name in packs]
    expected = pd.DataFrame({c: _inferred([p[c] for p in per_pack]) for c in got.columns})
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.dtypes) == list(expected.dtypes)


def test_money_converted_by_arrow_is_the_fen_of_each_amount() -> None:
    rng = random.Random(14)
    amounts: list[Decimal | None] = [
        Decimal(rng.randrange(-(10**12), 10**12)).scaleb(-2) for _ in range(2_000)
    ]
    amounts += [None, Decimal("0"), Decimal("0.00"), Decimal("1.000"), Decimal("12.5")]
    amounts += [Decimal("9999999999999999.99"), Decimal("-9999999999999999.99")]
    got = _fen_column(amounts)
    assert isinstance(got, pl.Series) and got.dtype == pl.Int64
    assert got.to_list() == [_fen(a) for a in amounts]


def test_money_arrow_refuses_is_converted_amount_by_amount() -> None:
    # finer than a fen (never in a validated fact): truncated as _fen truncates, not refused
    amounts = [Decimal("1.005"), None, Decimal("2")]
    assert list(_fen_column(amounts)) == [_fen(a) for a in amounts]
