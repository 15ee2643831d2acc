"""The two databases the store is tested on: SQLite always, PostgreSQL when the suite is pointed
at a server with ``FANGFAN_TEST_POSTGRES`` (``.ci/run`` sets it to the CI machine's server).

On a machine without PostgreSQL the variable is unset and the PostgreSQL cases report themselves
as not run (skipped, with the reason); with the variable set, a server that cannot be reached is a
failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ENV = "FANGFAN_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of ``backend`` for one test (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL store tests not run: set {POSTGRES_ENV}=postgresql://user@host:port/db "
            "to run them (CI does)"
        )
    from sqlalchemy import create_engine, text

    from fangfan_rules.store.store import normalise_url

    schema = f"ffr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base))
    try:
        with admin.begin() as conn:  # unreachable server: a failure here, never a skip
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
