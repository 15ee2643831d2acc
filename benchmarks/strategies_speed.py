"""Households drawn per second by fangfan_rules.strategies (not a test: machines are noisy).

    python benchmarks/strategies_speed.py                     # households(), 200 examples x 3
    python benchmarks/strategies_speed.py --packs             # and households(pack=...) per pack
    python benchmarks/strategies_speed.py --baseline main     # beside main's strategies, A/B
    python benchmarks/strategies_speed.py --choices           # hypothesis choices per household

A property test ``@given(households())`` with ``max_examples`` examples and a test body that does
nothing, so the figure is generation alone (hypothesis's engine included, as a user's suite pays
it). The "(floor)" line draws one integer per example: hypothesis's own cost on this machine at
this load, to read the other figures against when the machine is shared. With ``--baseline`` (a
git revision, or a directory or ``.py`` file holding an older ``fangfan_rules.strategies``) the
older strategies are loaded beside the current ones and both are measured in alternating rounds
of the same run, so the ratio is fair on a loaded machine. The target (issue 14 §4, issue 17 §3)
is at least 250 households/s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

TARGET = 250.0  # households per second
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fangfan_rules/strategies"


def _load(name: str, path: Path) -> ModuleType:
    """The module or package at ``path`` imported as ``name`` (beside the current one)."""
    init = path / "__init__.py" if path.is_dir() else path
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"--baseline: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_baseline(where: str) -> ModuleType:
    """Older strategies: a ``.py`` file, a package directory, or a git revision of this repo
    (its ``fangfan_rules/strategies`` package, or the single ``strategies.py`` it once was)."""
    name = "baseline_strategies"
    path = Path(where)
    if not path.exists():  # a git revision: copy its strategies into a temporary package
        out = Path(tempfile.mkdtemp(prefix="strategies_")) / name
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{where}:{PACKAGE}"],
            capture_output=True,
            text=True,
        )
        if listed.returncode:  # before the package: one module
            files, source = {"__init__.py": "fangfan_rules/strategies.py"}, None
        else:
            source = PACKAGE
            files = {f: f"{PACKAGE}/{f}" for f in listed.stdout.split() if f.endswith(".py")}
        out.mkdir(parents=True)
        for file, in_repo in files.items():
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{where}:{in_repo}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            if source:  # its own submodules, not the current ones
                text = text.replace("fangfan_rules.strategies.", f"{name}.")
                text = text.replace("from fangfan_rules.strategies import", f"from {name} import")
            (out / file).write_text(text)
        path = out
    return _load(name, path)


def _draw_all(strategy: Any, examples: int) -> int:
    """Run one property of ``examples`` over ``strategy`` (generation only); households drawn."""
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

    property_()
    return drawn


def rate(strategy: Any, examples: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Households per second drawn by ``strategy`` in one property run of ``examples``
    (``clock=time.process_time``: per second of this process's CPU time, which other work on a
    shared machine disturbs far less than wall time)."""
    start = clock()
    drawn = _draw_all(strategy, examples)
    return drawn / (clock() - start)


def choices(strategy: Any, examples: int) -> float:
    """Hypothesis choices per household in one property run (hypothesis internals: a count of
    ConjectureData's choice draws, the datatree's replays of them included)."""
    from hypothesis.internal.conjecture.data import ConjectureData

    made = 0
    original = ConjectureData._draw

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        return original(self, *args, **kwargs)

    ConjectureData._draw = counted  # type: ignore[method-assign]
    try:
        drawn = _draw_all(strategy, examples)
    finally:
        ConjectureData._draw = original  # type: ignore[method-assign]
    return made / drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--baseline", help="older strategies: a git revision, a package directory or a .py file"
    )
    parser.add_argument(
        "--packs", action="store_true", help="also households(pack=...) for each bundled pack"
    )
    parser.add_argument(
        "--choices", action="store_true", help="print hypothesis choices per household too"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="per second of CPU time (time.process_time) rather than wall time: steadier A/B "
        "figures on a shared machine",
    )
    args = parser.parse_args()

    from hypothesis import strategies as st

    import fangfan_rules as ff
    from fangfan_rules import strategies as current

    modules: dict[str, ModuleType] = {"": current}
    if args.baseline:
        modules = {"baseline ": load_baseline(args.baseline), "": current}
    # hypothesis's own cost per example (one integer): the ceiling on this machine at this load
    subjects: dict[str, Callable[[], Any]] = {"(floor) st.integers()": st.integers}
    packs = [ff.load_pack(name) for name in ff.available_packs()] if args.packs else []
    for prefix, module in modules.items():
        subjects[f"{prefix}households()"] = module.households
    for pack in packs:
        for prefix, module in modules.items():
            subjects[f"{prefix}households(pack={pack.name})"] = lambda module=module, pack=pack: (
                module.households(pack=pack)
            )

    strategies = {label: make() for label, make in subjects.items()}
    clock = time.process_time if args.cpu else time.perf_counter
    for strategy in strategies.values():
        rate(strategy, 10)  # warm up: strategies are built lazily on first draw
    figures: dict[str, list[float]] = {label: [] for label in strategies}
    for _ in range(args.rounds):
        for label, strategy in strategies.items():
            figures[label].append(rate(strategy, args.examples, clock))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores;", end=" ")
    print(f"{args.examples} examples x {args.rounds} rounds; target {TARGET:.0f}/s", end="")
    print(" (per CPU second)" if args.cpu else "")
    for label, values in figures.items():
        median = statistics.median(values)
        spread = ", ".join(f"{v:.0f}" for v in values)
        verdict = "meets" if median >= TARGET else "below"
        line = f"{label:48s} median {median:6.0f} households/s  ({spread})  {verdict} target"
        if args.baseline and not label.startswith(("baseline", "(floor)")):
            ratio = median / statistics.median(figures[f"baseline {label}"])
            line += f"  {ratio:.2f}x baseline"
        print(line)
    if args.choices:
        for label, strategy in strategies.items():
            if not label.startswith("(floor)"):
                print(f"{label:48s} {choices(strategy, args.examples):6.1f} choices/household")


if __name__ == "__main__":
    main()
