"""fangfan_rules.planning: staffing (rongan_2022 二、(二)3) and visit team-days (二、(四)1).

Expected figures are worked by hand from the document's words:
- 在脱贫人口数量超过5000人的易地安置社区每个社区区增加1名驻村工作队员 → > 5000 (超过 excludes);
- 脱贫人口2000人以上的脱贫村各增加1名驻村工作队员 → ≥ 2000 (以上 includes);
- 脱贫人口超过1000人的非脱贫村各配备1名驻村工作队员 → > 1000;
- 非脱贫村的自治区乡村振兴重点村各配备1名驻村第一书记或驻村工作队员 → 1, no population condition;
- 并于3月31日前完成新增驻村工作队员选派 → due 2022-03-31;
- 3人一组; 每天走访不超过 20 户; 大型安置点…每天走访不超过 35 户 → ceil(n / cap) team-days.
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


def homes(n: int, village: str = "大洲村", *, large: bool = False, prefix: str = "h") -> list:
    tags = ["large_relocation_site"] if large else []
    where = {"county": "融安县", "town": "长安镇", "village": village, "tags": tags}
    return [
        ff.load_household({"id": f"{prefix}{i}", "hukou": "rural", "area": where}) for i in range(n)
    ]


# --- staffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "population", "staff"),
    [
        ("resettlement_community", 5000, 0),  # 超过5000: 5000 itself is not over
        ("resettlement_community", 5001, 1),
        ("lifted_village", 1999, 0),
        ("lifted_village", 2000, 1),  # 2000人以上 includes 2000
        ("non_poor_village", 1000, 0),  # 超过1000: 1000 itself is not over
        ("non_poor_village", 1001, 1),
        ("key_village", 0, 1),  # no population condition
    ],
)
def test_staffing_boundaries(pack, kind, population, staff):
    plan = staffing_plan(pack, [area("A", kind, population)], as_of=DAY)
    (line,) = plan.lines
    assert line.staff == staff
    assert plan.total == staff
    assert line.citations == (CLAUSE_STAFF,)
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
    assert [(line.area, line.staff) for line in plan.lines] == [
        ("城东安置社区", 1),
        ("大洲村", 1),
        ("小村", 0),
        ("河西村", 1),
        ("重点村", 1),
    ]
    assert plan.total == 4
    first = plan.lines[0]
    assert first.role.zh == "驻村工作队员"
    assert "超过5000人" in first.reason.zh and "增加1名驻村工作队员" in first.reason.zh
    assert "达到2000人以上" in plan.lines[1].reason.zh
    assert "未达到2000人以上" in plan.lines[2].reason.zh and "无需新增" in plan.lines[2].reason.zh
    assert "配备1名驻村工作队员" in plan.lines[3].reason.zh
    assert plan.lines[4].role.zh == "驻村第一书记或驻村工作队员"
    names = {p.name for p in plan.parameters}
    assert "staffing_due" in names and "staffing_resettlement_community_min_population" in names


def test_key_village_over_1000_needs_one_team_member_for_both_sentences(pack):
    # A key village is a 非脱贫村; with 1001 脱贫人口 both sentences ask for one person 配备 (in
    # place): one 驻村工作队员 satisfies both, so 1 (not 2), and the role narrows to 队员.
    (line,) = staffing_plan(pack, [area("重点村", "key_village", 1001)], as_of=DAY).lines
    assert line.staff == 1
    assert line.role.zh == "驻村工作队员"
    assert "同一名驻村工作队员同时满足两项" in line.reason.zh
    (line,) = staffing_plan(pack, [area("重点村", "key_village", 1000)], as_of=DAY).lines
    assert line.staff == 1 and line.role.zh == "驻村第一书记或驻村工作队员"


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
    assert [line.staff for line in plan.lines] == [2, 0] and plan.total == 2
    assert "达到3000人以上" in plan.lines[0].reason.zh
    caller = {p.name: p for p in plan.parameters}["staffing_resettlement_community_staff"]
    assert caller.source == "caller" and caller.citation == "caller-supplied"
    visits = visit_plan(other, homes(21), as_of=DAY)
    assert visits.lines[0].daily_cap == 10 and visits.lines[0].team_days == 3  # ceil(21/10)


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
    assert visit_plan(supplied, homes(21), as_of=DAY).lines[0].team_days == 2


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


# --- visits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "large", "cap", "team_days"),
    [
        (1, False, 20, 1),
        (20, False, 20, 1),  # 不超过 20: twenty in one day
        (21, False, 20, 2),
        (40, False, 20, 2),
        (41, False, 20, 3),
        (35, True, 35, 1),  # 大型安置点 不超过 35
        (36, True, 35, 2),
        (70, True, 35, 2),
        (71, True, 35, 3),
    ],
)
def test_visit_team_days(pack, count, large, cap, team_days):
    plan = visit_plan(pack, homes(count, large=large), as_of=DAY)
    (line,) = plan.lines
    assert (line.households, line.large_site, line.daily_cap) == (count, large, cap)
    assert line.team_days == team_days
    assert line.person_days == 3 * team_days  # 3人一组
    assert line.citation == CLAUSE_VISIT
    assert plan.team_size == 3 and plan.due == date(2022, 3, 15)
    assert plan.due_citation == CLAUSE_VISIT


def test_visits_are_planned_per_village(pack):
    batch = (
        homes(45, "大洲村", prefix="a")
        + homes(36, "安置社区", large=True, prefix="b")
        + homes(5, "小村", prefix="c")
    )
    plan = visit_plan(pack, batch, as_of=DAY)
    assert [(line.area, line.team_days) for line in plan.lines] == [
        ("融安县/长安镇/大洲村", 3),  # ceil(45/20)
        ("融安县/长安镇/安置社区", 2),  # ceil(36/35)
        ("融安县/长安镇/小村", 1),
    ]
    assert plan.total_households == 86
    assert plan.total_team_days == 6 and plan.total_person_days == 18
    assert VisitPlan.model_validate_json(plan.model_dump_json()) == plan


def test_visit_plan_edge_inputs(pack):
    empty = visit_plan(pack, [], as_of=DAY)
    assert empty.lines == () and empty.total_team_days == 0
    with pytest.raises(PlanningError, match="listed twice"):
        visit_plan(pack, homes(2) + homes(1), as_of=DAY)
    mixed = homes(2, "安置社区", prefix="x") + homes(2, "安置社区", large=True, prefix="y")
    with pytest.raises(PlanningError, match="large_relocation_site"):
        visit_plan(pack, mixed, as_of=DAY)


def test_visit_plan_of_the_must_visit_households(pack):
    # The visit list of 二、(四)1 comes from identify_many; planning counts what it is given.
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
            {"id": f"N{i}", "hukou": "rural", "area": where, "lifted_out_of_poverty": False}
        )
        for i in range(10)
    ]
    results = supplied.identify_many(batch, as_of=date(2022, 3, 1))
    visit = [h for h, r in zip(batch, results, strict=True) if r.must_visit]
    assert len(visit) == 21
    assert visit_plan(supplied, visit, as_of=date(2022, 3, 1)).lines[0].team_days == 2


def test_the_docstring_examples_hold():
    import doctest

    import fangfan_rules.planning as planning

    failures, tried = doctest.testmod(planning, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 10 and failures == 0
