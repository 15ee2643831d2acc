"""The batch engine's worded columns equal the native answer's, row by row.

``first_reason`` and ``missing_facts`` of :class:`fangfan_rules.engines.vectorized.VectorizedBatch`
are worded from the plan's rule values and the native closures of the few rules the texts need
(:mod:`fangfan_rules.engines.vectorized_texts`). Here each row is compared with
``identify(...).first_reason("zh")`` and the masked ``missing_facts`` of the full native answer
(same population figures as ``identify_many``): over hypothesis batches of every pack, at dates
drawn inside the pack's validity, with every caller figure supplied or only some (an unsupplied
figure is a missing fact and can be the first reason), and over the bundled sample at several
dates and parameter sets.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
import tests.test_differential_vectorized as dv
from fangfan_rules import strategies as fs
from fangfan_rules.analysis.compare import _with_parameters
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.engines.native import identify, population_for
from fangfan_rules.errors import FangfanError, NotInForceError, ParameterError
from fangfan_rules.idnumber import masked
from fangfan_rules.result_rows import joined
from fangfan_rules.rules.exact_keys import exact_key
from tests.helpers import sample_households


def native_texts(
    pack: ff.Pack, households: list[ff.Household], as_of: date
) -> list[tuple[str, str]]:
    """(first_reason, missing_facts) of each household from the full native answer."""
    population = population_for(pack, households, as_of=as_of)
    out = []
    for household in households:
        answer = identify(pack, household, as_of=as_of, population=population)
        out.append((answer.first_reason("zh"), joined(masked(m) for m in answer.missing_facts)))
    return out


def assert_same_texts(pack: ff.Pack, households: list[ff.Household], as_of: date) -> int:
    """Every row's two texts from the batch engine equal native's; the number of rows compared
    (0 when the batch engine refuses the pack on that day, as the differential tests allow)."""
    try:
        frame = vz.VectorizedBatch(pack, households, as_of=as_of).frame
    except FangfanError as exc:
        if isinstance(exc, vz.CompileError):
            raise
        # a parameter missing on that day: the engines differ there by design (documented)
        assert isinstance(exc, ParameterError | NotInForceError), exc
        return 0
    expected = native_texts(pack, households, as_of)
    assert len(frame) == len(expected)
    for i, (first, missing) in enumerate(expected):
        where = f"{pack.name} as_of={as_of} household {frame.household_id[i]}"
        assert frame.first_reason[i] == first, f"{where}: {frame.first_reason[i]!r} != {first!r}"
        assert frame.missing_facts[i] == missing, f"{where}: {frame.missing_facts[i]!r}"
    return len(expected)


def in_force(pack: ff.Pack, day: date) -> bool:
    return pack.valid_from <= day and (pack.valid_to is None or day <= pack.valid_to)


def cases(pack: ff.Pack) -> st.SearchStrategy[tuple[list[ff.Household], date, dict[str, Any]]]:
    """Batches, a date and the caller figures, of which only some may be kept."""
    windows = tuple(dict.fromkeys((*dv.pack_windows(pack), *dv.extra_windows(pack))))
    batches = fs.household_lists(
        min_size=1, max_size=6, date_range=dv.fact_range(pack), cover_windows=windows
    )
    figures = dv.parameter_values(pack).flatmap(
        lambda values: st.sets(st.sampled_from(sorted(values)) if values else st.nothing()).map(
            lambda dropped: {k: v for k, v in values.items() if k not in dropped}
        )
    )
    return st.tuples(batches, fs.as_of_dates(pack), figures)


relaxed = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
    max_examples=max(10, settings.default.max_examples // 2),
)


@pytest.mark.parametrize("name", dv.PACKS)
def test_texts_equal_native_on_drawn_batches(name: str) -> None:
    pack = ff.load_pack(name)

    @relaxed
    @given(case=cases(pack))
    def check(case: tuple[list[ff.Household], date, dict[str, Any]]) -> None:
        batch, as_of, supplied = case
        assert_same_texts(pack.with_parameters(**supplied) if supplied else pack, batch, as_of)

    check()


#: The sample through each pack: the README's figures, another income line, and no flat line
#: (a caller figure left out is a missing fact and can be the first reason; a pack that needs it
#: to compile refuses the batch, as documented).
SAMPLE_PARAMETERS: tuple[dict[str, Any], ...] = (
    dv.README_PARAMETERS,
    {**dv.README_PARAMETERS, "monitoring_income_line": 9000},
    {k: v for k, v in dv.README_PARAMETERS.items() if k != "monitoring_income_line"},
)


@pytest.mark.parametrize("name", sorted(dv.README_AS_OF))
@pytest.mark.parametrize("figures", range(len(SAMPLE_PARAMETERS)))
def test_texts_equal_native_on_the_sample(name: str, figures: int) -> None:
    households = sample_households()
    pack = _with_parameters(ff.load_pack(name), SAMPLE_PARAMETERS[figures])
    readme = dv.README_AS_OF[name]
    days = [readme, pack.valid_from, readme + timedelta(days=200)]
    compared = sum(assert_same_texts(pack, households, d) for d in days if in_force(pack, d))
    if figures < 2:
        assert compared >= len(households)  # the README's date at least


def test_the_words_memo_tells_apart_values_equal_under_eq() -> None:
    """A check's words depend on the value's type and exponent: the memo key keeps them."""
    keys = {exact_key(v) for v in (True, 1, Decimal(1), Decimal("1.0"), 1.0)}
    assert len(keys) == 5
    assert exact_key({"a": 1}) != exact_key({"a": True})


@pytest.mark.parametrize("engine", ["vectorized", "native"])
@pytest.mark.parametrize(
    "figures", [dv.README_PARAMETERS, {}], ids=["readme figures", "no figures: error rows"]
)
@pytest.mark.parametrize("size", [0, 12])
def test_compare_assembles_the_frame_as_from_row_dicts(
    engine: str, figures: dict[str, Any], size: int
) -> None:
    """compare() builds its frame column by column: the same values and dtypes as pandas makes
    of the same rows given as dicts (the construction it replaced), error rows included."""
    households = sample_households()[:size]
    if size:
        households.append(households[0])  # a duplicated id: error rows in every pack
    got = ff.compare(
        households, list(dv.README_AS_OF), as_of=dv.README_AS_OF, parameters=figures, engine=engine
    )
    expected = pd.DataFrame(got.to_dict("records"), columns=list(got.columns))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert len(got) == len(households) * len(dv.README_AS_OF)


def test_texts_equal_native_when_one_prepared_batch_serves_many_days() -> None:
    """compare() prepares the batch once; each household's dates (``latest_by_part``) are then
    read by the first batch that words texts and reused by the others, on other packs and days
    (later, earlier and the same again): every row still equals native's."""
    households = sample_households()
    prepared = vz.prepare(households)
    compared = 0
    for name, readme in sorted(dv.README_AS_OF.items()):
        pack = _with_parameters(ff.load_pack(name), dv.README_PARAMETERS)
        for day in (readme, readme + timedelta(days=200), readme, pack.valid_from):
            if not in_force(pack, day):
                continue
            try:
                frame = vz.VectorizedBatch(pack, prepared, as_of=day).frame
            except (ParameterError, NotInForceError):
                continue  # a figure not in force that day: the engines differ there by design
            expected = native_texts(pack, households, day)
            assert list(zip(frame.first_reason, frame.missing_facts, strict=True)) == expected
            compared += len(expected)
    assert len(prepared.household_dates) == len(households)
    assert compared >= 10 * len(households)  # the README's day twice per pack at least


