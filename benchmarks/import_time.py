"""Import time of fangfan_rules, each figure from fresh interpreters (not a test: machines are noisy).

    python benchmarks/import_time.py              # `import fangfan_rules` and first uses, 7 runs
    python benchmarks/import_time.py --runs 15 --top 20

For each statement: the median and the best of N fresh interpreters, wall clock and CPU time of
the statement alone (interpreter start-up excluded), then the modules that cost most by
``python -X importtime`` (cumulative microseconds, from the best run) for the first statement.
The target (issue 14 §5) is `import fangfan_rules` under 0.2 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

#: What is measured: the package import, then what a program's first real use adds.
STATEMENTS = {
    "import fangfan_rules": "import fangfan_rules",
    "+ a household (facts)": "import fangfan_rules as ff; ff.Household",
    "+ load_pack (packs)": "import fangfan_rules as ff; ff.load_pack",
    "+ compare (analysis)": "import fangfan_rules as ff; ff.compare",
}
HEAVY = ("pydantic", "pandas", "polars", "pyarrow", "numpy", "matplotlib", "hypothesis", "durable")

_PROBE = """
import json, sys, time
wall, cpu = time.perf_counter(), time.process_time()
{statement}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"wall": wall, "cpu": cpu, "loaded": loaded}}))
"""


def measure(statement: str, runs: int) -> dict[str, object]:
    """Wall and CPU seconds of ``statement`` in ``runs`` fresh interpreters."""
    samples = []
    for _ in range(runs):
        code = _PROBE.format(statement=statement, heavy=HEAVY)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        samples.append(json.loads(done.stdout.splitlines()[-1]))
    walls = [s["wall"] for s in samples]
    cpus = [s["cpu"] for s in samples]
    return {
        "median": statistics.median(walls),
        "best": min(walls),
        "cpu": statistics.median(cpus),
        "loaded": samples[0]["loaded"],
    }


def top_modules(statement: str, runs: int, top: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of the costliest imports, from the fastest of ``runs``."""
    best: list[tuple[int, int, str]] = []
    best_total = None
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = []
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "cumulative" in line:
                continue
            own, cumulative, name = line.removeprefix("import time:").split("|")
            rows.append((int(cumulative), int(own), name.rstrip()))
        total = sum(c for c, _, name in rows if not name.startswith(" "))
        if best_total is None or total < best_total:
            best_total, best = total, rows
    return sorted(best, reverse=True)[:top]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per figure")
    parser.add_argument("--top", type=int, default=12, help="modules listed by -X importtime")
    args = parser.parse_args(argv)

    print(
        f"machine: {platform.machine()}  python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores; {args.runs} fresh interpreters per figure"
    )
    print(f"{'statement':<24} {'median':>8} {'best':>8} {'cpu':>8}  heavy modules loaded")
    for label, statement in STATEMENTS.items():
        m = measure(statement, args.runs)
        loaded = ", ".join(m["loaded"]) or "none"  # type: ignore[arg-type]
        print(f"{label:<24} {m['median']:>7.3f}s {m['best']:>7.3f}s {m['cpu']:>7.3f}s  {loaded}")
    first = next(iter(STATEMENTS.values()))
    print(f"\ncostliest imports of `{first}` (python -X importtime, best of {args.runs}):")
    print(f"{'cumulative':>12} {'self':>10}  module")
    for cumulative, own, name in top_modules(first, args.runs, args.top):
        print(f"{cumulative / 1e3:>10.1f}ms {own / 1e3:>8.1f}ms  {name}")


if __name__ == "__main__":
    main()
