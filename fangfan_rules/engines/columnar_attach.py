"""Attach frames keyed by household to a frame of households or members: a left join by
position, not by hash.

The batch engine computes most variables as a small frame keyed by household (a group-by over a
child table) and attaches each to the household frame, and attaches household columns to every
member: left joins on ``household_id``. Inside the engine that key is the household's integer
row number (``__hrow``, see ``vectorized._integer_keys``), unique in each attached frame. Then a
frame's rows can be found by position: a lookup table (key → row of the frame, one scatter) and
one gather per column. That is the join's result without hashing — about a third cheaper over
the eighteen frames of qianshan_2023 at 100,000 households.

:func:`attach` gives exactly what the left joins give (``maintain_order="left"``: the base's rows
in their order, the frames' columns with their dtypes, nulls where a frame has no row), and
falls back to the joins whenever a key is not such an integer or a frame's keys repeat (where a
join would repeat rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

#: A lookup table is built only for keys below this multiple of the base's height (bad rows
#: leave gaps in the row numbers; a sparse key would allocate a table far larger than the frame).
_SPARSE = 4
_INTEGER = (pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Int8, pl.Int16, pl.Int32, pl.Int64)


def _usable(keys: pl.Series, limit: int) -> bool:
    """Integer keys in ``0..limit-1`` (nulls allowed: they match nothing, as in a join)."""
    if keys.dtype not in _INTEGER:
        return False
    if keys.null_count() == keys.len():
        return True
    low, high = keys.min(), keys.max()
    assert isinstance(low, int) and isinstance(high, int)
    return low >= 0 and high < limit


def _placement(base_keys: pl.Series, keys: pl.Series) -> pl.Series | None:
    """For each base row, the row of the frame with ``keys`` that has its key (null when none);
    None when the keys do not allow it (not usable integers, or a repeated key)."""
    limit = _SPARSE * max(base_keys.len(), keys.len()) + 1024
    if not (_usable(base_keys, limit) and _usable(keys, limit)):
        return None
    present = keys.drop_nulls()
    high = present.max() if present.len() else 0
    assert isinstance(high, int)
    size = high + 1
    rows = pl.int_range(keys.len(), dtype=pl.UInt32, eager=True).filter(keys.is_not_null())
    table = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(present, rows)
    if table.null_count() != size - present.len():  # a repeated key overwrote another
        return None
    # base keys beyond the table match no row of the frame
    within = base_keys.to_frame("k").select(
        pl.when(pl.col("k") < size).then(pl.col("k")).alias("k")
    )["k"]
    return table.gather(within)


def attach(base: pl.DataFrame, frames: Sequence[pl.DataFrame], key: str) -> pl.DataFrame:
    """``base`` left-joined with every frame on ``key`` in turn (``maintain_order="left"``);
    each frame's other columns have names not in ``base`` nor in the other frames."""
    if not frames:
        return base
    base_keys = base.get_column(key)
    places = []
    for frame in frames:
        place = _placement(base_keys, frame.get_column(key))
        if place is None:
            return _joined(base, frames, key)
        places.append(place)
    columns = [
        frame.get_column(c).gather(place)
        for frame, place in zip(frames, places, strict=True)
        for c in frame.columns
        if c != key
    ]
    return base.hstack(columns)


def _joined(base: pl.DataFrame, frames: Sequence[pl.DataFrame], key: str) -> pl.DataFrame:
    for frame in frames:
        base = base.join(frame, on=key, how="left", maintain_order="left")
    return base


__all__ = ["attach"]
