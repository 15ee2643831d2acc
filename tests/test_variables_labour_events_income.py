"""Hand-worked tests of has_able_member, risk_event_before and per_capita_net_income_months_back
(fangfan_rules/variables/{labour,events,income_recent}.py), native and columnar alike."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import COLUMNAR, VarContext
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context
from tests.helpers import household

AS_OF = date(2024, 6, 30)


def _native(name: str, h: ff.Household, as_of: date = AS_OF, **args: Any) -> Any:
    view, _ = ff.known_at(h, as_of)
    return ff.VARIABLES[name](Context(view, as_of), **args)


def _columnar(name: str, households: list[ff.Household], as_of: date = AS_OF, **args: Any):
    """household id → the columnar value (None = unknown), as an exact Fraction for money."""
    tables = col.view_at(col.to_tables(households), as_of)
    ctx = VarContext(tables, as_of, "household")
    value = COLUMNAR[name].compute(ctx, **args)
    columns = [value.value.alias("v")]
    if value.den is not None:
        columns.append(value.den.alias("den"))
    frame = ctx.apply(tables["households"]).select("household_id", *columns)
    out = {}
    for row in frame.iter_rows(named=True):
        v = row["v"]
        if v is not None and value.den is not None:
            v = Fraction(int(v), int(row["den"]) * 100)  # money is counted in fen
        out[row["household_id"]] = v
    return out


def _members(*labours: str | None, counted: tuple[bool, ...] | None = None) -> list[dict]:
    members = []
    for i, labour in enumerate(labours):
        member: dict[str, Any] = {"id": f"m{i + 1}", "relation": "head" if i == 0 else "child"}
        if labour is not None:
            member["labour"] = labour
        if counted is not None:
            member["counted_in_household"] = counted[i]
        members.append(member)
    return members


LABOUR_CASES = {
    # id: (members, expected native value: True / False / "unknown")
    "able": (_members("able", "none"), True),
    "able_beside_unknown": (_members(None, "able"), True),
    "weak_and_none": (_members("weak", "none"), False),
    "none_and_unknown": (_members("none", None), "unknown"),
    "all_unknown": (_members(None, None), "unknown"),
    # A member not counted in the household (e.g. moved out) neither makes it able nor unknown.
    "able_not_counted": (_members("none", "able", counted=(True, False)), False),
    "unknown_not_counted": (_members("none", None, counted=(True, False)), False),
}


@pytest.mark.parametrize("case", sorted(LABOUR_CASES))
def test_has_able_member_keeps_unknown_apart_from_no(case):
    members, expected = LABOUR_CASES[case]
    h = household(id=case, members=members)
    value = _native("has_able_member", h)
    if expected == "unknown":
        assert isinstance(value, Missing)
        unrecorded = [m["id"] for m in members if "labour" not in m]
        assert value.facts == tuple(f"members[{m}].labour" for m in unrecorded)
    else:
        assert value is expected


def test_has_able_member_columnar_agrees():
    batch = [household(id=k, members=v[0]) for k, v in sorted(LABOUR_CASES.items())]
    got = _columnar("has_able_member", batch)
    for case, (_, expected) in LABOUR_CASES.items():
        assert got[case] == (None if expected == "unknown" else expected), case


EVENTS = [
    {"type": "natural_disaster", "date": "2023-04-30"},
    {"type": "accident", "date": "2023-05-01"},
    {"type": "illness", "date": "2024-07-01"},  # after as_of: not known on 2024-06-30
]


@pytest.mark.parametrize(
    ("types", "before", "expected"),
    [
        (("natural_disaster",), date(2023, 5, 1), True),  # the day before counts
        (("natural_disaster",), date(2023, 4, 30), False),  # strictly before
        (("accident",), date(2023, 5, 1), False),  # on the day is not before
        (("accident",), date(2023, 5, 2), True),
        (("illness",), date(2025, 1, 1), False),  # dated after as_of: not in the view
        (("unstable_employment", "industry_failure"), date(2025, 1, 1), False),
    ],
)
def test_risk_event_before(types, before, expected):
    h = household(id="e", risk_events=EVENTS)
    assert _native("risk_event_before", h, before=before, types=types) is expected
    assert _columnar("risk_event_before", [h], before=before, types=types)["e"] is expected


INCOME = [
    # 2023: 36,500 (100 a day); 2024-01-01..2024-06-30: 18,200 (100 a day) — two members.
    {"start": "2023-01-01", "end": "2023-12-31", "wage_income": "36500.00"},
    {"start": "2024-01-01", "end": "2024-06-30", "wage_income": "18200.00"},
]


def _income(records: list[dict]) -> list[dict]:
    zero = {"business_income": "0", "property_income": "0", "transfer_income": "0"}
    return [{**zero, "business_expense": "0", **r} for r in records]


def test_per_capita_income_of_the_months_ending_on_as_of():
    h = household(id="i", members=_members("able", "able"), income=_income(INCOME))
    # 12 months ending 2024-06-30 = 2023-07-01..2024-06-30: 366 days at 100 → 36,600 → 18,300 a head.
    assert _native("per_capita_net_income_months_back", h, months=12) == Decimal("18300.00")
    # 3 months ending 2024-06-30 are April to June (they start 3 months before the day after,
    # 2024-07-01): 2024-04-01..2024-06-30 = 91 days → 9,100 → 4,550 a head. (Counted back from
    # the 30th they began on 03-31, a day too many: elimination audit E3.)
    assert _native("per_capita_net_income_months_back", h, months=3) == Decimal("4550.00")
    got3 = _columnar("per_capita_net_income_months_back", [h], months=3)
    assert got3["i"] == Fraction(4550)
    got = _columnar("per_capita_net_income_months_back", [h], months=12)
    assert got["i"] == Fraction(18300)
    # The same window income_stably_above checks on as_of (months 0 = as_of's window only).
    line = Decimal("18299.99")
    assert _native("income_stably_above", h, line=line, months=0) is True
    assert _native("income_stably_above", h, line=Decimal("18300"), months=0) is False


def test_per_capita_income_of_the_months_ending_on_as_of_unknown_when_uncovered():
    h = household(id="u", members=_members("able", "able"), income=_income(INCOME[:1]))
    value = _native("per_capita_net_income_months_back", h, months=12)
    assert isinstance(value, Missing)
    assert any("182 of 366 days" in f for f in value.facts)
    assert _columnar("per_capita_net_income_months_back", [h], months=12)["u"] is None
