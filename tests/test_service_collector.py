"""A serving process sets Python's garbage collector for serving (fangfan_rules/service/collector.py):
what is alive once the app is built is frozen, the first generation's threshold raised. Checked
in a fresh interpreter each (the collector's settings are the whole process's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, **env: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        check=True, capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    ).stdout.strip()  # fmt: skip


def test_tuning_freezes_what_is_alive_and_raises_the_first_threshold():
    out = _run(
        "import gc\n"
        "from fangfan_rules.service.collector import YOUNG_THRESHOLD, tune_for_serving\n"
        "before = gc.get_threshold()\n"
        "tune_for_serving()\n"
        "after = gc.get_threshold()\n"
        "print(before[0] < YOUNG_THRESHOLD, after[0] == YOUNG_THRESHOLD, after[1:] == before[1:],"
        " gc.get_freeze_count() > 1000, gc.isenabled())"
    )
    assert out == "True True True True True"


def test_the_workers_app_is_built_then_the_collector_is_tuned(tmp_path):
    out = _run(
        "import gc\n"
        "from fangfan_rules.service.collector import YOUNG_THRESHOLD\n"
        "from fangfan_rules.service.run import app_from_environment\n"
        "app = app_from_environment()\n"
        "print(type(app).__name__, gc.get_threshold()[0] == YOUNG_THRESHOLD,"
        " gc.get_freeze_count() > 1000)",
        FANGFAN_SERVICE_DB=f"sqlite:///{tmp_path / 'store.sqlite3'}",
    )
    assert out == "FastAPI True True"
