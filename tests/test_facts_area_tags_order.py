"""Area tags are written in one order in every process (svc9's finding: a frozenset dumped in its
hash order gave the same facts another text, and another snapshot hash, after a restart)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import fangfan_rules as ff
h = ff.load_household({"id": "h", "area": {"county": "c", "town": "t", "village": "v",
    "tags": ["relocation_site", "disaster_site", "lifted_village", "non_poor_village"]},
    "hukou": "rural", "members": [{"id": "m1", "relation": "head"}]})
print(h.model_dump_json())
"""


def test_the_same_facts_are_the_same_text_in_every_process() -> None:
    texts = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(texts) == 1
    (text,) = texts
    assert '"tags":["disaster_site","lifted_village","non_poor_village","relocation_site"]' in text
