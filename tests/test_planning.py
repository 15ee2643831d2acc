"""fangfan_rules.planning: staffing (rongan_2022 二、(二)3) and the secretaries' 遍访 (二、(四)1).

Expected figures are worked by hand from the document's words:
- 在脱贫人口数量超过5000人的易地安置社区每个社区区增加1名驻村工作队员 → > 5000 (超过 excludes), 增加;
- 脱贫人口2000人以上的脱贫村各增加1名驻村工作队员 → ≥ 2000 (以上 includes), 增加;
- 脱贫人口超过1000人的非脱贫村各配备1名驻村工作队员 → > 1000, 配备 (to have in place);
- 非脱贫村的自治区乡村振兴重点村各配备1名驻村第一书记或驻村工作队员 → 1, no population condition, 配备;
- 并于3月31日前完成新增驻村工作队员选派 → the members to add (增加) are due 2022-03-31; no date is
  printed for 配备;
- 驻村第一书记、村党组织书记对所有脱贫户、监测户原则上要实行遍访（可以合计遍访，每天走访不超过 20 户；
  大型安置点…第一季度以遍访监测户等重点户为主，全年要遍访所有脱贫户，每天走访不超过 35 户） → each
  secretary visits at most 20 (35) households a day and their visits add up: ceil(n / cap)
  secretary-days; an ordinary village by 3月15日 (第一季度（最迟不超过3月15日）), a large site's 监测户 and
  重点户 by 3月15日 and its other 脱贫户 by the end of 2022 (全年);
- 融安县2022年开展…: the plan of 2022 — nothing is planned for 2023.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

import fangfan_rules as ff
from fangfan_rules.errors import MissingParameterError, NotInForceError, ParameterError
from fangfan_rules.planning import (
    STAFFING_PARAMETERS,
    VISIT_PARAMETERS,
    AreaKind,
    PlanningArea,
    PlanningError,
    StaffingAction,
    StaffingPlan,
    VisitPlan,
    staffing_plan,
    visit_plan,
)

DAY = date(2022, 2, 1)
CLAUSE_STAFF = "rongan_2022:二、(二)3"
CLAUSE_VISIT = "rongan_2022:二、(四)1"


@pytest.fixture(scope="module")
def pack() -> ff.Pack:
    return ff.load_pack("rongan_2022")


def area(name: str, kind: str, population: int) -> PlanningArea:
    return PlanningArea(name=name, kind=AreaKind(kind), lifted_population=population)


def homes(
    n: int,
    village: str = "大洲村",
    *,
    large: bool = False,
    prefix: str = "h",
    lifted: bool | None = True,
    monitored_on: str | None = None,
) -> list:
    """``n`` households of ``village``: 脱贫户 by default, optionally identified for monitoring."""
    tags = ["large_relocation_site"] if large else []
    where = {"county": "融安县", "town": "长安镇", "village": village, "tags": tags}
    monitoring = (
        [{"category": "marginal", "identified_on": monitored_on}]
        if monitored_on is not None
        else []
    )
    return [
        ff.load_household(
            {
                "id": f"{prefix}{i}",
                "hukou": "rural",
                "area": where,
                "lifted_out_of_poverty": lifted,
                "monitoring": monitoring,
            }
        )
        for i in range(n)
    ]


# --- staffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "population", "staff", "action"),
    [
        ("resettlement_community", 5000, 0, "add"),  # 超过5000: 5000 itself is not over
        ("resettlement_community", 5001, 1, "add"),
        ("lifted_village", 1999, 0, "add"),
        ("lifted_village", 2000, 1, "add"),  # 2000人以上 includes 2000
        ("non_poor_village", 1000, 0, "have_in_place"),  # 超过1000: 1000 itself is not over
        ("non_poor_village", 1001, 1, "have_in_place"),
        ("key_village", 0, 1, "have_in_place"),  # no population condition
    ],
)
def test_staffing_boundaries(pack, kind, population, staff, action):
    plan = staffing_plan(pack, [area("A", kind, population)], as_of=DAY)
    (line,) = plan.lines
    assert line.staff == staff and line.action == StaffingAction(action)
    adding = action == "add"
    assert (plan.to_add, plan.to_have_in_place) == ((staff, 0) if adding else (0, staff))
    assert line.citations == (CLAUSE_STAFF,)
    # 3月31日 is printed for 新增驻村工作队员选派: it dates the members to add, not the 配备.
    assert line.due == (date(2022, 3, 31) if adding and staff else None)
    assert plan.due == date(2022, 3, 31) and plan.due_citation == CLAUSE_STAFF


def test_staffing_lines_totals_and_reasons(pack):
    plan = staffing_plan(
        pack,
        [
            area("城东安置社区", "resettlement_community", 6200),
            area("大洲村", "lifted_village", 2000),
            area("小村", "lifted_village", 800),
            area("河西村", "non_poor_village", 1500),
            area("重点村", "key_village", 200),
        ],
        as_of=DAY,
    )
    assert [(line.area, line.staff, line.action.value) for line in plan.lines] == [
        ("城东安置社区", 1, "add"),
        ("大洲村", 1, "add"),
        ("小村", 0, "add"),
        ("河西村", 1, "have_in_place"),
        ("重点村", 1, "have_in_place"),
    ]
    # 增加 (members to select and send) and 配备 (members to have in place) are not one total.
    assert plan.to_add == 2 and plan.to_have_in_place == 2
    first = plan.lines[0]
    assert first.role.zh == "驻村工作队员"
    assert "超过5000人" in first.reason.zh and "增加1名驻村工作队员" in first.reason.zh
    assert "3月31日前完成选派" in first.reason.zh
    assert "达到2000人以上" in plan.lines[1].reason.zh
    assert "未达到2000人以上" in plan.lines[2].reason.zh and "无需新增" in plan.lines[2].reason.zh
    assert "配备1名驻村工作队员" in plan.lines[3].reason.zh
    assert "未规定配备完成日期" in plan.lines[3].reason.zh and plan.lines[3].due is None
    assert plan.lines[4].role.zh == "驻村第一书记或驻村工作队员" and plan.lines[4].reading is None
    names = {p.name for p in plan.parameters}
    assert "staffing_due" in names and "staffing_resettlement_community_min_population" in names


def test_key_village_over_1000_needs_one_team_member_for_both_sentences(pack):
    # A key village is a 非脱贫村; with 1001 脱贫人口 both sentences ask for one person 配备 (in
    # place): one 驻村工作队员 satisfies both, so 1 (not 2), and the role narrows to 队员 — a reading,
    # said on the line.
    (line,) = staffing_plan(pack, [area("重点村", "key_village", 1001)], as_of=DAY).lines
    assert line.staff == 1 and line.action == StaffingAction.HAVE_IN_PLACE
    assert line.role.zh == "驻村工作队员"
    assert "同一名驻村工作队员同时满足两项" in line.reason.zh
    assert line.reading is not None and "两句是否叠加本方案未规定" in line.reading.zh
    (line,) = staffing_plan(pack, [area("重点村", "key_village", 1000)], as_of=DAY).lines
    assert line.staff == 1 and line.role.zh == "驻村第一书记或驻村工作队员"
    assert line.reading is None


def test_another_pack_with_other_figures_plans_the_same_way(pack):
    # A county that says "脱贫人口3000人以上的易地安置社区各增加2名" and "每天走访不超过10户".
    other = pack.with_parameters(
        staffing_resettlement_community_min_population=3000,
        staffing_resettlement_community_comparison="ge",
        staffing_resettlement_community_staff=2,
        visit_daily_cap=10,
    )
    plan = staffing_plan(
        other,
        [area("A", "resettlement_community", 3000), area("B", "resettlement_community", 2999)],
        as_of=DAY,
    )
    assert [line.staff for line in plan.lines] == [2, 0] and plan.to_add == 2
    assert "达到3000人以上" in plan.lines[0].reason.zh
    caller = {p.name: p for p in plan.parameters}["staffing_resettlement_community_staff"]
    assert caller.source == "caller" and caller.citation == "caller-supplied"
    visits = visit_plan(other, homes(21), as_of=DAY)
    assert visits.lines[0].daily_cap == 10 and visits.lines[0].secretary_days == 3  # ceil(21/10)


def test_a_pack_without_the_parameters_cannot_plan():
    qianshan = ff.load_pack("qianshan_2023")
    with pytest.raises(ParameterError, match="no parameter"):
        staffing_plan(qianshan, [area("A", "lifted_village", 3000)], as_of=date(2023, 5, 1))
    with pytest.raises(ParameterError, match="no parameter"):
        visit_plan(qianshan, homes(3), as_of=date(2023, 5, 1))


def test_a_figure_not_stated_must_be_supplied(tmp_path: Path, pack):
    copy = tmp_path / "rongan_copy"
    shutil.copytree(Path(pack.directory), copy, ignore=shutil.ignore_patterns("__pycache__"))
    text = (copy / "parameters.yaml").read_text(encoding="utf-8")
    text = text.replace("      value: 20\n", "      value: not_stated\n", 1)
    (copy / "parameters.yaml").write_text(text, encoding="utf-8")
    unstated = ff.Pack.from_directory(copy)
    with pytest.raises(MissingParameterError, match="visit_daily_cap"):
        visit_plan(unstated, homes(3), as_of=DAY)
    supplied = unstated.with_parameters(visit_daily_cap=20)
    assert visit_plan(supplied, homes(21), as_of=DAY).lines[0].secretary_days == 2


def test_bad_comparison_or_count_is_refused(pack):
    with pytest.raises(ParameterError, match="gt"):
        staffing_plan(
            pack.with_parameters(staffing_lifted_village_comparison="eq"),
            [area("A", "lifted_village", 2000)],
            as_of=DAY,
        )
    with pytest.raises(ParameterError, match="at least 1"):
        visit_plan(pack.with_parameters(visit_daily_cap=0), homes(1), as_of=DAY)


def test_validity_and_input_errors(pack):
    with pytest.raises(NotInForceError):
        staffing_plan(pack, [area("A", "lifted_village", 2000)], as_of=date(2021, 12, 31))
    with pytest.raises(NotInForceError):
        visit_plan(pack, homes(1), as_of=date(2021, 12, 31))
    with pytest.raises(PlanningError, match="listed twice"):
        staffing_plan(
            pack, [area("A", "lifted_village", 1), area("A", "non_poor_village", 1)], as_of=DAY
        )
    with pytest.raises(ValidationError):
        PlanningArea(name="A", kind="town", lifted_population=10)
    with pytest.raises(ValidationError):
        PlanningArea(name="A", kind="lifted_village", lifted_population=-1)


@pytest.mark.parametrize("day", [date(2023, 1, 1), date(2023, 6, 1), date(2025, 6, 1)])
def test_the_2022_plan_plans_nothing_for_a_later_year(pack, day):
    # 融安县2022年开展“精准防贫提升行动”: 3月31日 / 3月15日 / 全年 are 2022's. Before the fix a staffing plan
    # of 2023-06-01 said "due 2022-03-31" and a visit plan of 2025 "due 2022-03-15".
    with pytest.raises(NotInForceError):
        staffing_plan(pack, [area("A", "lifted_village", 2000)], as_of=day)
    with pytest.raises(NotInForceError):
        visit_plan(pack, homes(3), as_of=day)


def test_the_last_day_of_2022_still_plans(pack):
    plan = staffing_plan(pack, [area("A", "lifted_village", 2000)], as_of=date(2022, 12, 31))
    assert plan.due == date(2022, 3, 31)  # the printed date, past by then: shown, not moved
    visits = visit_plan(pack, homes(3), as_of=date(2022, 12, 31))
    assert visits.lines[0].groups[0].due == date(2022, 3, 15)


def test_staffing_plan_is_immutable_and_round_trips_through_json(pack):
    plan = staffing_plan(
        pack,
        [{"name": "A", "kind": "resettlement_community", "lifted_population": 5001}],
        as_of=DAY,
    )
    with pytest.raises(ValidationError):
        plan.lines[0].staff = 3  # type: ignore[misc]
    assert StaffingPlan.model_validate_json(plan.model_dump_json()) == plan
    assert set(STAFFING_PARAMETERS) <= set(pack.parameters)
    assert set(VISIT_PARAMETERS) <= set(pack.parameters)


# --- the secretaries' 遍访 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "large", "cap", "days"),
    [
        (1, False, 20, 1),
        (20, False, 20, 1),  # 不超过 20: one secretary visits twenty in one day
        (21, False, 20, 2),
        (40, False, 20, 2),  # e.g. the two secretaries one day each (可以合计遍访)
        (41, False, 20, 3),
        (35, True, 35, 1),  # 大型安置点 不超过 35
        (36, True, 35, 2),
        (70, True, 35, 2),
        (71, True, 35, 3),
    ],
)
def test_secretary_days(pack, count, large, cap, days):
    # No household is marked key: at a large site every 脱贫户 is due within the year (全年).
    plan = visit_plan(pack, homes(count, large=large), as_of=DAY)
    (line,) = plan.lines
    assert (line.households, line.large_site, line.daily_cap) == (count, large, cap)
    assert line.secretary_days == days  # ceil(count / cap), never × 3 (3人一组 is the 大走访's)
    assert line.citation == CLAUSE_VISIT
    (group,) = line.groups
    assert group.households == count and group.secretary_days == days
    assert group.due == (date(2022, 12, 31) if large else date(2022, 3, 15))
    assert group.due_citation == CLAUSE_VISIT
    assert plan.total_secretary_days == days and plan.not_visited == ()


def test_a_large_site_visits_its_monitored_and_key_households_first(pack):
    # 大型安置点…第一季度以遍访监测户等重点户为主，全年要遍访所有脱贫户: 10 监测户 (one of them eliminated:
    # 含已消除风险户) and 2 脱贫户 the caller marks as 重点户 by 3月15日; the other 88 脱贫户 by year end.
    monitored = homes(
        9, "安置社区", large=True, prefix="m", lifted=False, monitored_on="2021-09-01"
    )
    eliminated = [
        ff.load_household(
            {
                "id": "e0",
                "hukou": "rural",
                "lifted_out_of_poverty": True,
                "area": {"county": "融安县", "town": "长安镇", "village": "安置社区"}
                | {"tags": ["large_relocation_site"]},
                "monitoring": [
                    {
                        "category": "marginal",
                        "identified_on": "2021-05-06",
                        "eliminated_on": "2021-12-28",
                    }
                ],
            }
        )
    ]
    lifted = homes(90, "安置社区", large=True, prefix="l")
    plan = visit_plan(pack, monitored + eliminated + lifted, as_of=DAY, key_households=["l0", "l1"])
    (line,) = plan.lines
    first, rest = line.groups
    assert (first.households, first.due, first.secretary_days) == (12, date(2022, 3, 15), 1)
    assert set(first.household_ids) == {f"m{i}" for i in range(9)} | {"e0", "l0", "l1"}
    assert first.who.zh.startswith("监测户")
    assert (rest.households, rest.due, rest.secretary_days) == (88, date(2022, 12, 31), 3)
    assert rest.who.zh == "其余脱贫户"
    assert line.secretary_days == 4 and line.households == 100
    cited = {p.name: p.citation for p in plan.parameters}
    assert cited["visit_due_large_site_all"] == CLAUSE_VISIT


def test_a_monitoring_spell_not_yet_known_does_not_make_a_key_household(pack):
    # identified 2022-03-01, after as_of 2022-02-01: not known yet → an ordinary 脱贫户 of the site
    later = homes(2, "安置社区", large=True, prefix="x", monitored_on="2022-03-01")
    (line,) = visit_plan(pack, later, as_of=DAY).lines
    (group,) = line.groups
    assert group.due == date(2022, 12, 31) and group.households == 2


def test_visits_are_planned_per_village(pack):
    batch = (
        homes(45, "大洲村", prefix="a")
        + homes(36, "安置社区", large=True, prefix="b")
        + homes(5, "小村", prefix="c")
    )
    plan = visit_plan(pack, batch, as_of=DAY)
    assert [(line.area, line.secretary_days) for line in plan.lines] == [
        ("融安县/长安镇/大洲村", 3),  # ceil(45/20)
        ("融安县/长安镇/安置社区", 2),  # ceil(36/35)
        ("融安县/长安镇/小村", 1),
    ]
    assert plan.total_households == 86 and plan.total_secretary_days == 6
    assert VisitPlan.model_validate_json(plan.model_dump_json()) == plan


def test_households_outside_the_visits_are_reported_not_counted(pack):
    # 对所有脱贫户、监测户…实行遍访: a household that is neither is not in the secretaries' 遍访; one
    # whose 脱贫户 status is unknown (and never monitored) cannot be placed. Both are listed, not dropped.
    batch = homes(3) + homes(2, prefix="n", lifted=False) + homes(1, prefix="u", lifted=None)
    plan = visit_plan(pack, batch, as_of=DAY)
    assert plan.total_households == 3
    assert [(n.household_id, "既非" in n.reason.zh) for n in plan.not_visited] == [
        ("n0", True),
        ("n1", True),
        ("u0", False),
    ]
    assert "lifted_out_of_poverty" in plan.not_visited[2].reason.en


def test_visit_plan_edge_inputs(pack):
    empty = visit_plan(pack, [], as_of=DAY)
    assert empty.lines == () and empty.total_secretary_days == 0
    with pytest.raises(PlanningError, match="listed twice"):
        visit_plan(pack, homes(2) + homes(1), as_of=DAY)
    mixed = homes(2, "安置社区", prefix="x") + homes(2, "安置社区", large=True, prefix="y")
    with pytest.raises(PlanningError, match="large_relocation_site"):
        visit_plan(pack, mixed, as_of=DAY)
    with pytest.raises(PlanningError, match="key households not in the list"):
        visit_plan(pack, homes(2), as_of=DAY, key_households=["nobody"])


def test_visit_plan_of_the_first_quarter_list(pack):
    # The Q1 must_visit list (二、(四)1 大走访) also holds 农村低收入人口; the secretaries' 遍访 is of the
    # 脱贫户 and 监测户 only, so a 低保 household on it is reported, not planned.
    supplied = pack.with_parameters(
        monitoring_income_line=6000, income_window={"start": "2021-01-01", "end": "2021-12-31"}
    )
    where = {"county": "融安县", "town": "长安镇", "village": "大洲村"}
    batch = [
        ff.load_household(
            {"id": f"L{i}", "hukou": "rural", "area": where, "lifted_out_of_poverty": True}
        )
        for i in range(21)
    ] + [
        ff.load_household(
            {
                "id": "D0",
                "hukou": "rural",
                "area": where,
                "lifted_out_of_poverty": False,
                "social_assistance": [{"kind": "dibao", "start": "2020-07-01"}],
            }
        )
    ]
    results = supplied.identify_many(batch, as_of=date(2022, 3, 1))
    visit = [h for h, r in zip(batch, results, strict=True) if r.must_visit]
    assert len(visit) == 22
    plan = visit_plan(supplied, visit, as_of=date(2022, 3, 1))
    assert plan.lines[0].secretary_days == 2  # ceil(21 / 20)
    assert [n.household_id for n in plan.not_visited] == ["D0"]


def test_the_docstring_examples_hold():
    import doctest

    import fangfan_rules.planning as planning

    failures, tried = doctest.testmod(planning, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 10 and failures == 0
