"""Case timelines: deadlines, procedure checks and the worklist (hand-built cases)."""

import shutil
from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.errors import RuleError
from fangfan_rules.timeline import Case, CaseEvent, Step, worklist

QIANSHAN = ff.load_pack("qianshan_2023")


def case(*events: tuple[Step, str], hid: str = "H1") -> Case:
    return Case(
        household_id=hid,
        events=tuple(CaseEvent(step=s, date=date.fromisoformat(d)) for s, d in events),
    )


def test_plan_deadline_extends_past_a_sunday_and_is_met():
    c = case(
        (Step.HOME_VERIFICATION, "2023-05-20"),
        (Step.SYSTEM_ENTRY, "2023-06-01"),
        (Step.PLAN_FILED, "2023-06-12"),
        (Step.MEASURES_DECLARED, "2023-06-12"),  # the 10日 cover plan and measures
    )
    by_name = {d.name.split(".", 1)[1]: d for d in QIANSHAN.deadlines(c, as_of=date(2023, 6, 30))}
    plan = by_name["plan_and_measures"]
    assert plan.due == date(2023, 6, 12)  # day 10 = Sunday 06-11 → Monday (民法典 第203条)
    assert plan.status == "met" and plan.normal_limit
    assert by_name["campaign_data_entry"].status == "met"  # entered 06-01, due 06-15


def test_overdue_pending_and_missed():
    c = case((Step.SYSTEM_ENTRY, "2023-06-01"))
    (plan,) = [d for d in QIANSHAN.deadlines(c, as_of=date(2023, 6, 5))]
    assert plan.status == "pending"
    (plan,) = QIANSHAN.deadlines(c, as_of=date(2023, 6, 13))
    assert plan.status == "overdue"
    late = case(
        (Step.SYSTEM_ENTRY, "2023-06-01"),
        (Step.PLAN_FILED, "2023-06-20"),
        (Step.MEASURES_DECLARED, "2023-06-20"),
    )
    (plan,) = QIANSHAN.deadlines(late, as_of=date(2023, 6, 30))
    assert plan.status == "missed" and plan.met_on == date(2023, 6, 20)


def test_events_after_as_of_are_not_known():
    c = case((Step.SYSTEM_ENTRY, "2023-06-01"), (Step.PLAN_FILED, "2023-06-05"))
    (plan,) = QIANSHAN.deadlines(c, as_of=date(2023, 6, 3))
    assert plan.status == "pending" and plan.met_on is None


def test_campaign_dates_only_for_cases_started_in_the_campaign():
    c = case((Step.CLUE_RECEIVED, "2023-05-10"), (Step.HOME_VERIFICATION, "2023-06-06"))
    names = {d.name: d for d in QIANSHAN.deadlines(c, as_of=date(2023, 7, 1))}
    assert names["qianshan_2023.campaign_data_entry"].status == "overdue"
    assert "qianshan_2023.campaign_screening" not in names  # no visit deadline for a case
    after = case((Step.CLUE_RECEIVED, "2023-07-10"), (Step.HOME_VERIFICATION, "2023-07-12"))
    assert QIANSHAN.deadlines(after, as_of=date(2023, 8, 1)) == ()


def test_check_procedure_reports_order_missing_steps_and_deadlines():
    c = case(
        (Step.PLAN_FILED, "2023-05-30"),
        (Step.PUBLICITY_END, "2023-05-31"),
        (Step.SYSTEM_ENTRY, "2023-06-01"),
    )
    kinds = {v.kind for v in QIANSHAN.check_procedure(c, as_of=date(2023, 7, 1))}
    # a plan before entry, even before the publicity ended, is permitted (二、(三)2: 可…同步进行
    # forbids nothing); the measures were never declared (一、(一)4)
    assert kinds == {"deadline_missed"}
    puan = ff.load_pack("puan_2025")
    out_of_order = case(
        (Step.HOME_VERIFICATION, "2025-06-03"),
        (Step.DEMOCRATIC_EVALUATION, "2025-06-05"),
        (Step.PUBLICITY_START, "2025-06-06"),
        (Step.TOWN_REVIEW, "2025-06-09"),
        (Step.PUBLICITY_END, "2025-06-12"),
    )
    wrong = [v for v in puan.check_procedure(out_of_order, as_of=date(2025, 6, 30))]
    assert [v.kind for v in wrong] == ["wrong_order"]
    assert wrong[0].text_zh == "“乡镇联合审核”（2025-06-09）早于“村级公示结束”（2025-06-12）"
    overdue = case((Step.HOME_VERIFICATION, "2023-05-20"), (Step.SYSTEM_ENTRY, "2023-06-01"))
    (violation,) = QIANSHAN.check_procedure(overdue, as_of=date(2023, 7, 1))
    assert violation.kind == "deadline_missed" and violation.normal_limit


