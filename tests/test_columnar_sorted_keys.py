"""The as-of view flags sorted integer household keys, and the flag changes no answer."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from tests.helpers import sample_households

#: The README's five regions, each on a date its document is in force.
AS_OF = {
    "qianshan_2023": date(2023, 6, 5),
    "ewenki_2024": date(2024, 6, 5),
    "puan_2025": date(2025, 6, 1),
    "rongan_2022": date(2022, 3, 15),
    "jimo_2022": date(2022, 5, 15),
}

#: The figures those documents leave to the caller (the README's).
PARAMETERS = {
    "qianshan_2023": {"monitoring_income_line": "7000"},
    "puan_2025": {"monitoring_income_line": "7000"},
    "rongan_2022": {"income_window": "2021-01-01..2021-12-31", "monitoring_income_line": "7000"},
    "jimo_2022": {"income_window": "2021-05-01..2022-04-30", "monitoring_income_line": "7000"},
}


def test_only_sorted_integer_keys_are_flagged() -> None:
    frame = pl.DataFrame({"household_id": pl.Series([0, 0, 2, 5], dtype=pl.UInt32)})
    assert col._flag_sorted(frame)["household_id"].flags["SORTED_ASC"]
    unsorted = pl.DataFrame({"household_id": pl.Series([0, 2, 1], dtype=pl.UInt32)})
    assert not col._flag_sorted(unsorted)["household_id"].flags["SORTED_ASC"]
    text = pl.DataFrame({"household_id": ["a", "b"]})
    assert col._flag_sorted(text) is text
    with_null = pl.DataFrame({"household_id": pl.Series([None, 1, 2], dtype=pl.UInt32)})
    flagged = col._flag_sorted(with_null)["household_id"]
    assert flagged.flags["SORTED_ASC"] == with_null["household_id"].is_sorted()


@pytest.mark.parametrize("name", sorted(AS_OF))
def test_answers_are_the_same_without_the_flag(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = ff.load_pack(name).with_parameters(**PARAMETERS.get(name, {}))
    tables = col.to_tables(sample_households())
    # children in another order too: their keys are not sorted then, and are not flagged
    shuffled = {
        t: f if t == "households" else f.sample(fraction=1.0, shuffle=True, seed=1)
        for t, f in tables.items()
    }
    for data in (tables, shuffled):
        flagged = vz.identify_frame(pack, data, as_of=AS_OF[name], reasons=False)
        with monkeypatch.context() as patch:
            patch.setattr(col, "_flag_sorted", lambda frame: frame)
            plain = vz.identify_frame(pack, data, as_of=AS_OF[name], reasons=False)
        assert flagged.equals(plain)
