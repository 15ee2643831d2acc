"""The guide docs/hypothesis.md: its example suite runs (every test in it passes), and each
pack-aware strategy's docstring example runs for every bundled pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings

import fangfan_rules as ff
from fangfan_rules import strategies as fs

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "hypothesis.md"


def _example_suite() -> str:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    suites = [b for b in blocks if "def test_" in b]
    assert len(suites) == 1, "the guide has one complete example suite"
    return suites[0]


def test_the_guides_example_suite_passes():
    namespace: dict[str, object] = {"__name__": "guide_example"}
    exec(compile(_example_suite(), str(GUIDE), "exec"), namespace)
    tests = {name: f for name, f in namespace.items() if name.startswith("test_")}
    assert len(tests) >= 7
    for test in tests.values():
        test()  # type: ignore[operator]


@pytest.mark.parametrize("name", ff.available_packs())
def test_households_for_each_pack_run_as_the_docstring_shows(name):
    pack = ff.load_pack(name)
    values = {}

    @settings(max_examples=1, deadline=None, database=None)
    @given(fs.parameter_sets(pack))
    def supply(drawn):
        values.update(drawn)

    supply()
    configured = pack.with_parameters(**values) if values else pack
    assert configured.caller_supplied() == ()

    @settings(max_examples=5, deadline=None)
    @given(fs.households(pack=configured), fs.as_of_dates(configured))
    def answers(household, as_of):
        try:
            result = configured.identify(household, as_of=as_of)
        except ff.MissingParameterError:
            return  # a figure not in force on that day: said, not guessed
        assert result.outcome in set(ff.Outcome)

    answers()
