"""Hand-worked tests of ``risk_event_not_closed`` (fangfan_rules/variables/events.py) and its
columnar twin.

rongan_2022 二、(一)3 "对通过各种方式和渠道发现的疑似风险户，乡镇、行政村应在 5 个工作日内…快速响应，按照程序
进行上报": a risk event makes the household a suspected one until the procedure has dealt with it — a
clue received on or after the event and closed (办结) by as_of. An event after the last closed clue is
new; a closure dated after as_of is not known yet.
"""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.dates import DateRange
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household, record

YEAR = DateRange(start=date(2022, 1, 1), end=date(2022, 12, 31))
TYPES = ("illness", "accident")
AS_OF = date(2022, 11, 1)


def clue(received: str, closed: str | None) -> dict:
    return {"channel": "self_application", "received_on": received, "closed_on": closed}


def not_closed(h: ff.Household, as_of: date = AS_OF) -> object:
    view, _ = ff.known_at(h, as_of)
    return get_variable("risk_event_not_closed")(Context(view, as_of), window=YEAR, types=TYPES)


CASES = [
    # (events, clues, expected, why)
    ([("illness", "2022-02-10")], [], True, "an event and no clue at all"),
    ([("illness", "2022-02-10")], [clue("2022-02-11", "2022-02-20")], False, "closed after it"),
    ([("illness", "2022-02-10")], [clue("2022-02-10", "2022-02-20")], False, "clue the same day"),
    ([("illness", "2022-02-10")], [clue("2022-02-09", "2022-02-20")], True, "clue before it"),
    ([("illness", "2022-02-10")], [clue("2022-02-11", None)], True, "clue still open"),
    ([("illness", "2022-02-10")], [clue("2022-02-11", "2022-12-01")], True, "closed after as_of"),
    (
        [("illness", "2022-02-10"), ("accident", "2022-06-03")],
        [clue("2022-02-11", "2022-02-20")],
        True,
        "a later event is new",
    ),
    ([("disability", "2022-02-10")], [], False, "a type the rule does not read"),
    ([("illness", "2021-12-30")], [], False, "outside the window"),
]


@pytest.mark.parametrize(("events", "clues", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_hand_worked(events: list, clues: list, expected: bool, why: str) -> None:
    h = household(
        risk_events=[{"type": t, "date": d} for t, d in events],
        clues=clues,
    )
    assert not_closed(h) is expected, why


def test_the_vectorized_engine_agrees_with_the_native_one() -> None:
    pack = ff.load_pack("rongan_2022").with_parameters(
        monitoring_income_line=6000, income_window="2021-01-01..2021-12-31"
    )
    batch = []
    for i, (events, clues, _, _) in enumerate(CASES):
        batch.append(
            household(
                id=f"T-{i}",
                area={"county": "融安县", "town": "长安镇", "village": "示例村"},
                income=[record("2021-01-01", "2021-12-31", wage="30000.00")],
                guarantees={
                    "housing_grade": "A",
                    "basic_medical_insured": True,
                    "compulsory_education_ok": True,
                    "drinking_water_safe": True,
                },
                risk_events=[{"type": t, "date": d} for t, d in events],
                clues=clues,
            )
        )
    native = results_frame(pack.identify_many(batch, as_of=AS_OF))
    vectorized = pack.identify_frame(batch, as_of=AS_OF, engine="vectorized")
    assert list(native.outcome) == list(vectorized.outcome)
    fired = [
        "rongan_2022.outcome.review_risk_event" in {t.rule_id for t in r.trace.fired()}
        for r in pack.identify_many(batch, as_of=AS_OF)
    ]
    # the rule reads every risk type: the disability event of 2022 fires it too
    assert fired == [c[2] or c[3] == "a type the rule does not read" for c in CASES]
