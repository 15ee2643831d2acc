"""The rules whose reason the batch engine words once per batch (``RowTexts.same_words``: an
``all`` of ``fired`` references, household-level ``is_true`` leaves and ``eq`` comparisons of a
yes/no variable with True or False, negated ``is_true`` leaves of a yes/no variable, and other
negated leaves beside a check that holds: ``vectorized_texts._same_checks``) are worded alike by
the native evaluator on every household where they hold, on one day: over the bundled sample at
several days and over hypothesis batches of every pack. (Every row's texts against the native
answer: ``tests/test_vectorized_wording.py``.)"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given

import fangfan_rules as ff
import tests.test_differential_vectorized as dv
from fangfan_rules.analysis.compare import _with_parameters
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.engines.native import identify, population_for
from fangfan_rules.engines.vectorized_texts import RowTexts
from fangfan_rules.errors import FangfanError
from tests.helpers import sample_households
from tests.test_vectorized_wording import cases, in_force, relaxed


def same_words_worded(
    pack: ff.Pack, households: list[ff.Household], day: date
) -> dict[str, set[str]]:
    """The native reasons (zh) of the same-words rules that hold, by rule, on ``day``."""
    try:
        compiled = vz.compile_pack(pack, as_of=day)
    except FangfanError:
        return {}  # not in force that day, or a figure missing: no batch to word
    same = RowTexts(pack, day, compiled.in_force).same_words
    population = population_for(pack, households, as_of=day)
    worded: dict[str, set[str]] = defaultdict(set)
    for household in households:
        try:
            answer = identify(pack, household, as_of=day, population=population)
        except FangfanError:
            continue  # a figure the document needs and the caller did not give
        for reason in answer.reasons:
            if reason.rule_id in same:
                worded[reason.rule_id].add(reason.text_zh)
    return worded


@pytest.mark.parametrize("name", sorted(dv.README_AS_OF))
def test_same_words_rules_are_worded_alike_on_the_sample(name: str) -> None:
    households = sample_households()
    pack = _with_parameters(ff.load_pack(name), dv.README_PARAMETERS)
    readme = dv.README_AS_OF[name]
    held = 0
    for day in (readme, readme + timedelta(days=200), pack.valid_from):
        if not in_force(pack, day):
            continue
        for rule_id, texts in same_words_worded(pack, households, day).items():
            assert len(texts) == 1, (name, day, rule_id, texts)
            held += 1
    assert held, "no same-words rule held on the sample: the test would prove nothing"


@pytest.mark.parametrize("name", dv.PACKS)
def test_same_words_rules_are_worded_alike_on_drawn_batches(name: str) -> None:
    pack = ff.load_pack(name)

    @relaxed
    @given(case=cases(pack))
    def check(case: tuple[list[ff.Household], date, dict[str, Any]]) -> None:
        batch, as_of, supplied = case
        configured = pack.with_parameters(**supplied) if supplied else pack
        for rule_id, texts in same_words_worded(configured, batch, as_of).items():
            assert len(texts) == 1, (rule_id, texts)

    check()
