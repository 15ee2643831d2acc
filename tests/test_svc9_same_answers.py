"""The service's speed-ups (issue 16) change no text: what it answers and stores is the reference.

The reference is each answer built at once (``_identify(deferred=False)``) and written by
pydantic's own serializer through the answers' hooks, ID numbers masked unless revealed — the
uncached path: no kept check or rule text, no trace written without building it, the whole text
scrubbed for ID numbers. The service's answer (hot path and FastAPI route, a county token and one
that may reveal ID numbers) and the decision it stores must be that text byte for byte, on every
pack of the latency benchmark, on sample households and on households whose id or a member's id
is an ID number (which only the trace may show).

And the parts made faster keep their old outcome exactly: the trace memo's flat key is as exact
as ``check_key``; a plain fen amount reads as ``to_yuan`` reads it; a fact's blank-stripping hook
strips exactly what it stripped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.engines.native import _identify, identify
from fangfan_rules.engines.trace_json import check_text_key
from fangfan_rules.facts import Household, load_household
from fangfan_rules.facts.base import Fact, _padded, _stripped
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.logic import UNKNOWN, Missing
from fangfan_rules.money import fact_yuan, to_yuan
from fangfan_rules.packs import load_pack
from fangfan_rules.results import _Value
from fangfan_rules.rules.exact_keys import check_key
from fangfan_rules.service.app import create_app
from fangfan_rules.service.settings import Settings
from fangfan_rules.store import Store
from fangfan_rules.store.store import decision_answer
from tests.helpers import latency_packs, sample_households

PACKS = sorted(latency_packs())
ID18, ID15 = "11010519491231002X", "110105491231002"
REVEALED = {"context": {"reveal_ids": True}}


def _households() -> list[Household]:
    """Sample households, and some whose id, or only a member's id, is an ID number."""
    sample = sample_households()
    chosen = sample[:6]
    for i, base in enumerate(sample[6:12]):
        data = json.loads(base.model_dump_json(context={"reveal_ids": True}))
        if i % 2:
            data["id"] = (ID18, ID15)[i % 4 == 1]
        elif data["members"]:
            data["members"][-1]["id"] = ID18  # shown in the trace's checks only
        chosen.append(load_household(data))
    return chosen


HOUSEHOLDS = _households()


def _pack(name: str) -> tuple[Any, date, dict[str, str]]:
    as_of, figures = latency_packs()[name]
    texts = {k: str(v) for k, v in figures.items()}
    pack = load_pack(name)
    return (pack.with_parameters(**texts) if texts else pack), as_of, texts


def _reference(pack: Any, household: Household, as_of: date, **options: Any) -> str:
    eager = _identify(pack, household, as_of, None, None, deferred=False)
    return _Value.model_dump_json(eager, **options)


@pytest.mark.parametrize("name", PACKS)
def test_a_dump_is_the_reference_text(name):
    pack, as_of, _ = _pack(name)
    for household in HOUSEHOLDS:
        for recorded in (True, False):
            answer = identify(pack, household, as_of=as_of, recorded=recorded)
            assert answer.model_dump_json() == _reference(pack, household, as_of)
            assert answer.model_dump_json(**REVEALED) == _reference(
                pack, household, as_of, **REVEALED
            )
    masked = identify(pack, HOUSEHOLDS[6], as_of=as_of, recorded=True).model_dump_json()
    assert ID18 not in masked and scrub_id_numbers(masked) == masked


@pytest.mark.parametrize("fast", [True, False])
def test_the_service_answers_and_stores_the_reference_text(fast, tmp_path):
    url = f"sqlite:///{tmp_path / 'svc.sqlite3'}"
    store = Store(url)
    county = store.create_token("county", "county", "示例县")
    revealer = store.create_token("revealer", "county", "示例县", reveal_ids=True)
    expected: dict[int, str] = {}
    with TestClient(create_app(Settings(database=url), store=store, fast_path=fast)) as client:
        for name in PACKS:
            pack, as_of, figures = _pack(name)
            for index, household in enumerate(HOUSEHOLDS):
                data = json.loads(household.model_dump_json(context={"reveal_ids": True}))
                data["area"]["county"] = "示例县"
                moved = load_household(data)
                body = {"household": data, "as_of": as_of.isoformat(), "parameters": figures}
                for token, options in ((county, {}), (revealer, REVEALED)):
                    key = f"{name}-{index}-{token[:6]}"
                    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
                    answer = client.post(f"/packs/{name}/identify", json=body, headers=headers)
                    assert answer.status_code == 200, answer.text
                    decision = json.loads(answer.content)["decision_id"]
                    shown = _reference(pack, moved, as_of, **options)
                    assert answer.content == decision_answer(decision, shown).encode("utf-8")
                    expected[decision] = _reference(pack, moved, as_of)
                    again = client.post(f"/packs/{name}/identify", json=body, headers=headers)
                    assert again.content == answer.content  # the idempotent answer, the same
    with store.engine.connect() as connection:
        stored = dict(connection.exec_driver_sql("SELECT id, result FROM decisions").all())
    assert stored == expected  # once each, the full masked result
    store.close()


