"""An answer whose trace is written without being built has pydantic's text, byte for byte.

``Identification.model_dump_json`` writes a native answer's trace from what evaluation recorded
(:mod:`fangfan_rules.engines.trace_json`) when the trace is not built yet. The reference is the
same answer built at once and written by pydantic itself (``BaseModel.model_dump_json``, ID
numbers then masked as every result's dump masks them): the texts must be identical, not merely
equal as JSON (the text is stored and hashed), masked by default and revealed when asked; the
trace read after such a dump is the one built at once; so with ``identify(recorded=True)``
(the service's call: checks recorded as the rules run, no replay). Drawn by hypothesis for every bundled
pack: dates in the pack's validity, the caller's figures, batches (population rules), household
ids that are ID numbers (masked in the text); and every household of the bundled sample.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.engines.native import _identify, identify, population_for
from fangfan_rules.errors import FangfanError
from fangfan_rules.results import _Value
from tests.helpers import latency_pack, latency_packs, sample_households

PACKS = sorted(latency_packs())
REVEALED = {"context": {"reveal_ids": True}}


def _pydantic_text(answer: ff.Identification, **options: Any) -> str:
    """The answer written by pydantic's own ``model_dump_json`` (through the answer's hooks),
    masked as every result's dump is."""
    return _Value.model_dump_json(answer, **options)


def _unbuilt(answer: ff.Identification) -> bool:
    return "trace" in (answer.__pydantic_private__["_pending"] or ())  # type: ignore[index]


def _same_texts(pack: ff.Pack, household: ff.Household, as_of: date, population: Any) -> None:
    try:
        eager = _identify(pack, household, as_of, None, population, deferred=False)
    except FangfanError as exc:
        with pytest.raises(type(exc)):
            identify(pack, household, as_of=as_of, population=population)
        return
    for options, recorded in (({}, False), (REVEALED, False), ({}, True), (REVEALED, True)):
        # recorded: the service's call, checks recorded as the rules run (no replay)
        answer = identify(pack, household, as_of=as_of, population=population, recorded=recorded)
        assert _unbuilt(answer)
        text = answer.model_dump_json(**options)
        assert _unbuilt(answer)  # written, not built
        assert text == _pydantic_text(eager, **options)
        # Read afterwards, the trace is the one built at once, and so is the answer.
        assert answer.trace == eager.trace
        assert answer == eager
        assert answer.model_dump_json(**options) == text


#: Household ids: sometimes an ID number (a county's data often has one there: masked in the text).
_IDS = st.one_of(fs.id_numbers(), st.from_regex(r"h[0-9]{1,4}", fullmatch=True))


@st.composite
def _cases(draw: st.DrawFn, name: str) -> tuple[ff.Pack, date, list[ff.Household]]:
    base, _ = latency_pack(name)
    as_of = draw(fs.as_of_dates(base))
    figures = dict(latency_packs()[name][1])
    if "monitoring_income_line" in figures:  # the caller's figure, around the sample's
        figures["monitoring_income_line"] = draw(st.sampled_from([5000, 6900, 7000, 8000]))
    pack = ff.load_pack(name).with_parameters(**figures) if figures else ff.load_pack(name)
    households = draw(
        fs.household_lists(max_size=3, max_members=4, pack=pack, as_of=as_of, ids=_IDS)
    )
    return pack, as_of, households


@pytest.mark.parametrize("name", PACKS)
def test_written_trace_is_pydantics_text_on_drawn_households(name):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_cases(name))
    def check(case: tuple[ff.Pack, date, list[ff.Household]]) -> None:
        pack, as_of, households = case
        population = population_for(pack, households, as_of=as_of)
        for household in households:
            _same_texts(pack, household, as_of, None)
            _same_texts(pack, household, as_of, population)

    check()


@pytest.mark.parametrize("name", PACKS)
def test_written_trace_is_pydantics_text_on_the_sample(name):
    pack, as_of = latency_pack(name)
    households = sample_households()
    for household in households[::2]:
        _same_texts(pack, household, as_of, None)


def test_a_built_trace_is_written_by_pydantic():
    """Once the trace is built (read), the dump writes it: the writer is dropped with it."""
    pack, as_of = latency_pack("qianshan_2023")
    household = sample_households()[0]
    answer = identify(pack, household, as_of=as_of)
    answer.trace  # noqa: B018 - reading builds it
    assert answer.__pydantic_private__["_trace_json"] is None  # type: ignore[index]
    eager = _identify(pack, household, as_of, None, None, deferred=False)
    assert answer.model_dump_json() == _pydantic_text(eager)


def test_an_id_number_is_masked_unless_revealed():
    pack, as_of = latency_pack("qianshan_2023")
    data = sample_households()[1].model_dump(mode="json", context={"reveal_ids": True})
    data["id"] = "110101199003074514"
    household = ff.load_household(data)
    masked = identify(pack, household, as_of=as_of).model_dump_json()
    revealed = identify(pack, household, as_of=as_of).model_dump_json(**REVEALED)
    assert "110101199003074514" not in masked and "110101199003074514" in revealed
    _same_texts(pack, household, as_of, None)
