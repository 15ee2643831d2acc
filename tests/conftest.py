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
4. The ``web`` fixture: the web page signed in with a village token (东村), on a SQLite store,
   shared by the web page's test files.
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


@pytest.fixture
def web(tmp_path):
    """(client, store, token): the service with the mini pack and its caller figures, a client
    signed in to the web page with a village token of 千山区/甘泉镇/东村."""
    from fastapi.testclient import TestClient

    import fangfan_rules as ff
    from fangfan_rules.service import Settings, create_app
    from fangfan_rules.store import Store
    from tests import mini_pack
    from tests.test_service import WINDOW

    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = Store(url)
    east = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
    app = create_app(
        Settings(database=url, parameters={"mini_pack": WINDOW}, packs={"mini_pack": pack}),
        store=store,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        client.post("/ui/login", data={"token": east})
        yield client, store, east
    store.close()