def test_texts_equal_native_when_the_packs_share_one_day() -> None:
    """compare() on one date: the five packs word their texts from one list of views (made by
    the first pack, :meth:`~fangfan_rules.engines.vectorized.PreparedBatch.views_on`); every
    row still equals native's."""
    households = sample_households()
    day = date(2024, 6, 5)
    got = ff.compare(
        households, sorted(dv.README_AS_OF), as_of=day, parameters=dv.README_PARAMETERS
    )
    compared = 0
    for name in sorted(dv.README_AS_OF):
        pack = _with_parameters(ff.load_pack(name), dv.README_PARAMETERS)
        rows = got[got.pack == name]
        if (rows.outcome == "error").all():
            continue  # the pack is not in force that day (error rows, as in every engine)
        expected = native_texts(pack, households, day)
        assert list(zip(rows.first_reason, rows.missing_facts, strict=True)) == expected
        compared += len(expected)
    assert compared >= 2 * len(households)


def test_texts_equal_native_with_id_numbers_masked_or_revealed() -> None:
    """Households whose member ids are ID numbers (named in missing facts): the batch's texts,
    masked once per distinct text, are native's, masked or revealed as the call asks."""
    from tests.test_masking import AS_OF as MASKING_AS_OF
    from tests.test_masking import HOUSEHOLDS, JIMO, PACK

    cells: dict[bool, list[str]] = {}
    for revealed in (False, True, False):
        cells[revealed] = []
        for pack, day in ((PACK, MASKING_AS_OF), (JIMO, date(2022, 5, 15))):
            with ff.reveal_ids(revealed):
                frame = vz.VectorizedBatch(pack, HOUSEHOLDS, as_of=day).frame
                expected = native_texts(pack, HOUSEHOLDS, day)
            assert list(zip(frame.first_reason, frame.missing_facts, strict=True)) == expected
            cells[revealed] += frame.missing_facts.tolist()
    assert cells[True] != cells[False]  # an ID number was named, and masked unless revealed


def test_compare_keeps_the_callers_reveal_switch() -> None:
    """compare()'s texts naming ID numbers (masked once per distinct text) are revealed exactly
    when the caller asked, as the native engine gives them."""
    from tests.test_masking import HOUSEHOLDS

    args: dict[str, Any] = {"as_of": dv.README_AS_OF, "parameters": dv.README_PARAMETERS}
    packs = sorted(dv.README_AS_OF)
    for revealed in (True, False):
        with ff.reveal_ids(revealed):
            got = ff.compare(HOUSEHOLDS, packs, **args)
            expected = ff.compare(HOUSEHOLDS, packs, engine="native", **args)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        named = "440304198001011239" in ";".join(got.missing_facts.dropna())
        assert named is revealed
