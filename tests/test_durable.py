"""The durable_rules backend: known durable_rules 2.0.28 pitfalls, and how the backend avoids them.

The raw-durable tests document the engine's behaviour we work around (they fail the day durable is
fixed, which is the day a workaround can go). The backend tests compare with the native evaluator.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.engines import durable_backend
from fangfan_rules.engines.durable_backend import (
    BackendUnavailable,
    DurableActionError,
    DurableEngine,
)
from fangfan_rules.engines.durable_compile import (
    MAX_NODES,
    Occurrence,
    fnv1_32,
    nodes,
)
from fangfan_rules.money import fraction_to_yuan
from fangfan_rules.variables import get_variable
from tests.helpers import household, quoted_rule, record, requires_durable

pytestmark = requires_durable

COLUMNS = [
    "outcome",
    "category",
    "risk_types",
    "key_attention",
    "key_areas",
    "flags",
    "must_visit",
    "green_channel",
    "deciding_rule",
    "decided_by_unknown",
]
AS_OF = date(2023, 6, 30)
QIANSHAN = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=Decimal("6900"))
WINDOW = ("2022-05-01", "2023-04-30")


def rows(frame: Any) -> list[dict[str, Any]]:
    part = frame[COLUMNS].astype(object)
    return part.where(part.notna(), None).to_dict("records")


def both(pack: ff.Pack, batch: list[ff.Household], as_of: date = AS_OF) -> list[dict[str, Any]]:
    """Durable's rows, asserted equal to native's."""
    with DurableEngine(pack, as_of=as_of) as engine:
        durable = rows(engine.identify_many(batch))
    native = rows(results_frame(pack.identify_many(batch, as_of=as_of)))
    assert durable == native
    return durable


def make_pack(tmp_path: Path, rules: str, parameters: str = "{}", name: str = "t_pack") -> ff.Pack:
    """A small pack written to ``tmp_path`` (rules and parameters as YAML text)."""
    (tmp_path / "pack.yaml").write_text(
        f"name: {name}\nversion: '1'\nvalid_from: 2023-01-01\n"
        "document: {title: t, issuer: t, date: 2023-01-01, region: t, file: t.txt}\n"
        "category_precedence: [unstable_lifted, sudden_hardship, marginal]\n",
        encoding="utf-8",
    )
    (tmp_path / "parameters.yaml").write_text(parameters, encoding="utf-8")
    data = yaml.safe_load("rules:\n" + rules)
    data["rules"] = [quoted_rule(r) for r in data["rules"]]
    (tmp_path / "rules.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return ff.Pack.from_directory(tmp_path)


def raw_ruleset(name: str, definition: dict[str, Any]) -> Any:
    from durable.engine import Ruleset

    return Ruleset(name, None, definition)


def raw_fire(ruleset: Any, fact: dict[str, Any]) -> None:
    from durable.engine import MessageNotHandledException

    try:
        handle = ruleset.assert_fact(fact)
    except MessageNotHandledException:
        return
    ruleset.do_actions(handle, lambda error, state: None)


# -- availability -----------------------------------------------------------------------------


def test_unavailable_backend_raises_a_clear_error(monkeypatch):
    monkeypatch.setattr(durable_backend, "_IMPORT_ERROR", ImportError("no module durable"))
    assert not durable_backend.available()
    with pytest.raises(BackendUnavailable, match=r"pip install 'fangfan-rules\[durable\]'"):
        DurableEngine(QIANSHAN, as_of=AS_OF)
    assert issubclass(BackendUnavailable, ff.FangfanError)


# -- unknown is a value -------------------------------------------------------------------------

KLEENE_RULES = """
  - id: s
    kind: scope
    title: {zh: s, en: s}
    citation: s
    when: {var: hukou, eq: rural}
  - id: not_unknown
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {not: {var: self_coping}}
    effect: {flag: not_unknown}
  - id: unknown_or_true
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {any: [{var: self_coping}, {var: hukou, eq: rural}]}
    effect: {flag: unknown_or_true}
  - id: unknown_and_false
    kind: outcome
    title: {zh: o, en: o}
    citation: o
    when: {all: [{var: self_coping}, {var: hukou, eq: urban}]}
    effect: {outcome: identify}
  - id: unknown_and_true
    kind: outcome
    title: {zh: o, en: o}
    citation: o
    when: {all: [{var: serious_difficulty}, {var: hukou, eq: rural}]}
    effect: {outcome: identify}
  - id: none_date
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {not: {any_member: {var: disability_certificate_date, ge: 2020-01-01}}}
    effect: {flag: no_certificate}
