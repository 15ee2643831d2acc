"""The verified marker of Parquet datasets the library wrote (engines.columnar_marker).

Read back by its path, a marked dataset skips the row checks and gives exactly what full
validation gives; a changed file (metadata kept), a missing file or ``validate="always"``
validates in full, and the result says which was done.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_marker as marker
from fangfan_rules.engines import vectorized as vz

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:150]
]
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = date(2023, 6, 5)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return col.write_parquet(HOUSEHOLDS, tmp_path / "tables")


def _rewrite_keeping_marker(path: Path, change: pl.Expr) -> None:
    """Write the file again with one change, copying its metadata (marker included) over."""
    kept = pl.read_parquet_metadata(path)
    frame = pl.read_parquet(path)
    frame.with_columns(change).write_parquet(
        path, metadata={marker.MARKER_KEY: kept[marker.MARKER_KEY]}
    )


def test_every_file_written_carries_one_marker(dataset: Path) -> None:
    found = {pl.read_parquet_metadata(p).get(marker.MARKER_KEY) for p in dataset.iterdir()}
    assert len(found) == 1 and None not in found
    assert marker.check_marker({p.stem: p for p in dataset.iterdir()}).verified


def test_a_marked_dataset_skips_the_checks_and_gives_what_validation_gives(
    dataset: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="fangfan_rules.validation"):
        trusted = vz.prepare(dataset)
    assert trusted.validation == marker.BY_MARKER
    assert "verified by marker; row checks skipped" in caplog.text
    full = vz.prepare(dataset, validate="always")
    assert full.validation == marker.FULL
    assert set(trusted.tables) == set(full.tables)
    for t in full.tables:
        assert trusted.tables[t].equals(full.tables[t]), t
    assert trusted.errors.equals(full.errors)
    by_marker = vz.identify_frame(PACK, dataset, as_of=AS_OF)
    in_full = vz.identify_frame(PACK, dataset, as_of=AS_OF, validate="always")
    assert by_marker.attrs["validation"] == marker.BY_MARKER
    assert in_full.attrs["validation"] == marker.FULL
    assert by_marker.equals(in_full)


def test_a_tampered_file_is_validated_in_full_and_its_bad_row_reported(
    dataset: Path, caplog: pytest.LogCaptureFixture
) -> None:
    income = pl.read_parquet(dataset / "income.parquet")
    victim = income["household_id"][0]
    first_row = pl.int_range(pl.len()) == 0
    _rewrite_keeping_marker(
        dataset / "income.parquet",
        pl.when(first_row).then(-500).otherwise(pl.col("wage_income_fen")).alias("wage_income_fen"),
    )
    with caplog.at_level(logging.INFO, logger="fangfan_rules.validation"):
        prepared = vz.prepare(dataset)
    assert prepared.validation == marker.FULL
    assert "income.parquet does not match its marker (changed)" in caplog.text
    assert prepared.errors["household_id"].to_list() == [victim]
    assert "amount cannot be negative here" in prepared.errors["error"][0]
    frame = vz.identify_frame(PACK, dataset, as_of=AS_OF, reasons=False)
    assert frame.attrs["validation"] == marker.FULL
    assert frame.loc[frame.household_id == victim, "outcome"].tolist() == ["error"]


def test_a_valid_change_is_validated_in_full_too(dataset: Path) -> None:
    _rewrite_keeping_marker(dataset / "households.parquet", pl.col("village") + "x")
    prepared = vz.prepare(dataset)
    assert prepared.validation == marker.FULL
    assert prepared.errors.height == 0


def test_a_missing_or_foreign_file_breaks_the_marker(dataset: Path, tmp_path: Path) -> None:
    (dataset / "renovations.parquet").unlink()
    assert vz.prepare(dataset).validation == marker.FULL
    other = col.write_parquet(HOUSEHOLDS[:20], tmp_path / "other")
    shutil.copy(other / "renovations.parquet", dataset / "renovations.parquet")
    check = marker.check_marker({p.stem: p for p in dataset.iterdir()})
    assert not check.verified and "different markers" in check.note


def test_a_nested_file_carries_the_marker_too(tmp_path: Path) -> None:
    path = col.write_parquet(HOUSEHOLDS, tmp_path / "nested.parquet", layout="nested")
    trusted = vz.prepare(path)
    full = vz.prepare(path, validate="always")
    assert trusted.validation == marker.BY_MARKER and full.validation == marker.FULL
    for t in full.tables:
        assert trusted.tables[t].equals(full.tables[t]), t


def test_tables_validation_would_change_are_written_without_a_marker(tmp_path: Path) -> None:
    tables = col.to_tables(HOUSEHOLDS[:30])
    padded = {**tables, "households": tables["households"].with_columns(pl.col("town") + " ")}
    col.write_tables(padded, tmp_path / "padded")
    assert marker.MARKER_KEY not in pl.read_parquet_metadata(tmp_path / "padded/households.parquet")
    assert vz.prepare(tmp_path / "padded").validation == marker.FULL


def test_in_memory_tables_are_always_validated_and_the_mode_is_checked(dataset: Path) -> None:
    tables = col.read_tables(dataset)
    assert vz.prepare(tables).validation == marker.FULL
    with pytest.raises(ValueError, match="validate must be 'auto' or 'always'"):
        vz.prepare(dataset, validate="never")


def test_ids_duplicated_elsewhere_are_checked_despite_the_marker(dataset: Path) -> None:
    victim = pl.read_parquet(dataset / "households.parquet")["household_id"][3]
    prepared = vz.prepare(dataset, also_duplicated=pl.Series([victim]))
    assert prepared.validation == marker.FULL
    assert prepared.errors["household_id"].to_list() == [victim]
