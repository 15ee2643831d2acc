"""Validation of untrusted tables vs a dataset the library wrote (its verified marker), same run.

Writes ``n`` replicated households (``bench.replicated_tables``) with ``write_tables`` (which marks
them: see ``fangfan_rules.engines.columnar_marker``), then, in fresh subprocesses taking turns,
times ``prepare(path)`` with ``validate="auto"`` (row checks skipped, the marker verified) and
``validate="always"`` (every check), each followed by the vectorized evaluation of qianshan_2023,
beside reading alone and the hand-written polars baseline (``baseline_polars.py``). Prints
medians: prepare (reading + checks), evaluation, total, peak memory, and the ratio of the
library's time beyond reading to the baseline's.

    python benchmarks/validation_marker.py 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _one(path: str, mode: str) -> dict:
    sys.path.insert(0, str(HERE))
    import fangfan_rules as ff
    from fangfan_rules.engines import columnar as col
    from fangfan_rules.engines.vectorized import VectorizedBatch, prepare

    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line="7000")
    if mode == "baseline":  # the hand-written polars baseline on the same tables, read untimed
        from baseline_polars import identify_outcome

        as_of = date(2023, 6, 5)
        tables = col.read_tables(path)
        window = pack.stated_value("income_window", as_of, None).value
        start = time.perf_counter()
        identify_outcome(
            tables, as_of=as_of, line_yuan=7000, window=(window.start, window.end), lookback=None
        )
        return {"how": "baseline", "prepare": 0.0, "evaluation": time.perf_counter() - start}
    start = time.perf_counter()
    if mode == "read":  # reading alone, in a fresh process as the others
        col.read_tables(path)
        return {"how": "read only", "prepare": time.perf_counter() - start, "evaluation": 0.0}
    prepared = prepare(path, validate=mode)
    prepared_s = time.perf_counter() - start
    VectorizedBatch(pack, prepared, as_of=date(2023, 6, 5), reasons=False)
    return {
        "how": prepared.validation,
        "prepare": prepared_s,
        "evaluation": time.perf_counter() - start - prepared_s,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", type=int, nargs="?", default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("PATH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one)))
        return
    sys.path.insert(0, str(HERE))
    from bench import replicated_tables

    from fangfan_rules.engines import columnar as col

    with tempfile.TemporaryDirectory(prefix="fangfan-marker-") as tmp:
        path = col.write_tables(replicated_tables(args.households), Path(tmp) / "tables")
        runs: dict[str, list[dict]] = {"read": [], "baseline": [], "auto": [], "always": []}
        for _ in range(args.repeat):
            for mode in runs:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(path), mode],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{args.households:,} households, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    read = statistics.median(r["prepare"] for r in runs.pop("read"))
    base = statistics.median(r["evaluation"] for r in runs.pop("baseline"))
    print(f"  reading the files alone: {read:.2f} s; hand-written polars baseline: {base:.2f} s")
    for mode, rows in runs.items():

        def median(key: str, rows: list[dict] = rows) -> float:
            return statistics.median(r[key] for r in rows)

        print(
            f"  validate={mode:<6} ({rows[0]['how']}): prepare {median('prepare'):.2f} s (checks"
            f" beyond reading {median('prepare') - read:.2f} s), evaluation"
            f" {median('evaluation'):.2f} s, total {median('prepare') + median('evaluation'):.2f} s,"
            f" peak {max(r['peak_mib'] for r in rows):,.0f} MiB; without reading / baseline"
            f" {(median('prepare') - read + median('evaluation')) / base:.2f}x"
        )


if __name__ == "__main__":
    main()
