"""Households drawn per second by fangfan_rules.strategies (not a test: machines are noisy).

    python benchmarks/strategies_speed.py                       # households(), 200 examples x 3
    git show main:fangfan_rules/strategies.py > /tmp/old_strategies.py
    python benchmarks/strategies_speed.py --baseline /tmp/old_strategies.py

A property test ``@given(households())`` with ``max_examples`` examples and a test body that does
nothing, so the figure is generation alone (hypothesis's engine included, as a user's suite pays
it). With ``--baseline`` an older ``strategies.py`` is loaded beside the current one and both are
measured in alternating rounds of the same run, so the ratio is fair on a loaded machine. The target
(issue 14 §4, issue 17 §3) is at least 250 households/s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

TARGET = 250.0  # households per second


def load_baseline(path: str) -> ModuleType:
    """An older strategies module from a file, importable beside the current one."""
    spec = importlib.util.spec_from_file_location("baseline_strategies", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--baseline: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rate(strategy: Any, examples: int) -> float:
    """Households per second drawn by ``strategy`` in one property run of ``examples``."""
    drawn = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def property_(household: object) -> None:
        nonlocal drawn
        drawn += 1

    start = time.perf_counter()
    property_()
    return drawn / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="an older strategies.py to compare with")
    parser.add_argument(
        "--packs", action="store_true", help="also households(pack=...) for each bundled pack"
    )
    args = parser.parse_args()

    import fangfan_rules as ff
    from fangfan_rules import strategies as current

    subjects: dict[str, Callable[[], Any]] = {"households()": current.households}
    if args.baseline:
        baseline = load_baseline(args.baseline)
        subjects = {"baseline households()": baseline.households, **subjects}
    if args.packs:
        for name in ff.available_packs():
            pack = ff.load_pack(name)
            subjects[f"households(pack={name})"] = lambda pack=pack: current.households(pack=pack)

    strategies = {label: make() for label, make in subjects.items()}
    for strategy in strategies.values():
        rate(strategy, 10)  # warm up: strategies are built lazily on first draw
    figures: dict[str, list[float]] = {label: [] for label in strategies}
    for _ in range(args.rounds):
        for label, strategy in strategies.items():
            figures[label].append(rate(strategy, args.examples))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores;", end=" ")
    print(f"{args.examples} examples x {args.rounds} rounds; target {TARGET:.0f}/s")
    for label, values in figures.items():
        median = statistics.median(values)
        spread = ", ".join(f"{v:.0f}" for v in values)
        verdict = "meets" if median >= TARGET else "below"
        print(f"{label:40s} median {median:6.0f} households/s  ({spread})  {verdict} target")
    if args.baseline:
        ratio = statistics.median(figures["households()"]) / statistics.median(
            figures["baseline households()"]
        )
        print(f"households() / baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
