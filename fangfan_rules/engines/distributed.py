"""Beyond one machine: the vectorized engine over Dask partitions (``pip install -e '.[dask]'``).

Dask, not a home-made scheduler: ``dask.dataframe.map_partitions`` runs
:func:`fangfan_rules.engines.vectorized.identify_frame` on each partition of a nested household
table (one row per household, list-of-struct columns for members, income… — the layout of
:func:`fangfan_rules.engines.columnar.nest`, as written by ``write_parquet(..., layout="nested")``),
locally or on a ``distributed`` cluster.

Population-level rules (area percentiles, village aggregates) need every household of their area
in one place: when the pack uses any, the frame is first shuffled by county so that each partition
holds whole counties (villages nest in counties), and each partition's aggregates are then the
area's own. A partition's result therefore equals the single-process engine's exactly.

A province-scale run: write each county's households as nested Parquet (e.g. ``county=…/*.parquet``,
one to a few hundred thousand households per file), start a cluster (``distributed.Client`` on
the cluster's scheduler), ``identify_dask(pack, "s3-or-hdfs-or-nfs/province/", as_of=…)`` and write
the result with ``.to_parquet(...)``. Memory per worker is bounded by the largest county; the
native explanation of any row is ``VectorizedBatch(...).explain_household(id)`` on that county.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fangfan_rules.engines.guard import engine_boundary
from fangfan_rules.errors import MissingExtraError
from fangfan_rules.facts.forms import ASCII_BLANKS
from fangfan_rules.result_rows import COLUMNS

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack


def _require_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise MissingExtraError("the Dask path", "dask") from exc
    return dd


@engine_boundary("evaluating a Dask partition")
def _partition(
    frame: pd.DataFrame, pack: Pack, as_of: date, duplicated: tuple[str, ...]
) -> pd.DataFrame:
    import polars as pl
    import pyarrow as pa

    from fangfan_rules.engines.vectorized import VectorizedBatch

    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    also = pl.Series("household_id", duplicated, dtype=pl.String)
    batch = VectorizedBatch(pack, pl.from_arrow(table), as_of=as_of, also_duplicated=also)
    return batch.frame.astype(object)


def _duplicated(frame: Any) -> tuple[str, ...]:
    """The household ids that appear more than once in the whole frame (any partitions): one
    eager pass over the id column, so that every copy is a bad row wherever it lands."""
    counts = frame["household_id"].astype("string").str.strip(ASCII_BLANKS).value_counts()
    return tuple(str(i) for i in counts[counts > 1].index.compute())


def uses_population(pack: Pack, as_of: date) -> bool:
    """Does any rule in force read a population-level variable?"""
    from fangfan_rules.engines.vectorized import compile_pack

    return bool(compile_pack(pack, as_of=as_of).population_specs)


def identify_dask(pack: Pack, data: Any, *, as_of: date, npartitions: int | None = None) -> Any:
    """A lazy ``dask.dataframe`` of compare()'s columns for every household in ``data``.

    ``data``: a nested Parquet path / glob, or a dask DataFrame in the nested layout (pyarrow
    dtypes). Call ``.compute()`` or ``.to_parquet()`` on the result. A household id that
    appears more than once anywhere in ``data`` is an error row for every copy (the ids are
    counted first, in one eager pass over the id column); every other household is answered.
    """
    dd = _require_dask()
    if isinstance(data, str | Path):
        frame = dd.read_parquet(str(data), dtype_backend="pyarrow")
    else:
        frame = data
    if npartitions is not None:
        frame = frame.repartition(npartitions=npartitions)
    if uses_population(pack, as_of):
        # task-based shuffle: the P2P shuffle cannot move nested (list-of-struct) Arrow columns
        frame = frame.shuffle(on="county", shuffle_method="tasks")
    duplicated = _duplicated(frame)
    meta = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return frame.map_partitions(_partition, pack, as_of, duplicated, meta=meta)
