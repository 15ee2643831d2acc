"""Household-fact deadlines read their period on the triggering date (audit TA-9), a step done by
start + N is met on any calendar (TA-10), and a normal limit says so in words (TA-6)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import yaml

import fangfan_rules as ff
from fangfan_rules.results import Deadline
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.timeline import Case, CaseEvent, Step

CASES = Path(__file__).parent / "cases" / "qianshan_2023" / "deadlines.yaml"


def _versioned(tmp_path: Path) -> ff.Pack:
    """qianshan with its 10日 changed to 3 from 2023-07-01 (a dated change, as jimo's 5 → 3)."""
    copy = tmp_path / "versioned"
    shutil.copytree(ff.load_pack("qianshan_2023").directory, copy)
    params = (copy / "parameters.yaml").read_text(encoding="utf-8")
    changed = params.replace(
        "    2023-04-28:\n      value: 10\n",
        "    2023-07-01:\n      value: 3\n      citation: 一、(一)4\n      quote: 10日内\n"
        "    2023-04-28:\n      value: 10\n",
    )
    assert changed != params
    (copy / "parameters.yaml").write_text(changed, encoding="utf-8")
    return ff.Pack.from_directory(copy).with_parameters(monitoring_income_line=6900)


def test_a_household_deadline_reads_its_period_on_the_day_it_starts(tmp_path) -> None:
    pack = _versioned(tmp_path)
    household = yaml.safe_load(CASES.read_text(encoding="utf-8"))["defaults"]["household"]
    household["monitoring"] = [
        {"category": "marginal", "identified_on": "2023-05-30", "system_entry_on": "2023-06-01"}
    ]
    for as_of in (date(2023, 6, 5), date(2023, 7, 20)):
        (deadline,) = pack.identify(ff.load_household(household), as_of=as_of).deadlines
        # entered 2023-06-01, when the period was 10 days: 06-11 is a Sunday → 06-12
        assert (deadline.days, deadline.due) == (10, date(2023, 6, 12)), as_of
    later = dict(
        household, monitoring=[dict(household["monitoring"][0], system_entry_on="2023-07-03")]
    )
    (deadline,) = pack.identify(ff.load_household(later), as_of=date(2023, 7, 20)).deadlines
    assert deadline.days == 3


def test_a_step_done_by_start_plus_n_is_met_whatever_the_calendar() -> None:
    puan = ff.load_pack("puan_2025")
    case = Case(
        household_id="H1",
        events=(
            CaseEvent(step=Step.CLUE_RECEIVED, date=date(2026, 12, 20)),
            CaseEvent(step=Step.COUNTY_APPROVAL, date=date(2026, 12, 28)),
        ),
    )
    by_name = {d.name: d for d in puan.deadlines(case, as_of=date(2026, 12, 28))}
    fifteen = by_name["puan_2025.identification_within_15_days"]
    assert (fifteen.status, fifteen.due, fifteen.met_on) == ("met", None, date(2026, 12, 28))
    # working days: 5 working days take at least 5 days — a step on day 5 is met, day 6 unknown
    common = dict(
        name="x", label=LocalText(zh="x", en="x"), citation="x", as_of=date(2027, 1, 30),
        days=5, count="working",
    )  # fmt: skip
    met = Deadline.compute(**common, start=date(2026, 12, 27), met_on=date(2027, 1, 1))
    assert met.status == "met" and met.due is None
    open_ = Deadline.compute(**common, start=date(2026, 12, 27), met_on=date(2027, 1, 2))
    assert open_.status == "calendar_unknown"


def test_a_normal_limit_says_so_in_its_status_and_violation() -> None:
    ewenki = ff.load_pack("ewenki_2024")
    case = Case(
        household_id="H1", events=(CaseEvent(step=Step.CLUE_RECEIVED, date=date(2024, 5, 15)),)
    )
    (screening,) = [
        d for d in ewenki.deadlines(case, as_of=date(2024, 6, 20)) if d.name.endswith("screening")
    ]
    assert screening.normal_limit and screening.status_zh == "已逾期（原则上的期限）"
    assert "原则上" in screening.label.zh
    (violation,) = ewenki.check_procedure(case, as_of=date(2024, 6, 20))
    assert violation.text_zh.endswith("尚未完成（原则上的期限）") and violation.normal_limit
    assert violation.text_en.endswith("exceptions possible)")
    # a firm limit keeps its plain words
    puan = ff.load_pack("puan_2025")
    clue = Case(
        household_id="H2", events=(CaseEvent(step=Step.CLUE_RECEIVED, date=date(2025, 6, 3)),)
    )
    visit = {d.name: d for d in puan.deadlines(clue, as_of=date(2025, 7, 1))}[
        "puan_2025.clue_home_verification"
    ]
    assert not visit.normal_limit and visit.status_zh == "已逾期"
