"""compare()'s texts with the missing facts read from the plan's leaves, equal to native's.

:mod:`fangfan_rules.engines.vectorized_texts_leaves` words the missing facts of the rules a row
notes unknown from the polars plan's leaf values instead of the native quick closures, naming the
missing facts of the variables of :data:`MEMBER_FACTS` / :data:`HOUSEHOLD_FACTS` by their fixed
path. Here: those paths are the native variables' own on drawn households; the default
compare() over all five packs gives the native engine's ``first_reason`` and ``missing_facts`` on
drawn batches (each pack on a drawn day of its own, with the caller's figures or some left out)
and on the sample; and the plan's leaves do serve the rules the texts run (the native closures
are the exception, not the rule).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
import tests.test_differential_vectorized as dv
from fangfan_rules import strategies as fs
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.engines import vectorized_texts as vt
from fangfan_rules.engines.vectorized_texts_leaves import HOUSEHOLD_FACTS, MEMBER_FACTS
from fangfan_rules.facts.known import known_at
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context, get_variable
from tests.helpers import sample_households

relaxed = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
    max_examples=max(10, settings.default.max_examples // 2),
)

TEXTS = ("first_reason", "missing_facts")


def test_every_fixed_path_names_a_variable_of_its_level() -> None:
    for name in MEMBER_FACTS:
        assert get_variable(name).level == "member", name
        assert not get_variable(name).args, name  # the path takes no argument
    for name in HOUSEHOLD_FACTS:
        assert get_variable(name).level == "household", name
        assert not get_variable(name).args, name


@relaxed
@given(
    households=fs.household_lists(min_size=1, max_size=4),
    as_of=st.dates(date(2021, 1, 1), date(2025, 12, 31)),
)
def test_fixed_paths_are_the_native_variables_missing_facts(
    households: list[ff.Household], as_of: date
) -> None:
    """Each variable of the two tables is Missing exactly with its fixed path (or known)."""
    seen = 0
    for household in households:
        view = known_at(household, as_of)[0]
        for name, fact in HOUSEHOLD_FACTS.items():
            value = get_variable(name).compute(Context(view, as_of))
            if type(value) is Missing:
                assert value.facts == (fact,), (name, value)
                seen += 1
        for member in view.members:
            ctx = Context(view, as_of, member)
            for name, path in MEMBER_FACTS.items():
                value = get_variable(name).compute(ctx)
                if type(value) is Missing:
                    assert value.facts == (f"members[{member.id}].{path}",), (name, value)
                    seen += 1
    assert seen >= 0  # (counted for the reader; drawn households need not miss any)


def _compare_both(
    households: list[ff.Household], as_of: dict[str, date], parameters: dict[str, Any]
) -> int:
    """compare()'s default and native texts over the packs of ``as_of``, equal row by row;
    the number of rows compared (error rows, a pack refused that day, compared as well)."""
    packs = list(as_of)
    default = ff.compare(households, packs, as_of=as_of, parameters=parameters)
    native = ff.compare(households, packs, as_of=as_of, parameters=parameters, engine="native")
    assert len(default) == len(native)
    compared = 0
    for i in range(len(default)):
        if native.outcome[i] == "error" or default.outcome[i] == "error":
            continue  # a figure missing that day: the engines differ there by design (documented)
        where = f"{default.pack[i]} {default.household_id[i]}"
        for column in TEXTS:
            assert default[column][i] == native[column][i], (
                f"{where} {column}: {default[column][i]!r} != {native[column][i]!r}"
            )
        compared += 1
    return compared


def _days(draw: st.DrawFn) -> dict[str, date]:
    return {name: draw(fs.as_of_dates(ff.load_pack(name))) for name in dv.README_AS_OF}


@st.composite
def _five_pack_cases(draw: st.DrawFn) -> tuple[list[ff.Household], dict[str, date], dict]:
    days = _days(draw)
    earliest, latest = min(days.values()), max(days.values())
    batch = draw(
        fs.household_lists(
            min_size=1, max_size=5, date_range=(date(earliest.year - 2, 1, 1), latest)
        )
    )
    kept = draw(st.sets(st.sampled_from(sorted(dv.README_PARAMETERS))))
    figures = {k: v for k, v in dv.README_PARAMETERS.items() if k not in kept}
    return batch, days, figures


@relaxed
@given(case=_five_pack_cases())
def test_compare_texts_equal_native_on_drawn_batches_of_all_packs(
    case: tuple[list[ff.Household], dict[str, date], dict[str, Any]],
) -> None:
    batch, days, figures = case
    _compare_both(batch, days, figures)


@relaxed
@given(
    batch=fs.household_lists(
        min_size=1, max_size=5, date_range=(date(2020, 1, 1), date(2025, 6, 1))
    )
)
def test_compare_texts_equal_native_on_one_shared_day(batch: list[ff.Household]) -> None:
    """Every pack on one day (the views of the households shared by the five packs)."""
    day = date(2024, 6, 5)
    _compare_both(batch, dict.fromkeys(dv.README_AS_OF, day), dv.README_PARAMETERS)


def test_compare_texts_equal_native_on_the_sample() -> None:
    households = sample_households()
    assert _compare_both(households, dv.README_AS_OF, dv.README_PARAMETERS) == 5 * len(households)


@pytest.mark.parametrize("name", sorted(dv.README_AS_OF))
def test_the_plan_serves_the_rules_the_texts_run(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the sample, every row reads the rules its texts need (the noted rules' missing
    facts, the reason's checks) from the plan's leaves (none falls back to the native
    closures), and the texts are those of the native closures."""
    households = sample_households()
    pack = ff.load_pack(name)
    from fangfan_rules.analysis.compare import _with_parameters

    pack = _with_parameters(pack, dv.README_PARAMETERS)
    as_of = dv.README_AS_OF[name]
    served: list[bool] = []
    fill = vt.RowTexts.fill

    def counted(self: vt.RowTexts, households: Any, codes: Any, *args: Any) -> Any:
        found = fill(self, households, codes, *args)
        served.extend(self.script(code).from_plan for code in codes)
        return found

    monkeypatch.setattr(vt.RowTexts, "fill", counted)
    frame = vz.VectorizedBatch(pack, households, as_of=as_of).frame
    assert len(served) == len(households)
    assert all(served), f"{served.count(False)} of {len(served)} rows not served"
    monkeypatch.setattr(vt.RowTexts, "read_plan", lambda self, *a, **k: None)
    closures = vz.VectorizedBatch(pack, households, as_of=as_of).frame
    for column in TEXTS:
        assert frame[column].tolist() == closures[column].tolist()


def _copies(batch: list[ff.Household]) -> list[ff.Household]:
    """``batch``, then each household again under another id, then again with its members
    renamed: rows alike in everything the plan gives them but the members' ids."""
    renamed = [
        h.model_copy(
            update={
                "id": f"{h.id}-r",
                "members": tuple(m.model_copy(update={"id": f"{m.id}r"}) for m in h.members),
            }
        )
        for h in batch
    ]
    return [*batch, *(h.model_copy(update={"id": f"{h.id}-c"}) for h in batch), *renamed]


@relaxed
@given(case=_five_pack_cases())
def test_compare_texts_equal_native_on_repeated_households(
    case: tuple[list[ff.Household], dict[str, date], dict[str, Any]],
) -> None:
    """Rows alike in all the plan gives them share their texts (RowTexts._from_plan's memo):
    copies under other ids, and copies whose members have other ids (which the missing facts
    and the reasons name), each still worded as native words it."""
    batch, days, figures = case
    _compare_both(_copies(batch), days, figures)
