"""The native engine's deferred answer equals the answer built at once, field for field.

``identify`` records machine values and words the reasons and the trace only when they are read
(:meth:`Identification.deferred`). The reference here is the same evaluation with every field
built before the answer is returned: the two must give the same JSON dump, the same explanations
in both languages, the same trace, equality, copies and pickles — on a hundred households of
the synthetic sample, for every pack (population rules included), whichever field is read first.
"""

from __future__ import annotations

import copy
import pickle
import threading
from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.engines.native import _identify, identify, population_for
from tests.helpers import latency_pack, latency_packs, sample_households

PACKS = latency_packs()


@pytest.fixture(scope="module")
def households() -> list[ff.Household]:
    return sample_households()


def _pending(answer: ff.Identification) -> set[str]:
    """The deferred fields not built yet."""
    return set(answer.__pydantic_private__["_pending"] or ())  # type: ignore[index]


def _is_deferred(answer: ff.Identification) -> bool:
    return bool(_pending(answer))


@pytest.mark.parametrize("name", sorted(PACKS))
def test_deferred_answer_equals_the_eager_one(name, households):
    pack, as_of = latency_pack(name)
    population = population_for(pack, households, as_of=as_of)
    outcomes = set()
    # Every third household of the 300-household sample: a hundred per pack, kept quick.
    for position, household in enumerate(households[::3]):
        eager = _identify(pack, household, as_of, None, population, deferred=False)
        lazy = identify(pack, household, as_of=as_of, population=population)
        assert _is_deferred(lazy) and not _is_deferred(eager)
        # The fields that are not deferred are there without building anything.
        assert (lazy.outcome, lazy.missing_facts, lazy.review_points) == (
            eager.outcome,
            eager.missing_facts,
            eager.review_points,
        )
        assert _is_deferred(lazy)
        # Read in a different order each time: the first reader builds, the rest read.
        first = position % 5
        if first == 0:
            assert lazy.model_dump_json() == eager.model_dump_json()
        elif first == 1:
            assert lazy.trace == eager.trace
            assert _pending(lazy) == {"reasons"}
        elif first == 2:
            assert lazy.explain("en") == eager.explain("en")
        elif first == 3:
            # A summary (a results row) reads the reasons only: the trace stays unbuilt.
            assert lazy.summary() == eager.summary()
            assert _pending(lazy) == {"trace"}
        else:
            assert lazy == eager
        assert lazy.model_dump_json() == eager.model_dump_json()
        # A dump builds the reasons and writes the trace without building it (trace_json).
        assert _pending(lazy) <= {"trace"}
        assert lazy.model_dump() == eager.model_dump()
        assert not _is_deferred(lazy)
        assert lazy.explain("zh") == eager.explain("zh")
        assert lazy.explain("en") == eager.explain("en")
        assert lazy.trace == eager.trace
        assert lazy.reasons == eager.reasons
        assert lazy.summary() == eager.summary()
        assert repr(lazy) == repr(eager)
        assert lazy == eager
        outcomes.add(lazy.outcome)
    assert len(outcomes) >= 2, f"{name}: the sample should reach more than one outcome"


def test_every_route_to_the_fields_builds_them(households):
    pack, as_of = latency_pack("qianshan_2023")
    household = households[0]
    eager = _identify(pack, household, as_of, None, None, deferred=False)

    def fresh() -> ff.Identification:
        answer = identify(pack, household, as_of=as_of)
        assert _is_deferred(answer)
        return answer

    assert fresh() == eager and eager == fresh()
    assert pickle.loads(pickle.dumps(fresh())) == eager
    assert copy.copy(fresh()).trace == eager.trace
    assert copy.deepcopy(fresh()) == eager
    assert fresh().model_copy() == eager
    assert dict(fresh()) == dict(eager)
    assert str(fresh()) == str(eager)
    assert fresh().model_dump(mode="json") == eager.model_dump(mode="json")
    # Nested in another model or a list, serialised by pydantic itself.
    from pydantic import TypeAdapter

    adapter = TypeAdapter(list[ff.Identification])
    assert adapter.dump_json([fresh()]) == adapter.dump_json([eager])
    assert ff.Identification.model_validate_json(fresh().model_dump_json()) == eager


def test_deferred_fields_build_once_across_threads(households):
    pack, as_of = latency_pack("qianshan_2023")
    household = households[1]
    eager = _identify(pack, household, as_of, None, None, deferred=False)
    answer = identify(pack, household, as_of=as_of)
    seen: list[str] = []
    start = threading.Barrier(8)

    def read() -> None:
        start.wait()
        seen.append(answer.model_dump_json())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [eager.model_dump_json()] * 8
    assert answer.trace is answer.trace  # built once, then kept


def test_rule_statuses_agree_with_the_trace_without_building_it():
    """A results row asks which outcome rule was left unknown: the statuses evaluation recorded
    answer it without building the trace, and equal the built trace's."""
    import json as _json
    from pathlib import Path as _Path

    import fangfan_rules as _ff

    pack = _ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    sample = _Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
    lines = sample.read_text("utf-8").splitlines()[:40]
    for line in lines:
        result = pack.identify(_ff.load_household(_json.loads(line)), as_of=date(2023, 6, 5))
        cheap = result.rule_statuses()
        assert "trace" not in result.__dict__  # still deferred
        assert cheap == tuple((r.rule_id, r.kind, r.status) for r in result.trace.rules)
        assert result.rule_statuses() == cheap  # and after the trace is built
