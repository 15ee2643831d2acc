"""The Dask path on a local cluster of 2 workers equals the single-process engine."""

import json
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from fangfan_rules.engines.columnar import write_parquet  # noqa: E402
from fangfan_rules.engines.distributed import identify_dask  # noqa: E402
from fangfan_rules.engines.vectorized import identify_frame  # noqa: E402

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
EXACT = [
    "household_id",
    "outcome",
    "category",
    "risk_types",
    "key_attention",
    "key_areas",
    "flags",
    "must_visit",
    "green_channel",
    "deciding_rule",
    "decided_by_unknown",
]


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    households = [
        ff.load_household(json.loads(line))
        for line in SAMPLE.read_text(encoding="utf-8").splitlines()
    ]
    path = tmp_path_factory.mktemp("dask") / "households.parquet"
    write_parquet(households, path, layout="nested")
    return households, path


@pytest.mark.parametrize(
    ("name", "as_of", "params"),
    [
        ("qianshan_2023", date(2023, 6, 5), {"monitoring_income_line": 7000}),
        ("ewenki_2024", date(2024, 6, 5), {}),  # population rules: shuffled by county first
    ],
)
def test_two_workers_equal_single_process(cluster, sample, name, as_of, params):
    households, path = sample
    pack = ff.load_pack(name).with_parameters(**params) if params else ff.load_pack(name)
    distributed_result = identify_dask(pack, path, as_of=as_of, npartitions=4).compute()
    single = identify_frame(pack, households, as_of=as_of)
    left = distributed_result[EXACT].sort_values("household_id").reset_index(drop=True)
    right = single[EXACT].sort_values("household_id").reset_index(drop=True)
    assert len(left) == len(households)
    assert left.astype(str).equals(right.astype(str))
