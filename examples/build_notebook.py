"""Write and execute examples/compare_regions.ipynb, so its outputs come from a real run.

    python examples/build_notebook.py             # rebuild the notebook and docs/plot_outcomes.png
    python examples/build_notebook.py --no-run    # write the cells only (no outputs)

The notebook runs on a kernel of *this* interpreter (a kernelspec written to a temporary
directory points at ``sys.executable``), so it sees the installed fangfan-rules whatever other
Jupyter kernels the machine has. ``tests/test_notebook.py`` executes it the same way in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "compare_regions.ipynb"
PLOT = HERE.parent / "docs" / "plot_outcomes.png"
KERNEL_NAME = "fangfan-rules-python"

# The evaluation date of each pack (a day its document is in force) and the caller's figures.
# Both are printed in the notebook; the line is ILLUSTRATIVE, not any province's real figure.
SETUP = """\
%matplotlib inline
import json
from datetime import date
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

import fangfan_rules as ff
from fangfan_rules import analysis as fa

pd.set_option("display.max_colwidth", 90)
SAMPLE = next(p for p in (Path("sample_households.jsonl"), Path("examples/sample_households.jsonl"))
              if p.exists())
households = [ff.load_household(json.loads(line))
              for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]

# A day on which each document is in force (see each pack.yaml's valid_from).
AS_OF = {"qianshan_2023": date(2023, 6, 5), "ewenki_2024": date(2024, 6, 5),
         "puan_2025": date(2025, 5, 31), "rongan_2022": date(2022, 3, 15),
         "jimo_2022": date(2022, 5, 15)}
packs = {}
for name in ff.available_packs():
    try:
        packs[name] = ff.load_pack(name)
    except ff.PackError as exc:  # a pack still being written must not stop the comparison
        print(f"{name}: not loaded — {exc}")
as_of = {name: AS_OF.get(name, pack.valid_from) for name, pack in packs.items()}
print(f"{len(households)} synthetic households; packs: {', '.join(packs)}")"""

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """\
# Five regions, one set of households

This notebook puts the bundled **synthetic** sample (`sample_households.jsonl`: 300 invented
households, no real person) through every installed policy pack, shows where the regions'
documents give different answers and why (the deciding rule and the clause it cites), sweeps the
monitoring income line, diffs two packs and plots the results. It is executed by
`examples/build_notebook.py` and in CI (`tests/test_notebook.py`), so every output below comes
from a real run of the code above it.""",
    ),
    ("code", SETUP),
    (
        "md",
        """\
## The packs

Each pack is one document's rules as data. The overview and the card below are generated from the
pack's own data (`fa.pack_card`, also `fangfan-rules describe PACK`); hover over a clause to read
its words.""",
    ),
    (
        "code",
        """\
pd.DataFrame([
    {"pack": name, "region": p.document.region, "document": p.document.title,
     "dated": p.document.date, "evaluated as of": as_of[name], "rules": len(p.rules),
     "caller must supply": ", ".join(p.caller_supplied()) or "—"}
    for name, p in packs.items()
]).set_index("pack")""",
    ),
    ("code", 'fa.pack_card(packs.get("ewenki_2024") or next(iter(packs.values())))'),
    (
        "md",
        """\
## Caller-supplied figures

Most documents do not state the provincial monitoring income line, and three state no income
window either. fangfan-rules never guesses them: the caller supplies them. Here they are
**illustrative**: a line of 7,000 yuan, the calendar year 2021 as the window for the two 2022
documents and the twelve months to May 2025 for Puan's. `compare` fills a figure only in packs that do not state it (Ewenki's own 8,300 stays).""",
    ),
    (
        "code",
        """\
SUPPLIED = {"monitoring_income_line": 7000, "income_window": "2021-01-01..2021-12-31",
            "puan_2025": {"income_window": "2024-06-01..2025-05-31"}}  # a pack's own entry wins


def figures_for(pack):
    # the SUPPLIED figures this pack leaves to the caller (its own entry over the shared ones)
    shared = {k: v for k, v in SUPPLIED.items()
              if not isinstance(v, dict) and k in pack.caller_supplied()}
    return {**shared, **SUPPLIED.get(pack.name, {})}