def test_worklist_lists_due_and_overdue_within_the_horizon():
    cases = [
        case((Step.SYSTEM_ENTRY, "2023-06-01"), hid="A"),
        case((Step.SYSTEM_ENTRY, "2023-06-08"), hid="B"),
        case(
            (Step.SYSTEM_ENTRY, "2023-06-08"),
            (Step.PLAN_FILED, "2023-06-09"),
            (Step.MEASURES_DECLARED, "2023-06-09"),
            hid="C",
        ),
    ]
    frame = worklist(cases, [QIANSHAN], as_of=date(2023, 6, 14), horizon=5)
    assert list(frame["household_id"]) == ["A", "B"]
    assert list(frame["status"]) == ["overdue", "pending"]


def test_calendar_outside_known_years_is_reported_not_guessed():
    c = case((Step.SYSTEM_ENTRY, "2030-06-01"))
    (plan,) = QIANSHAN.deadlines(c, as_of=date(2030, 6, 5))
    assert plan.status == "calendar_unknown" and plan.due is None


def test_time_versioned_parameter_chosen_by_trigger_date(tmp_path):
    copy = tmp_path / "versioned"
    shutil.copytree(QIANSHAN.directory, copy)
    params = (
        (copy / "parameters.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "    2023-04-28:\n      value: 10\n",
            "    2023-07-01:\n      value: 3\n      citation: 一、(一)4\n      quote: 10日内\n"
            "    2023-04-28:\n      value: 10\n",
        )
    )
    (copy / "parameters.yaml").write_text(params, encoding="utf-8")
    pack = ff.Pack.from_directory(copy)
    before = pack.deadlines(case((Step.SYSTEM_ENTRY, "2023-06-30")), as_of=date(2023, 7, 20))
    after = pack.deadlines(case((Step.SYSTEM_ENTRY, "2023-07-03")), as_of=date(2023, 7, 20))
    assert before[0].days == 10 and after[0].days == 3


