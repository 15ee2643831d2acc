"""What compare() sets up around the batch engine's pass: the cyclic collector paused for it and
put back as it was (also after an error), pandas imported by the call rather than by importing
the analysis layer, and the plan's rule values read as one code per row
(:func:`fangfan_rules.engines.vectorized_texts.plan_codes`)."""

from __future__ import annotations

import gc
import random
import subprocess
import sys
from typing import Any

import polars as pl
import pytest

import fangfan_rules as ff
import tests.test_differential_vectorized as dv
from fangfan_rules.engines.vectorized_texts import decoded, plan_codes
from fangfan_rules.logic import UNKNOWN
from tests.helpers import sample_households


@pytest.mark.parametrize("engine", ["vectorized", "native"])
@pytest.mark.parametrize("collecting", [True, False])
def test_compare_puts_the_collector_back_as_it_was(engine: str, collecting: bool) -> None:
    households = sample_households()[:5]
    paused: list[bool] = []
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        got = ff.compare(
            households,
            sorted(dv.README_AS_OF),
            as_of=dv.README_AS_OF,
            parameters=dv.README_PARAMETERS,
            engine=engine,
        )
        paused.append(gc.isenabled())
        # an error (the batch engine refuses an element that is not a household inside its pass;
        # native makes it a bad row, and refuses a batch that is not one), then too
        bad: Any = [object()] if engine == "vectorized" else "not a batch"
        with pytest.raises(TypeError):
            ff.compare(bad, ["qianshan_2023"], as_of=dv.README_AS_OF, engine=engine)
        paused.append(gc.isenabled())
    finally:
        gc.enable() if was else gc.disable()
    assert paused == [collecting, collecting]
    assert len(got) == len(households) * len(dv.README_AS_OF)


def test_importing_the_analysis_layer_leaves_pandas_to_the_first_frame() -> None:
    """``ff.compare`` / ``ff.sweep`` are reachable without pandas; compare() imports it (under
    the collector's pause) when it builds its frame."""
    code = (
        "import datetime, sys, fangfan_rules as ff\n"
        "ff.compare, ff.sweep\n"
        "assert 'pandas' not in sys.modules, 'imported early'\n"
        "from tests.helpers import sample_households\n"
        "day = datetime.date(2024, 6, 5)\n"
        "frame = ff.compare(sample_households()[:3], ['ewenki_2024'], as_of=day)\n"
        "assert 'pandas' in sys.modules and len(frame) == 3\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_plan_codes_are_each_rows_values_in_order() -> None:
    """Every row's code decodes to its values, in the columns' order; over one word of 40
    rules and more (two words), with every value at the highest digit of a word."""
    rng = random.Random(7)
    choices = (True, False, None)
    for count in (0, 1, 3, 39, 40, 41, 80, 97):
        names = [f"r{j}" for j in range(count)]
        rows = [[rng.choice(choices) for _ in names] for _ in range(60)]
        rows += [[v] * count for v in choices]  # all false, all true, all unknown
        frame = pl.DataFrame(rows, schema={n: pl.Boolean for n in names}, orient="row")
        codes = plan_codes(frame, names)
        assert len(codes) == len(rows)
        for code, row in zip(codes, rows, strict=True):
            expected = tuple(UNKNOWN if v is None else v for v in row)
            assert tuple(decoded(code, count)) == expected
        assert len(set(codes)) == len({tuple(r) for r in rows})  # equal values, equal codes
        if count > 1:
            swapped = plan_codes(frame, [names[1], names[0], *names[2:]])
            first = [tuple(decoded(code, count))[:2] for code in swapped]
            assert first == [
                (UNKNOWN if r[1] is None else r[1], UNKNOWN if r[0] is None else r[0]) for r in rows
            ]
    assert plan_codes(pl.DataFrame(schema={"a": pl.Boolean}), ["a"]) == []
