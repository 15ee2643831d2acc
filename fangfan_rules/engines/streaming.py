"""Streaming a dataset bigger than memory through the vectorized engine, chunk by chunk.

A dataset is a directory of ``<table>.parquet`` files
(:func:`~fangfan_rules.engines.columnar.write_parquet`; child tables read per chunk with
row-group pruning when sorted by ``household_id``), a directory of ``<table>.csv`` files, or one nested Parquet file. At most
``batch_size`` households (and their rows) are in memory at once.

What a stream guarantees, as the one-batch engine does (nothing is lost, nothing answered twice):

* **duplicates**: a household id that appears more than once anywhere in the dataset — in the
  same chunk or in different ones — is an error row for every copy. The copies are found before
  the first chunk is answered, by a pass over the id column: a 64-bit hash per household (80 MB
  for 10 million), then only the candidates' ids as strings (a hash collision is never taken
  for a duplicate);
* **orphans**: child rows whose household is nowhere in the dataset are reported, after the
  last chunk, one error row per id (found by the same hashes; the one risk is a child id whose
  hash collides with a household's, about 1 in 10^19 per pair);
* **CSV**: a CSV directory is first read record by record into a temporary Parquet copy
  (:func:`~fangfan_rules.engines.columnar.csv_table_batches`): a record that cannot be read is
  reported in its household's place, and every cell is read in its documented form.

Packs with population-level rules first make one pass that keeps only each household's inputs
to the aggregates (copies left out, as everywhere).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import polars as pl

from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import get_columnar
from fangfan_rules.engines.guard import engine_boundary, guarded_iter
from fangfan_rules.engines.vectorized import (
    CompiledPack,
    _slot,
    _to_pandas,
    compile_pack,
    progress_steps,
)
from fangfan_rules.errors import NO_VALUE, FactError
from fangfan_rules.facts.forms import ASCII_BLANKS
from fangfan_rules.results import Identification

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack


@dataclass
class Source:
    """Where a dataset's tables are (a nested file, or a directory of Parquet tables)."""

    path: Path
    nested: bool
    suffix: str = ".parquet"
    children: dict[str, Path] = field(default_factory=dict)

    @property
    def households(self) -> Path:
        return self.path if self.nested else self.path / f"households{self.suffix}"


def source_of(path: Path | str) -> Source:
    path = Path(path)
    if path.is_file():
        return Source(path, nested=True)
    for suffix in (".parquet", ".csv"):
        if (path / f"households{suffix}").exists():
            children = {
                t: path / f"{t}{suffix}" for t in col.CHILDREN if (path / f"{t}{suffix}").exists()
            }
            return Source(path, nested=False, suffix=suffix, children=children)
    raise FactError(None, [(str(path), NO_VALUE, "no households.parquet / households.csv here")])


@contextmanager
def readable(source: Source) -> Iterator[Source]:
    """``source`` itself, or for CSV tables a temporary Parquet copy read record by record."""
    if source.suffix != ".csv":
        yield source
        return
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="fangfan-csv-") as tmp:
        copied: dict[str, Path] = {}
        for table, path in (("households", source.households), *source.children.items()):
            target = Path(tmp) / f"{table}.parquet"
            writer = None
            for frame in col.csv_table_batches(path):
                arrow = frame.to_arrow()
                writer = writer or pq.ParquetWriter(target, arrow.schema)
                writer.write_table(arrow)
            if writer is not None:
                writer.close()
            copied[table] = target
        children = {t: p for t, p in copied.items() if t != "households"}
        yield Source(Path(tmp), nested=False, suffix=".parquet", children=children)


def _rebatch(batches: Iterable[Any], batch_size: int) -> Iterator[pl.DataFrame]:
    """Arrow record batches regrouped into polars frames of exactly ``batch_size`` rows."""
    pending: list[pl.DataFrame] = []
    size = 0
    for batch in batches:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        while frame.height:
            take = frame.head(batch_size - size)
            frame = frame.slice(take.height)
            pending.append(take)
            size += take.height
            if size == batch_size:
                yield pl.concat(pending, how="vertical_relaxed")
                pending, size = [], 0
    if size:
        yield pl.concat(pending, how="vertical_relaxed")


