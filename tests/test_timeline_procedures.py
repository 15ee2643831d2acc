"""A record kept per household (the service's case store) holds several procedures; the library's
own cases are one procedure each (timeline.check_one_procedure). ``procedures`` splits the first
into the second, so the store never shows a household's new clue as an error."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.errors import FactError
from fangfan_rules.timeline import Case, CaseEvent, Step, check_one_procedure, procedures

PUAN = ff.load_pack("puan_2025")


def case(*events: tuple[Step, str]) -> Case:
    return Case(
        household_id="H1",
        events=tuple(CaseEvent(step=s, date=date.fromisoformat(d)) for s, d in events),
    )


def test_one_procedure_is_returned_whole() -> None:
    one = case((Step.CLUE_RECEIVED, "2025-04-01"), (Step.CASE_CLOSED, "2025-04-10"))
    assert procedures(one) == (one,)
    assert procedures(case()) == (case(),)


def test_a_clue_after_a_closure_begins_the_next_procedure() -> None:
    record = case(
        (Step.CLUE_RECEIVED, "2025-06-02"),  # written later, stored in any order
        (Step.CLUE_RECEIVED, "2025-04-01"),
        (Step.HOME_VERIFICATION, "2025-04-03"),
        (Step.CASE_CLOSED, "2025-04-10"),
    )
    with pytest.raises(FactError):
        check_one_procedure(record)
    first, second = procedures(record)
    assert [e.step for e in first.events] == [
        Step.CLUE_RECEIVED,
        Step.HOME_VERIFICATION,
        Step.CASE_CLOSED,
    ]
    assert [(e.step, str(e.date)) for e in second.events] == [(Step.CLUE_RECEIVED, "2025-06-02")]
    for part in (first, second):
        check_one_procedure(part)  # each is one procedure
    # the running procedure's limits: the June clue's home visit is overdue (nothing lost)
    by_name = {d.name: d for d in PUAN.deadlines(second, as_of=date(2025, 6, 30))}
    assert by_name["puan_2025.clue_home_verification"].status == "overdue"


def test_a_step_on_the_closure_day_and_a_later_non_opening_step_stay_in_the_procedure() -> None:
    record = case(
        (Step.CLUE_RECEIVED, "2025-04-01"),
        (Step.CASE_CLOSED, "2025-04-10"),
        (Step.CLUE_RECEIVED, "2025-04-10"),  # same day: not after the closure
        (Step.HOME_VERIFICATION, "2025-04-12"),
    )
    assert procedures(record) == (record,)
