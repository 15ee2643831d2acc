"""List results of at most ``_TABLE_BITS`` labels are decoded through a table of every
combination's cell (``vectorized._cells``); the table gives exactly what the lookup of the
distinct words gives (``_TABLE_BITS = 0`` forces it): the same cells, dtype and name, for any
word (null words, words with bits beyond the labels, no rows)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.engines import vectorized as vz


@settings(max_examples=60, deadline=None)
@given(
    n_labels=st.integers(1, vz._TABLE_BITS),
    words=st.lists(
        st.one_of(st.none(), st.integers(0, 2**64 - 1), st.integers(0, 2**10)), max_size=40
    ),
)
def test_table_decodes_as_the_lookup(n_labels: int, words: list[int | None]) -> None:
    labels = tuple(f"label {i}" for i in range(n_labels))
    frame = pl.DataFrame({"groups__bits0": words}, schema={"groups__bits0": pl.UInt64})
    fast = vz.decode_lists(frame, "groups", labels)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vz, "_TABLE_BITS", 0)
        slow = vz.decode_lists(frame, "groups", labels)
    assert fast.dtype == slow.dtype == pl.String and fast.name == slow.name == "groups"
    assert fast.to_list() == slow.to_list()