"""


def test_kleene_logic_and_explicit_unknown(tmp_path):
    pack = make_pack(tmp_path, KLEENE_RULES)
    unknown = household(id="U", self_coping=None, serious_difficulty=None)
    known = household(id="K", self_coping=False, serious_difficulty=True)
    out = both(pack, [unknown, known])
    # not unknown = unknown (no flag); unknown or true = true; unknown and false = false
    assert out[0]["flags"] == "t_pack:no_certificate;t_pack:unknown_or_true"
    # unknown and true = unknown: the outcome rule caps the answer at needs_review, the rule
    # named with decided_by_unknown
    assert out[0]["outcome"] == "needs_review"
    assert out[0]["deciding_rule"] == "t_pack.unknown_and_true"
    assert out[0]["decided_by_unknown"] is True
    assert out[1]["outcome"] == "identify"
    assert out[1]["decided_by_unknown"] is False
    assert out[1]["flags"] == "t_pack:no_certificate;t_pack:not_unknown;t_pack:unknown_or_true"


def test_unknown_is_an_explicit_flag_never_a_missing_field():
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        compiled = engine._ruleset_for(1).compiled
        names = set(compiled.field_source)
        for occ, slot in compiled.field_source.values():
            assert {f"{occ.base(slot)}__known", f"{occ.base(slot)}__none"} <= names
        # every rule that reads a value also reads its __known flag
        for group in compiled.groups:
            for _, body in group.rules:
                text = repr(body)
                for occ, slot in compiled.field_source.values():
                    if f"'{occ.base(slot)}'" in text:
                        assert f"'{occ.base(slot)}__known'" in text


def test_missing_income_is_unknown_not_zero():
    no_income = household(id="N", self_coping=False, lifted_out_of_poverty=False)
    out = both(QIANSHAN, [no_income])
    assert out[0]["outcome"] == "needs_review"
    assert out[0]["deciding_rule"] == "qianshan_2023.outcome.guarantee_problem_cannot_cope"
    assert out[0]["decided_by_unknown"] is True


# -- money in fen, exactly ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "members", "below_line"),
    [
        ("20699.99", 3, True),  # 6,899.996666… per person: 低于 6,900
        ("20700.00", 3, False),  # exactly 6,900.00: not below
        ("20700.03", 3, False),  # 6,900.01
        ("6899.99", 1, True),
        ("6900.00", 1, False),
        ("6900.01", 1, False),
        ("13799.99", 2, True),  # 6,899.995
        ("-0.01", 1, True),
    ],
)
def test_fen_boundaries_of_the_monitoring_line(total, members, below_line):
    people = [{"id": f"m{i}", "relation": "head" if i == 0 else "child"} for i in range(members)]
    h = household(
        id="F",
        members=people,
        self_coping=False,
        lifted_out_of_poverty=False,
        income=[
            record(*WINDOW, wage=total)
            if not total.startswith("-")
            else record(*WINDOW, prop=total)
        ],
    )
    out = both(QIANSHAN, [h])
    assert (
        out[0]["deciding_rule"] == "qianshan_2023.outcome.income_below_line_cannot_cope"
    ) == below_line


def _compare(op: str, a: Any, b: Any) -> bool:
    return {
        "eq": a == b,
        "ne": a != b,
        "lt": a < b,
        "le": a <= b,
        "gt": a > b,
        "ge": a >= b,
    }[op]


@given(
    st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=10**6),
    st.integers(-(10**11), 10**11),
    st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
)
@example(Fraction(2069999, 300), 690000, "lt")  # 20,699.99 / 3 vs 6,900.00
@example(Fraction(690000, 100), 690000, "eq")
@example(Fraction(10**20), 10**11, "gt")  # clamped, still on the right side
@example(Fraction(-(10**20)), -(10**11), "lt")
def test_half_fen_encoding_is_exact(value, threshold_fen, op):
    """The integer durable compares gives exactly the Decimal comparison native makes."""
    amount = fraction_to_yuan(value)  # the 40-digit Decimal the income variables return
    threshold = Decimal(threshold_fen).scaleb(-2)
    occ = Occurrence(0, get_variable("net_income"), {}, "num", scale=100)
    out: dict[str, Any] = {}
    occ.encode(amount, None, out)
    assert type(out["o0"]) is int
    assert _compare(op, out["o0"], 2 * threshold_fen) == _compare(op, amount, threshold)


def test_scale_grows_for_thresholds_finer_than_a_fen(tmp_path):
    rules = """
  - id: r
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {var: net_income, args: {window: {from: 2022-05-01, to: 2023-04-30}}, lt: 0.005}
    effect: {flag: tiny}
