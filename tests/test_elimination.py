"""The elimination engine on a hand-written elimination.yaml (packs' own cases live in tests/cases)."""

import shutil
from datetime import date

import pytest

import fangfan_rules as ff
from tests.helpers import household, record

QIANSHAN = ff.load_pack("qianshan_2023")

ELIMINATION = """
rules:
  - id: elimination.safety_net
    kind: safety_net
    title: {zh: 整户无劳动能力兜底保障, en: "whole household without labour, safety net"}
    citation: 四(一)①
    quote: 整户无劳动能力兜底保障的监测对象，暂不消除风险
    decides: 暂不消除风险
    when:
      all:
        - {var: whole_household_without_labour}
        - any:
            - var: assistance_active
              args: {kinds: [dispersed_tekun]}
            - {var: full_dibao_active}
  - id: elimination.income
    kind: elimination_condition
    title: {zh: 收入稳定超过监测范围半年以上, en: "income stably above the line for six months"}
    citation: 四(二)①
    quote: 应同时满足以下指标
    decides: 应同时满足以下指标
    when:
      var: income_stably_above
      args: {line: {param: monitoring_income_line}, months: 6}
    effect: {condition: income}
  - id: elimination.guarantees
    kind: elimination_condition
    title: {zh: 三保障和饮水安全持续巩固, en: "三保障 and water secured"}
    citation: 四(二)②
    quote: 应同时满足以下指标
    decides: 应同时满足以下指标
    when: {var: guarantees_secure}
    effect: {condition: guarantees}
  - id: elimination.risk
    kind: elimination_condition
    title: {zh: 风险已稳定消除且无新增风险, en: "risk gone, no new risk"}
    citation: 四(二)③
    quote: 应同时满足以下指标
    decides: 应同时满足以下指标
    when:
      all:
        - {var: risk_resolved}
        - {var: new_risk, eq: false}
    effect: {condition: risk}
  - id: review.new_risk
    kind: reidentify
    title: {zh: 风险消除后出现新增风险, en: "new risk after elimination"}
    citation: 一(三)
    quote: 出现新增风险的，重新识别
    decides: 重新识别
    when: {var: new_risk}
  - id: review.unstable
    kind: rollback
    title: {zh: 风险消除不稳定, en: "unstable elimination"}
    citation: 一(三)
    quote: 风险消除不稳定的，申请风险回退
    decides: 申请风险回退
    when:
      not:
        var: income_stably_above
        args: {line: {param: monitoring_income_line}, months: 6}
"""

SECURE = {
    "housing_grade": "B",
    "basic_medical_insured": True,
    "compulsory_education_ok": True,
    "drinking_water_safe": True,
}
MONTHLY = [
    record(
        f"{y}-{m:02d}-01",
        f"{y}-{m:02d}-{28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31}",
        "1000",
    )
    for y in (2022, 2023)
    for m in range(1, 13)
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    copy = tmp_path_factory.mktemp("elim") / "pack"
    shutil.copytree(QIANSHAN.directory, copy)
    (copy / "elimination.yaml").write_text(ELIMINATION, encoding="utf-8")
    return ff.Pack.from_directory(copy).with_parameters(monitoring_income_line=7000)


def _monitored(**record_facts):
    spell = {"category": "marginal", "identified_on": "2022-06-01", **record_facts}
    return dict(
        monitoring=[spell],
        guarantees=SECURE,
        income=MONTHLY,
        members=[{"id": "m1", "relation": "head", "labour": "able"}],
    )


def test_qianshan_states_no_elimination_rule():
    result = QIANSHAN.with_parameters(monitoring_income_line=7000).assess_elimination(
        household(**_monitored(risk_resolved=True, new_risk=False)), as_of=date(2023, 12, 31)
    )
    assert result.outcome == "not_covered"
    assert (
        "is borrowed" in result.review_points[0].en
        and "no other region" in result.review_points[0].en
    )


def test_all_conditions_met_eliminates(pack):
    # 12,000 a year per person > 7,000 at each of the six month-ends to 2023-12-31
    r = pack.assess_elimination(
        household(**_monitored(risk_resolved=True, new_risk=False)), as_of=date(2023, 12, 31)
    )
    assert r.outcome == "eliminate"
    assert {c.id for c in r.conditions_met} == {
        f"{pack.name}:{c}" for c in ("income", "guarantees", "risk")
    }


def test_unknown_finding_needs_review_and_false_is_not_yet(pack):
    r = pack.assess_elimination(household(**_monitored(new_risk=False)), as_of=date(2023, 12, 31))
    assert r.outcome == "needs_review" and any("risk_resolved" in f for f in r.missing_facts)
    r = pack.assess_elimination(
        household(**_monitored(risk_resolved=False, new_risk=False)), as_of=date(2023, 12, 31)
    )
    assert r.outcome == "not_yet" and [c.id.split(":")[1] for c in r.conditions_unmet] == ["risk"]


def test_six_months_are_needed(pack):
    # income covered only to 2023-12-31: at 2024-01-31 the window ending then is not covered
    r = pack.assess_elimination(
        household(**_monitored(risk_resolved=True, new_risk=False)), as_of=date(2024, 1, 31)
    )
    assert r.outcome == "needs_review" and any("days of" in f for f in r.missing_facts)


def test_safety_net_is_never_eliminated(pack):
    facts = _monitored(risk_resolved=True, new_risk=False)
    facts["members"] = [{"id": "m1", "relation": "head", "labour": "none"}]
    facts["social_assistance"] = [{"kind": "dispersed_tekun", "start": "2022-01-01"}]
    r = pack.assess_elimination(household(**facts), as_of=date(2023, 12, 31))
    assert r.outcome == "hold_safety_net"


def test_review_of_eliminated_households(pack):
    done = _monitored(risk_resolved=True, new_risk=False, eliminated_on="2023-06-30")
    assert (
        pack.assess_elimination(household(**done), as_of=date(2023, 12, 31)).outcome
        == "remains_eliminated"
    )
    again = _monitored(risk_resolved=True, new_risk=True, eliminated_on="2023-06-30")
    assert (
        pack.assess_elimination(household(**again), as_of=date(2023, 12, 31)).outcome
        == "reidentify"
    )
    poorer = dict(done, income=[record("2022-01-01", "2023-12-31", "100")])
    assert (
        pack.assess_elimination(household(**poorer), as_of=date(2023, 12, 31)).outcome == "rollback"
    )


def test_not_monitored(pack):
    assert pack.assess_elimination(household(), as_of=date(2023, 12, 31)).outcome == "not_monitored"
