"""The words of a check are memoized process-wide (rules/exact_keys.py): answers stay the same.

Differential: every pack's answers (JSON dump, explanations, trace) with the memos as they are,
after other households filled them, equal the answers worded afresh with no memo at all. Keys:
values that ``==`` confuses get distinct words; values with no faithful key are not memoized.
Masking: texts are memoized as worded and masked when shown, so ID numbers stay masked.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.engines import native
from fangfan_rules.idnumber import _ANYWHERE, _may_hold_one, mask_id_number
from fangfan_rules.logic import UNKNOWN, Missing
from fangfan_rules.packs.registry import available_packs
from fangfan_rules.rules import wording
from fangfan_rules.rules.exact_keys import BoundedMemo, check_key, exact_key
from tests.helpers import latency_pack, sample_households
from tests.tricky import ID15, ID18, base_household

PACKS = {name: latency_pack(name) for name in available_packs()}


def _outputs(answer: ff.Identification) -> tuple[str, ...]:
    return (
        answer.model_dump_json(),
        answer.model_dump_json(indent=2),
        answer.explain("zh"),
        answer.explain("en"),
        answer.trace.explain("zh"),
        answer.trace.explain("en"),
    )


def _unmemoized(pack: ff.Pack, household: ff.Household, as_of: date) -> tuple[str, ...]:
    """The answer's outputs worded afresh: no check has a memo key."""
    with pytest.MonkeyPatch.context() as patch:
        for module in (wording, native):
            patch.setattr(module, "check_key", lambda *recorded: None)
        return _outputs(pack.identify(household, as_of=as_of))


@pytest.mark.parametrize("name", sorted(PACKS))
def test_sample_answers_equal_the_unmemoized_ones(name: str) -> None:
    pack, as_of = PACKS[name]
    for household in sample_households()[:60]:
        memoized = _outputs(pack.identify(household, as_of=as_of))
        again = _outputs(pack.identify(household, as_of=as_of))  # every check from the memo
        assert memoized == again == _unmemoized(pack, household, as_of)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_generated_answers_equal_the_unmemoized_ones(name: str) -> None:
    pack, _ = PACKS[name]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fs.households(pack=pack), fs.as_of_dates(pack))
    def check(household: ff.Household, as_of: date) -> None:
        memoized = _outputs(pack.identify(household, as_of=as_of))
        assert memoized == _unmemoized(pack, household, as_of)

    check()


LOOK_ALIKES = (True, 1, Decimal(1), Decimal("1.0"), Decimal("1.00"), "1", 1.0)


def test_values_equal_under_eq_have_distinct_keys() -> None:
    keys = [exact_key(v) for v in LOOK_ALIKES]
    assert None not in keys and len(set(keys)) == len(keys)
    assert exact_key((True,)) != exact_key((1,))
    assert exact_key(frozenset({Decimal("1.0")})) != exact_key(frozenset({Decimal("1.00")}))
    assert exact_key(Missing(("a",))) != exact_key(Missing(("b",)))
    assert exact_key(UNKNOWN) not in (exact_key(True), exact_key(False), exact_key(None))


@pytest.mark.parametrize("value", [[1], {1}, {"a": [1]}, object(), (1, [2])])
def test_values_without_a_faithful_key_are_not_memoized(value: object) -> None:
    assert exact_key(value) is None
    assert check_key("age", {}, None, value, "ge", Decimal(60), False, None) is None


@pytest.mark.parametrize("variable", ["age", "per_capita_net_income"])
def test_look_alike_values_are_worded_each_as_itself(variable: str) -> None:
    args = {"window": ff.DateRange(start=date(2021, 5, 1), end=date(2022, 4, 30))}
    args = args if variable == "per_capita_net_income" else {}
    for lang in ("zh", "en"):
        for right in LOOK_ALIKES:
            for value in LOOK_ALIKES:
                recorded = (variable, args, "m1", value, "lt", right, False)
                fresh = wording.word_check((*recorded, "monitoring_income_line"), lang)
                memoized = wording.check_text(*recorded, lang, parameter="monitoring_income_line")
                assert memoized == fresh, (value, right, lang)


def test_a_full_memo_is_emptied_and_refilled() -> None:
    memo = BoundedMemo(maxsize=3)
    for i in range(7):
        memo.put(i, str(i))
    assert memo.get(6) == "6" and memo.get(0) is None


def _id_household() -> ff.Household:
    data = base_household(ID18[0])  # the household id is an ID number
    data["members"][0]["id"] = ID18[1]  # so is a member id: the trace's check texts name it
    data["members"][1]["id"] = ID15[1]
    return ff.load_household(data)


def test_id_numbers_in_memoized_traces_stay_masked() -> None:
    household = _id_household()
    named: set[str] = set()
    for pack, as_of in PACKS.values():
        for _ in range(2):  # the second answer's checks come from the memo
            answer = pack.identify(household, as_of=as_of)
            worded = [c.text_zh for r in answer.trace.rules for c in r.checks]
            named.update(m for m in (ID18[1], ID15[1]) if any(m in text for text in worded))
            for text in _outputs(answer):
                assert not any(number in text for number in (ID18[0], ID18[1], ID15[1]))
            assert mask_id_number(ID18[0]) in answer.model_dump_json()
    # the memoized check texts name the members by their ids (ID numbers), masked when shown
    assert named == {ID18[1], ID15[1]}


def test_the_quick_look_never_misses_an_id_number() -> None:
    """Its False means the pattern finds nothing (random digit runs around 15 to 18 long)."""
    rnd = random.Random(20261207)
    for _ in range(50_000):
        text = "".join(
            rnd.choice("0123456789") if rnd.random() < 0.92 else rnd.choice("Xx.,a中 ")
            for _ in range(rnd.randint(12, 48))
        )
        if not _may_hold_one(text):
            assert _ANYWHERE.search(text) is None, text


@given(st.text(alphabet="0123456789Xx.中 -\u3000", min_size=0, max_size=60))
def test_the_quick_look_agrees_with_the_pattern(text: str) -> None:
    if _ANYWHERE.search(text) is not None:
        assert _may_hold_one(text)


def test_a_long_exact_quotient_alone_is_not_scanned() -> None:
    assert not _may_hold_one('"value":"14049.58890410958904109589041095890410959"')
    assert _may_hold_one(f'"value":"14049.5889041095890410958","id":"{ID15[0]}"')
