"""List columns of the batch engine's tables read their items as the facts do (attack
2026-12-07, findings 5, 6 and 18): a null item is a bad row (the facts refuse it) rather than a
batch that fails later or a value silently ignored; ASCII blanks around an item are ignored, as
the facts ignore them; a float money column is refused with a message that says what works."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
RAW = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()[:40]]
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = date(2023, 6, 5)


def _tables_with(table: str, column: str, row: int, items: list[str | None]) -> dict:
    tables = col.to_tables([ff.load_household(r) for r in RAW])
    cells = tables[table].get_column(column).to_list()
    cells[row] = items
    frame = tables[table].with_columns(pl.Series(column, cells, dtype=pl.List(pl.String)))
    return {**tables, table: frame}


@pytest.mark.parametrize(
    ("table", "column"),
    [("households", "area_tags"), ("members", "diseases"), ("monitoring", "risk_types")],
)
def test_a_null_item_is_a_bad_row_and_the_rest_are_answered(table: str, column: str) -> None:
    tables = _tables_with(table, column, 0, [None])
    hid = tables[table].get_column("household_id")[0]
    _clean, errors = col.validate(tables)
    assert errors.get_column("household_id").to_list() == [hid]
    assert "without an empty (null) item" in errors.get_column("error")[0]
    frame = PACK.identify_frame(tables, as_of=AS_OF)
    assert len(frame) == len(RAW)
    bad = frame[frame["household_id"] == hid]
    assert bad["error"].notna().all() and frame[frame["household_id"] != hid]["error"].isna().all()


def test_the_facts_refuse_the_same_null_item() -> None:
    data = dict(RAW[0], area=dict(RAW[0]["area"], tags=[None]))
    with pytest.raises(ff.FactError):
        ff.load_household(data)


def test_blanks_around_an_item_are_ignored_as_the_facts_ignore_them() -> None:
    tables = _tables_with("households", "area_tags", 0, [" non_poor_village "])
    clean, errors = col.validate(tables)
    assert errors.height == 0
    assert clean["households"].get_column("area_tags")[0].to_list() == ["non_poor_village"]
    data = dict(RAW[0], area=dict(RAW[0]["area"], tags=[" non_poor_village "]))
    assert [t.value for t in ff.load_household(data).area.tags] == ["non_poor_village"]


def test_a_float_money_column_says_what_works() -> None:
    tables = col.to_tables([ff.load_household(r) for r in RAW])
    pandas = {name: frame.to_pandas() for name, frame in tables.items()}
    floats = [n for n, f in pandas.items() if any(str(t) == "float64" for t in f.dtypes)]
    assert floats  # pandas makes an integer column with a missing value float64
    with pytest.raises(ff.FactError) as info:
        PACK.identify_frame(pandas, as_of=AS_OF)
    assert "use_pyarrow_extension_array=True" in str(info.value)
    arrow = {
        name: frame.to_pandas(use_pyarrow_extension_array=True) for name, frame in tables.items()
    }
    assert len(PACK.identify_frame(arrow, as_of=AS_OF)) == len(RAW)
