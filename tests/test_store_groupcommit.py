"""The group commit (fangfan_rules/store/groupcommit.py) on SQLite and PostgreSQL: jobs handed in
together share one transaction; an answer means a commit; a failing job fails alone and leaves
nothing, the others are kept."""

from __future__ import annotations

import asyncio
import threading
from datetime import date

from sqlalchemy import Connection, text

from fangfan_rules.store import Store, StoreError
from fangfan_rules.store.groupcommit import GroupCommit


def audit(n: int, fail: bool = False):
    def job(connection: Connection) -> int:
        connection.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, target, outcome, detail) "
                "VALUES (:at, 'test', 'job', :n, 'ok', '{}')"
            ),
            {"at": date(2024, 1, 1), "n": str(n)},
        )
        if fail:
            raise StoreError(f"job {n} refused after writing")
        return n

    return job


def targets(store: Store) -> list[str]:
    return sorted(e.target or "" for e in store.audit_entries(action="job"))


def test_jobs_handed_in_together_share_one_commit_and_a_failing_one_fails_alone(store):
    writer = GroupCommit(store)
    commits: list[int] = []
    together = store.prepare_together  # every group's transaction, the one-job ones included

    def counted(jobs, **kw):
        commits.append(len(jobs))
        return together(jobs, **kw)

    store.prepare_together = counted  # type: ignore[method-assign]

    async def burst():
        return await asyncio.gather(
            *(writer.run(audit(n, fail=n == 3)) for n in range(6)), return_exceptions=True
        )

    results = asyncio.run(burst())
    assert results[:3] == [0, 1, 2] and results[4:] == [4, 5]
    assert isinstance(results[3], StoreError) and "job 3 refused" in str(results[3])
    assert targets(store) == ["0", "1", "2", "4", "5"]  # nothing of job 3, all of the rest
    # one group of six (rolled back at job 3), job 3 alone, the other five together again
    assert commits == [6, 1, 5]


def test_an_answered_job_is_committed(store):
    writer = GroupCommit(store)

    async def one() -> list[str]:
        await writer.run(audit(7))
        return targets(store)  # read on another connection, right after the answer

    assert asyncio.run(one()) == ["7"]


def test_a_group_is_bounded_and_the_rest_follow(store):
    writer = GroupCommit(store, largest=4)
    sizes: list[int] = []
    together = store.prepare_together
    store.prepare_together = lambda jobs, **kw: sizes.append(len(jobs)) or together(jobs, **kw)  # type: ignore[method-assign]

    async def burst():
        return await asyncio.gather(*(writer.run(audit(n)) for n in range(10)))

    assert asyncio.run(burst()) == list(range(10))
    assert sizes == [4, 4, 2] and len(targets(store)) == 10


def test_the_commit_runs_off_the_loop_and_the_answer_waits_for_it(store):
    """The loop serves on while a group is committed; its requests are answered only once the
    commit has returned; the jobs handed in meanwhile form the next group."""
    writer = GroupCommit(store)
    committing, release = threading.Event(), threading.Event()
    sizes: list[int] = []
    together = store.prepare_together

    def slow(jobs, **kw):
        sizes.append(len(jobs))
        prepared = together(jobs, **kw)
        commit = prepared.commit

        def held() -> None:
            committing.set()
            release.wait(10)
            commit()

        prepared.commit = held  # type: ignore[method-assign]
        return prepared

    store.prepare_together = slow  # type: ignore[method-assign]

    async def scenario():
        first = asyncio.ensure_future(writer.run(audit(1)))
        while not committing.is_set():  # the loop runs while the commit is held
            await asyncio.sleep(0.01)
        more = [asyncio.ensure_future(writer.run(audit(n))) for n in (2, 3)]
        await asyncio.sleep(0.05)
        assert not first.done() and targets(store) == []  # neither answered nor committed
        release.set()
        return await first, await asyncio.gather(*more)

    assert asyncio.run(scenario()) == (1, [2, 3])
    assert sizes == [1, 2] and targets(store) == ["1", "2", "3"]


