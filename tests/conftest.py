"""Shared test configuration.

1. Hypothesis profiles: ``ci`` (the default) and ``thorough``. Choose one with the environment
   variable ``HYPOTHESIS_PROFILE`` or with pytest's ``--hypothesis-profile=NAME`` (the hypothesis
   pytest plugin loads it after this file has registered the profiles).
2. The YAML case files under ``tests/cases/<pack>/*.yaml`` are collected by the package's own
   pytest plugin (:mod:`fangfan_rules.testing.plugin`, configured in ``pyproject.toml``:
   ``fangfan_cases`` and ``fangfan_documents``), the same runner a third-party pack author uses:
   every case becomes one test item; per pack, one item checks CLAUSES.md and one checks the
   pack's quotes, figures and deciding words against its document in ``../shared/seeds``.
3. The ``store`` fixture: an empty case store on each backend, shared by the store's test files.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.store_backends import BACKENDS, database_url

# pytester: tests of the package's own pytest plugin run it on a throw-away project.
pytest_plugins = ["pytester"]

# --- hypothesis profiles ---------------------------------------------------------------------

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=False, print_blob=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- the case store, on each backend -------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """An empty case store on SQLite and on PostgreSQL (tests/store_backends.py: skipped with its
    reason where ``FANGFAN_TEST_POSTGRES`` is unset, a failure where it names an unreachable
    server), closed after the test."""
    from fangfan_rules.store import Store

    with database_url(request.param, tmp_path) as url:
        opened = Store(url)
        try:
            yield opened
        finally:
            opened.close()
