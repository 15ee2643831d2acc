"""Native engine: single-household latency per pack, and throughput against a hand-written baseline.

    python benchmarks/native_latency.py            # 3,000 households
    python benchmarks/native_latency.py -n 600     # a quicker look

For each pack (its caller figures below): the median and p99 of one warm ``identify`` call, in wall
time and in the calling thread's CPU time (on a shared machine the wall p99 is mostly other
processes), and households per second over the whole run. For qianshan_2023 the same households
go through :mod:`baseline_python` (plain Python over the JSON dicts, no library code) and the two
outcomes are checked to agree on every household before the ratio is printed. The answers'
reasons and traces are not read: that is the cost every caller pays; reading them is the caller's,
shown apart for the first 300 households ("explain ms": ``identify`` then ``explain()``, whose
reasons are worded, and replayed with the recording closures, only then).

``run(n)`` returns the rows (a list of dicts) for ``bench.py``; ``__main__`` prints them as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_python  # the sibling file (benchmarks/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"

#: as_of and the caller's figures per pack (the figures the documents leave to the caller).
PACKS: dict[str, tuple[date, dict[str, Any]]] = {
    "qianshan_2023": (date(2023, 6, 5), {"monitoring_income_line": 7000}),
    "ewenki_2024": (date(2024, 6, 5), {}),
    "puan_2025": (
        date(2025, 7, 1),
        {"monitoring_income_line": 7000, "income_window": "2024-07-01..2025-06-30"},
    ),
    "jimo_2022": (
        date(2022, 5, 15),
        {"monitoring_income_line": 7000, "income_window": "2021-05-01..2022-04-30"},
    ),
    "rongan_2022": (
        date(2022, 4, 20),
        {"monitoring_income_line": 6000, "income_window": "2021-01-01..2021-12-31"},
    ),
}
BASELINE_PACK = "qianshan_2023"


def households(n: int) -> list[dict[str, Any]]:
    """n household dicts: the 300 synthetic samples repeated with fresh ids (SYN-0001~k)."""
    base = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()]
    return [dict(h, id=f"{h['id']}~{k}") for k in range(n // len(base) + 1) for h in base][:n]


def _percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def measure_pack(name: str, raw: list[dict[str, Any]]) -> dict[str, Any]:
    import fangfan_rules as ff
    from fangfan_rules.engines.native import identify, population_for

    as_of, figures = PACKS[name]
    pack = ff.load_pack(name)
    if figures:
        pack = pack.with_parameters(**figures)
    batch = [ff.load_household(h) for h in raw]
    population = population_for(pack, batch, as_of=as_of)
    for household in batch[:300]:  # warm: compiled rules, resolved figures, caches
        identify(pack, household, as_of=as_of, population=population)
    wall: list[float] = []
    cpu: list[float] = []
    outcomes: list[str] = []
    started = time.perf_counter()
    for household in batch:
        w, c = time.perf_counter(), time.thread_time()
        answer = identify(pack, household, as_of=as_of, population=population)
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - w)
        outcomes.append(answer.outcome.value)
    total = time.perf_counter() - started
    explained: list[float] = []
    for household in batch[:300]:
        w = time.perf_counter()
        identify(pack, household, as_of=as_of, population=population).explain()
        explained.append(time.perf_counter() - w)
    wall.sort()
    cpu.sort()
    row: dict[str, Any] = {
        "pack": name,
        "households": len(batch),
        "median_ms": statistics.median(wall) * 1e3,
        "p99_ms": _percentile(wall, 0.99) * 1e3,
        "cpu_median_ms": statistics.median(cpu) * 1e3,
        "cpu_p99_ms": _percentile(cpu, 0.99) * 1e3,
        "households_per_s": len(batch) / total,
        "explain_median_ms": statistics.median(explained) * 1e3,
    }
    if name == BASELINE_PACK:
        started = time.perf_counter()
        for household in raw:
            baseline_python.outcome(household)
        baseline_total = time.perf_counter() - started
        row["agree"] = baseline_python.check(raw, outcomes)
        row["baseline_per_s"] = len(raw) / baseline_total
        row["library_vs_baseline"] = row["baseline_per_s"] / row["households_per_s"]
    return row


def run(n: int = 3000) -> list[dict[str, Any]]:
    """One row per pack: latency (wall and CPU), throughput, and for qianshan_2023 the baseline's
    throughput and how many times slower the library is (after checking they agree)."""
    raw = households(n)
    return [measure_pack(name, raw) for name in PACKS]


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'pack':<15}{'n':>7}{'median ms':>11}{'p99 ms':>9}{'cpu med':>9}{'cpu p99':>9}"
        f"{'hh/s':>9}{'explain ms':>11}{'baseline hh/s':>15}{'× slower':>10}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        base = (
            f"{r['baseline_per_s']:>15,.0f}{r['library_vs_baseline']:>10.1f}"
            if "baseline_per_s" in r
            else f"{'':>15}{'':>10}"
        )
        lines.append(
            f"{r['pack']:<15}{r['households']:>7}{r['median_ms']:>11.3f}{r['p99_ms']:>9.3f}"
            f"{r['cpu_median_ms']:>9.3f}{r['cpu_p99_ms']:>9.3f}{r['households_per_s']:>9,.0f}"
            f"{r['explain_median_ms']:>11.3f}" + base
        )
    agreed = [r for r in rows if "agree" in r]
    for r in agreed:
        lines.append(f"baseline agrees with the library on {r['agree']} of {r['households']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="households per pack")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} cores; {args.n} households per pack")
    print(table(run(args.n)))


if __name__ == "__main__":
    main()