def _batches(path: Path, batch_size: int, columns: list[str] | None = None) -> Iterator[Any]:
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=columns)


def _key(column: str = "household_id") -> pl.Expr:
    """A table's household id as validation reads it (text, ASCII blanks stripped)."""
    return pl.col(column).cast(pl.String, strict=False).str.strip_chars(ASCII_BLANKS)


def chunks(source: Source, batch_size: int) -> Iterator[dict[str, pl.DataFrame]]:
    """The tables of ``batch_size`` households at a time (child rows with them)."""
    if source.nested:
        for frame in _rebatch(_batches(source.path, batch_size), batch_size):
            yield col.unnest(frame)
        return
    first = True
    for households in _rebatch(_batches(source.households, batch_size), batch_size):
        ids = households.select(_key()).to_series().drop_nulls()
        tables = {"households": households}
        for t, p in source.children.items():
            key = _key()
            if ids.len():
                lo, hi = pl.lit(ids.min(), dtype=pl.String), pl.lit(ids.max(), dtype=pl.String)
                wanted = key.is_between(lo, hi) & key.is_in(ids.implode())
            else:
                wanted = pl.lit(False)
            if first:  # child rows that name no household: reported once, with the first chunk
                wanted = wanted | key.is_null()
            tables[t] = pl.scan_parquet(p).filter(wanted).collect()
        first = False
        yield tables


def _ids(path: Path) -> Iterator[pl.Series]:
    """A table's household ids, read alone (one column), as validation reads them."""
    for batch in _batches(path, 1 << 20, columns=["household_id"]):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        yield frame.select(_key()).to_series()


@dataclass
class Census:
    """The household ids of a dataset, once over: the duplicated ones, and every id's hash."""

    duplicated: pl.Series
    hashes: np.ndarray  # sorted unique 64-bit hashes of every household id
    rows: int = 0  # households rows of the dataset (copies of a duplicated id included)


def census(source: Source) -> Census:
    """Why hashes: the copies of an id in different chunks must be known before the first chunk
    is answered, and memory must not follow the ids' length (see the module docstring)."""
    hashes = [ids.hash().to_numpy() for ids in _ids(source.households)]
    every = np.concatenate(hashes) if hashes else np.array([], dtype=np.uint64)
    del hashes
    every.sort()
    rows = int(every.size)
    repeated = every[1:][every[1:] == every[:-1]] if every.size > 1 else every[:0]
    unique = np.unique(every)
    del every
    if not repeated.size:
        return Census(pl.Series("household_id", [], dtype=pl.String), unique, rows)
    candidates = pl.Series(np.unique(repeated))
    found = [ids.filter(ids.hash().is_in(candidates.implode())) for ids in _ids(source.households)]
    ids = pl.concat(found).drop_nulls()
    return Census(ids.filter(ids.is_duplicated()).unique().rename("household_id"), unique, rows)


def duplicated_ids(source: Source) -> pl.Series:
    """The household ids that appear more than once anywhere in the dataset."""
    return census(source).duplicated


def _orphans(source: Source, hashes: np.ndarray) -> pl.DataFrame:
    """Error rows for child rows whose household id is nowhere in the households table."""
    rows: dict[str, list[str]] = {}
    children = {} if source.nested else source.children  # a nested file has no orphans
    for table, path in children.items():
        for ids in _ids(path):
            ids = ids.drop_nulls()  # reported with the first chunk
            if not ids.len():
                continue
            h = ids.hash().to_numpy()
            if hashes.size:
                at = np.minimum(np.searchsorted(hashes, h), hashes.size - 1)
                found = hashes[at] == h
            else:
                found = np.zeros(h.size, dtype=bool)
            for hid in ids.filter(pl.Series(~found)).unique(maintain_order=True).to_list():
                rows.setdefault(hid, [])
                if table not in rows[hid]:
                    rows[hid].append(table)
    errors = [
        (
            hid,
            None,
            str(
                FactError(
                    hid,
                    [
                        (t, NO_VALUE, f"rows in {t} refer to no row of the households table")
                        for t in tables
                    ],
                )
            ),
        )
        for hid, tables in rows.items()
    ]
    return pl.DataFrame(
        errors,
        schema={"household_id": pl.String, "__hrow": pl.UInt32, "error": pl.String},
        orient="row",
    )


