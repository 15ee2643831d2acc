"""Hand-worked tests of ``risk_event_since_elimination`` (fangfan_rules/variables/events.py) and
its columnar twin: ewenki_2024 二、(二)'s green channel rests on a disaster or accident dated after
the household's latest 风险消除 (an earlier one was weighed by the procedure that identified and
eliminated it); a household never eliminated: any event counts; an elimination dated after as_of
is not known yet."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household

AS_OF = date(2024, 5, 20)
TYPES = ("natural_disaster", "accident")


def spell(eliminated: str | None) -> dict:
    return {"category": "marginal", "identified_on": "2023-06-01", "eliminated_on": eliminated}


CASES = [
    # (events, spells, expected, why)
    ([("natural_disaster", "2024-03-02")], [], True, "never monitored"),
    ([("natural_disaster", "2024-03-02")], [spell("2024-01-10")], True, "after the elimination"),
    ([("natural_disaster", "2024-03-02")], [spell("2024-04-15")], False, "before it"),
    ([("natural_disaster", "2024-03-02")], [spell("2024-03-02")], False, "on its day"),
    ([("natural_disaster", "2024-03-02")], [spell(None)], True, "spell not eliminated"),
    ([("natural_disaster", "2024-03-02")], [spell("2024-06-01")], True, "eliminated after as_of"),
    ([("illness", "2024-03-02")], [], False, "a type not read"),
    ([], [spell("2024-01-10")], False, "no event"),
]


def since(h: ff.Household) -> object:
    view, _ = ff.known_at(h, AS_OF)
    return get_variable("risk_event_since_elimination")(Context(view, AS_OF), types=TYPES)


@pytest.mark.parametrize(("events", "spells", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_hand_worked(events: list, spells: list, expected: bool, why: str) -> None:
    h = household(risk_events=[{"type": t, "date": d} for t, d in events], monitoring=spells)
    assert since(h) is expected, why


def test_the_vectorized_engine_agrees_with_the_native_one() -> None:
    pack = ff.load_pack("ewenki_2024").with_parameters(screening_lookback_start="2023-05-01")
    batch = [
        household(
            id=f"E-{i}",
            area={
                "county": "鄂温克族自治旗",
                "town": "巴彦塔拉达斡尔民族乡",
                "village": "示例嘎查",
            },
            self_coping=False,
            risk_events=[{"type": t, "date": d} for t, d in events],
            monitoring=spells,
        )
        for i, (events, spells, _, _) in enumerate(CASES)
    ]
    native = results_frame(pack.identify_many(batch, as_of=AS_OF))
    vectorized = pack.identify_frame(batch, as_of=AS_OF, engine="vectorized")
    assert list(native.outcome) == list(vectorized.outcome)
    assert list(native.green_channel) == list(vectorized.green_channel)
    # the green channel follows the variable where the household is not under monitoring (a spell
    # not eliminated, or eliminated only after as_of, is under monitoring on as_of)
    monitored = {"spell not eliminated", "eliminated after as_of"}
    expected = [c[2] and c[3] not in monitored for c in CASES]
    assert list(native.green_channel) == expected


BEFORE = date(2023, 5, 1)  # the caller's look-back start in the ewenki cases


def early_spell(eliminated: str) -> dict:
    return {"category": "marginal", "identified_on": "2021-06-01", "eliminated_on": eliminated}


OLDER_CASES = [
    # (events, spells, expected, why): an event after the latest elimination and before BEFORE
    ([("illness", "2023-01-02")], [], True, "never monitored, older event"),
    (
        [("illness", "2023-01-02")],
        [early_spell("2022-04-15")],
        True,
        "after the elimination, older",
    ),
    ([("illness", "2023-01-02")], [early_spell("2024-04-15")], False, "before the elimination"),
    (
        [("illness", "2023-05-01")],
        [early_spell("2022-04-15")],
        False,
        "on the start day: not before it",
    ),
    ([("illness", "2023-04-30")], [early_spell("2023-04-30")], False, "on the elimination day"),
    ([("illness", "2023-01-02")], [early_spell("2024-06-01")], True, "eliminated after as_of"),
    ([("accident", "2023-01-02")], [], False, "a type not read"),
]


UNTIL_CASES = [
    # (events, spells, expected, why): an event on or before the latest elimination (known on as_of)
    ([("illness", "2023-01-02")], [], False, "never eliminated"),
    ([("illness", "2023-01-02")], [early_spell("2024-04-15")], True, "before the elimination"),
    ([("illness", "2024-04-15")], [early_spell("2024-04-15")], True, "on the elimination day"),
    ([("illness", "2024-04-16")], [early_spell("2024-04-15")], False, "after it"),
    ([("illness", "2023-01-02")], [early_spell("2024-06-01")], False, "eliminated after as_of"),
    ([("illness", "2015-03-01")], [early_spell("2022-04-15")], True, "whatever its age"),
    ([("accident", "2023-01-02")], [early_spell("2024-04-15")], False, "a type not read"),
    (
        [("illness", "2023-01-02")],
        [early_spell("2022-04-15"), {**spell("2024-04-15"), "identified_on": "2023-06-01"}],
        True,
        "the latest of two eliminations",
    ),
]


#: (variable, arguments, cases): each variable of events around the latest elimination, both engines
BY_VARIABLE = [
    (
        "risk_event_since_elimination_before",
        {"before": BEFORE, "types": ("illness",)},
        OLDER_CASES,
    ),
    ("risk_event_until_elimination", {"types": ("illness",)}, UNTIL_CASES),
]


@pytest.mark.parametrize(
    ("name", "args", "events", "spells", "expected", "why"),
    [(name, args, *case) for name, args, cases in BY_VARIABLE for case in cases],
    ids=[f"{name}: {case[3]}" for name, _, cases in BY_VARIABLE for case in cases],
)
def test_native_and_columnar(
    name: str, args: dict, events: list, spells: list, expected: bool, why: str
) -> None:
    from tests.test_variables_labour_events_income import _columnar, _native

    h = household(
        id="e", risk_events=[{"type": t, "date": d} for t, d in events], monitoring=spells
    )
    assert _native(name, h, as_of=AS_OF, **args) is expected, why
    assert _columnar(name, [h], as_of=AS_OF, **args)["e"] is expected, why