def test_bad_timeline_is_rejected(tmp_path):
    copy = tmp_path / "bad"
    shutil.copytree(QIANSHAN.directory, copy)
    (copy / "timeline.yaml").write_text(
        "deadlines:\n  - id: x\n    title: {zh: 甲, en: a}\n    citation: 一\n    start: [system_entry]\n"
        "    met_by: [plan_filed]\n    days: 3\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="count"):
        ff.Pack.from_directory(copy)


def test_monthly_tasks_clamp_to_the_end_of_short_months(tmp_path):
    from fangfan_rules.timeline import monthly_due_dates

    copy = tmp_path / "monthly"
    shutil.copytree(QIANSHAN.directory, copy)
    text = (copy / "timeline.yaml").read_text(encoding="utf-8")
    text += (
        "monthly:\n  - id: ledger\n    title: {zh: 台账报备, en: ledger filed}\n    citation: 一、(一)4\n"
        "    day: 30\n"
    )
    (copy / "timeline.yaml").write_text(text, encoding="utf-8")
    pack = ff.Pack.from_directory(copy)
    assert monthly_due_dates(pack, 2024, 2)[0][1] == date(2024, 2, 29)
    assert monthly_due_dates(pack, 2023, 9)[0][1] == date(2023, 9, 30)  # April 2023 owes nothing
    assert monthly_due_dates(pack, 2023, 6)[0][1] == date(2023, 6, 30)


def test_monthly_tasks_are_not_owed_before_the_document(tmp_path):
    """A month the document does not cover owes nothing (jimo_2022 finding 9): the notice of
    2022-04-07 owes the 4th / 7th reports on April from May, and none for March."""
    from fangfan_rules.errors import NotInForceError
    from fangfan_rules.timeline import monthly_due_dates

    jimo = ff.load_pack("jimo_2022")
    with pytest.raises(NotInForceError, match="2022-02"):
        monthly_due_dates(jimo, 2022, 2)
    april = {t.day: due for t, due in monthly_due_dates(jimo, 2022, 4)}
    assert 4 not in april and 7 not in april
    may = sorted({due for _, due in monthly_due_dates(jimo, 2022, 5)})
    assert may[:2] == [date(2022, 5, 4), date(2022, 5, 7)]


def test_a_closed_case_stops_its_time_limits():
    c = case(
        (Step.HOME_VERIFICATION, "2023-05-20"),
        (Step.SYSTEM_ENTRY, "2023-06-01"),
        (Step.CASE_CLOSED, "2023-06-05"),
    )
    by_name = {d.name.split(".", 1)[1]: d for d in QIANSHAN.deadlines(c, as_of=date(2023, 7, 1))}
    plan = by_name["plan_and_measures"]
    assert plan.status == "closed" and plan.due is None
    assert QIANSHAN.check_procedure(c, as_of=date(2023, 7, 1)) == ()


def test_every_step_has_its_chinese_name():
    from fangfan_rules.timeline import Step

    assert all(step.zh and step.zh.isascii() is False for step in Step)


def test_a_start_the_document_does_not_print_is_shown_but_never_a_breach():
    # jimo_2022 二、(二) prints the 3 working days of 入户核实, not when they start: the pack counts
    # from the receipt (a reading), so the late visit is shown on the deadline, in words that say
    # so, and in the worklist — and the procedure check asserts no breach on it.
    jimo = ff.load_pack("jimo_2022")
    late = case((Step.CLUE_RECEIVED, "2022-04-07"), (Step.HOME_VERIFICATION, "2022-04-13"))
    by_name = {d.name: d for d in jimo.deadlines(late, as_of=date(2022, 4, 13))}
    visit = by_name["jimo_2022.home_verification_time"]
    assert (visit.status, visit.due, visit.start_is_reading) == ("missed", date(2022, 4, 12), True)
    assert visit.status_zh == "逾期完成（按本包对何时起算的解读计算，不认定为违反时限）"
    assert "pack's reading of when it starts" in visit.status_text("en")
    assert jimo.check_procedure(late, as_of=date(2022, 4, 13)) == ()
    waiting = case((Step.CLUE_RECEIVED, "2022-04-07"))
    frame = worklist([waiting], jimo, as_of=date(2022, 4, 13))
    row = frame[frame.deadline == "jimo_2022.home_verification_time"].iloc[0]
    assert (row.status, bool(row.start_is_reading)) == ("overdue", True)
    # a limit whose start the document prints keeps asserting the breach (of a normal limit, 原则上:
    # it says so, audit TA-6)
    (plan,) = QIANSHAN.deadlines(case((Step.SYSTEM_ENTRY, "2023-06-01")), as_of=date(2023, 6, 13))
    assert (plan.status, plan.start_is_reading, plan.status_zh) == (
        "overdue",
        False,
        "已逾期（原则上的期限）",
    )


def test_a_case_before_a_pack_exists_has_no_deadline_and_no_violation():
    """A day before the pack's first day has no deadline of it (a worklist across packs of
    different years answers for each); without an as_of the case's own last day is used and
    nothing before the pack is judged; an explicit as_of before it is refused."""
    puan = ff.load_pack("puan_2025")
    old = case(
        (Step.APPLICATION, "2024-05-01"),
        (Step.PUBLICITY_START, "2024-05-06"),
        (Step.PUBLICITY_END, "2024-05-08"),
    )
    assert puan.deadlines(old, as_of=date(2024, 6, 1)) == ()
    assert puan.check_procedure(old) == ()
    assert puan.check_procedure(old, as_of=date(2025, 6, 1)) == ()
    with pytest.raises(ff.NotInForceError):
        puan.check_procedure(old, as_of=date(2024, 6, 1))
    frame = worklist([old], [puan, QIANSHAN], as_of=date(2023, 6, 14), horizon=5)
    assert len(frame) == 0
