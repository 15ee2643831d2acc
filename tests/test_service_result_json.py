"""An answer's JSON written without options (the service's and the store's call, once per answer,
``Identification.model_dump_json()``) is the text the hooked serializer writes, on every
installed pack: the same fields, order, masking and numbers (issue 16's dump without the wrap
hook)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from fangfan_rules.facts import load_household
from fangfan_rules.packs import available_packs, load_pack
from fangfan_rules.results import Identification
from tests.helpers import household, record

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
FIGURES = {
    "monitoring_income_line": "7000",
    "income_window": "2023-06-01..2024-05-31",
    "spending_lookback_start": "2023-06-01",
    "screening_lookback_start": "2023-01-01",
}


def hooked(answer: Identification) -> str:
    # any option takes pydantic's own path, with the wrap hook that builds deferred fields
    return answer.model_dump_json(round_trip=False)


@pytest.mark.parametrize("name", available_packs())
def test_the_plain_dump_is_the_hooked_dump_on_every_pack(name):
    pack = load_pack(name)
    pack = pack.with_parameters(**{p: FIGURES[p] for p in pack.caller_supplied() if p in FIGURES})
    as_of = pack.valid_from + timedelta(days=30)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:60]
    answers = [pack.identify(load_household(json.loads(line)), as_of=as_of) for line in lines]
    for answer in answers:
        fresh = answer.model_copy()  # built, as every copy is
        assert answer.model_dump_json() == hooked(fresh)


def test_the_plain_dump_builds_a_deferred_answer_and_masks_id_numbers():
    pack = load_pack("qianshan_2023").with_parameters(monitoring_income_line="7000")
    facts = household(
        id="110105194912310021",
        area={"county": "千山区", "town": "甘泉镇", "village": "东村"},
        income=[record("2022-06-01", "2023-05-31", wage="3000")],
    )
    first, second = (pack.identify(facts, as_of=pack.valid_from + timedelta(days=30)) for _ in "ab")
    text = first.model_dump_json()  # deferred reasons and trace built by the dump itself
    assert text == hooked(second)
    assert "110105194912310021" not in text and "110105********0021" in text
    assert json.loads(text)["trace"]["rules"] and json.loads(text)["reasons"] is not None
    revealed = first.model_dump_json(context={"reveal_ids": True})
    assert "110105194912310021" in revealed