comparison = fa.compare(households, list(packs), as_of=as_of, parameters=SUPPLIED)
assert comparison["error"].isna().all(), comparison["error"].dropna().unique()
comparison.groupby(["pack", "outcome"]).size().unstack(fill_value=0)""",
    ),
    ("code", "fa.plot_outcomes(comparison)"),
    ("code", "fa.plot_groups(comparison)"),
    (
        "md",
        """\
## Where they disagree, and why

`disagreements` keeps the households whose outcome differs between packs, with the rule that
decided each answer. The most frequent outcome patterns come first; then, for the disagreeing
households, which rules decided them in each pack.""",
    ),
    (
        "code",
        """\
differing = fa.disagreements(comparison)
print(f"{len(differing)} of {len(households)} households get different answers across "
      f"{len(packs)} packs")
fa.outcome_table(comparison).value_counts().head(8).to_frame("households")""",
    ),
    (
        "code",
        """\
why = comparison[comparison["household_id"].isin(differing["household_id"])]
undecided = why["outcome"].map({"not_eligible": "(no criterion met)",
                                 "needs_review": "(facts unknown: see missing_facts)"})
(why.assign(deciding_rule=why["deciding_rule"].fillna(undecided))
    .groupby(["pack", "outcome", "decided_by_unknown", "deciding_rule"]).size()
    .sort_values(ascending=False).groupby(level="pack").head(2).to_frame("households"))""",
    ),
    (
        "md",
        """\
One household in detail: the same facts, each region's answer, the reason that weighs most and
the clause behind it (hover to read the clause).""",
    ),
    (
        "code",
        """\
table = fa.outcome_table(comparison)
identified = table[(table == "identify").any(axis=1) & (table == "not_eligible").any(axis=1)]
# no document decides identification outright: show a household recommended for review in one
# region and not in another
example = (identified.index if len(identified) else differing["household_id"])[0]
fa.linked(comparison[comparison["household_id"] == example][
    ["household_id", "pack", "outcome", "key_attention", "deciding_rule", "first_reason",
     "citation"]])""",
    ),
    (
        "md",
        """\
## Sweeping the income line

`sweep` evaluates the households once per value of a parameter and counts outcomes and
key-attention groups. Two packs here: Qianshan's document does not state the line, so each value
is a caller figure; Ewenki's states 8,300, so each other value is a *reform* (the pack's version
gets `+reform`, its content hash changes). Every count carries the hash of the pack behind it.""",
    ),
    (
        "code",
        """\
LINES = range(5000, 10001, 1000)
SWEPT = [n for n in ("qianshan_2023", "ewenki_2024") if n in packs] or list(packs)[:2]
sweeps = pd.concat(
    fa.sweep(households, packs[name], parameter="monitoring_income_line", values=LINES,
             as_of=as_of[name],
             parameters={k: v for k, v in figures_for(packs[name]).items()
                         if k != "monitoring_income_line"})
    for name in SWEPT
)
monitored = sweeps[sweeps["measure"] == "monitored"].pivot(index="value", columns="pack",
                                                           values="count")
assert (monitored.diff().dropna() >= 0).all().all(), "a higher line monitored fewer households"
monitored""",
    ),
    (
        "code",
        """\
sweeps.groupby(["pack", "source", "pack_version"])["pack_hash"].nunique().to_frame(
    "distinct pack hashes")""",
    ),
    (
        "code",
        'fa.plot_sweep(sweeps, measure="outcome", items=["identify"], title="Households identified outright, and monitored (dashed), by income line")',
    ),
    (
        "md",
        """\
## Diffing two packs

`diff_packs` lines up parameters, key-attention groups, green-channel rules, deadlines, flags and
every other rule kind, with both clauses. First two regions, then a pack against a reform of
itself.""",
    ),
    (
        "code",
        """\
a, b = ("qianshan_2023", "ewenki_2024") if {"qianshan_2023", "ewenki_2024"} <= set(packs) \\
    else list(packs)[:2]
regions = fa.diff_packs(packs[a], packs[b])
print(f"{len(regions)} differences; by section:",
      regions.to_frame().groupby("section").size().to_dict())
fa.diff_packs(packs[a], packs[b], sections=("parameter", "green_channel", "deadline"))""",
    ),
    (
        "code",
        """\
base = packs[b]
higher = fa.reform(base, parameters={"monitoring_income_line": 9000}, label="line 9000")
print("version:", higher.version, "| reforms:", higher.reforms)
print("hash changed:", higher.content_hash != base.content_hash,
      "| original untouched:", base.overrides == {} and base.version == packs[b].version)