def _hold_write_lock(store: Store, seconds: float, held: threading.Event) -> threading.Thread:
    """Another process's writer: SQLite's write lock taken on a connection of its own."""
    import sqlite3

    path = store.url.removeprefix("sqlite:///")

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        threading.Event().wait(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    return thread


def test_a_group_finding_the_write_lock_taken_lets_the_loop_serve_meanwhile(tmp_path):
    """Another process holds SQLite's write lock: the group tries again while the loop runs
    (it did wait on the loop, in SQLite's busy handler), the jobs handed in meanwhile join it,
    and all are committed once the lock is free."""
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    writer = GroupCommit(store)
    attempts: list[int] = []
    together = store.prepare_together

    def counted(jobs, **kw):
        attempts.append(len(jobs))
        return together(jobs, **kw)

    store.prepare_together = counted  # type: ignore[method-assign]
    held = threading.Event()
    other = _hold_write_lock(store, 0.3, held)

    async def scenario() -> tuple[list[int], int]:
        ticks = 0
        first = asyncio.ensure_future(writer.run(audit(1)))
        while not first.done():
            await asyncio.sleep(0.005)
            ticks += 1
            if ticks == 5:
                more = asyncio.gather(*(writer.run(audit(n)) for n in (2, 3)))
        return [await first, *await more], ticks

    answers, ticks = asyncio.run(scenario())
    other.join()
    assert answers == [1, 2, 3] and targets(store) == ["1", "2", "3"]
    assert ticks >= 20  # the loop ran on, about 0.3 s, while the lock was taken
    assert len(attempts) > 2 and attempts[-1] == 3  # tried again; the later jobs joined
    store.close()


def test_a_group_waits_on_the_loop_once_its_patience_is_spent(tmp_path):
    """After ``patience`` the group waits for the lock as any write does (the busy timeout):
    committed when the other writer is done, within it."""
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    writer = GroupCommit(store, patience=0.05)
    waits: list[bool] = []
    together = store.prepare_together

    def counted(jobs, *, wait=True):
        waits.append(wait)
        return together(jobs, wait=wait)

    store.prepare_together = counted  # type: ignore[method-assign]
    held = threading.Event()
    other = _hold_write_lock(store, 0.4, held)
    assert asyncio.run(writer.run(audit(7))) == 7
    other.join()
    assert targets(store) == ["7"] and waits[0] is False and waits[-1] is True
    assert waits.count(True) == 1  # the one that waited, and got the lock
    store.close()


def test_without_waiting_a_busy_lock_runs_nothing_and_frees_the_connection(tmp_path):
    """``prepare_together(wait=False)`` with the lock taken: WriterBusy, no job run, and the
    connection back in the pool with its busy timeout (a later write waits as before)."""
    import pytest

    from fangfan_rules.store.store import BUSY_TIMEOUT_MS, WriterBusy

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    ran: list[int] = []
    held = threading.Event()
    other = _hold_write_lock(store, 0.3, held)
    with pytest.raises(WriterBusy):
        store.prepare_together([lambda c: ran.append(1)], wait=False)
    assert ran == []
    with store._writes.connect() as connection:  # the pool's one connection, the one tried
        driver = connection.connection.driver_connection
        assert driver.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
    assert store.run_together([audit(5)]) == [5]  # waits for the other writer, then writes
    other.join()
    assert targets(store) == ["5"]
    store.close()


def test_a_busy_write_lock_leaves_nothing_for_the_cyclic_collector(tmp_path):
    """``prepare_together(wait=False)`` finding the lock taken frees what its jobs hold at once,
    by reference counting: its error built no reference cycle through the frames that held
    them (SQLAlchemy's wrapping of the driver's error did, and a loaded worker's collector then
    held its loop 15-70 ms a pass)."""
    import gc
    import weakref

    import pytest

    from fangfan_rules.store.store import WriterBusy

    class Payload:  # what a request's job holds (its result, its trace…)
        pass

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    payload = Payload()
    alive = weakref.ref(payload)

    def job(connection: Connection, kept: Payload = payload) -> None:
        raise AssertionError("not run: the lock is taken")

    gc.collect()  # before the lock is taken: a long collection would outlast the holder
    held = threading.Event()
    other = _hold_write_lock(store, 2, held)
    gc.disable()
    try:
        with pytest.raises(WriterBusy) as raised:
            store.prepare_together([job], wait=False)
        assert raised.value.__context__ is None and raised.value.__cause__ is None
        raised = None  # type: ignore[assignment]
        del job, payload
        assert alive() is None  # freed without a collection
    finally:
        gc.enable()
    other.join()
    store.close()


def test_a_group_reads_each_token_once_and_the_next_group_reads_it_again(store, monkeypatch):
    """principal_in in a group's transaction: one read per token for all its jobs (the fast
    path checks every job's token there); a revocation committed before the next group begins
    is seen by it; outside a group every call reads."""
    from fangfan_rules.store import token_hash

    token = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
    hashed = token_hash(token)
    reads: list[str] = []
    row = store._principal_row
    monkeypatch.setattr(store, "_principal_row", lambda s, h: reads.append(h) or row(s, h))
    (first, *others) = store.run_together([lambda c: store.principal_in(c, hashed)] * 5)
    assert first is not None and first.name == "east" and others == [first] * 4
    assert reads == [hashed]
    store.revoke_token("east")
    assert store.run_together([lambda c: store.principal_in(c, hashed)] * 3) == [None] * 3
    assert reads == [hashed] * 2
    assert store.authenticate(token) is None and store.authenticate(token) is None
    assert reads == [hashed] * 4


def test_a_group_begun_without_waiting_holds_the_write_lock_from_its_begin(tmp_path):
    """``prepare_together(wait=False)`` begins on the driver (BEGIN IMMEDIATE) and SQLAlchemy's
    begin issues no second BEGIN: the write lock is held before the first job writes, and the
    pooled connection's next transaction begins IMMEDIATE as before."""
    import sqlite3

    import pytest

    from fangfan_rules.store.store import _BEGUN

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    path = store.url.removeprefix("sqlite:///")

    def lock_is_held(connection: Connection) -> bool:
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        return _BEGUN in connection.info

    prepared = store.prepare_together([lock_is_held, audit(1)], wait=False)
    prepared.commit()
    assert prepared.results == [False, 1] and targets(store) == ["1"]
    with store.transaction() as session:  # the same pooled connection, begun by the listener
        assert lock_is_held(session.connection()) is False
    store.close()
