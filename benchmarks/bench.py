"""Benchmark of the three engines — figures and ratios in one run (not a test: machines are noisy).

    python benchmarks/bench.py                # the issue's sizes (takes a while)
    python benchmarks/bench.py --scale 0.01   # a quick look at 1 % of them

One generated data set: the 300 synthetic sample households replicated with fresh ids (so every
group, warning and population rule is exercised), for pack qianshan_2023 (as of 2023-06-05, line
7,000) and ewenki_2024 (population rules). Each measurement runs in its own subprocess so that its
peak memory (ru_maxrss) is its own. Printed: households per second, peak memory, the ratio to the
native engine, and how vectorized time grows with 1e4, 1e5, 1e6 households.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"
#: Households per chunk when streaming: peak memory follows the chunk, not the file.
STREAM_CHUNK = 100_000
PACKS = {
    "qianshan_2023": (date(2023, 6, 5), {"monitoring_income_line": "7000"}),
    "ewenki_2024": (date(2024, 6, 5), {}),
}


def _sample():
    import fangfan_rules as ff

    return [ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()]


def _pack(name: str):
    import fangfan_rules as ff

    as_of, params = PACKS[name]
    pack = ff.load_pack(name)
    return (pack.with_parameters(**params) if params else pack), as_of


def replicated_households(n: int):
    """n pydantic households: the sample repeated with ids SYN-0001~k."""
    base = _sample()
    out = []
    for k in range(n // len(base) + 1):
        out.extend(h.model_copy(update={"id": f"{h.id}~{k}"}) for h in base)
    return out[:n]


def replicated_tables(n: int):
    """n households as columnar tables (ids SYN-0001~k), built by polars, not pydantic."""
    import polars as pl

    from fangfan_rules.engines.columnar import to_tables

    base = to_tables(_sample())
    copies = n // base["households"].height + 1
    out = {}
    for name, table in base.items():
        parts = [
            table.with_columns((pl.col("household_id") + f"~{k}").alias("household_id"))
            for k in range(copies)
        ]
        out[name] = pl.concat(parts, how="vertical_relaxed")
    keep = out["households"]["household_id"].head(n)
    return {name: t.filter(pl.col("household_id").is_in(keep.implode())) for name, t in out.items()}


def write_streaming_file(n: int, path: Path, chunk: int = 500_000) -> None:
    """n households as one nested Parquet file, written chunk by chunk (bounded memory)."""
    import pyarrow.parquet as pq

    from fangfan_rules.engines.columnar import nest

    writer = None
    done = 0
    while done < n:
        size = min(chunk, n - done)
        tables = replicated_tables(size)
        offset = f"@{done}"
        import polars as pl

        tables = {
            name: t.with_columns((pl.col("household_id") + offset).alias("household_id"))
            for name, t in tables.items()
        }
        arrow = nest(tables).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(path, arrow.schema)
        writer.write_table(arrow, row_group_size=50_000)
        done += size
    if writer is not None:
        writer.close()


def measure(engine: str, pack_name: str, n: int, data: str | None) -> dict:
    """Run one engine once (called in a subprocess) and return its figures."""
    pack, as_of = _pack(pack_name)
    if engine == "native":
        from fangfan_rules.engines.native import identify, population_for

        households = replicated_households(n)
        start = time.perf_counter()
        # identify_many without keeping 100k full traces in memory: population once, then each
        population = population_for(pack, households, as_of=as_of)
        for household in households:
            identify(pack, household, as_of=as_of, population=population)
    elif engine == "durable":
        from fangfan_rules.engines.durable_backend import DurableEngine

        households = replicated_households(n)
        start = time.perf_counter()
        with DurableEngine(pack, as_of=as_of) as durable:
            durable.identify_many(households)
    elif engine == "vectorized":
        from fangfan_rules.engines.vectorized import identify_frame

        tables = replicated_tables(n)
        start = time.perf_counter()
        identify_frame(pack, tables, as_of=as_of)
    elif engine == "streamed":
        from fangfan_rules.engines.vectorized import identify_parquet

        start = time.perf_counter()
        rows = sum(
            len(frame)
            for frame in identify_parquet(pack, data, as_of=as_of, batch_size=STREAM_CHUNK)
        )
        assert rows == n, (rows, n)
    else:
        raise ValueError(engine)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "engine": engine,
        "pack": pack_name,
        "households": n,
        "seconds": seconds,
        "per_second": n / seconds,
        "peak_mib": peak_mib,
    }


def run(engine: str, pack: str, n: int, data: str | None = None) -> dict:
    args = [sys.executable, __file__, "--one", engine, pack, str(n)] + ([data] if data else [])
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"engine": engine, "pack": pack, "households": n, "error": out.stderr.strip()[-300:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(r: dict, native: float | None) -> str:
    if "error" in r:
        return f"{r['engine']:>10} {r['pack']:<14} {r['households']:>11,}  ERROR {r['error']}"
    ratio = f"{r['per_second'] / native:8.1f}x" if native else "       —"
    return (
        f"{r['engine']:>10} {r['pack']:<14} {r['households']:>11,} {r['seconds']:9.1f} s "
        f"{r['per_second']:>12,.0f}/s {r['peak_mib']:>8,.0f} MiB  {ratio} native"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, pack, n, *data = args.one
        print(json.dumps(measure(engine, pack, int(n), data[0] if data else None)))
        return
    s = args.scale
    small, large, huge = int(100_000 * s), int(1_000_000 * s), int(10_000_000 * s)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
        f", {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
    )
    print(
        f"{'engine':>10} {'pack':<14} {'households':>11} {'time':>11} {'rate':>14} {'peak':>12}  ratio"
    )
    for pack in PACKS:
        native = run("native", pack, small)
        base = native.get("per_second")
        print(line(native, None), flush=True)
        print(line(run("durable", pack, small), base), flush=True)
        print(line(run("vectorized", pack, small), base), flush=True)
        print(line(run("vectorized", pack, large), base), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "households.parquet"
        start = time.perf_counter()
        write_streaming_file(huge, path)
        print(
            f"(wrote {huge:,} households as nested Parquet in {time.perf_counter() - start:.0f} s,"
            f" {path.stat().st_size / 2**20:,.0f} MiB; streamed in chunks of {STREAM_CHUNK:,})",
            flush=True,
        )
        for pack in PACKS:
            print(line(run("streamed", pack, huge, str(path)), None), flush=True)
    print("scaling (vectorized, qianshan_2023):")
    for n in (int(10_000 * s) or 100, int(100_000 * s) or 1_000, int(1_000_000 * s) or 10_000):
        r = run("vectorized", "qianshan_2023", n)
        print(
            f"  {n:>11,} households {r.get('seconds', float('nan')):8.2f} s  "
            f"{r.get('per_second', 0):>12,.0f}/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