"""
    pack = make_pack(tmp_path, rules)
    amounts = ("0", "0.01", "-1000000000", "1000000000")
    cases = [household(id=f"H{i}", income=[record(*WINDOW, prop=v)]) for i, v in enumerate(amounts)]
    with DurableEngine(pack, as_of=AS_OF) as engine:
        (occ,) = engine.plan.occurrences.values()
        # the YAML float 0.005 is compared by its exact binary value, as Python compares it
        assert Fraction(0.005) * occ.scale * 2 == int(Fraction(0.005) * occ.scale * 2)
        assert occ.scale > 100
    out = both(pack, cases)  # large amounts are clamped, still on the right side
    assert [r["flags"] for r in out] == ["t_pack:tiny", "", "t_pack:tiny", ""]


# -- types never coerced -----------------------------------------------------------------------


def test_raw_durable_coerces_types():
    """Why only ints and strs of the right kind reach durable: it coerces ("5000" < 6000, true == 1)."""
    fired: list[str] = []
    ruleset = raw_ruleset(
        "fangfan.test.coercion",
        {
            "lt": {"all": [{"m": {"$lt": {"x": 6000}}}], "run": lambda c: fired.append("lt")},
            "eq1": {"all": [{"m": {"t": 1}}], "run": lambda c: fired.append("eq1")},
        },
    )
    raw_fire(ruleset, {"sid": "1", "x": "5000", "t": True})
    assert sorted(fired) == ["eq1", "lt"]


def test_strings_and_floats_never_reach_durable():
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        durable = engine._ruleset_for(1)
        for bad in ("5000", 5000.0, Decimal("5000"), True, None):
            if isinstance(bad, str):
                fact: dict[str, Any] = {"sid": "1", "g": 1, "o0": 1, "o1": [bad]}
            else:
                fact = {"sid": "1", "g": 1, "o0": bad}
            with pytest.raises(ff.FangfanError, match="not an int or str"):
                durable.run("1", fact)
    occ = Occurrence(0, get_variable("net_income"), {}, "num", scale=100)
    with pytest.raises(ff.RuleError, match="refusing"):
        occ.encode("5000", None, {})
    with pytest.raises(ff.RuleError, match="refusing"):
        occ.encode(5000.0, None, {})


def test_mixed_type_comparison_fails_at_compile_time_naming_the_rule(tmp_path):
    rules = """
  - id: strange
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {var: net_income, args: {window: {from: 2022-05-01, to: 2023-04-30}}, lt: "6000"}
    effect: {flag: strange}
"""
    pack = make_pack(tmp_path, rules)
    with pytest.raises(ff.RuleError, match=r"rule t_pack\.strange.*mixed-type"):
        DurableEngine(pack, as_of=AS_OF)


def test_unsupported_operator_fails_at_compile_time_naming_the_rule(tmp_path):
    rules = """
  - id: enum_order
    kind: flag
    title: {zh: f, en: f}
    citation: f
    when: {var: housing_grade, lt: C}
    effect: {flag: x}
