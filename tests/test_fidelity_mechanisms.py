"""The fidelity mechanisms on a tiny pack of our own (tests/mini_pack.py): deciding words, quotes
verified in their clauses, figures in their quotes, recommendations, checklist points, caller
figures that make a condition unknown, and the public case runner."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.engines.vectorized import identify as identify_frame
from fangfan_rules.errors import MissingParameterError, ParameterError, RuleError
from fangfan_rules.rules.conditions import MonthEdge, relative_day
from fangfan_rules.testing import (
    Document,
    check_pack,
    decisions_table,
    find_passage,
    normalise,
    run,
)
from fangfan_rules.testing.documents import figures
from fangfan_rules.testing.fidelity import write_decisions
from tests import mini_pack
from tests.helpers import household, record

AS_OF = date(2024, 6, 1)
WINDOW = "2023-06-01..2024-05-31"


def load(tmp_path: Path, **overrides) -> ff.Pack:
    return ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini", **overrides))


def doc() -> Document:
    return Document.parse("mini.txt", mini_pack.DOCUMENT)


def poor(**facts) -> ff.Household:
    return household(
        income=[record("2023-06-01", "2024-05-31", wage="5000")], self_coping=False, **facts
    )


# -- documents ------------------------------------------------------------------------------------


def test_normalise_folds_width_quotes_and_space_but_keeps_circled_numbers():
    assert normalise("（一） 家庭，“三保障”\u3000①") == '(一)家庭,"三保障"①'
    assert find_passage("家庭年人均纯收入 低于6000元", mini_pack.DOCUMENT) is None
    assert find_passage("全乡所有农村户籍人口…识别为监测对象", mini_pack.DOCUMENT) is None
    # … joins passages in the document's order only
    assert find_passage("识别为监测对象…全乡所有农村户籍人口", mini_pack.DOCUMENT) is not None


def test_clauses_resolve_from_the_headings():
    d = doc()
    assert "全乡所有农村户籍人口" in (d.clause("一、(一)") or "")
    assert d.clause("二、(一)①") == "①家庭年人均纯收入超过监测线;"
    assert (d.clause("二、(一)②") or "").startswith("②")
    assert "各村" in (d.clause("通知") or "")
    assert d.clause("三、(一)") is None and d.clause("一、(九)") is None
    assert d.locate("排查收入是否稳定") == ["二、(二)"]


@pytest.mark.parametrize(
    "text,number",
    [("低于1万元", 10000), ("超过一万元以上", 10000), ("2万元", 20000), ("20%", 20),
     ("10户以上", 10), ("两级", 2), ("三十天", 30), ("8300元", 8300)],
)  # fmt: skip
def test_figures_read_arabic_and_chinese_numerals(text, number):
    assert number in figures(text)


def test_the_five_documents_resolve_every_cited_clause():
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    names = {p.name for p in seeds.glob("00*.txt")}
    assert len(names) == 5, f"the five documents must be in {seeds} (CI has ../shared beside)"
    qianshan = Document.read(seeds / "000_d0b0f0a65bf536d6.txt")
    assert (qianshan.clause("一、(一)1.(2)⑦") or "").startswith("⑦2023年以来")
    rongan = Document.read(seeds / "003_c9957f1623550ea9.txt")
    assert (rongan.clause("二、(一)1 二是") or "").startswith("二是加强重点区域排查")
    jimo = Document.read(seeds / "004_df00656d85e0dab8.txt")
    assert "超过2万元" in (jimo.clause("附件1 医保局") or "")


# -- the fidelity check ---------------------------------------------------------------------------


def test_a_faithful_pack_has_no_problem(tmp_path):
    assert check_pack(load(tmp_path), doc()) == []


def test_a_quote_not_in_the_document_names_the_nearest_passage(tmp_path):
    rule = {**mini_pack.SCOPE, "quote": "全乡所有农村人口"}
    problems = check_pack(load(tmp_path, rules=[rule, *mini_pack.RULES[1:]]), doc())
    assert len(problems) == 1 and problems[0].where == "rule mini_pack.scope.rural"
    assert "not verbatim" in problems[0].message and "全乡所有农村户籍人口" in problems[0].message


def test_a_quote_from_another_clause_is_refused(tmp_path):
    rule = {**mini_pack.SCOPE, "citation": "一、(三)"}
    (problem,) = check_pack(load(tmp_path, rules=[rule, *mini_pack.RULES[1:]]), doc())
    assert "not in the cited clause 一、(三)" in problem.message and "一、(一)" in problem.message


def test_a_figure_not_printed_in_its_quote_needs_an_interpretation(tmp_path):
    parameters = copy.deepcopy(mini_pack.PARAMETERS)
    value = parameters["monitoring_income_line"]["values"][date(2024, 3, 1)]
    value["value"] = 6500  # the document prints 6000
    (problem,) = check_pack(load(tmp_path, parameters=parameters), doc())
    assert "6500" in problem.message and "not printed" in problem.message
    value["interpretation"] = "a reading, with its reason"
    assert check_pack(load(tmp_path, parameters=parameters), doc()) == []


def test_a_number_in_a_condition_needs_its_words_or_a_reading(tmp_path):
    rule = {k: v for k, v in mini_pack.REVIEW_SPENDING.items() if k != "interpretation"}
    (problem,) = check_pack(load(tmp_path, rules=[*mini_pack.RULES[:2], rule]), doc())
    assert "[0]" in problem.message and "interpretation" in problem.message


def test_deciding_words_must_be_the_documents(tmp_path):
    rule = {**mini_pack.IDENTIFY, "decides": "认定为监测对象"}
    (problem,) = check_pack(load(tmp_path, rules=[mini_pack.SCOPE, rule]), doc())
    assert "deciding words are not verbatim" in problem.message


# -- the loader: decisions need deciding words ------------------------------------------------------


@pytest.mark.parametrize("rule", [mini_pack.SCOPE, mini_pack.IDENTIFY])
def test_a_deciding_rule_without_deciding_words_does_not_load(tmp_path, rule):
    bare = {k: v for k, v in rule.items() if k != "decides"}
    others = [r for r in mini_pack.RULES if r["id"] != rule["id"]]
    with pytest.raises(RuleError, match="carries no deciding words"):
        load(tmp_path, rules=[bare, *others])


def test_deciding_words_on_a_recommendation_are_refused(tmp_path):
    rule = {**mini_pack.REVIEW_SPENDING, "decides": "进行综合研判"}
    with pytest.raises(RuleError, match="only for rules that decide"):
        load(tmp_path, rules=[*mini_pack.RULES[:2], rule])


def test_a_rule_and_a_stated_value_need_their_quote(tmp_path):
    with pytest.raises(RuleError, match="quote"):
        load(tmp_path, rules=[{k: v for k, v in mini_pack.SCOPE.items() if k != "quote"}])
    parameters = copy.deepcopy(mini_pack.PARAMETERS)
    del parameters["monitoring_income_line"]["values"][date(2024, 3, 1)]["quote"]
    with pytest.raises(ParameterError, match="needs 'quote'"):
        load(tmp_path, parameters=parameters)


def test_review_policy_is_only_for_a_figure_the_document_does_not_state(tmp_path):
    parameters = copy.deepcopy(mini_pack.PARAMETERS)
    parameters["monitoring_income_line"]["when_not_supplied"] = "review"
    with pytest.raises(ParameterError, match="not_stated value only"):
        load(tmp_path, parameters=parameters)


def test_decisions_table_lists_what_the_pack_decides(tmp_path):
    pack = load(tmp_path)
    table = decisions_table(pack)
    assert "| `outcome.identify` | identify | 一、(二) | 识别为监测对象 |" in table
    assert "| `scope.rural` | out_of_scope |" in table
    assert "review_spending" not in table
    clauses = tmp_path / "mini" / "CLAUSES.md"
    clauses.write_text("# mini\n", encoding="utf-8")
    assert write_decisions(pack, clauses) and not write_decisions(pack, clauses)
    assert table in clauses.read_text(encoding="utf-8")


# -- caller figures the document does not state ---------------------------------------------------


def test_an_unsupplied_error_figure_stops_the_evaluation(tmp_path):
    with pytest.raises(MissingParameterError, match="income_window"):
        load(tmp_path).identify(poor(), as_of=AS_OF)


def test_an_unsupplied_review_figure_makes_its_condition_unknown_in_every_engine(tmp_path):
    pack = load(tmp_path).with_parameters(income_window=WINDOW)
    spender = household(
        income=[record("2023-06-01", "2024-05-31", wage="50000")],
        self_coping=True,
        expenditures=[
            {"kind": "medical", "date": "2024-01-10", "total": "30000",
             "reimbursed": "10000", "compliant_self_paid": "20000"}
        ],
    )  # fmt: skip
    result = pack.identify(spender, as_of=AS_OF)
    assert result.outcome == ff.Outcome.NEEDS_REVIEW
    assert any("spending_lookback_start" in f for f in result.missing_facts)
    (run,) = [t for t in result.trace.rules if t.rule_id == "mini_pack.outcome.review_spending"]
    assert run.status == "unknown" and "spending_lookback_start" in run.parameters
    frame = identify_frame(pack, [spender], as_of=AS_OF, engine="vectorized")
    assert frame.loc[0, "outcome"] == "needs_review"
    durable = pack.identify_frame([spender], as_of=AS_OF, engine="durable")
    assert durable.loc[0, "outcome"] == "needs_review"
    supplied = pack.with_parameters(spending_lookback_start="2023-06-01")
    assert supplied.identify(spender, as_of=AS_OF).outcome == ff.Outcome.NEEDS_REVIEW
    late = supplied.with_parameters(spending_lookback_start="2024-02-01")
    assert late.identify(spender, as_of=AS_OF).outcome == ff.Outcome.NOT_ELIGIBLE


def test_a_deciding_rule_decides_and_a_recommendation_recommends(tmp_path):
    pack = load(tmp_path).with_parameters(income_window=WINDOW)
    assert pack.identify(poor(), as_of=AS_OF).outcome == ff.Outcome.IDENTIFY
    urban = household(hukou="urban", income=[record("2023-06-01", "2024-05-31", wage="1")])
    assert pack.identify(urban, as_of=AS_OF).outcome == ff.Outcome.OUT_OF_SCOPE


# -- operands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of,back,start,end",
    [(date(2022, 5, 10), 1, date(2022, 4, 1), date(2022, 4, 30)),
     (date(2022, 3, 31), 1, date(2022, 2, 1), date(2022, 2, 28)),
     (date(2024, 3, 1), 1, date(2024, 2, 1), date(2024, 2, 29)),
     (date(2023, 1, 15), 1, date(2022, 12, 1), date(2022, 12, 31)),
     (date(2023, 1, 15), 0, date(2023, 1, 1), date(2023, 1, 31))],
)  # fmt: skip
def test_previous_calendar_month_is_not_the_last_thirty_days(as_of, back, start, end):
    assert relative_day(MonthEdge(back, "start"), as_of) == start
    assert relative_day(MonthEdge(back, "end"), as_of) == end


# -- elimination: conditions decide, checklist points and recommendations do not --------------------


def monitored(wage: str = "9000") -> ff.Household:
    return household(
        monitoring=[{"category": "marginal", "identified_on": "2023-01-10"}],
        income=[record("2023-06-01", "2024-05-31", wage=wage)],
        guarantees={
            "housing_grade": "A",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
    )


def test_stated_conditions_decide_eliminate_and_not_yet(tmp_path):
    pack = load(tmp_path, elimination=mini_pack.ELIMINATION).with_parameters(income_window=WINDOW)
    assert pack.assess_elimination(monitored(), as_of=AS_OF).outcome == "eliminate"
    low = monitored(wage="5000")
    answer = pack.assess_elimination(low, as_of=AS_OF)
    assert answer.outcome == "not_yet" and [c.id for c in answer.conditions_unmet] == [
        "mini_pack:income"
    ]


def test_checklist_points_and_recommendations_never_decide(tmp_path):
    points = [
        {**{k: v for k, v in r.items() if k != "decides"}, "kind": "review_point"}
        for r in mini_pack.ELIMINATION
    ]
    recommendation = {
        "id": "elimination.by_procedure",
        "kind": "outcome",
        "title": {"zh": "按程序消除风险", "en": "eliminate by the procedure"},
        "citation": "二、(二)",
        "quote": "对已消除风险的户，排查收入是否稳定",
        "when": {"var": "eliminated", "eq": False},
        "effect": {
            "outcome": "needs_review",
            "review_reason": {"zh": "文件未规定消除条件", "en": "no elimination condition stated"},
        },
    }
    pack = load(tmp_path, elimination=[*points, recommendation]).with_parameters(
        income_window=WINDOW
    )
    answer = pack.assess_elimination(monitored(), as_of=AS_OF)
    assert answer.outcome == "needs_review"
    assert {c.id for c in answer.conditions_met} == {"mini_pack:income", "mini_pack:guarantees"}
    texts = [p.zh for p in answer.review_points]
    assert "文件未规定消除条件" in texts and "收入超过监测线：满足" in texts
    low = monitored(wage="5000")
    answer = pack.assess_elimination(low, as_of=AS_OF)
    assert answer.outcome == "needs_review" and "收入超过监测线：不满足" in [
        p.zh for p in answer.review_points
    ]


# -- the public case runner ------------------------------------------------------------------------

CASES = """pack: mini_pack
defaults:
  as_of: 2024-06-01
  parameters: {income_window: "2023-06-01..2024-05-31"}
