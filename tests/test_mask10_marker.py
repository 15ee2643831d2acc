"""attack10 finding 9: the Parquet verified marker covers the footer (names, types, chunk
metadata) as well as the data; data the marker vouches for that is still refused becomes bad
rows (the batch validated in full), never a raise."""

from __future__ import annotations

import copy
import json
import re
import struct
from datetime import date
from pathlib import Path

import polars as pl

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_marker as marker
from fangfan_rules.engines import vectorized as vz

BASE = json.loads(
    (Path(__file__).resolve().parents[1] / "examples" / "one_household.json").read_text("utf-8")
)
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = date(2025, 6, 30)


def _households() -> list[ff.Household]:
    second = copy.deepcopy(BASE)
    second["id"] = "H2"
    second["income"][-1]["property_income"] = "-90000.00"  # refused as business income
    return [ff.load_household(BASE), ff.load_household(second)]


def _swap_in_footer(path: Path, a: bytes, b: bytes) -> None:
    data = path.read_bytes()
    (length,) = struct.unpack("<I", data[-8:-4])
    start = len(data) - 8 - length
    footer = data[start:-8]
    names = re.compile(b"(?<![a-z_])(" + re.escape(a) + b"|" + re.escape(b) + b")")
    footer = names.sub(lambda m: b if m.group(1) == a else a, footer)  # whole names only
    path.write_bytes(data[:start] + footer + data[-8:])


def _paths(directory: Path) -> dict[str, Path]:
    return {p.stem: p for p in directory.iterdir()}


def test_columns_renamed_in_the_footer_break_the_marker(tmp_path: Path) -> None:
    directory = col.write_parquet(_households(), tmp_path / "pq")
    assert marker.check_marker(_paths(directory)).verified
    income = directory / "income.parquet"
    _swap_in_footer(income, b"business_income_fen", b"property_income_fen")
    assert pl.read_parquet_metadata(income).get(marker.MARKER_KEY)  # the marker kept
    check = marker.check_marker(_paths(directory))
    assert not check.verified and "income.parquet does not match" in check.note
    frame = PACK.identify_frame(directory, as_of=AS_OF)
    assert frame.attrs["validation"] == marker.FULL
    outcomes = dict(zip(frame.household_id, frame.outcome, strict=True))
    assert outcomes["H2"] == "error" and outcomes[BASE["id"]] != "error"


def test_two_money_columns_swapped_in_the_footer_are_not_read_silently(tmp_path: Path) -> None:
    households = [ff.load_household(BASE)]
    directory = col.write_parquet(households, tmp_path / "pq")
    income = directory / "income.parquet"
    before = pl.read_parquet(income)
    _swap_in_footer(income, b"transfer_income_fen", b"property_income_fen")
    after = pl.read_parquet(income)
    assert after["transfer_income_fen"].to_list() == before["property_income_fen"].to_list()
    assert not marker.check_marker(_paths(directory)).verified
    assert vz.prepare(directory).validation == marker.FULL


def test_refused_facts_under_a_matching_marker_are_bad_rows(tmp_path: Path) -> None:
    tables = col.to_tables([ff.load_household(BASE)])
    second = tables["income"].filter(pl.col("household_id") == BASE["id"])
    second = second.with_columns(
        pl.lit("H2").alias("household_id"), pl.lit(-5, dtype=pl.Int64).alias("wage_income_fen")
    )
    frames = dict(tables)
    frames["income"] = pl.concat([tables["income"], second])
    frames["households"] = pl.concat(
        [
            tables["households"],
            tables["households"].with_columns(pl.lit("H2").alias("household_id")),
        ]
    )
    frames = {t: f.sort("household_id", maintain_order=True) for t, f in frames.items()}
    directory = tmp_path / "forged"
    directory.mkdir()
    paths = {t: directory / f"{t}.parquet" for t in frames}
    marker.write_marked(frames, paths)  # a marker over data validation refuses
    assert marker.check_marker(paths).verified
    assert vz.prepare(directory).validation == marker.BY_MARKER
    frame = PACK.identify_frame(directory, as_of=AS_OF)
    outcomes = dict(zip(frame.household_id, frame.outcome, strict=True))
    assert outcomes["H2"] == "error" and outcomes[BASE["id"]] != "error"
    assert frame.attrs["validation"] == marker.FULL
