"""Smoke test of an installed fangfan-rules wheel: run by .ci/package with the interpreter of a clean
venv, from a directory outside the source tree, so only the installed files can answer.

    python smoke_wheel.py --source REPO --examples SDIST/examples

Checks, each failing with a line that says what is wrong:
1. fangfan_rules and policy_packs are imported from the venv, not from a source tree;
2. every file of those two packages in the source tree is in the installed package (a pack's
   YAML, CLAUSES.md, the public API stub, py.typed, the schemas…);
3. the core install is only the core: hypothesis and durable-rules are extras, and asking for
   them raises MissingExtraError naming the extra;
4. every entry-point pack loads, and the bundled sample (from the sdist) is evaluated under every
   pack through the Python API (`compare`, as the README shows);
5. the console script runs: `fangfan-rules --version`, `packs`, and the README's first command
   (`evaluate` of the sample under qianshan_2023), one output row per household.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
from datetime import date
from pathlib import Path

PACKAGES = ("fangfan_rules", "policy_packs")
#: The README's comparison: each document on a date it is in force, and the figures it leaves to
#: the caller (the income line is illustrative, as the README says).
AS_OF = {
    "qianshan_2023": date(2023, 6, 5),
    "ewenki_2024": date(2024, 6, 5),
    "puan_2025": date(2025, 6, 1),
    "rongan_2022": date(2022, 3, 15),
    "jimo_2022": date(2022, 5, 15),
}
PARAMETERS = {
    "monitoring_income_line": 7000,
    "puan_2025": {"income_window": "2024-06-01..2025-05-31"},
    "rongan_2022": {"income_window": "2021-01-01..2021-12-31"},
    "jimo_2022": {"income_window": "2021-05-01..2022-04-30"},
}
README_COMMAND = [
    "evaluate",
    "--pack",
    "qianshan_2023",
    "--as-of",
    "2023-06-05",
    "--param",
    "monitoring_income_line=7000",
    "--format",
    "jsonl",
]


def fail(message: str) -> None:
    sys.exit(f"smoke test of the installed wheel FAILED: {message}")


def check_installed_from_venv(source: Path) -> dict[str, Path]:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    where = {}
    for name in PACKAGES:
        module = __import__(name)
        path = Path(module.__file__).resolve().parent
        if site not in path.parents:
            fail(f"{name} was imported from {path}, not from the venv's {site}")
        if source.resolve() in path.parents:
            fail(f"{name} was imported from the source tree {path}")
        where[name] = path
    return where


def check_files(source: Path, installed: dict[str, Path]) -> int:
    missing = []
    count = 0
    for name, target in installed.items():
        for path in sorted((source / name).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            count += 1
            if not (target / path.relative_to(source / name)).is_file():
                missing.append(str(path.relative_to(source)))
    if missing:
        fail(f"{len(missing)} file(s) of the source tree are not in the wheel: {missing}")
    return count


def check_extras_are_optional() -> None:
    import fangfan_rules as ff
    from fangfan_rules.errors import MissingExtraError

    for module in ("hypothesis", "durable"):
        try:
            __import__(module)
        except ImportError:
            continue
        fail(f"{module} is installed with the core wheel: it belongs to an extra")
    try:
        import fangfan_rules.strategies
    except MissingExtraError as exc:
        if "fangfan-rules[hypothesis]" not in str(exc):
            fail(f"fangfan_rules.strategies without hypothesis: unclear error {exc}")
    else:
        fail("fangfan_rules.strategies imported without hypothesis")
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    try:
        pack.identify_frame([], as_of=AS_OF["qianshan_2023"], engine="durable")
    except MissingExtraError as exc:
        if "fangfan-rules[durable]" not in str(exc):
            fail(f"engine='durable' without durable-rules: unclear error {exc}")
    else:
        fail("engine='durable' ran without durable-rules installed")


def check_packs_and_sample(sample: Path) -> tuple[list[str], int]:
    import fangfan_rules as ff

    names = ff.available_packs()
    if sorted(names) != sorted(AS_OF):
        fail(f"installed packs {names}, expected {sorted(AS_OF)}")
    for name in names:
        ff.load_pack(name)  # raises, naming the file, if a pack's data is missing or broken
    lines = sample.read_text(encoding="utf-8").splitlines()
    households = [ff.load_household(json.loads(line)) for line in lines if line.strip()]
    frame = ff.compare(households, names, as_of=AS_OF, parameters=PARAMETERS)
    errors = frame[frame["outcome"] == "error"]
    if len(frame) != len(households) * len(names) or len(errors):
        fail(f"compare over the sample: {len(frame)} rows, {len(errors)} errors")
    return names, len(households)


def run_cli(*args: str) -> str:
    # The venv's own console script (the venv is not activated: PATH does not lead to it).
    script = Path(sys.executable).parent / "fangfan-rules"
    if not script.is_file():
        fail(f"the wheel installed no fangfan-rules console script in {script.parent}")
    done = subprocess.run([str(script), *args], capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"fangfan-rules {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def check_cli(sample: Path, households: int) -> None:
    import fangfan_rules as ff

    if ff.__version__ not in run_cli("--version"):
        fail("fangfan-rules --version does not print the package version")
    listed = {row["name"] for row in json.loads(run_cli("packs", "--format", "json"))}
    if listed != set(AS_OF):
        fail(f"fangfan-rules packs lists {sorted(listed)}")
    rows = [json.loads(line) for line in run_cli(*README_COMMAND, str(sample)).splitlines()]
    if len(rows) != households or any(row.get("outcome") == "error" for row in rows):
        fail(f"fangfan-rules evaluate: {len(rows)} rows for {households} households")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="the repository (files only)")
    parser.add_argument("--examples", type=Path, required=True, help="the sdist's examples/")
    args = parser.parse_args()
    sample = args.examples / "sample_households.jsonl"
    installed = check_installed_from_venv(args.source)
    files = check_files(args.source, installed)
    check_extras_are_optional()
    names, households = check_packs_and_sample(sample)
    check_cli(sample, households)
    print(
        f"wheel OK on Python {sys.version.split()[0]}: {files} package files present, "
        f"{len(names)} packs loaded, {households} sample households evaluated under each, "
        "CLI packs / evaluate run"
    )


if __name__ == "__main__":
    main()