"""
    with pytest.raises(ff.RuleError, match=r"rule t_pack\.enum_order.*not supported"):
        DurableEngine(make_pack(tmp_path, rules), as_of=AS_OF)


# -- sessions ----------------------------------------------------------------------------------

COLLIDING = ("530102000000720089", "530102000001214000")


def test_raw_durable_hashes_session_ids_to_32_bits():
    """The bug: these two household ids land in the same durable session."""
    seen: list[str] = []
    ruleset = raw_ruleset(
        "fangfan.test.sid", {"r": {"all": [{"m": {"x": 1}}], "run": lambda c: seen.append(c.s.sid)}}
    )
    try:
        for sid in COLLIDING:
            raw_fire(ruleset, {"sid": sid, "x": 1})
        assert seen == [COLLIDING[0], COLLIDING[0]]  # the second household saw the first's state
    finally:
        durable_backend._dre.delete_ruleset(ruleset._handle)


def test_colliding_household_ids_are_evaluated_apart():
    a = household(id=COLLIDING[0], self_coping=False, income=[record(*WINDOW, wage="100")])
    b = household(id=COLLIDING[1], self_coping=True, income=[record(*WINDOW, wage="100")])
    out = both(QIANSHAN, [a, b])
    assert out[0]["deciding_rule"] == "qianshan_2023.outcome.income_below_line_cannot_cope"
    assert out[1]["deciding_rule"] == "qianshan_2023.outcome.review_risk_but_coping"
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        durable = engine._ruleset_for(1)
        engine.identify_many([a])
        # the state of each household is deleted after it: nothing is left in the session
        assert engine._sids is not None
        with pytest.raises(Exception):  # noqa: B017 - durable: "Could not get state, error code 309"
            durable.ruleset.get_state("1")


# -- rulesets ------------------------------------------------------------------------------------


def test_unique_ruleset_names_for_two_parameter_sets():
    low = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=Decimal("6900"))
    high = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=Decimal("8000"))
    h = household(id="P", self_coping=False, income=[record(*WINDOW, wage="7000")])
    with DurableEngine(low, as_of=AS_OF) as a, DurableEngine(high, as_of=AS_OF) as b:
        again = DurableEngine(low, as_of=AS_OF)
        names = {*a.ruleset_names, *b.ruleset_names, *again.ruleset_names}
        assert len(names) == 3
        assert low.content_hash[7:23] in a.ruleset_names[0]
        assert high.content_hash[7:23] in b.ruleset_names[0]
        assert a.identify_many([h]).deciding_rule[0] != b.identify_many([h]).deciding_rule[0]
        again.close()
    with pytest.raises(ff.FangfanError, match="closed"):
        again.identify_many([h])


def test_close_frees_the_rulesets():
    engine = DurableEngine(QIANSHAN, as_of=AS_OF)
    handle = engine._rulesets[0].handle
    engine.close()
    assert engine._rulesets == {}
    with pytest.raises(Exception, match="error code: 111"):  # ERR_INVALID_HANDLE
        durable_backend._dre.delete_ruleset(handle)


def test_raw_durable_rejects_more_than_15_and_or_operators():
    leaf = {"$gt": {"x": 0}}
    ok = {"$or": [{"$and": [leaf, leaf]} for _ in range(14)]}
    raw_ruleset("fangfan.test.ok", {"r": {"all": [{"m": ok}], "run": lambda c: None}})
    too_many = {"$or": [{"$and": [leaf, leaf]} for _ in range(15)]}
    with pytest.raises(Exception, match="error code: 113"):
        raw_ruleset("fangfan.test.big", {"r": {"all": [{"m": too_many}], "run": lambda c: None}})


def test_big_conditions_and_big_households_are_split_to_fit(tmp_path):
    # a rule whose condition needs far more than 15 and/or, over a household of 40 members
    items = "\n".join(
        f"          - all: [{{var: relation, eq: {rel}}}, {{var: age, ge: {age}}}]"
        for rel in ("child", "grandchild", "spouse", "parent")
        for age in (1, 6, 16, 60, 70)
    )
    rules = f"""
  - id: big
    kind: outcome
    title: {{zh: o, en: o}}
    citation: o
    when:
      any_member:
        any:
{items}
    effect: {{outcome: identify}}
  - id: nobody_old
    kind: category
    title: {{zh: c, en: c}}
    citation: c
    when: {{not: {{any_member: {{all: [{{var: age, ge: 70}}, {{var: major_illness}}]}}}}}}
    effect: {{category: marginal}}
