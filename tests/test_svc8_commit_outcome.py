"""A group commit whose COMMIT raised (fangfan_rules/store/commitmark.py), on SQLite and
PostgreSQL: committed all the same — its requests answered, nothing stored twice; not committed —
each job run again alone, each stored once; outcome unknown — each request fails, nothing run
again. The fault is the driver's: its commit call commits (or rolls back) on the real database and
then raises, as a connection lost once COMMIT was sent does."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import fangfan_rules as ff
from fangfan_rules.service import Settings, create_app
from fangfan_rules.store import Store
from fangfan_rules.store.groupcommit import GroupCommit
from fangfan_rules.store.store import CommitUncertain
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url
from tests.test_service import WINDOW, auth, facts
from tests.test_store_groupcommit import audit


def failing_commit(store: Store, monkeypatch: pytest.MonkeyPatch, *, commits: bool) -> list[int]:
    """The write engine's next commit commits (``commits``) or rolls back, then raises the
    driver's own OperationalError; later commits are normal. The list counts the faults."""
    dialect = store._writes.dialect
    real_commit, rollback = dialect.do_commit, dialect.do_rollback
    error = dialect.loaded_dbapi.OperationalError
    faults: list[int] = []

    def do_commit(dbapi_connection: Any) -> None:
        if faults:
            real_commit(dbapi_connection)
            return
        faults.append(1)
        (real_commit if commits else rollback)(dbapi_connection)
        raise error("connection lost after COMMIT was sent")

    monkeypatch.setattr(dialect, "do_commit", do_commit)
    return faults


def burst(writer: GroupCommit, n: int) -> list[Any]:
    async def run() -> list[Any]:
        return await asyncio.gather(*(writer.run(audit(i)) for i in range(n)),
                                    return_exceptions=True)  # fmt: skip

    return asyncio.run(run())


def stored(store: Store) -> Counter[str]:
    return Counter(e.target or "" for e in store.audit_entries(action="job"))


def test_a_commit_that_raised_but_committed_is_answered_and_not_run_again(store, monkeypatch):
    faults = failing_commit(store, monkeypatch, commits=True)
    assert burst(GroupCommit(store), 6) == list(range(6))
    assert faults == [1]
    assert stored(store) == Counter(str(i) for i in range(6))  # each once, none twice


def test_a_commit_that_raised_and_did_not_commit_runs_each_job_again(store, monkeypatch):
    faults = failing_commit(store, monkeypatch, commits=False)
    assert burst(GroupCommit(store), 6) == list(range(6))
    assert faults == [1]
    assert stored(store) == Counter(str(i) for i in range(6))  # none lost


def test_an_outcome_that_cannot_be_learnt_fails_each_request_and_runs_nothing_again(
    store, monkeypatch, tmp_path
):
    failing_commit(store, monkeypatch, commits=True)
    # the database unreachable for the question (a URL nothing answers), patience short
    unreachable = (
        f"sqlite:///{tmp_path}/no/such/dir/x.sqlite3"
        if store.engine.dialect.name == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1"
    )
    monkeypatch.setattr(store._marks, "engine", create_engine(unreachable))
    monkeypatch.setattr(store._marks, "patience", 0.2)
    results = burst(GroupCommit(store), 4)
    assert all(isinstance(r, CommitUncertain) for r in results), results
    assert "Idempotency-Key" in str(results[0])
    assert stored(store) == Counter(str(i) for i in range(4))  # committed once, never again


def test_marks_do_not_pile_up(store):
    writer = GroupCommit(store)
    for _ in range(5):
        assert burst(writer, 3) == [0, 1, 2]
    with store.engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM commit_marks")).scalar_one()
    # SQLite: the last group's mark (each group deletes the ones before); PostgreSQL: none
    assert left == (1 if store.engine.dialect.name == "sqlite" else 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_identify_whose_commit_raised_after_committing_is_stored_once(
    backend, tmp_path, monkeypatch
):
    """Through the service (the hot path, no Idempotency-Key): answered 200 with the one
    decision kept; before, the decision was stored a second time."""
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        token = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store)
        faults = failing_commit(store, monkeypatch, commits=True)
        body = {"household": facts("H1"), "as_of": "2024-06-01", "parameters": WINDOW}
        with TestClient(app) as client:
            answer = client.post("/packs/mini_pack/identify", json=body, headers=auth(token))
        assert faults == [1]
        assert answer.status_code == 200, answer.text
        assert store.count_decisions() == 1
        assert answer.json()["decision_id"] == 1
        assert len(store.audit_entries(action="identify")) == 1
        store.close()


def test_postgresql_before_13_is_asked_with_txid_status(tmp_path, monkeypatch):
    """The statements a PostgreSQL 10-12 server has (``txid_current`` / ``txid_status``; still
    present in later servers) tell the outcome the same way."""
    with database_url("postgresql", tmp_path) as url:
        store = Store(url)
        try:
            store._marks._pg = (
                "SELECT txid_current()::text",
                "SELECT txid_status(CAST(:xid AS bigint))",
            )
            faults = failing_commit(store, monkeypatch, commits=True)
            assert burst(GroupCommit(store), 3) == [0, 1, 2] and faults == [1]
            assert stored(store) == Counter(["0", "1", "2"])
        finally:
            store.close()
