"""Required-fact and money checks that no row can fail are left out of validation (a column
without nulls, amounts whose least and greatest values pass): the rows that do fail are still
reported, each with its message, and the others stay clean."""

from __future__ import annotations

import polars as pl
import pytest

from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_layout import MAX_FEN
from tests.helpers import sample_households

HOUSEHOLDS = sample_households()[:40]


def _with_bad_first_row(table: str, column: str, value: pl.Expr) -> tuple[dict, str]:
    """The sample's tables with ``column`` of the first ``table`` row of one household set to
    ``value``; that household's id."""
    tables = col.to_tables(HOUSEHOLDS)
    frame = tables[table]
    bad = frame["household_id"].unique(maintain_order=True)[3]
    first = (pl.int_range(pl.len()).over("household_id") == 0) & (pl.col("household_id") == bad)
    tables[table] = frame.with_columns(
        pl.when(first).then(value).otherwise(pl.col(column)).alias(column)
    )
    return tables, bad


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("income", "wage_income_fen", pl.lit(MAX_FEN, dtype=pl.Int64), "out of range"),
        ("income", "business_expense_fen", pl.lit(-MAX_FEN, dtype=pl.Int64), "out of range"),
        ("income", "property_income_fen", pl.lit(MAX_FEN - 1, dtype=pl.Int64), None),
        ("income", "property_income_fen", pl.lit(-1, dtype=pl.Int64), None),  # a loss
        ("income", "transfer_income_fen", pl.lit(-1, dtype=pl.Int64), "cannot be negative"),
        ("income", "transfer_income_fen", pl.lit(0, dtype=pl.Int64), None),
        ("income", "start", pl.lit(None, dtype=pl.Date), "missing (a required field)"),
        ("income", "wage_income_fen", pl.lit(None, dtype=pl.Int64), "missing (a required field)"),
        ("expenditures", "total_fen", pl.lit(-(MAX_FEN + 5), dtype=pl.Int64), "out of range"),
        ("expenditures", "reimbursed_fen", pl.lit(-1, dtype=pl.Int64), "cannot be negative"),
        ("members", "relation", pl.lit(None, dtype=pl.String), "missing (a required field)"),
        ("members", "relation", pl.lit("", dtype=pl.String), "required fact is missing"),
        ("households", "county", pl.lit("", dtype=pl.String), "required fact is missing"),
    ],
)
def test_failing_rows_are_reported_and_only_they(
    table: str, column: str, value: pl.Expr, message: str | None
) -> None:
    tables, bad = _with_bad_first_row(table, column, value)
    clean, errors = col.validate(tables)
    if message is None:
        assert errors.height == 0
        assert clean["households"].height == len(HOUSEHOLDS)
        return
    assert errors["household_id"].to_list() == [bad]
    assert message in errors["error"][0]
    assert clean["households"].height == len(HOUSEHOLDS) - 1


def test_a_money_column_of_nulls_only_is_reported_row_by_row() -> None:
    """No least value at all: every row lacks a required amount (and nothing else is said)."""
    tables = col.to_tables(HOUSEHOLDS)
    tables["income"] = tables["income"].with_columns(
        pl.lit(None, dtype=pl.Int64).alias("wage_income_fen")
    )
    clean, errors = col.validate(tables)
    with_income = set(tables["income"]["household_id"].to_list())
    assert set(errors["household_id"].to_list()) == with_income
    assert all("income[0].wage_income_fen" in e for e in errors["error"])
    assert not any("out of range" in e or "negative" in e for e in errors["error"])
    assert clean["households"].height == len(HOUSEHOLDS) - len(with_income)
