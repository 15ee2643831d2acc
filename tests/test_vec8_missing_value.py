"""A fact not given reads the same in the columnar validation as in the native loader.

The columnar path used to print a problem without a value as ``= None`` (``hukou = None:
required fact is missing``), as if the household had sent a null, where the native loader names
the field only (``hukou: missing (a required field)``, :data:`fangfan_rules.errors.NO_VALUE`).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.errors import FactError

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
RAW = json.loads(SAMPLE.read_text("utf-8").splitlines()[0])


def _native_error(drop: list[str | int]) -> str:
    """The native loader's message for the first sample household with one key removed."""
    data = json.loads(json.dumps(RAW))
    inner = data
    for key in drop[:-1]:
        inner = inner[key]
    del inner[drop[-1]]
    with pytest.raises(FactError) as caught:
        ff.load_household(data)
    return str(caught.value)


def _columnar_error(table: str, column: str, row: int) -> str:
    """The columnar validation's message for the same household with one cell null."""
    tables = col.to_tables([ff.load_household(RAW)])
    frame = tables[table]
    dtype = frame.schema[column]
    first = pl.int_range(pl.len()) == row
    tables[table] = frame.with_columns(
        pl.when(first).then(pl.lit(None, dtype=dtype)).otherwise(pl.col(column)).alias(column)
    )
    clean, errors = col.validate(tables)
    assert clean["households"].height == 0
    assert errors.height == 1
    return str(errors["error"][0])


@pytest.mark.parametrize(
    ("drop", "table", "column", "row"),
    [
        (["hukou"], "households", "hukou", 0),
        (["income", 0, "start"], "income", "start", 0),
        (["income", 2, "end"], "income", "end", 2),
    ],
)
def test_a_missing_fact_reads_as_the_native_loader_reads_it(
    drop: list[str | int], table: str, column: str, row: int
) -> None:
    native = _native_error(drop)
    assert "= None" not in native
    assert _columnar_error(table, column, row) == native


def test_a_missing_member_fact_has_the_native_words_at_the_member_id_path() -> None:
    """Members are addressed by their id in the columnar path (``members[m1]``), by position in
    the native one (``members[0]``): the rest of the line is the same."""
    native = _native_error(["members", 0, "relation"])
    member = RAW["members"][0]["id"]
    expected = native.replace("members[0].", f"members[{member}].")
    assert _columnar_error("members", "relation", 0) == expected


def test_problems_without_a_value_never_print_none() -> None:
    """An orphan table, a rule between fields and a bad ID number: no ``= None`` anywhere; the
    ID number shown masked, as the native loader shows it."""
    household = ff.load_household(RAW)
    tables = col.to_tables([household])
    tables["income"] = pl.concat(
        [
            tables["income"],
            tables["income"].head(1).with_columns(pl.lit("NO-SUCH").alias("household_id")),
        ]
    )
    tables["households"] = tables["households"].with_columns(
        pl.lit(100, dtype=pl.Int64).alias("livestock_estimated_value_fen")
    )
    bad_number = "110101199001011235"  # the check character should be 7
    tables["members"] = tables["members"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(bad_number))
        .otherwise(pl.col("id_number"))
        .alias("id_number")
    )
    _, errors = col.validate(tables)
    text = "\n".join(errors["error"].to_list())
    assert "None" not in text
    assert "  - income: rows in income refer to no row" in text
    assert "  - livestock.head_count: a livestock record needs its head count" in text
    assert bad_number not in text
    data = json.loads(json.dumps(RAW))
    data["members"][0]["id_number"] = bad_number
    with pytest.raises(FactError) as native:
        ff.load_household(data)
    shown = str(native.value).splitlines()[1].split(": ")[0].split(" = ")[1]
    member = RAW["members"][0]["id"]
    assert f"  - members[{member}].id_number = {shown}: ID number" in text
