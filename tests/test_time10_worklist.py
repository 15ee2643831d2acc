"""The worklist past the calendar's end (audit TA-5) and a case holding two procedures (TA-3)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_OK, main
from fangfan_rules.errors import FactError
from fangfan_rules.timeline import Case, CaseEvent, Step, worklist

PUAN = ff.load_pack("puan_2025")


def case(hid: str, *events: tuple[Step, str]) -> Case:
    return Case(
        household_id=hid,
        events=tuple(CaseEvent(step=s, date=date.fromisoformat(d)) for s, d in events),
    )


def test_a_horizon_past_the_calendar_keeps_the_overdue_rows_and_says_so() -> None:
    """2026-12-22 + 5 working days runs past 2026-12-28 (the calendar's last day): the overdue
    rows are fully known and listed; the warning says due-soon is not computed past the end."""
    old = case("H1", (Step.CLUE_RECEIVED, "2026-11-02"))
    frame = worklist([old], PUAN, as_of=date(2026, 12, 22))
    assert list(frame["status"]) == ["overdue", "overdue"]
    assert [str(d) for d in frame["due"]] == ["2026-11-09", "2026-11-17"]
    (warning,) = frame.attrs["warnings"]
    assert "runs past the calendar" in warning and "2026-12-29" in warning
    assert frame.attrs["errors"] == ()
    # the same case with a horizon the calendar knows: the same rows, no warning
    same = worklist([old], PUAN, as_of=date(2026, 12, 10))
    assert list(same["status"]) == ["overdue", "overdue"] and same.attrs["warnings"] == ()


def test_due_soon_past_the_calendar_is_listed_from_the_known_days_never_guessed() -> None:
    # clue 12-21: 5 working days → due 12-28 (known); 3 working days strictly between 12-22 and
    # 12-28 (23, 24, 25): within 5 working days of 12-22 whatever 2027 holds → pending, listed
    soon = case("H2", (Step.CLUE_RECEIVED, "2026-12-21"))
    frame = worklist([soon], PUAN, as_of=date(2026, 12, 22)).set_index("deadline")
    row = frame.loc["puan_2025.clue_home_verification"]
    assert row["status"] == "pending" and str(row["due"]) == "2026-12-28"
    # its 15 days end in 2027 (rest-day extension unknown): calendar_unknown, as ever
    assert frame.loc["puan_2025.identification_within_15_days", "status"] == "calendar_unknown"


def test_a_pending_limit_the_known_days_cannot_place_is_a_calendar_unknown_row() -> None:
    from fangfan_rules.timeline import _due_within

    # from 2026-12-28 the count starts on 12-29, which the calendar does not know: a due date
    # 2027-01-05 cannot be placed — None, not a guess
    assert _due_within(date(2026, 12, 28), date(2027, 1, 5), 5, None) is None
    # enough known working days before the due date: certainly not within the horizon
    assert _due_within(date(2026, 12, 14), date(2027, 1, 5), 5, None) is False
    # horizon 0: due on as_of (a working day) is within it, the next day is not
    assert _due_within(date(2026, 12, 28), date(2026, 12, 28), 0, None) is True
    assert _due_within(date(2026, 12, 25), date(2026, 12, 28), 0, None) is False


def test_cli_due_prints_the_horizon_warning_on_stderr(tmp_path, capsys) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"household_id": "H1", "events": [{"step": "clue_received", "date": "2026-11-02"}]}\n',
        encoding="utf-8",
    )
    argv = ["due", "--pack", "puan_2025", "--as-of", "2026-12-22", "--format", "json", str(cases)]
    assert main(argv) == EXIT_OK
    captured = capsys.readouterr()
    assert [r["status"] for r in json.loads(captured.out)] == ["overdue", "overdue"]
    assert captured.err.count("warning: the horizon (5 working days after 2026-12-22)") == 1


# --- TA-3: a case is one procedure -------------------------------------------------------------

TWO = case(
    "H1",
    (Step.CLUE_RECEIVED, "2025-04-01"),
    (Step.HOME_VERIFICATION, "2025-04-03"),
    (Step.CASE_CLOSED, "2025-04-10"),
    (Step.CLUE_RECEIVED, "2025-06-02"),
)


def test_a_clue_after_the_closure_is_refused_naming_household_step_and_date() -> None:
    with pytest.raises(FactError) as caught:
        PUAN.deadlines(TWO, as_of=date(2025, 6, 30))
    text = str(caught.value)
    assert "household H1" in text and "clue_received" in text and "2025-06-02" in text
    assert "case_closed 2025-04-10" in text and "new case" in text
    with pytest.raises(FactError):
        PUAN.check_procedure(TWO, as_of=date(2025, 6, 30))
    # as known before the second clue, the case is one procedure
    assert PUAN.check_procedure(TWO, as_of=date(2025, 5, 1)) == ()


def test_the_id_number_of_a_refused_case_is_masked() -> None:
    idno = "11010519491231002X"
    bad = TWO.model_copy(update={"household_id": idno})
    with pytest.raises(FactError) as caught:
        PUAN.deadlines(bad, as_of=date(2025, 6, 30))
    assert idno not in str(caught.value)
    frame = worklist([bad], PUAN, as_of=date(2025, 6, 30))
    assert idno not in frame.to_string() and idno not in " ".join(frame.attrs["errors"])


def test_the_worklist_reports_a_two_procedure_case_and_answers_the_others() -> None:
    other = case("H2", (Step.CLUE_RECEIVED, "2025-06-02"))
    frame = worklist([TWO, other], PUAN, as_of=date(2025, 6, 30))
    errors = frame[frame["status"] == "error"]
    assert list(errors["household_id"]) == ["H1"]
    assert "2025-06-02" in errors.iloc[0]["status_zh"]
    assert set(frame[frame["status"] != "error"]["household_id"]) == {"H2"}
    (message,) = frame.attrs["errors"]
    assert "clue_received" in message


def test_cli_due_reports_the_case_as_a_bad_row_and_answers_the_rest(tmp_path, capsys) -> None:
    cases = tmp_path / "cases.jsonl"
    events = [
        {"step": "clue_received", "date": "2025-04-01"},
        {"step": "home_verification", "date": "2025-04-03"},
        {"step": "case_closed", "date": "2025-04-10"},
        {"step": "clue_received", "date": "2025-06-02"},
    ]
    lines = [
        {"household_id": "H1", "events": events},
        {"household_id": "H2", "events": [{"step": "clue_received", "date": "2025-06-02"}]},
    ]
    cases.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    argv = ["due", "--pack", "puan_2025", "--as-of", "2025-06-30", "--format", "json", str(cases)]
    assert main(argv) == EXIT_BAD_ROWS
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    (bad,) = [r for r in rows if r["status"] == "error"]
    assert bad["line"] == 1 and "2025-06-02" in bad["error"] and "case_closed" in bad["error"]
    assert {r["household_id"] for r in rows if r["status"] != "error"} == {"H2"}
    assert "bad case line 1" in captured.err


def test_due_help_says_a_case_is_one_procedure(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["due", "--help"]) == EXIT_OK
    text = " ".join(capsys.readouterr().out.split())
    assert "A case is one procedure" in text and "opens a new case" in text


# --- TA-2: a later step presupposes the step (implied_by) -----------------------------------------


def test_a_presupposed_step_is_met_or_done_on_a_date_not_recorded_never_not_done() -> None:
    rongan = ff.load_pack("rongan_2022")
    late = case(
        "H1",
        (Step.CLUE_RECEIVED, "2022-05-05"),
        (Step.HOME_VERIFICATION, "2022-05-06"),
        (Step.TOWN_REVIEW, "2022-05-20"),
    )
    by_name = {d.name: d for d in rongan.deadlines(late, as_of=date(2022, 6, 30))}
    response = by_name["rongan_2022.suspected_response"]
    assert response.status == "done_date_unknown" and response.met_on is None
    assert response.status_text("zh").startswith("已完成") and "无法判断" in response.status_text()
    assert response.note is not None and "2022-05-20" in response.note
    assert rongan.check_procedure(late, as_of=date(2022, 6, 30)) == ()
    frame = worklist([late], rongan, as_of=date(2022, 5, 30))
    assert "rongan_2022.suspected_response" not in set(frame["deadline"])
    # a recorded response still decides: late → missed and asserted, as before
    answered = case(
        "H2",
        (Step.CLUE_RECEIVED, "2022-05-05"),
        (Step.RESPONSE, "2022-05-13"),
        (Step.TOWN_REVIEW, "2022-05-20"),
    )
    by_name = {d.name: d for d in rongan.deadlines(answered, as_of=date(2022, 6, 30))}
    assert by_name["rongan_2022.suspected_response"].status == "missed"
