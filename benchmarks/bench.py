"""Benchmark of the three engines — figures and ratios in one run (not a test: machines are noisy).

    python benchmarks/bench.py                # the issue's sizes (takes a while)
    python benchmarks/bench.py --scale 0.01   # a quick look at 1 % of them

One generated data set: the 300 synthetic sample households replicated with fresh ids (so every
group, warning and population rule is exercised), for pack qianshan_2023 (as of 2023-06-05, line
7,000) and ewenki_2024 (population rules). Each measurement runs in its own subprocess so that its
peak memory (ru_maxrss) is its own. Printed: households per second, peak memory, the ratio to the
native engine, and how vectorized time grows with 1e4, 1e5, 1e6 households.

First, in the same run: the vectorized engine against a hand-written polars implementation of
qianshan_2023's outcome (``baseline_polars.py``, no library code; the outcomes are checked equal on
every household) — the ratio library / baseline, the library's validation / evaluation split and
both peaks — and the analyst path: ``compare()`` of 10,000 households over the five packs and
``sweep()`` over ten values with the default engine. ``--only baseline`` / ``--only analyst`` run
one part; ``--million`` adds the baseline comparison at 1,000,000 households.

Before those, ``targets`` (``--only targets``): issue 14's figures beside the ones measured in this
run — native single-household latency per pack (median / p99, wall and CPU) and its ratio to a
plain-Python hand-written version of qianshan_2023 (``native_latency.py`` / ``baseline_python.py``,
outcomes checked equal), households drawn per second by ``strategies.households()``
(``strategies_speed.py``) and ``import fangfan_rules`` (``import_time.py``, fresh interpreters).
"""

from __future__ import annotations

import argparse
import json
import os
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
#: The README's comparison of the five regions (each document in force on its own date).
README_AS_OF = {
    "qianshan_2023": date(2023, 6, 5),
    "ewenki_2024": date(2024, 6, 5),
    "puan_2025": date(2025, 6, 1),
    "rongan_2022": date(2022, 3, 15),
    "jimo_2022": date(2022, 5, 15),
}
README_PARAMETERS = {
    "monitoring_income_line": 7000,
    "puan_2025": {"income_window": "2024-06-01..2025-05-31"},
    "rongan_2022": {"income_window": "2021-01-01..2021-12-31"},
    "jimo_2022": {"income_window": "2021-05-01..2022-04-30"},
}
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
    # One chunk per table, as a table read from a Parquet file arrives: the concatenation above
    # leaves hundreds of chunks, which every polars operation pays for per chunk, and the library
    # copies its input into one chunk while the hand-written baseline would run on them as given —
    # both sides get the same single-chunk tables so that the ratio compares the rules, not this.
    return {
        name: t.filter(pl.col("household_id").is_in(keep.implode())).rechunk()
        for name, t in out.items()
    }


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
    if engine == "analyst":
        return _analyst(n)
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
        from fangfan_rules.engines.vectorized import VectorizedBatch, prepare

        tables = replicated_tables(n)
        start, cpu = time.perf_counter(), time.process_time()
        prepared = prepare(tables)  # conversion of the input to the layout and its validation
        validated = time.perf_counter()
        # the engine's own columns: the worded texts would time the native evaluator
        VectorizedBatch(pack, prepared, as_of=as_of, reasons=False)
        split = {
            "validation": validated - start,
            "evaluation": time.perf_counter() - validated,
            # this process's CPU time (every thread): what compares two runs on a loaded machine
            "cpu": time.process_time() - cpu,
        }
    elif engine == "baseline":
        split = _baseline(pack, as_of, n)
        start = time.perf_counter() - split.pop("seconds")
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
        **locals().get("split", {}),
    }


def _baseline(pack, as_of: date, n: int) -> dict:
    """Time the hand-written polars baseline (qianshan_2023 only) on the library's tables, then
    check (untimed) that the library gives the same outcome for every household."""
    import polars as pl
    from baseline_polars import identify_outcome

    from fangfan_rules.engines.vectorized import identify_frame

    if pack.name != "qianshan_2023":
        raise ValueError("the baseline implements qianshan_2023 only")
    tables = replicated_tables(n)
    window = pack.stated_value("income_window", as_of, None).value
    line_yuan = int(pack.stated_value("monitoring_income_line", as_of, None).value)
    start, cpu = time.perf_counter(), time.process_time()
    expected = identify_outcome(
        tables, as_of=as_of, line_yuan=line_yuan, window=(window.start, window.end), lookback=None
    )
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    got = identify_frame(pack, tables, as_of=as_of, reasons=False)
    library = pl.DataFrame({"household_id": got["household_id"].tolist(), "lib": got["outcome"]})
    both = library.join(expected, on="household_id", how="full", coalesce=True)
    differ = both.filter(pl.col("lib").ne_missing(pl.col("outcome"))).height
    if differ or both.height != n:
        raise AssertionError(f"baseline and library differ on {differ} of {n} households")
    return {"seconds": seconds, "cpu": cpu, "agree": n}


