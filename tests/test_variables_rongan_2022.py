"""Hand-worked tests of the variables proposed for rongan_2022 (proposed_rongan_2022.py).

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
