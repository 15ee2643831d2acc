"""List columns (area tags, diseases, risk types, key areas…) screened on their items, every
list at once: a column whose items are all clean is not checked row by row, and a bad item is
reported exactly as the row-by-row checks report it (same households, paths, values, messages),
which are what runs when every list column counts as dirty."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_validation as cval

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:40]
]
LISTS = [
    (t, c) for t in col.TABLES for c, dtype in col.SCHEMAS[t].items() if dtype == pl.List(pl.String)
]
ITEMS = ["no such value", "x\x00y", "bad\x01", "ok", "", None, " padded "]


def _every_list_dirty(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = cval._dirty_text

    def dirty(t: str, frame: pl.DataFrame, runs: object) -> set[str]:
        found = screen(t, frame, runs)  # type: ignore[arg-type]
        return found | {c for table, c in LISTS if table == t}

    monkeypatch.setattr(cval, "_dirty_text", dirty)


def _validated(tables: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    clean, errors = col.validate(tables)
    return errors.sort("__hrow", nulls_last=True), clean


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(LISTS),
    st.lists(st.sampled_from(ITEMS), min_size=0, max_size=3),
    st.integers(0, 10**6),
)
def test_a_bad_item_is_reported_as_the_row_checks_report_it(
    where: tuple[str, str], items: list[str | None], seed: int
) -> None:
    table, column = where
    tables = col.to_tables(HOUSEHOLDS)
    frame = tables[table]
    if not frame.height:
        return
    row = seed % frame.height
    cells = frame.get_column(column).to_list()
    cells[row] = items
    tables[table] = frame.with_columns(pl.Series(column, cells, dtype=pl.List(pl.String)))
    screened = _validated(tables)
    with pytest.MonkeyPatch.context() as mp:
        _every_list_dirty(mp)
        full = _validated(tables)
    assert screened[0].equals(full[0])
    for t in col.TABLES:
        assert screened[1][t].equals(full[1][t])


def test_clean_lists_are_not_checked_row_by_row_and_a_bad_item_is_named() -> None:
    tables = col.to_tables(HOUSEHOLDS)
    for t, c in LISTS:
        assert c not in cval._dirty_text(t, tables[t], None)
    members = tables["members"]
    cells = members.get_column("diseases").to_list()
    cells[3] = ["flu", "bad\x01"]
    tables["members"] = members.with_columns(pl.Series("diseases", cells, dtype=pl.List(pl.String)))
    assert "diseases" in cval._dirty_text("members", tables["members"], None)
    _, errors = col.validate(tables)
    assert errors.height == 1
    message = errors.get_column("error").item()
    assert ".diseases" in message and "text cannot contain control characters" in message
