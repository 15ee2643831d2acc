"""A member-level range guard that fails names the household by its id as given, although the
member frame no longer carries the string id (it is looked up from the households)."""

from __future__ import annotations

import polars as pl
import pytest

from fangfan_rules.engines import vectorized as vz
from fangfan_rules.engines.columnar_variables import ColumnarOverflowError


def test_a_failing_member_guard_names_the_household() -> None:
    households = pl.DataFrame(
        {"household_id": pl.Series([0, 1, 2], dtype=pl.UInt32), "__id": ["HH-a", "HH-b", "HH-c"]}
    )
    members = pl.DataFrame(
        {"household_id": pl.Series([0, 0, 2, 2], dtype=pl.UInt32), "n": [1, 2, 3, 99]}
    )
    guard = (pl.col("n") < 50, "a member's figure")
    vz.CompiledPack._check_guards(members.head(3), [guard], households)
    with pytest.raises(ColumnarOverflowError, match=r"^household HH-c: a member's figure exceeds"):
        vz.CompiledPack._check_guards(members, [guard], households)
    # the household frame names its own rows
    with pytest.raises(ColumnarOverflowError, match=r"^household HH-b: a figure exceeds"):
        vz.CompiledPack._check_guards(
            households.with_columns(pl.Series("n", [1, 80, 2])), [(pl.col("n") < 50, "a figure")]
        )