"""
    pack = make_pack(tmp_path, rules)
    people = [
        {
            "id": f"m{i:02d}",
            "relation": ("head", "child", "spouse", "parent")[i % 4],
            "birth_date": f"{1950 + i}-03-01" if i % 5 else None,
            "health": {"major_illness": (None, True, False)[i % 3]},
        }
        for i in range(40)
    ]
    batch = [
        household(id="BIG", members=people),
        household(id="SMALL", members=people[:1]),
        household(id="NONE", members=[]),
    ]
    both(pack, batch)
    with DurableEngine(pack, as_of=AS_OF) as engine:
        compiled = engine._ruleset_for(40).compiled
        definition = compiled.definition(lambda target: lambda c: None)
        assert all(nodes_in(r["all"][0]["m"]) <= MAX_NODES for r in definition.values())
        assert all(len(g.base_fields) + len(g.ref_targets) <= 240 for g in compiled.groups)


def nodes_in(expression: Any) -> int:
    if isinstance(expression, dict):
        own = sum(1 for k in expression if k in ("$and", "$or"))
        return own + sum(nodes_in(v) for v in expression.values())
    if isinstance(expression, list):
        return sum(nodes_in(v) for v in expression)
    return 0


def test_field_names_do_not_collide_in_durable_hash():
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        compiled = engine._ruleset_for(6).compiled
        names = {n for g in compiled.groups for n in g.base_fields} | {"sid", "id", "g"}
        assert len({fnv1_32(n) for n in names}) == len(names)
    assert fnv1_32("sid") == 3593476751  # durable's own HASH_SID
    assert nodes(compiled.targets[0].formula) >= 0


# -- errors ------------------------------------------------------------------------------------


def test_exceptions_in_actions_are_surfaced():
    h = household(id="E", self_coping=False, income=[record(*WINDOW, wage="100")])
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        engine._ruleset_for(1).fail_in_action = RuntimeError("boom")
        with pytest.raises(DurableActionError, match="boom"):
            engine.identify_many([h])
        engine._ruleset_for(1).fail_in_action = None
        assert engine.identify_many([h]).outcome[0] == "needs_review"


def test_missing_parameter_is_raised_like_native():
    pack = ff.load_pack("qianshan_2023")  # monitoring_income_line not supplied
    in_scope = household(id="I")
    urban = household(id="O", hukou="urban", lifted_out_of_poverty=False)
    with DurableEngine(pack, as_of=AS_OF) as engine:
        # out of scope: no other rule is evaluated, so nothing is missing
        assert engine.identify_many([urban]).outcome[0] == "out_of_scope"
        assert pack.identify_many([urban], as_of=AS_OF)[0].outcome == "out_of_scope"
        with pytest.raises(ff.MissingParameterError, match="monitoring_income_line"):
            engine.identify_many([urban, in_scope])
    with pytest.raises(ff.MissingParameterError, match="monitoring_income_line"):
        pack.identify_many([urban, in_scope], as_of=AS_OF)


def test_not_in_force_is_raised_like_native():
    with DurableEngine(QIANSHAN, as_of=date(2023, 1, 1)) as engine:
        assert len(engine.identify_many([])) == 0
        with pytest.raises(ff.NotInForceError):
            engine.identify_many([household(id="X")])


def test_duplicate_ids_are_bad_rows_the_rest_answered():
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        frame = engine.identify_many([household(id="D"), household(id="E"), household(id="D")])
    assert frame.outcome.tolist()[0] == frame.outcome.tolist()[2] == "error"
    assert frame.outcome[1] != "error" and "more than once" in frame.error[0]


# -- threads -----------------------------------------------------------------------------------


def test_no_thread_is_leaked():
    before = threading.active_count()
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        engine.identify_many([household(id=f"T{i}", self_coping=False) for i in range(5)])
        assert threading.active_count() == before
    assert threading.active_count() == before


def test_one_engine_shared_by_threads():
    batch = [
        household(
            id=f"S{i}",
            self_coping=(None, True, False)[i % 3],
            members=[{"id": f"m{j}", "relation": "head"} for j in range(i % 4)],
            income=[record(*WINDOW, wage=str(3000 * i))],
        )
        for i in range(30)
    ]
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        expected = rows(engine.identify_many(batch))
        results: list[Any] = [None] * 6
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                results[k] = rows(engine.identify_many(batch))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert all(r == expected for r in results)
    assert expected == rows(results_frame(QIANSHAN.identify_many(batch, as_of=AS_OF)))


# -- explain -------------------------------------------------------------------------------------


def test_explain_fills_reason_columns_from_native():
    h = household(id="X1", self_coping=False, income=[record(*WINDOW, wage="100")])
    with DurableEngine(QIANSHAN, as_of=AS_OF) as engine:
        plain = engine.identify_many([h])
        assert plain.first_reason[0] is None and plain.missing_facts[0] is None
        assert plain.citation[0] == "qianshan_2023:一、(一)4"
        explained = engine.identify_many([h], explain=True)
        native = results_frame(QIANSHAN.identify_many([h], as_of=AS_OF))
        for column in ("first_reason", "citation", "missing_facts"):
            assert explained[column][0] == native[column][0]
        assert engine.explain(h).outcome == ff.Outcome.NEEDS_REVIEW


def test_rules_not_in_force_and_packs_with_nothing_to_assert(tmp_path):
    rules = """
  - id: later
    kind: outcome
    title: {zh: o, en: o}
    citation: o
    valid_from: 2030-01-01
    when: {var: hukou, eq: rural}
    effect: {outcome: identify}
  - id: refers_to_later
    kind: note
    title: {zh: n, en: n}
    citation: n
    when: {fired: [later]}
