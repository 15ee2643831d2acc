"""The strict JSON parser's duplicated-key count is per thread (attack 2026-12-07, note): a
shared counter's ``+=`` could lose an update between threads, and a parse that made an object
with a key twice would then look clean."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fangfan_rules.jsonparse import JsonProblem, loads


def _refused(i: int) -> bool:
    text = '{"a": 1, "a": 2}' if i % 2 else '{"a": [1, {"b": 2, "b": 3}]}'
    try:
        loads(text)
    except JsonProblem:
        return True
    return False


def test_duplicated_keys_are_found_whatever_other_threads_parse() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(_refused, range(4000)))
    assert loads('{"a": 1}') == {"a": 1}
