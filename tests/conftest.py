"""Shared test configuration.

1. Hypothesis profiles: ``ci`` (the default) and ``thorough``. Choose one with the environment
   variable ``HYPOTHESIS_PROFILE`` or with pytest's ``--hypothesis-profile=NAME`` (the hypothesis
   pytest plugin loads it after this file has registered the profiles).
2. The YAML case files under ``tests/cases/<pack>/*.yaml`` are collected by the package's own
   pytest plugin (:mod:`fangfan_rules.testing.plugin`, configured in ``pyproject.toml``:
   ``fangfan_cases`` and ``fangfan_documents``), the same runner a third-party pack author uses:
   every case becomes one test item; per pack, one item checks CLAUSES.md and one checks the
   pack's quotes, figures and deciding words against its document in ``../shared/seeds``.
"""

from __future__ import annotations

import os

from hypothesis import settings

# pytester: tests of the package's own pytest plugin run it on a throw-away project.
pytest_plugins = ["pytester"]

# --- hypothesis profiles ---------------------------------------------------------------------

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=False, print_blob=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
