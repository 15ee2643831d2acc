"""columnar_attach.attach gives exactly the left joins it replaces, on every kind of key."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.engines.columnar_attach import attach


def _joins(base: pl.DataFrame, frames: list[pl.DataFrame], key: str) -> pl.DataFrame:
    for frame in frames:
        base = base.join(frame, on=key, how="left", maintain_order="left")
    return base


def _frame(keys: list[int], name: str, dtype: pl.DataType = pl.UInt32) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "household_id": pl.Series(keys, dtype=pl.Int64).cast(dtype),
            f"{name}_n": [k * 7 for k in keys],
            f"{name}_list": [[str(k)] * (k % 3) for k in keys],
            f"{name}_flag": [k % 2 == 0 if k % 5 else None for k in keys],
        }
    )


@st.composite
def _batches(draw: st.DrawFn) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    # base keys: unique row numbers with gaps (bad rows removed), in input order; or repeated
    # (members: their household's row number), or with nulls (they match nothing)
    keys = draw(st.lists(st.integers(0, 300), unique=draw(st.booleans()), max_size=60))
    if draw(st.booleans()):
        keys.sort()
    if draw(st.integers(0, 3)) == 0:  # a batch without bad rows: 0, 1, … (no gather needed)
        keys = list(range(draw(st.integers(0, 60))))
    column: list[int | None] = list(keys)
    if keys and draw(st.integers(0, 4)) == 0:
        column[0] = None
    base = pl.DataFrame(
        {"household_id": pl.Series(column, dtype=pl.UInt32), "x": list(range(len(keys)))}
    )
    frames = []
    for i in range(draw(st.integers(0, 4))):
        # a frame's keys: some of the base's, some absent from it, in any order; sometimes
        # repeated (a join repeats the base row: the fallback must do the same)
        chosen = draw(st.lists(st.sampled_from(sorted(set(keys))), unique=True)) if keys else []
        chosen += draw(st.lists(st.integers(0, 400), unique=True, max_size=5))
        chosen = list(dict.fromkeys(chosen))
        if draw(st.integers(0, 9)) == 0 and chosen:
            chosen.append(chosen[0])
        frames.append(_frame(draw(st.permutations(chosen)), f"f{i}"))
    return base, frames


@settings(max_examples=300, deadline=None)
@given(_batches())
def test_attach_equals_the_left_joins(batch: tuple[pl.DataFrame, list[pl.DataFrame]]) -> None:
    base, frames = batch
    got = attach(base, frames, "household_id")
    assert got.equals(_joins(base, frames, "household_id"))
    assert got.schema == _joins(base, frames, "household_id").schema


def test_fallbacks_give_the_joins_too() -> None:
    frame = _frame([3, 1], "a")
    # a repeated frame key, string, sparse or negative keys (joined by hash); null keys
    cases = [
        (
            pl.DataFrame({"household_id": pl.Series([1, 2, 3], dtype=pl.UInt32)}),
            _frame([3, 1, 3], "a"),
        ),
        (pl.DataFrame({"household_id": ["1", "3", "5"]}), _frame([3, 1], "a", pl.String)),
        (pl.DataFrame({"household_id": pl.Series([1, 3, 10**7], dtype=pl.UInt32)}), frame),
        (
            pl.DataFrame({"household_id": pl.Series([-1, 1, 3], dtype=pl.Int64)}),
            _frame([3, 1], "a", pl.Int64),
        ),
        (
            pl.DataFrame({"household_id": pl.Series([1, None, 3], dtype=pl.UInt32)}),
            pl.DataFrame(
                {"household_id": pl.Series([3, None, 1], dtype=pl.UInt32), "v": [1, 2, 3]}
            ),
        ),
    ]
    for base, right in cases:
        assert attach(base, [right], "household_id").equals(_joins(base, [right], "household_id"))


def test_households_numbered_in_order_read_the_lookup_table_directly() -> None:
    # 0, 1, … (the clean batch's households) against frames with missing, extra, shuffled and
    # null keys; and bases that look numbered but are not (a gap, a repeat, a null)
    frames = [_frame([4, 0, 2, 9], "a"), _frame([1, 2, 3, 4, 5, 6], "b"), _frame([], "c")]
    bases = [[0, 1, 2, 3, 4], [0, 1, 2, 4, 5], [0, 1, 1, 3, 4], [0, 1, None, 3, 4], [1, 2, 3]]
    for keys in bases:
        base = pl.DataFrame({"household_id": pl.Series(keys, dtype=pl.UInt32)})
        got = attach(base, frames, "household_id")
        assert got.equals(_joins(base, frames, "household_id")), keys
        assert got.schema == _joins(base, frames, "household_id").schema


def test_no_frames_and_empty_frames() -> None:
    base = pl.DataFrame({"household_id": pl.Series([0, 2, 5], dtype=pl.UInt32)})
    assert attach(base, [], "household_id") is base
    empty = _frame([], "e")
    assert attach(base, [empty], "household_id").equals(_joins(base, [empty], "household_id"))
    none = base.head(0)
    assert attach(none, [_frame([1], "a")], "household_id").equals(
        _joins(none, [_frame([1], "a")], "household_id")
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 40)), max_size=80),
    st.integers(0, 50),
    st.sampled_from([pl.UInt32(), pl.Int64()]),
)
def test_a_frame_keyed_0_1_2_is_gathered_by_the_base_keys(
    keys: list[int | None], height: int, dtype: pl.DataType
) -> None:
    """Members given their households' columns: the frame's keys count up from 0, the base's
    repeat (and may exceed the frame's rows, or be null): the same as the left join."""
    base = pl.DataFrame({"household_id": pl.Series(keys, dtype=pl.UInt32), "x": range(len(keys))})
    frame = _frame(list(range(height)), "h", dtype)
    expected = _joins(
        base, [frame.with_columns(pl.col("household_id").cast(pl.UInt32))], "household_id"
    )
    assert attach(base, [frame], "household_id").equals(expected)
