"""Repeated member ids found by comparing each member row with the rows before it in its
household give exactly what counting the hashes of every pair gives.

``columnar_validation._repeated_members`` takes the near comparison when each household's rows are
contiguous and few; ``_NEAR = 0`` forces the general way. Both must give the same errors and clean
tables for batches with repeated ids (next to each other, apart, in other households), null ids,
orphans and households of many members.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import columnar_validation as cv
from tests.validation_cases import outcome

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
TABLES = col.to_tables(
    [ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:30]]
)
MEMBERS = TABLES["members"]


@st.composite
def _members(draw: st.DrawFn) -> pl.DataFrame:
    rows = MEMBERS.rows()
    ids = MEMBERS.columns.index("member_id"), MEMBERS.columns.index("household_id")
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(rows) - 1))
        how = draw(st.sampled_from(["next", "end", "rename", "null", "orphan", "crowd"]))
        row = list(rows[i])
        if how == "next":  # the same member again, right after (contiguous)
            rows.insert(i + 1, tuple(row))
        elif how == "end":  # again, at the end (the household's rows are no longer contiguous)
            rows.append(tuple(row))
        elif how == "rename":  # another member of the household takes this one's id
            j = min(i + 1, len(rows) - 1)
            other = list(rows[j])
            other[ids[0]] = row[ids[0]]
            rows[j] = tuple(other)
        elif how == "null":
            row[ids[0]] = None
            rows[i] = tuple(row)
            rows.insert(i, tuple(row))
        elif how == "orphan":
            row[ids[1]] = "NO-SUCH"
            rows.extend([tuple(row), tuple(row)])
        else:  # a household of many members (beyond the near comparison), one repeated
            many = [tuple([*row[: ids[0]], f"x{k}", *row[ids[0] + 1 :]]) for k in range(20)]
            rows[i + 1 : i + 1] = [*many, many[draw(st.integers(0, 19))]]
    return pl.DataFrame(rows, schema=MEMBERS.schema, orient="row")


@settings(max_examples=60, deadline=None)
@given(_members())
def test_near_comparison_equals_counting_every_pair(members: pl.DataFrame) -> None:
    tables = {**TABLES, "members": members}
    near = outcome(tables)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cv, "_NEAR", 0)
        general = outcome(tables)
    assert near == general


def test_a_repeated_member_is_reported_either_way() -> None:
    members = pl.concat([MEMBERS.head(3), MEMBERS.slice(2, 1), MEMBERS.slice(3)])
    result = outcome({**TABLES, "members": members})
    assert "errors" in result
    hid = MEMBERS.get_column("household_id")[2]
    messages = [e for h, _, e in result["errors"] if h == hid]
    assert len(messages) == 1 and "member id appears twice" in messages[0]
