"""``able_member_recorded`` and its columnar twin: what the record says, never unknown (puan_2025
四、(一)①: a dispersed 特困 household is held unless a member is recorded able)."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import COLUMNAR, VarContext
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household

AS_OF = date(2025, 12, 31)
NAME = "able_member_recorded"

CASES = [
    # (labours of two members, counted flags, expected, why)
    (("able", "none"), (True, True), True, "one recorded able"),
    (("none", "weak"), (True, True), False, "none able"),
    ((None, None), (True, True), False, "labour not recorded: no contradiction"),
    (("able", None), (False, True), False, "the able member is not counted in the household"),
]


def both(h: ff.Household) -> tuple[object, object]:
    view, _ = ff.known_at(h, AS_OF)
    native = get_variable(NAME)(Context(view, AS_OF))
    tables = col.view_at(col.to_tables([h]), AS_OF)
    ctx = VarContext(tables, AS_OF, "household")
    value = COLUMNAR[NAME].compute(ctx)
    frame = ctx.apply(tables["households"]).select(value.value.alias("v"))
    return native, frame.get_column("v").item()


@pytest.mark.parametrize(
    ("labours", "counted", "expected", "why"), CASES, ids=[c[3] for c in CASES]
)
def test_both_engines(labours: tuple, counted: tuple, expected: bool, why: str) -> None:
    members = [
        {
            "id": f"m{i}",
            "relation": "head" if i == 1 else "spouse",
            "labour": labour,
            "counted_in_household": c,
        }
        for i, (labour, c) in enumerate(zip(labours, counted, strict=True), start=1)
    ]
    native, twin = both(household(members=members))
    assert native is expected and twin is expected, why