"""
    pack = make_pack(tmp_path, rules)
    out = both(pack, [household(id="A"), household(id="B", hukou="urban")])
    assert [r["outcome"] for r in out] == ["not_eligible", "not_eligible"]
    with DurableEngine(pack, as_of=AS_OF) as engine:
        assert engine._ruleset_for(0).compiled.groups == []


RAW_DELETE_AFTER_UNMATCHED = """
from durable.engine import Ruleset, MessageNotHandledException
r = Ruleset("nh", None, {"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}})
try:
    r.assert_fact({"sid": "7", "x": 2})
except MessageNotHandledException:
    pass
r.delete_state("7")
print("survived")
"""


def test_raw_durable_aborts_deleting_a_session_of_unmatched_facts():
    """The bug (found by the differential test): the process dies in free()."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", RAW_DELETE_AFTER_UNMATCHED], capture_output=True, timeout=60
    )
    assert done.returncode != 0 and b"survived" not in done.stdout


def test_session_with_only_unmatched_facts_is_closed_safely(tmp_path):
    rules = """
  - id: s
    kind: scope
    title: {zh: s, en: s}
    citation: s
    when: {var: self_coping, eq: false}
  - id: o
    kind: outcome
    title: {zh: o, en: o}
    citation: o
    when: {var: net_income, args: {window: {from: 2022-05-01, to: 2023-04-30}}, lt: {param: line}}
    effect: {outcome: identify}
"""
    parameters = """
line:
  description: {zh: l, en: l}
  type: money
  values:
    2023-01-01: {value: not_stated, citation: x}
"""
    pack = make_pack(tmp_path, rules, parameters)
    unknown_scope = household(id="U", self_coping=None)
    with DurableEngine(pack, as_of=AS_OF) as engine:
        for _ in range(3):  # the scope fact matches nothing, then the main phase raises
            with pytest.raises(ff.MissingParameterError):
                engine.identify_many([unknown_scope])
    with pytest.raises(ff.MissingParameterError):
        pack.identify_many([unknown_scope], as_of=AS_OF)
    supplied = pack.with_parameters(line=100)
    assert both(supplied, [unknown_scope])[0]["outcome"] == "needs_review"
