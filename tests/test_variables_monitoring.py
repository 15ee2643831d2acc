"""Hand-worked tests of the monitoring-history variables (fangfan_rules/variables/elimination.py).

ever_monitored: 监测户（含已消除风险户） of 二、(四)1 — a household with any monitoring spell on record
by the evaluation date, whether its risk was eliminated or not.
"""

from __future__ import annotations

from datetime import date

import fangfan_rules as ff
from fangfan_rules.variables import Context, get_variable
from tests.helpers import household


def value(h: ff.Household, as_of: date) -> object:
    view, _ = ff.known_at(h, as_of)
    return get_variable("ever_monitored")(Context(view, as_of))


def spell(identified: str, eliminated: str | None = None) -> dict:
    return {"category": "marginal", "identified_on": identified, "eliminated_on": eliminated}


def test_no_monitoring_record_is_never_monitored():
    assert value(household(), date(2022, 3, 1)) is False


def test_an_open_spell_counts():
    h = household(monitoring=[spell("2021-08-01")])
    assert value(h, date(2022, 3, 1)) is True
    assert get_variable("under_monitoring")(Context(h, date(2022, 3, 1))) is True


def test_an_eliminated_spell_still_counts_but_is_not_under_monitoring():
    # 含已消除风险户: identified 2021-08-01, eliminated 2021-12-20 → ever monitored, not monitored now.
    h = household(monitoring=[spell("2021-08-01", "2021-12-20")])
    assert value(h, date(2022, 3, 1)) is True
    assert get_variable("under_monitoring")(Context(h, date(2022, 3, 1))) is False


def test_a_spell_identified_after_as_of_is_not_known_yet():
    # Identified 2022-03-02: unknown to an evaluation on 2022-03-01, known from 2022-03-02.
    h = household(monitoring=[spell("2022-03-02")])
    assert value(h, date(2022, 3, 1)) is False
    assert value(h, date(2022, 3, 2)) is True
    _, excluded = ff.known_at(h, date(2022, 3, 1))
    assert [e.path for e in excluded] == ["monitoring[2022-03-02]"]


def test_the_variable_is_registered_with_its_labels():
    variable = ff.VARIABLES["ever_monitored"]
    assert variable.level == "household" and variable.value_type == "bool"
    assert "含已消除风险" in variable.label("zh")


# --- monitoring_risk_types: 纳入时的风险点 (二、(三)) --------------------------------------------------


def risk_types(h: ff.Household, as_of: date) -> object:
    view, _ = ff.known_at(h, as_of)
    return get_variable("monitoring_risk_types")(Context(view, as_of))


def test_risk_types_of_the_latest_spell_in_recorded_order_without_repeats():
    # Two spells: the older (2021-05-01, eliminated) recorded 因学; the latest (2022-03-01) recorded
    # 住房安全, 因病, 住房安全 → (housing_safety, illness): the latest spell's, first occurrences kept.
    h = household(
        monitoring=[
            {**spell("2021-05-01", "2021-12-01"), "risk_types": ["schooling"]},
            {**spell("2022-03-01"), "risk_types": ["housing_safety", "illness", "housing_safety"]},
        ]
    )
    assert risk_types(h, date(2022, 12, 31)) == (ff.RiskType.HOUSING_SAFETY, ff.RiskType.ILLNESS)
    # Before 2022-03-01 the latest spell known is the older one.
    assert risk_types(h, date(2022, 2, 28)) == (ff.RiskType.SCHOOLING,)


def test_no_spell_is_none_and_a_spell_without_risk_points_is_empty():
    assert risk_types(household(), date(2022, 12, 31)) is None
    assert risk_types(household(monitoring=[spell("2022-03-01")]), date(2022, 12, 31)) == ()


def test_risk_types_variable_is_registered_as_a_set_of_risk_types():
    variable = ff.VARIABLES["monitoring_risk_types"]
    assert variable.level == "household" and variable.value_type == "set"
    assert variable.enum is ff.RiskType and variable.args == {}
    assert "风险点" in variable.label("zh")


def test_rongan_elimination_shows_the_risk_points_beside_the_finding():
    # The note of 二、(三) lists the record's points in the reasons; the finding decides.
    # 超过监测线 compares the income over the caller's window (the plan prints no period).
    pack = ff.load_pack("rongan_2022").with_parameters(
        monitoring_income_line="6000", income_window={"start": "2022-01-01", "end": "2022-12-31"}
    )
    h = household(
        monitoring=[{**spell("2022-03-01"), "risk_types": ["illness"], "new_risk": False}],
        guarantees={
            "housing_grade": "B",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
    )
    result = pack.assess_elimination(h, as_of=date(2022, 12, 31))
    shown = [r.text_zh for r in result.reasons if r.rule_id.endswith("note.inclusion_risk_points")]
    assert len(shown) == 1 and "因病" in shown[0]
    assert result.outcome == "needs_review"  # risk_resolved not recorded (and no income records)