# -- the trace memo's key -----------------------------------------------------------------------
def _recorded_checks() -> list[tuple[Any, ...]]:
    checks = []
    for name in PACKS:
        pack, as_of, _ = _pack(name)
        for household in HOUSEHOLDS:
            answer = identify(pack, household, as_of=as_of, recorded=True)
            trace = answer.__pydantic_private__["_trace_json"].__self__  # type: ignore[index]
            for _, _, run in trace.replay.records():
                checks.extend(run.checks if run else ())
    return checks


def _crafted() -> list[tuple[Any, ...]]:
    """Checks whose values are equal by ``==`` but worded apart, and values without a key."""
    values = [True, 1, Decimal(1), Decimal("1.0"), Decimal("1.00"), 0.0, -0.0, None, UNKNOWN,
              Missing(("income",)), "1", date(2023, 1, 1), (1, True), frozenset({1, 2}),
              frozenset({True, 2}), [1], {1}]  # fmt: skip
    checks: list[tuple[Any, ...]] = []
    for v in values:
        for args in ({}, {"n": v}):
            checks.append(("x", args, None, v, "eq", v, True, None))
            checks.append(("x", args, "m1", 1, "lt", v, False, "p"))
            checks.append(("x", args, None, v, None, None, v, None))
    return checks


def test_the_trace_memo_key_is_as_exact_as_check_key():
    checks = _recorded_checks() + _crafted()
    assert len(checks) > 1000
    by_text_key: dict[Any, set[Any]] = defaultdict(set)
    by_check_key: dict[Any, set[Any]] = defaultdict(set)
    for check in checks:
        text_key, exact = check_text_key(*check), check_key(*check)
        assert (text_key is None) == (exact is None), check
        if exact is not None:
            by_text_key[text_key].add(exact)
            by_check_key[exact].add(text_key)
    assert all(len(keys) == 1 for keys in by_text_key.values())
    assert all(len(keys) == 1 for keys in by_check_key.values())


# -- money read fast ------------------------------------------------------------------------------
def _old_fact_yuan(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(
            f"money cannot be a float ({value!r}): give a decimal string or an exact number"
        )
    return to_yuan(value)


def _outcome(read: Any, value: Any) -> tuple[str, str]:
    try:
        amount = read(value)
    except ValueError as exc:
        return "error", str(exc)
    return type(amount).__name__, str(amount)  # str: the digits and exponent, not just ==


_EDGES = ["-0.00", "0.00", "-0.01", "00.10", "9999999999999999.99", "10000000000000000.00",
          "1,234.50", "1.5", "1.500", "１.00"]  # fmt: skip
_AMOUNTS = st.one_of(
    st.from_regex(r"-?[0-9]{1,18}\.[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"[ \t]?-?0*[0-9]{0,17}(\.[0-9]{0,3})?元?[ ]?", fullmatch=True),
    st.sampled_from(_EDGES),
)


@settings(max_examples=400, deadline=None)
@given(_AMOUNTS)
def test_a_plain_amount_reads_as_to_yuan_reads_it(text):
    assert _outcome(fact_yuan, text) == _outcome(_old_fact_yuan, text)


# -- a fact's blank-stripping hook ----------------------------------------------------------------
def _old_strip(data: Any) -> Any:
    if isinstance(data, dict) and any(_padded(v) for v in data.values()):
        return {k: _stripped(v) for k, v in data.items()}
    return data


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(alphabet=" \tab\n", max_size=4),
    st.lists(st.one_of(st.text(alphabet=" ab", max_size=3), st.integers()), max_size=3),
    st.tuples(st.text(alphabet=" ab", max_size=3)), st.decimals(allow_nan=False),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.dictionaries(st.text(max_size=3), _LEAVES, max_size=5), _LEAVES))
def test_the_blank_stripping_hook_strips_what_it_stripped(data):
    hook = Fact._strip_blanks.__func__  # type: ignore[attr-defined]
    got, want = hook(Fact, data), _old_strip(data)
    assert got == want and type(got) is type(want)
    assert (got is data) == (want is data)