def _analyst(n: int) -> dict:
    """compare() of n households over the five packs (the README's call) and sweep() over ten
    values, each with the default engine; and compare() on the polars path (no worded texts)
    and with one as_of for every pack (warm: the second compare() of the process). Each call's
    wall time and this process's CPU time (all its threads): on a machine other jobs load, the
    CPU time is the figure that compares two runs."""
    import fangfan_rules as ff

    households = replicated_households(n)
    args = {"as_of": README_AS_OF, "parameters": README_PARAMETERS}
    figures = {"engine": "analyst", "pack": "five packs", "households": n}
    for name, call in (
        ("compare_default", lambda: ff.compare(households, list(README_AS_OF), **args)),
        (
            "compare_no_texts",
            lambda: ff.compare(
                households, list(README_AS_OF), engine="vectorized", reasons=False, **args
            ),
        ),
        (
            # warm: every pack on one day (the views of the households made once for the five)
            "compare_one_day",
            lambda: ff.compare(
                households,
                list(README_AS_OF),
                as_of=README_AS_OF["ewenki_2024"],
                parameters=README_PARAMETERS,
            ),
        ),
        (
            "sweep_default",
            lambda: ff.sweep(
                households,
                "qianshan_2023",
                parameter="monitoring_income_line",
                values=range(6000, 11000, 500),
                as_of=README_AS_OF["qianshan_2023"],
            ),
        ),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        figures[name] = time.perf_counter() - start
        # this process's CPU time (every thread): the figure to compare on a loaded machine
        figures[f"{name}_cpu"] = time.process_time() - cpu
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


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


def baseline_line(lib: dict, base: dict) -> str:
    """The library / baseline ratio, with the library's validation and evaluation split."""
    for r in (lib, base):
        if "error" in r:
            return f"  {r['households']:>11,} households  ERROR ({r['engine']}) {r['error']}"
    ratio = lib["seconds"] / base["seconds"]
    return (
        f"  {lib['households']:>11,} households  library {lib['seconds']:7.2f} s (validation "
        f"{lib['validation']:.2f} s = {lib['validation'] / lib['seconds']:.0%}, evaluation "
        f"{lib['evaluation']:.2f} s)  baseline {base['seconds']:7.2f} s  ratio {ratio:5.2f}x "
        f"(evaluation alone {lib['evaluation'] / base['seconds']:.2f}x)  peak {lib['peak_mib']:,.0f} "
        f"/ {base['peak_mib']:,.0f} MiB  agree {base['agree']:,}; CPU s {lib['cpu']:.2f} / "
        f"{base['cpu']:.2f} = {lib['cpu'] / base['cpu']:.2f}x"
    )


def analyst_line(r: dict) -> str:
    if "error" in r:
        return f"analyst path ({r['households']:,} households): ERROR {r['error']}"
    cpu = ", ".join(
        f"{r[f'{name}_cpu']:.1f}"
        for name in ("compare_default", "compare_no_texts", "compare_one_day", "sweep_default")
    )
    return (
        f"analyst path, {r['households']:,} households: compare() over 5 packs "
        f"{r['compare_default']:.1f} s (default engine), {r['compare_no_texts']:.1f} s "
        f"(engine='vectorized', reasons=False), {r['compare_one_day']:.1f} s (one as_of for all, "
        f"warm); sweep() over 10 values {r['sweep_default']:.1f} s;"
        f" peak {r['peak_mib']:,.0f} MiB; CPU s {cpu}"
    )


#: Issue 14's figures, measured when it was filed (same 2-core machine kind), for the "before" column.
ISSUE_14 = {
    "native qianshan median ms": 2.06,
    "native qianshan p99 ms": 2.46,
    "native ewenki median ms": 2.76,
    "native puan median ms": 2.69,
    "native jimo median ms": 2.57,
    "native rongan median ms": 0.94,
    "native vs plain Python (× slower)": 92.0,
    "strategies households/s": 50.0,
    "import fangfan_rules s": 0.5,
}
#: Issue 14's targets for the same rows (None: no figure set, the ratio is reported).
TARGETS = {
    "native qianshan median ms": 0.2,
    "native qianshan p99 ms": 0.5,
    "native vs plain Python (× slower)": 10.0,
    "strategies households/s": 250.0,
    "import fangfan_rules s": 0.2,
}


def targets(n: int) -> None:
    """Issue 14's per-call figures: before (when filed), now, target — each in its own process."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r});"
        "import native_latency, strategies_speed, import_time;"
        "from fangfan_rules import strategies as fs;"
        f"rows = native_latency.run({n});"
        "rate = sorted(strategies_speed.rate(fs.households(), 200) for _ in range(3))[1];"
        "imp = import_time.measure('import fangfan_rules', 5);"
        "print(json.dumps({'rows': rows, 'rate': rate, 'import': imp['median']}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        print(f"targets: ERROR {done.stderr.strip().splitlines()[-1:]}")
        return
    got = json.loads(done.stdout.splitlines()[-1])
    rows = {r["pack"].split("_")[0]: r for r in got["rows"]}
    now = {
        "native qianshan median ms": rows["qianshan"]["median_ms"],
        "native qianshan p99 ms": rows["qianshan"]["p99_ms"],
        **{
            f"native {p} median ms": rows[p]["median_ms"]
            for p in ("ewenki", "puan", "jimo", "rongan")
        },
        "native vs plain Python (× slower)": rows["qianshan"]["library_vs_baseline"],
        "strategies households/s": got["rate"],
        "import fangfan_rules s": got["import"],
    }
    print(f"{'figure':<38}{'issue 14':>10}{'now':>10}{'target':>10}{'× better':>10}")
    for name, before in ISSUE_14.items():
        value = now[name]
        better = value / before if name.startswith("strategies") else before / value
        target = TARGETS.get(name)
        digits = 3 if name.startswith("import") else 2
        shown = f"{target:.{digits}f}" if target is not None else "—"
        print(f"{name:<38}{before:>10.{digits}f}{value:>10.{digits}f}{shown:>10}{better:>9.1f}×")
    cpu = ", ".join(f"{p} {r['cpu_median_ms']:.2f}/{r['cpu_p99_ms']:.2f}" for p, r in rows.items())
    print(f"  native CPU time per household (median/p99 ms, other processes excluded): {cpu}")
    q = rows["qianshan"]
    print(
        f"  plain-Python baseline agrees with the library on {q['agree']} of {q['households']}"
        f" households ({q['baseline_per_s']:,.0f}/s vs {q['households_per_s']:,.0f}/s)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--million", action="store_true", help="the baseline comparison at 1M too (any scale)"
    )
    parser.add_argument(
        "--only",
        choices=("targets", "baseline", "analyst"),
        help="run only issue 14's per-call targets, the baseline comparison or the analyst path",
    )
    args = parser.parse_args()
    if args.one:
        engine, pack, n, *data = args.one
        print(json.dumps(measure(engine, pack, int(n), data[0] if data else None)))
        return
    s = args.scale
    small, large, huge = int(100_000 * s), int(1_000_000 * s), int(10_000_000 * s)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
        f", {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores,"
        f" load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    if args.only in (None, "targets"):
        targets(max(300, int(3000 * s)))
    if args.only in (None, "baseline"):
        print(
            "hand-written polars baseline (qianshan_2023; outcomes checked equal on every household):"
        )
        for n in (small, 1_000_000) if args.million else (small,):
            base = run("baseline", "qianshan_2023", n)
            lib = run("vectorized", "qianshan_2023", n)
            print(baseline_line(lib, base), flush=True)
    if args.only in (None, "analyst"):
        print(analyst_line(run("analyst", "five packs", int(10_000 * s) or 100)), flush=True)
    if args.only is None:
        engines(small, large, huge)


def engines(small: int, large: int, huge: int) -> None:
    """Every engine's rate and peak memory, streaming, and how the vectorized time grows."""
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
    for n in (small // 10 or 100, small or 1_000, large or 10_000):
        r = run("vectorized", "qianshan_2023", n)
        print(
            f"  {n:>11,} households {r.get('seconds', float('nan')):8.2f} s  "
            f"{r.get('per_second', 0):>12,.0f}/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
