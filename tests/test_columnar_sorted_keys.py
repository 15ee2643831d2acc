"""The as-of view flags sorted integer household keys, and the flag changes no answer."""

from __future__ import annotations

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import _with_parameters
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from tests.helpers import sample_households
from tests.test_differential_vectorized import README_AS_OF, README_PARAMETERS


def test_only_sorted_integer_keys_are_flagged() -> None:
    frame = pl.DataFrame({"household_id": pl.Series([0, 0, 2, 5], dtype=pl.UInt32)})
    assert col._flag_sorted(frame)["household_id"].flags["SORTED_ASC"]
    unsorted = pl.DataFrame({"household_id": pl.Series([0, 2, 1], dtype=pl.UInt32)})
    assert not col._flag_sorted(unsorted)["household_id"].flags["SORTED_ASC"]
    text = pl.DataFrame({"household_id": ["a", "b"]})
    assert col._flag_sorted(text) is text
    with_null = pl.DataFrame({"household_id": pl.Series([None, 1, 2], dtype=pl.UInt32)})
    flagged = col._flag_sorted(with_null)["household_id"]
    assert flagged.flags["SORTED_ASC"] == with_null["household_id"].is_sorted()


@pytest.mark.parametrize("name", sorted(README_AS_OF))
def test_answers_are_the_same_without_the_flag(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of the README's five packs over the sample, children in order (keys sorted, flagged)
    and shuffled (not sorted, not flagged): the same frame with and without the flag."""
    pack = _with_parameters(ff.load_pack(name), README_PARAMETERS)
    tables = col.to_tables(sample_households())
    shuffled = {
        t: f if t == "households" else f.sample(fraction=1.0, shuffle=True, seed=1)
        for t, f in tables.items()
    }
    for data in (tables, shuffled):
        flagged = vz.identify_frame(pack, data, as_of=README_AS_OF[name], reasons=False)
        with monkeypatch.context() as patch:
            patch.setattr(col, "_flag_sorted", lambda frame: frame)
            plain = vz.identify_frame(pack, data, as_of=README_AS_OF[name], reasons=False)
        assert flagged.equals(plain)
        assert (flagged.outcome != "error").all()
