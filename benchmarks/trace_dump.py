"""Per-answer cost of what a stored answer pays: ``identify`` then ``model_dump_json()`` (the
trace worded in both languages, ID numbers masked), in microseconds per answer.

    python benchmarks/trace_dump.py                       # sample households, two packs
    python benchmarks/trace_dump.py --households h.jsonl  # other households (one JSON a line)

Each household is identified once per pass (distinct households: the words of a check are made
once per process, so a repeated household would flatter a memo). Pass 1 starts with the memo as
the warm-up left it (other households of the same pack); pass 2 repeats the same households.
Run it from two checkouts alternately for an A/B on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from native_latency import PACKS, SAMPLE

import fangfan_rules as ff
from fangfan_rules.engines.native import identify


def run(name: str, raw: list[dict[str, Any]]) -> dict[str, float]:
    """Median µs per answer (identify + model_dump_json) over ``raw``, after a warm-up on the
    first fifth (not measured), as two passes."""
    as_of, figures = PACKS[name]
    pack = ff.load_pack(name)
    if figures:
        pack = pack.with_parameters(**figures)
    batch = [ff.load_household(h) for h in raw]
    warm, measured = batch[: len(batch) // 5], batch[len(batch) // 5 :]
    for household in warm:
        identify(pack, household, as_of=as_of).model_dump_json()
    row: dict[str, float] = {}
    for label in ("pass1", "pass2"):
        spent = []
        for household in measured:
            started = time.thread_time()
            identify(pack, household, as_of=as_of).model_dump_json()
            spent.append(time.thread_time() - started)
        row[label] = statistics.median(spent) * 1e6
        row[label + "_mean"] = statistics.fmean(spent) * 1e6
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=Path, default=SAMPLE)
    parser.add_argument("--packs", default="qianshan_2023,jimo_2022")
    args = parser.parse_args()
    raw = [json.loads(line) for line in args.households.read_text("utf-8").splitlines() if line]
    for name in args.packs.split(","):
        row = run(name, raw)
        print(json.dumps({"pack": name, **{k: round(v, 1) for k, v in row.items()}}))


if __name__ == "__main__":
    main()
