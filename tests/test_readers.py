"""Readers never stop at a bad record (issue 12, finding 2): each is one reported bad row.

The issue's reproducers: a document nested 5,000 deep and an integer of 5,000 digits crashed
``load_household`` (RecursionError, ValueError), and one such line in a JSON Lines file stopped
``read_households`` after 1,000 rows. Every reader — JSON Lines, JSON, CSV households, CSV and
Parquet tables, streamed or not — reports such a record and goes on.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.io import read_households
from tests.tricky import base_household

DEEP = '{"id":"X","a":' + "[" * 5000 + "]" * 5000 + "}"
HUGE = '{"id":"X","lifted_year":' + "9" * 5000 + "}"
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = date(2023, 6, 5)


@pytest.mark.parametrize("document", [DEEP, HUGE], ids=["deep", "huge"])
def test_finding2_deep_nesting_and_huge_integers_are_fact_errors(document):
    with pytest.raises(ff.FactError) as info:
        ff.load_household(document)
    assert "household X" in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None
    if document is HUGE:
        assert "lifted_year" in str(info.value) and "an integer of 5000" in str(info.value)


def test_finding2_one_bad_line_does_not_stop_the_rest():
    good = [json.dumps(base_household(f"G-{i}"), ensure_ascii=False) for i in range(2000)]
    lines = [*good[:1000], DEEP, HUGE, '{"id": "Y", "hukou": }', *good[1000:]]
    rows = list(read_households(io.StringIO("\n".join(lines) + "\n"), format="jsonl"))
    assert len(rows) == 2003
    bad = [r for r in rows if r.household is None]
    assert [r.line for r in bad] == [1001, 1002, 1003]
    assert [r.household_id for r in bad] == ["X", "X", "Y"]
    assert "lifted_year" in (bad[1].error or "")
    assert [r.household.id for r in rows if r.household] == [f"G-{i}" for i in range(2000)]


def test_finding2_csv_households_unterminated_quote_and_huge_cell():
    members = json.dumps([{"id": "m1", "relation": "head"}]).replace('"', '""')
    header = "id,area.county,area.town,area.village,hukou,members\n"

    def ok(n: int) -> str:
        return f'G-{n},县,镇,村,rural,"' + members + '"\n'

    text = (
        header
        + ok(1)
        + 'B-1,县,"镇,村,rural,[]\n'  # a quote that is never closed
        + ok(2)
        + "B-2,县,镇,"
        + "x" * 140_000
        + ",rural,[]\n"
        + ok(3)
    )
    rows = list(read_households(io.StringIO(text), format="csv"))
    assert [r.household.id for r in rows if r.household] == ["G-1", "G-2", "G-3"]
    bad = {r.household_id: r.error for r in rows if r.household is None}
    assert "quote" in bad["B-1"] and "131,072" in bad["B-2"]
    assert [r.line for r in rows] == [2, 3, 4, 5, 6]


def _csv_tables(tmp_path):
    """CSV tables with a record that cannot be read in the households and in a child table,
    and an income row whose household is nowhere."""
    households = [ff.load_household(base_household(f"C-{i}")) for i in range(6)]
    directory = col.write_tables(col.to_tables(households), tmp_path / "csv", format="csv")
    text = (directory / "households.csv").read_text("utf-8").splitlines(keepends=True)
    text[2] = text[2].replace(",", ',"', 1)  # C-1: a quote opened, never closed
    (directory / "households.csv").write_text("".join(text), "utf-8")
    income = (directory / "income.csv").read_bytes().splitlines(keepends=True)
    income[3] = income[3].replace(b"C-2,", b"C-2,\xff\xfe", 1)  # C-2: not UTF-8
    income.append(income[1].replace(b"C-0,", b"GHOST,", 1))  # no such household
    (directory / "income.csv").write_bytes(b"".join(income))
    return households, directory


def test_finding2_csv_tables_report_unreadable_records(tmp_path):
    households, directory = _csv_tables(tmp_path)
    frame = vz.identify_frame(PACK, directory, as_of=AS_OF)
    errors = dict(zip(frame.household_id, frame.error, strict=True))
    assert list(frame.household_id)[:6] == [h.id for h in households]
    assert "quote is not closed" in errors["C-1"]
    assert "not UTF-8" in errors["C-2"]
    assert "no row of the households table" in errors["GHOST"]
    assert all(pd.isna(errors[f"C-{i}"]) for i in (0, 3, 4, 5))


def test_finding2_csv_tables_streamed_report_the_same(tmp_path):
    households, directory = _csv_tables(tmp_path)
    frames = list(vz.identify_parquet(PACK, directory, as_of=AS_OF, batch_size=2))
    frame = pd.concat(frames, ignore_index=True)
    errors = dict(zip(frame.household_id, frame.error, strict=True))
    assert list(frame.household_id) == [*(h.id for h in households), "GHOST"]
    assert "quote is not closed" in errors["C-1"] and "not UTF-8" in errors["C-2"]
    assert "no row of the households table" in errors["GHOST"]
    assert sum(pd.isna(e) for e in errors.values()) == 4


def test_finding2_parquet_stream_reports_orphans_after_the_last_chunk(tmp_path):
    households = [ff.load_household(base_household(f"P-{i}")) for i in range(4)]
    tables = col.to_tables(households)
    tables["income"] = pl.concat(
        [
            tables["income"],
            tables["income"].head(1).with_columns(pl.lit("NOBODY").alias("household_id")),
        ]
    )
    for t, frame in tables.items():
        frame.write_parquet(tmp_path / f"{t}.parquet")
    frames = list(vz.identify_parquet(PACK, tmp_path, as_of=AS_OF, batch_size=3))
    assert len(frames) == 3  # two chunks, then the orphans
    assert frames[-1].household_id.tolist() == ["NOBODY"]
    assert (frames[0].outcome != "error").all() and (frames[1].outcome != "error").all()
