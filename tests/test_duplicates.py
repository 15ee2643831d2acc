"""A household id twice (issue 12, finding 7): one rule for every engine and for streaming.

Every copy of a duplicated id is a bad row, in its place, with the same reason; every other
household is answered exactly as it would be in the batch without the copies (the
population-level rules do not see them either). Which copy is right is never guessed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:24]
]
EWENKI = ff.load_pack("ewenki_2024")  # population-level rules: the copies must not count
QIANSHAN = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
PACKS = {"qianshan_2023": (QIANSHAN, date(2023, 6, 5)), "ewenki_2024": (EWENKI, date(2024, 6, 5))}
# ids 1 and 17 twice: four bad rows (positions 1, 17, 24, 25), twenty-two answers
BATCH = [*HOUSEHOLDS, HOUSEHOLDS[1], HOUSEHOLDS[17]]
BAD = [1, 17, 24, 25]
GOOD = [h for i, h in enumerate(BATCH) if i not in BAD]


def expected(pack: ff.Pack, as_of: date):
    """The native answers of the batch without the copies."""
    return results_frame(pack.identify_many(GOOD, as_of=as_of))


#: The columns every engine gives exactly (the durable engine's citation is the deciding rule's).
DECIDED = [c for c in vz.EXACT_COLUMNS if c != "citation"]


def check(frame, pack: ff.Pack, as_of: date) -> None:
    assert list(frame.household_id) == [h.id for h in BATCH]
    assert [i for i, o in enumerate(frame.outcome) if o == "error"] == BAD
    assert all(DUPLICATED_HOUSEHOLD in frame.error[i] for i in BAD)
    answered = frame.drop(index=BAD).reset_index(drop=True)
    truth = expected(pack, as_of)
    for column in DECIDED:
        assert [_norm(v) for v in answered[column]] == [_norm(v) for v in truth[column]], column


def _norm(value: object) -> object:
    """None and NaN alike (pandas turns one into the other in mixed columns)."""
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


@pytest.mark.parametrize("name", PACKS)
def test_finding7_duplicated_ids_are_bad_rows_in_identify_many(name):
    pack, as_of = PACKS[name]
    results = pack.identify_many(BATCH, as_of=as_of)
    assert [i for i, r in enumerate(results) if isinstance(r, ff.BadRow)] == BAD
    bad = results[24]
    assert isinstance(bad, ff.BadRow) and bad.position == 24 and bad.outcome == "error"
    assert bad.household_id == HOUSEHOLDS[1].id and DUPLICATED_HOUSEHOLD in bad.error
    check(results_frame(results), pack, as_of)


@pytest.mark.parametrize("name", PACKS)
@pytest.mark.parametrize("engine", ["vectorized", "native", "durable"])
def test_finding7_duplicated_ids_are_bad_rows_in_identify_frame(name, engine):
    pack, as_of = PACKS[name]
    try:
        frame = pack.identify_frame(BATCH, as_of=as_of, engine=engine)
    except ff.FangfanError as exc:  # durable_rules is not available on every Python
        assert engine == "durable", exc
        pytest.skip(str(exc))
    check(frame, pack, as_of)


@pytest.mark.parametrize("name", PACKS)
def test_finding7_duplicated_ids_are_bad_rows_in_tables(name):
    pack, as_of = PACKS[name]
    good = col.to_tables(HOUSEHOLDS)
    tables = {**good, "households": pl.concat([good["households"], good["households"][[1, 17]]])}
    check(vz.identify_frame(pack, tables, as_of=as_of), pack, as_of)
    check(vz.identify(pack, tables, as_of=as_of, engine="native"), pack, as_of)


@pytest.mark.parametrize("name", PACKS)
def test_finding7_duplicated_ids_in_different_chunks_of_a_stream(name, tmp_path):
    """The copies are in different chunks (of 8 households): both are still bad rows."""
    pack, as_of = PACKS[name]
    for t, frame in col.to_tables(HOUSEHOLDS).items():
        if t == "households":
            frame = pl.concat([frame, frame[[1, 17]]])
        frame.write_parquet(tmp_path / f"{t}.parquet")
    frames = list(vz.identify_parquet(pack, tmp_path, as_of=as_of, batch_size=8))
    assert len(frames) == 4
    import pandas as pd

    check(pd.concat(frames, ignore_index=True), pack, as_of)
    with pytest.raises(ff.FactError, match="more than once"):
        vz.explain_parquet(pack, tmp_path, HOUSEHOLDS[1].id, as_of=as_of)


def test_finding7_stream_duplicates_by_hash_then_string(tmp_path, monkeypatch):
    """Candidates are found by a 64-bit hash; a collision is never taken for a duplicate."""
    for t, frame in col.to_tables(HOUSEHOLDS[:5]).items():
        frame.write_parquet(tmp_path / f"{t}.parquet")
    from fangfan_rules.engines import streaming

    source = streaming.source_of(tmp_path)
    assert streaming.duplicated_ids(source).to_list() == []
    monkeypatch.setattr(
        pl.Series, "hash", lambda self, *a, **k: pl.Series([7] * self.len(), dtype=pl.UInt64)
    )
    assert streaming.duplicated_ids(source).to_list() == []  # all collide, none is duplicated


def test_finding7_dask_partitions(tmp_path):
    pytest.importorskip("dask")
    from fangfan_rules.engines.distributed import identify_dask

    pack, as_of = PACKS["qianshan_2023"]
    path = tmp_path / "nested.parquet"
    tables = col.to_tables(BATCH)
    # copies of the same id carry the same child rows: nest them per row, not by id
    nested = col.nest(
        {**tables, "households": tables["households"].unique("household_id", maintain_order=True)}
    )
    pl.concat([nested, nested[[1, 17]]]).write_parquet(path)
    frame = identify_dask(pack, str(path), as_of=as_of, npartitions=3).compute()
    frame = frame.reset_index(drop=True)
    check(frame, pack, as_of)


def test_finding7_compare_and_its_tables_keep_every_copy():
    frame = ff.compare(
        BATCH,
        [QIANSHAN, EWENKI],
        as_of={"qianshan_2023": date(2023, 6, 5), "ewenki_2024": date(2024, 6, 5)},
    )
    assert len(frame) == 2 * len(BATCH)
    table = ff.outcome_table(frame)
    assert len(table) == len(BATCH) and list(table.index) == [h.id for h in BATCH]
    assert (table.iloc[BAD] == "error").all().all()
    ff.disagreements(frame)  # no error on the repeated index
    sweep = ff.sweep(
        BATCH,
        QIANSHAN,
        parameter="monitoring_income_line",
        values=[7000],
        as_of=date(2023, 6, 5),
        engine="native",
    )
    outcome = sweep[sweep.measure == "outcome"]
    assert outcome["count"].sum() == len(BATCH)
    assert outcome.set_index("item")["count"]["error"] == len(BAD)