cases:
  - name: below the line and cannot cope → identify
    clause: 一、(二)
    household:
      id: H1
      area: {county: 测试县, town: 测试乡, village: 一村}
      hukou: rural
      members: [{id: m1, relation: head, birth_date: 1970-01-01}]
      self_coping: false
      income: [{start: 2023-06-01, end: 2024-05-31, wage_income: "5000", business_income: "0",
                property_income: "0", transfer_income: "0", business_expense: "0"}]
    expect: {outcome: identify}
  - name: a wrong expectation is reported
    clause: 一、(二)
    household:
      id: H2
      area: {county: 测试县, town: 测试乡, village: 一村}
      hukou: urban
    expect: {outcome: identify}
"""


def test_the_runner_checks_a_pack_directory_its_cases_and_its_document(tmp_path):
    directory = mini_pack.write_pack(tmp_path / "mini")
    (directory / "cases").mkdir()
    (directory / "cases" / "basic.yaml").write_text(CASES, encoding="utf-8")
    (report,) = run(directory)
    assert report.pack == "mini_pack" and report.fidelity == [] and report.clauses is None
    assert [r.passed for r in report.cases] == [True, False]
    assert "outcome: expected identify, got out_of_scope" in report.cases[1].problems[0]
    assert not report.ok and "1/2 cases agree" in report.lines()[0]


def test_the_runner_says_when_the_document_was_not_found(tmp_path):
    directory = mini_pack.write_pack(tmp_path / "mini")
    (directory / "mini.txt").unlink()
    (report,) = run(directory)
    assert report.fidelity is None and not report.ok
    assert any("NOT CHECKED" in line for line in report.lines())


def test_the_pytest_plugin_collects_a_projects_cases(tmp_path, pytester):
    directory = mini_pack.write_pack(pytester.path / "mini")
    cases = pytester.path / "cases" / "mini_pack"
    cases.mkdir(parents=True)
    (cases / "basic.yaml").write_text(CASES, encoding="utf-8")
    pytester.makeini(f"[pytest]\nfangfan_cases = cases\nfangfan_documents = {directory}\n")
    # The mini pack is not installed: the plugin's items load packs by name, so this project
    # only checks that collection finds the cases and reports the uninstalled pack clearly.
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*below the line and cannot cope*", "*a wrong expectation*"])


def test_the_test_command_runs_a_pack_directory(tmp_path, capsys):
    from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_OK, main

    directory = mini_pack.write_pack(tmp_path / "mini")
    (directory / "cases").mkdir()
    (directory / "cases" / "basic.yaml").write_text(CASES, encoding="utf-8")
    assert main(["test", str(directory)]) == EXIT_BAD_ROWS
    output = capsys.readouterr().out
    assert "mini_pack: 1/2 cases agree" in output
    assert "outcome: expected identify, got out_of_scope" in output
    good = CASES[: CASES.index("  - name: a wrong expectation")]
    (directory / "cases" / "basic.yaml").write_text(good, encoding="utf-8")
    assert main(["test", str(directory)]) == EXIT_OK


def test_an_unknown_recommendation_keeps_elimination_open(tmp_path):
    """A recommendation whose facts are unknown may apply: needs_review naming what to find out,
    never eliminate (engines/elimination.py)."""
    recommendation = {
        "id": "elimination.ask_about_coping",
        "kind": "outcome",
        "title": {"zh": "无力自主应对的，按程序研判", "en": "cannot cope: judge by the procedure"},
        "citation": "二、(二)",
        "quote": "对已消除风险的户，排查收入是否稳定",
        "when": {"var": "self_coping", "eq": False},
        "effect": {
            "outcome": "needs_review",
            "review_reason": {"zh": "研判自主应对能力", "en": "judge coping"},
        },
    }
    pack = load(tmp_path, elimination=[*mini_pack.ELIMINATION, recommendation]).with_parameters(
        income_window=WINDOW
    )
    answer = pack.assess_elimination(monitored(), as_of=AS_OF)
    assert answer.outcome == "needs_review" and "self_coping" in answer.missing_facts
