"""The worklist says a limit counted on the pack's reading is not a breach (qianshan audit Q12b)."""

from __future__ import annotations

from datetime import date

import fangfan_rules as ff
from fangfan_rules.timeline import Case, CaseEvent, Step, worklist


def test_a_reading_is_never_shown_as_a_plain_overdue() -> None:
    jimo = ff.load_pack("jimo_2022")
    # jimo's 3 working days run from the warning's receipt: the start is the pack's reading
    late = Case(
        household_id="H1", events=(CaseEvent(step=Step.CLUE_RECEIVED, date=date(2022, 5, 9)),)
    )
    # its 15 days from the visit are printed: a plain overdue
    printed = Case(
        household_id="H2",
        events=(
            CaseEvent(step=Step.CLUE_RECEIVED, date=date(2022, 5, 9)),
            CaseEvent(step=Step.HOME_VERIFICATION, date=date(2022, 5, 11)),
        ),
    )
    frame = worklist([late, printed], jimo, as_of=date(2022, 6, 1)).set_index("household_id")
    reading = frame.loc["H1"]
    assert reading["status"] == "overdue" and bool(reading["start_is_reading"])
    assert reading["status_zh"] == "已逾期（按本包对何时起算的解读计算，不认定为违反时限）"
    plain = frame.loc["H2"]
    assert plain["status"] == "overdue" and not bool(plain["start_is_reading"])
    assert plain["status_zh"] == "已逾期（原则上的期限）"  # 原则上不超过15天: a normal limit (TA-6)
