"""The pack card and diff_packs word every case time limit (audit TA-7, TA-8, TA-11)."""

from __future__ import annotations

import fangfan_rules as ff
from fangfan_rules.analysis import diff_packs
from fangfan_rules.analysis.card import pack_card_markdown


def _rows(pack: str, lang: str | None = None) -> dict[str, str]:
    text = str(pack_card_markdown(ff.load_pack(pack), lang=lang))
    return {
        line.split("|")[1].strip().strip("`"): line
        for line in text.splitlines()
        if line.startswith("| `")
    }


def test_the_card_shows_puans_publicity_span_and_jimos_monthly_dues() -> None:
    puan = _rows("puan_2025", "zh")
    assert "不少于（天） 5" in puan["puan_2025.identification_publicity"]
    jimo = _rows("jimo_2022", "zh")
    for task, day in (
        ("department_feed", 4),
        ("bureau_feedback_to_towns", 7),
        ("town_ledger_filing", 30),
    ):
        assert f"每月截止日 {day}" in jimo[f"jimo_2022.{task}"]


def test_a_start_read_only_before_a_date_says_which_date() -> None:
    row = _rows("rongan_2022", "zh")["rongan_2022.helper_assignment"]
    assert "county_approval早于2022-03-05时起算日为本包读法" in row
    assert "(起算日为本包读法)" not in row  # asserted for later cases: not a reading throughout
    en = _rows("rongan_2022", "en")["rongan_2022.suspected_response"]
    assert (
        "start: the pack's reading when" in en
        and "department_list_received before 2022-03-16" in en
    )
    assert "presupposed by: town_review, county_approval" in en


def test_jimos_reading_is_said_once() -> None:
    row = _rows("jimo_2022", "zh")["jimo_2022.home_verification_time"]
    assert row.count("本包读法") == 1


def test_the_diff_flags_a_parameter_whose_meaning_differs_and_compares_spans_and_tasks() -> None:
    rows = {(r.section, r.key): r for r in diff_packs("jimo_2022", "puan_2025").rows}
    assert "description" in rows[("parameter", "identification_days")].fields
    assert rows[("deadline", "timeline.identification_publicity")].status == "only_b"
    assert rows[("deadline", "timeline.town_ledger_filing")].status == "only_a"