def stream(
    source: Source, batch_size: int, duplicated: pl.Series
) -> Iterator[tuple[dict[str, pl.DataFrame], pl.DataFrame]]:
    for raw in chunks(source, batch_size):
        yield col.validate(raw, also_duplicated=duplicated)


def population(
    compiled: CompiledPack, source: Source, batch_size: int, duplicated: pl.Series
) -> dict[Any, Any]:
    if not compiled.population_specs:
        return {}
    parts: dict[Any, list[pl.DataFrame]] = {}
    reducers = {
        _slot(spec.name, spec.kwargs): get_columnar(spec.name).population.reduce  # type: ignore[union-attr]
        for spec in compiled.population_specs
    }
    for tables, _ in stream(source, batch_size, duplicated):
        for slot, frame in compiled.population_inputs(col.view_at(tables, compiled.as_of)).items():
            # each chunk's inputs reduced (village counts, not household rows): bounded memory
            kept = parts.setdefault(slot, [])
            kept.append(reducers[slot](frame))
            if len(kept) >= 16:
                parts[slot] = [reducers[slot](pl.concat(kept, how="vertical_relaxed"))]
    inputs = {slot: pl.concat(frames, how="vertical_relaxed") for slot, frames in parts.items()}
    if not inputs:  # no rows at all
        return compiled.population_of(col.validate(col.empty_tables())[0])
    return compiled.combine(inputs)


def identify_parquet(
    pack: Pack,
    path: Path | str,
    *,
    as_of: date,
    batch_size: int = 50_000,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Stream a dataset through the vectorized engine, one frame (compare()'s columns) per
    chunk of ``batch_size`` households, and a last frame for orphan child rows if any.

    See the module docstring for what is guaranteed (duplicates across chunks, orphans, CSV).
    ``first_reason`` and ``missing_facts`` are None (:func:`explain_parquet` words them for one
    household). ``progress=True`` shows a progress bar over the households with a time estimate
    on standard error.
    """
    return guarded_iter("streaming a dataset", _identify(pack, path, as_of, batch_size, progress))


def _identify(
    pack: Pack, path: Path | str, as_of: date, batch_size: int, progress: bool = False
) -> Iterator[pd.DataFrame]:
    compiled = compile_pack(pack, as_of=as_of)
    with readable(source_of(path)) as source:
        ids = census(source)
        with progress_steps(progress, f"{pack.name} {as_of}", ids.rows) as advance:
            figures = population(compiled, source, batch_size, ids.duplicated)
            for tables, errors in stream(source, batch_size, ids.duplicated):
                frame = _to_pandas(compiled, compiled.evaluate(tables, figures), errors)
                advance(len(frame))
                yield frame
        orphans = _orphans(source, ids.hashes)
        if orphans.height:
            empty = col.validate(col.empty_tables())[0]
            yield _to_pandas(compiled, compiled.evaluate(empty, figures), orphans)


@engine_boundary("explaining a household of a dataset")
def explain_parquet(
    pack: Pack, path: Path | str, household_id: str, *, as_of: date
) -> Identification:
    """The native explanation of one household of a dataset (population from a pass)."""
    from fangfan_rules.engines.native import identify

    compiled = compile_pack(pack, as_of=as_of)
    with readable(source_of(path)) as source:
        duplicated = census(source).duplicated
        figures = population(compiled, source, 50_000, duplicated)
        for tables, errors in stream(source, 50_000, duplicated):
            found = col.to_households(tables, ids=[household_id])
            if found:
                native_population = compiled.native_population(found[0], figures)
                return identify(pack, found[0], as_of=as_of, population=native_population)
            bad = errors.filter(pl.col("household_id") == household_id)
            if bad.height:
                message = bad.get_column("error")[0]
                error = FactError(household_id, [("<household>", NO_VALUE, message)])
                break
        else:
            raise KeyError(f"no household {household_id!r} in {path}")
    raise error


__all__ = ["census", "duplicated_ids", "explain_parquet", "identify_parquet", "source_of"]
