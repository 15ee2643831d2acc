import pytest

from fangfan_rules.errors import RuleError
from fangfan_rules.logic import UNKNOWN, k_and, k_not, k_or
from fangfan_rules.rules.conditions import All, AnyMember, Compare, IsTrue, parse_condition
from fangfan_rules.rules.rule import parse_rule

DEFAULTS = {"valid_from": "2023-01-01"}


def test_kleene_tables():
    assert k_and([UNKNOWN, False]) is False and k_and([UNKNOWN, True]) is UNKNOWN
    assert k_or([UNKNOWN, True]) is True and k_or([UNKNOWN, False]) is UNKNOWN
    assert k_not(UNKNOWN) is UNKNOWN and k_and([]) is True and k_or([]) is False
    with pytest.raises(TypeError):
        bool(UNKNOWN)


def test_parse_tree():
    c = parse_condition(
        {"all": [{"var": "self_coping"}, {"any_member": {"var": "age", "ge": 60}}]}, rule_id="r"
    )
    assert isinstance(c, All) and isinstance(c.items[0], IsTrue)
    assert isinstance(c.items[1], AnyMember) and isinstance(c.items[1].item, Compare)


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"var": "no_such_variable"}, "unknown variable"),
        ({"var": "age", "ge": 60}, "member-level"),
        ({"any_member": {"var": "self_coping"}}, "household-level"),
        ({"var": "per_capita_net_income", "lt": 1}, "takes arguments"),
        ({"var": "housing_grade", "in": ["C", "E"]}, "'E' is not a HousingGrade"),
        ({"var": "hukou", "equals": "rural"}, "exactly one operator"),
        ({"var": "member_count"}, "not boolean"),
        ({"all": []}, "non-empty"),
    ],
)
def test_bad_conditions_name_the_rule(bad, message):
    with pytest.raises(RuleError, match=message) as info:
        parse_condition(bad, rule_id="pack.rule.x")
    assert "pack.rule.x" in str(info.value)


def test_rule_needs_citation_and_effect():
    base = {
        "id": "a",
        "kind": "key_attention",
        "title": {"zh": "甲", "en": "a"},
        "when": {"var": "self_coping"},
    }
    with pytest.raises(RuleError, match="cite"):
        parse_rule("p", base, DEFAULTS)
    with pytest.raises(RuleError, match=r"effect\.group"):
        parse_rule("p", {**base, "citation": "一"}, DEFAULTS)
    with pytest.raises(RuleError, match="quote"):
        parse_rule("p", {**base, "citation": "一", "effect": {"group": "①"}}, DEFAULTS)
    rule = parse_rule(
        "p", {**base, "citation": "一", "quote": "原文", "effect": {"group": "①"}}, DEFAULTS
    )
    assert rule.id == "p.a" and rule.citation == "p:一"
