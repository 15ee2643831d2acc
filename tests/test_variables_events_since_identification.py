"""Hand-worked tests of ``risk_event_since_identification`` and its columnar twin: the officials'
finding 不存在新增返贫致贫风险 (puan_2025 四、(二)③) is undated, so an event after the latest
identification is one it may not have weighed (elimination audit E2)."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import COLUMNAR, VarContext
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household

AS_OF = date(2025, 12, 31)
TYPES = ("illness", "accident")
NAME = "risk_event_since_identification"


def spell(identified: str, eliminated: str | None = None) -> dict:
    return {"category": "marginal", "identified_on": identified, "eliminated_on": eliminated}


CASES = [
    # (events, spells, expected, why)
    ([("accident", "2025-12-20")], [spell("2024-06-15")], True, "after the identification"),
    ([("accident", "2024-06-15")], [spell("2024-06-15")], False, "on its day"),
    (
        [("accident", "2024-05-01")],
        [spell("2024-06-15")],
        False,
        "before it (the risk of identification)",
    ),
    (
        [("accident", "2024-05-01")],
        [spell("2023-01-01", "2023-12-01"), spell("2024-06-15")],
        False,
        "the latest spell counts",
    ),
    ([("accident", "2025-12-20")], [], False, "never identified"),
    ([("accident", "2025-12-20")], [spell("2026-01-05")], False, "identified after as_of"),
    ([("natural_disaster", "2025-12-20")], [spell("2024-06-15")], False, "a type not read"),
    ([], [spell("2024-06-15")], False, "no event"),
]


def native(h: ff.Household) -> object:
    view, _ = ff.known_at(h, AS_OF)
    return get_variable(NAME)(Context(view, AS_OF), types=TYPES)


def columnar(h: ff.Household) -> object:
    tables = col.view_at(col.to_tables([h]), AS_OF)
    ctx = VarContext(tables, AS_OF, "household")
    value = COLUMNAR[NAME].compute(ctx, types=TYPES)
    frame = ctx.apply(tables["households"]).select("household_id", value.value.alias("v"))
    return frame.get_column("v").item()


@pytest.mark.parametrize(("events", "spells", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_hand_worked_in_both_engines(events: list, spells: list, expected: bool, why: str) -> None:
    h = household(risk_events=[{"type": t, "date": d} for t, d in events], monitoring=spells)
    assert native(h) is expected, why
    assert columnar(h) is expected, why