result = higher.identify(households[0], as_of=as_of[b])
print("the result records it:", result.pack_version, result.reforms)
fa.diff_packs(base, higher)""",
    ),
    (
        "md",
        """\
## Deadlines of a case

Time limits that apply to a case, as a Gantt chart: the trigger date, the period (natural days
per 民法典 第201/203条, or official working days), completion, the evaluation date, and the official
working days shaded (调休 make-up days included, statutory holidays excluded).""",
    ),
    (
        "code",
        """\
timed = {n: p for n, p in packs.items() if any(r.kind == "deadline" for r in p.rules)}
with_deadlines = [r for name, pack in timed.items()
                  for r in pack.with_parameters(**figures_for(pack))
                  .identify_many(households, as_of=as_of[name]) if r.deadlines]
cases = []
for status in ("met", "missed", "overdue", "pending"):
    cases += [r for r in with_deadlines if r.deadlines[0].status == status][:1]
fa.plot_deadlines(cases) if cases else print("no deadlines in this sample")""",
    ),
    (
        "code",
        """\
display(HTML(fa.identification_html(cases[0]))) if cases else None""",
    ),
    (
        "md",
        """\
## In numbers

Computed from the run above (so it changes if the packs or the sample change).""",
    ),
    (
        "code",
        """\
counts = comparison.groupby(["pack", "outcome"]).size().unstack(fill_value=0)
for name, row in counts.iterrows():
    monitored_now = row.get("identify", 0) + row.get("needs_review", 0)
    print(f"{name:14} identifies {row.get('identify', 0):3} outright, sends "
          f"{row.get('needs_review', 0):3} to officials' judgement (综合研判), "
          f"{monitored_now / len(households):.0%} may be monitored")
print(f"{len(differing)} of {len(households)} households get different answers.")""",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in CELLS:
        nb.cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb


def kernelspec_dir(root: Path) -> Path:
    """Write a kernelspec for this interpreter under ``root``; return the kernels directory."""
    kernels = root / "kernels"
    spec = kernels / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python (fangfan-rules)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return kernels


def execute(
    nb: nbformat.NotebookNode, *, cwd: Path = HERE, timeout: int = 120
) -> nbformat.NotebookNode:
    """Execute ``nb`` in ``cwd`` on a kernel of this interpreter; raise on the first error."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as tmp:
        specs = KernelSpecManager(kernel_dirs=[str(kernelspec_dir(Path(tmp)))])
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(cwd)}},
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        client.execute()
    # Keep the notebook's portable kernelspec (the temporary one existed only for this run).
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def save_plot() -> None:
    """docs/plot_outcomes.png: outcomes per pack for the sample (the README's figure)."""
    import matplotlib

    matplotlib.use("Agg")
    from datetime import date

    import fangfan_rules as ff
    from fangfan_rules import analysis as fa

    households = [
        ff.load_household(json.loads(line))
        for line in (HERE / "sample_households.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    as_of = {
        "qianshan_2023": date(2023, 6, 5),
        "ewenki_2024": date(2024, 6, 5),
        "puan_2025": date(2025, 5, 31),
        "rongan_2022": date(2022, 3, 15),
        "jimo_2022": date(2022, 5, 15),
    }
    packs: dict[str, Any] = {}
    for name in ff.available_packs():
        try:
            packs[name] = ff.load_pack(name)
        except ff.PackError:
            continue
    comparison = fa.compare(
        households,
        list(packs),
        as_of={n: as_of.get(n, p.valid_from) for n, p in packs.items()},
        parameters={"monitoring_income_line": 7000, "income_window": "2021-01-01..2021-12-31",
                    "puan_2025": {"income_window": "2024-06-01..2025-05-31"}},
    )
    fig = fa.plot_outcomes(
        comparison,
        title="300 synthetic households per pack (line 7,000 yuan, illustrative, where unstated)",
    )
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="write the cells without outputs")
    parser.add_argument("--no-plot", action="store_true", help="do not rewrite the docs plot")
    args = parser.parse_args(argv)
    nb = build()
    if not args.no_run:
        started = time.perf_counter()
        execute(nb)
        print(f"executed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    nbformat.validate(nb)
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK}", file=sys.stderr)
    if not args.no_plot:
        save_plot()
        print(f"wrote {PLOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
