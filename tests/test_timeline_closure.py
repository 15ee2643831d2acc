"""A closure (case_closed) and a deadline the calendar cannot date (review R9): the status stays
calendar_unknown, with the closure in its note — neither closed nor closed_overdue can be said."""

from __future__ import annotations

from datetime import date

import fangfan_rules as ff
from fangfan_rules.timeline import Case, CaseEvent, Step


def test_a_closure_cannot_be_judged_against_a_due_day_the_calendar_does_not_know() -> None:
    puan = ff.load_pack("puan_2025")
    case = Case(
        household_id="H1",
        events=(
            CaseEvent(step=Step.CLUE_RECEIVED, date=date(2030, 12, 28)),
            CaseEvent(step=Step.CASE_CLOSED, date=date(2031, 3, 1)),
        ),
    )
    deadlines = puan.deadlines(case, as_of=date(2031, 3, 10))
    assert deadlines and all(d.status == "calendar_unknown" and d.due is None for d in deadlines)
    assert all(
        d.note is not None and d.note.endswith("; case closed on 2031-03-01") for d in deadlines
    )
    assert puan.check_procedure(case, as_of=date(2031, 3, 10)) == ()
