"""Hand-worked tests, native and columnar alike, of three readings of jimo_2022 (audit 2026-12-07):

- a feed item is handled when the household is identified for monitoring on or after the item's
  day (the closed loop of 二、(一) ends in 录入系统);
- a C / D grade whose appraisal date is not recorded leaves the 住建局 feed unknown, not "no";
- a closed warning recorded 符合认定标准 is answered by an identification on or after its receipt
  (附件2), even when the spell was eliminated later.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import COLUMNAR, VarContext
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context
from tests.helpers import household
from tests.test_variables_feeds import columnar, native, pupil  # on 2022-06-20: April, May fed


def _spell(identified: str, eliminated: str | None = None) -> dict[str, Any]:
    spell: dict[str, Any] = {"category": "marginal", "identified_on": identified}
    if eliminated is not None:
        spell["eliminated_on"] = eliminated
    return spell


def _with_spells(h: ff.Household, *spells: dict[str, Any]) -> ff.Household:
    data = h.model_dump(mode="json", exclude_none=True)
    data["monitoring"] = list(spells)
    return ff.load_household(data)


IDENTIFIED = {
    # id: (monitoring spells, expected value of dropout_feed_open for an April 2022 dropout)
    "no identification": ((), True),
    "identified in the item's month, before its day": ((_spell("2022-04-01"),), True),
    "identified on the item's day": ((_spell("2022-04-09"),), False),
    "identified later, by as_of": ((_spell("2022-05-20"),), False),
    "identified before the item's month": ((_spell("2022-03-31"),), True),
    "identified after as_of": ((_spell("2022-06-21"),), True),
    "identified later and eliminated since": ((_spell("2022-05-20", "2022-06-10"),), False),
}


@pytest.mark.parametrize("case", sorted(IDENTIFIED))
def test_an_identification_from_the_items_day_handles_it(case):
    spells, expected = IDENTIFIED[case]
    h = _with_spells(pupil("2022-04-09", hid=f"H-{case}"), *spells)
    assert native("dropout_feed_open", h, member="c1") is expected
    assert columnar("dropout_feed_open", [h])[(h.id, "c1")] is expected


def _house(hid: str, grade: str, appraised: str | None = None, *clues: dict) -> ff.Household:
    guarantees: dict[str, Any] = {"housing_grade": grade, "only_house": True}
    if appraised is not None:
        guarantees["housing_appraised_on"] = appraised
    return household(id=hid, guarantees=guarantees, clues=list(clues))


def _closed_housing(received: str, closed: str) -> dict[str, Any]:
    return {
        "channel": "cadre_screening",
        "kind": "unsafe_housing",
        "received_on": received,
        "closed_on": closed,
        "meets_criteria": False,
        "reason_not_met": "已纳入危房改造",
    }


UNDATED = {
    # id: (household, expected: True / False / "unknown") on 2022-06-20 (fed: April and May)
    "C undated": (_house("U1", "C"), "unknown"),
    "D undated": (_house("U2", "D"), "unknown"),
    "B undated": (_house("U3", "B"), False),
    "C dated in April": (_house("U4", "C", "2022-04-20"), True),
    "C undated, closed warning received in May (the last fed month)": (
        _house("U5", "C", None, _closed_housing("2022-05-02", "2022-05-20")),
        False,
    ),
    "C undated, closed warning received in April only": (
        _house("U6", "C", None, _closed_housing("2022-04-02", "2022-04-20")),
        "unknown",
    ),
}


@pytest.mark.parametrize("case", sorted(UNDATED))
def test_an_undated_c_or_d_appraisal_is_unknown_unless_a_later_warning_closed_it(case):
    h, expected = UNDATED[case]
    value = native("housing_appraisal_feed_open", h)
    got = columnar("housing_appraisal_feed_open", [h])[(h.id,)]
    if expected == "unknown":
        assert isinstance(value, Missing)
        assert value.facts == ("guarantees.housing_appraised_on",)
        assert got is None
    else:
        assert value is expected
        assert got is expected


def test_an_undated_appraisal_before_any_fed_month_is_no_item():
    h = _house("U7", "C")
    as_of = date(2022, 4, 20)  # nothing fed yet: March is before since (2022-04-01)
    assert native("housing_appraisal_feed_open", h, as_of=as_of) is False
    assert columnar("housing_appraisal_feed_open", [h], as_of=as_of)[(h.id,)] is False


CHANNELS = ("self_application", "cadre_screening", "department_push", "petition")


def _meets(met: bool | None, received: str = "2022-05-01") -> dict[str, Any]:
    clue: dict[str, Any] = {
        "channel": "self_application",
        "received_on": received,
        "closed_on": "2022-05-08",
        "applicant_informed": True,
    }
    if met is not None:
        clue["meets_criteria"] = met
    return clue


ENTERED = {
    # id: (clue, spells, expected on 2024-06-01)
    "是, never identified": (_meets(True), (), True),
    "是, identified after receipt": (_meets(True), (_spell("2022-05-20"),), False),
    "是, identified after receipt, eliminated since": (
        _meets(True),
        (_spell("2022-05-20", "2023-12-01"),),
        False,
    ),
    "是, identified before receipt only": (
        _meets(True),
        (_spell("2020-03-01", "2021-06-01"),),
        True,
    ),
    "是, monitored when it came, eliminated later": (
        _meets(True),
        (_spell("2021-03-01", "2023-12-01"),),
        False,
    ),
    "是, a spell eliminated on the day of receipt": (
        _meets(True),
        (_spell("2021-03-01", "2022-05-01"),),
        False,
    ),
    "是, identified on the day of receipt": (_meets(True), (_spell("2022-05-01"),), False),
    "finding not recorded, never identified": (_meets(None), (), "unknown"),
    "finding not recorded, identified after": (_meets(None), (_spell("2022-05-20"),), False),
    "否": (_meets(False), (), False),
}


@pytest.mark.parametrize("case", sorted(ENTERED))
def test_a_warning_found_meeting_the_standard_is_answered_by_a_later_identification(case):
    clue, spells, expected = ENTERED[case]
    h = household(id=f"E-{case}", clues=[clue], monitoring=list(spells))
    as_of = date(2024, 6, 1)
    view, _ = ff.known_at(h, as_of)
    name = "closed_clue_meets_criteria_not_entered"
    value = ff.VARIABLES[name](Context(view, as_of), channels=CHANNELS)
    tables = col.view_at(col.to_tables([h]), as_of)
    ctx = VarContext(tables, as_of, "household")
    compiled = COLUMNAR[name].compute(ctx, channels=CHANNELS)
    frame = ctx.apply(tables["households"]).select(compiled.value.alias("v"))
    got = frame["v"][0]
    if expected == "unknown":
        assert isinstance(value, Missing)
        assert value.facts == ("clues[self_application 2022-05-01].meets_criteria",)
        assert got is None
    else:
        assert value is expected
        assert got is expected


def _medical(day: str, burden: str, care: str | None) -> dict[str, Any]:
    spent: dict[str, Any] = {
        "kind": "medical",
        "date": day,
        "total": burden,
        "reimbursed": "0",
        "compliant_self_paid": "0",
    }
    if care is not None:
        spent["care"] = care
    return spent


CARE = ("inpatient", "chronic_special_outpatient")
UNTYPED = {
    # id: (medical spending, expected on 2022-06-20: True / False / missing facts)
    "untyped 25,000 in March: crossing before the first fed month or never": (
        [_medical("2022-03-01", "25000", None)],
        False,
    ),
    "untyped 25,000 in April: April or never": (
        [_medical("2022-04-10", "25000", None)],
        ("expenditures[medical 2022-04-10].care",),
    ),
    "untyped 500 in February: never": ([_medical("2022-02-10", "500", None)], False),
    "untyped 1,000 in January, 25,000 inpatient on 04-20: April either way": (
        [_medical("2022-01-05", "1000", None), _medical("2022-04-20", "25000", "inpatient")],
        True,
    ),
    "untyped 21,000 in February, 25,000 inpatient on 04-20: February or April": (
        [_medical("2022-02-05", "21000", None), _medical("2022-04-20", "25000", "inpatient")],
        ("expenditures[medical 2022-02-05].care",),
    ),
    "untyped 21,000 in April, 25,000 inpatient in May: April or May, both fed": (
        [_medical("2022-04-05", "21000", None), _medical("2022-05-20", "25000", "inpatient")],
        True,
    ),
    "untyped after the known crossing does not matter": (
        [_medical("2022-04-20", "25000", "inpatient"), _medical("2022-05-02", "30000", None)],
        True,
    ),
    "untyped 25,000 in March, 10,000 inpatient in April: March or never": (
        [_medical("2022-03-05", "25000", None), _medical("2022-04-20", "10000", "inpatient")],
        False,
    ),
    "untyped 15,000 in March, 10,000 inpatient in April: April or never": (
        [_medical("2022-03-05", "15000", None), _medical("2022-04-20", "10000", "inpatient")],
        ("expenditures[medical 2022-03-05].care",),
    ),
    "two untyped 15,000 in March and April, 10,000 inpatient in May: March, May or never": (
        [
            _medical("2022-03-05", "15000", None),
            _medical("2022-04-05", "15000", None),
            _medical("2022-05-20", "10000", "inpatient"),
        ],
        ("expenditures[medical 2022-03-05].care", "expenditures[medical 2022-04-05].care"),
    ),
    "identified on 05-02: an April crossing is closed": (
        [_medical("2022-04-20", "25000", "inpatient")],
        False,
    ),
    "identified on 04-10: an April crossing of 04-20 after it is still open": (
        [_medical("2022-04-20", "25000", "inpatient")],
        True,
    ),
    "普通门诊 does not count, untyped 19,000 in May: May or never": (
        [
            _medical("2022-04-20", "25000", "general_outpatient"),
            _medical("2022-05-02", "19000", None),
        ],
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(UNTYPED))
def test_spending_of_unknown_care_type_is_unknown_only_where_it_could_change_the_answer(case):
    spending, expected = UNTYPED[case]
    spells = [_spell(f"2022-{case[14:19]}")] if case.startswith("identified on ") else []
    h = household(id=f"M-{case}", expenditures=spending, monitoring=spells)
    args = {"care": CARE, "threshold": 20000}
    value = native("medical_burden_feed_open", h, **args)
    got = columnar("medical_burden_feed_open", [h], **args)[(h.id,)]
    if isinstance(expected, tuple):
        assert isinstance(value, Missing) and value.facts == expected
        assert got is None
    else:
        assert value is expected
        assert got is expected
