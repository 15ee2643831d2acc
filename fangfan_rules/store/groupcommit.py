"""Group commit: the writes of many concurrent requests in one transaction, one commit.

Each request hands :meth:`GroupCommit.run` a job — a function that writes its rows (snapshot,
decision, audit entries, idempotency record…) on the connection it is given and returns the
request's answer — and awaits it. Jobs handed in while the event loop serves other requests are
run together by :meth:`Store.run_together` in one transaction, at the next turn of the loop, and
each request is answered only when the commit that holds its rows has returned: an answered
request is committed, and a crash loses only requests that were never answered, whole.

A commit costs far more than an INSERT (on SQLite it is the write-ahead log's append and the
lock; on PostgreSQL a round trip and the server's flush), and fifty clients each waiting for
their own commit queue behind each other; grouped, the cost is shared by every request in the
group, and the group grows with the load.

If a job of a group fails, the group's transaction is rolled back whole; the failing job is run
again alone, in its own transaction, and its outcome there is its answer (an idempotency key
re-used for another request, a household outside the token's area… — or, when it failed only
beside the others, e.g. a key stored meanwhile by another worker process, its success); the rest
of the group is run again together. If the commit itself fails, the group's mark says whether it
was committed all the same (:mod:`fangfan_rules.store.commitmark`: a connection lost after
COMMIT was sent): if so its requests are answered, never run again (which stored a decision sent
without an Idempotency-Key twice); if not, each job is run alone; if that cannot be learnt, each
request fails with :class:`~fangfan_rules.store.store.CommitUncertain` and nothing is run again.
Jobs are therefore functions of their arguments and the database only: a job run again after a
rollback leaves what running it once leaves.

The jobs run on the event loop's own thread, between requests: the work of a group is short
statements (the evaluation, the long part of a request, is done before), and a thread of its own
would wait for the interpreter's lock behind the loop's evaluations at every statement. The
commit alone is different: one call that waits for the disk (SQLite's write-ahead log synced,
``synchronous=FULL``) or the server, without the interpreter's lock. Done on the loop it held the
worker idle for a tenth of its time under load (``benchmarks/service_load.py``, 2 workers on 2
cores); so the loop hands the commit to a thread of the group commit's own and goes on serving,
and the group's requests are answered when the commit has returned. One group per loop is being
committed at a time: the jobs handed in meanwhile wait and form the next group (its transaction
could not begin before the commit ends: SQLite has one writer at a time).

Several worker processes on one SQLite file take turns at its write lock. A group that finds it
taken (another process's group being written or committed) used to wait in SQLite's busy handler,
on the loop: the handler sleeps 1, 2, 5, 10… ms between tries, whenever the lock is freed, and
the whole worker with it (``benchmarks/service_load.py``, 2 workers: the transaction's BEGIN held
the loop for 0.3-0.8 s of a 13-25 s run, 18-80 ms at the 99th percentile of groups). Now the
group tries the lock without waiting and, finding it taken, tries again a millisecond later
(:attr:`GroupCommit.retry`) while the loop serves other requests — the jobs handed in meanwhile
join it; only after :attr:`GroupCommit.patience` (the busy timeout) does it wait on the loop as
every other write does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection

from fangfan_rules.store.store import (
    BUSY_TIMEOUT_MS,
    CommitUncertain,
    JobFailed,
    PreparedGroup,
    Store,
    WriterBusy,
)

T = TypeVar("T")


_Entry = tuple[Callable[[Connection], Any], "asyncio.Future[Any]"]


class GroupCommit:
    """Runs the jobs handed in on one event loop together, one transaction per loop turn."""

    def __init__(
        self,
        store: Store,
        *,
        largest: int = 256,
        retry: float = 0.001,
        patience: float = BUSY_TIMEOUT_MS / 1000,
    ):
        self.store = store
        #: at most this many jobs in one transaction (a bound on the time one group's statements
        #: hold the loop; the rest go in the next group)
        self.largest = largest
        #: while another process holds SQLite's write lock, try again after this many seconds
        #: (serving requests meanwhile) …
        self.retry = retry
        #: … for this long; then wait for the lock on the loop, up to the busy timeout, as any
        #: other write does (and fail as it does)
        self.patience = patience
        #: since when (loop time) each loop's next group has found the write lock taken
        self._busy_since: dict[asyncio.AbstractEventLoop, float] = {}
        # One queue per event loop: a test client may run the app on a loop of its own.
        self._pending: dict[asyncio.AbstractEventLoop, list[_Entry]] = {}
        #: the loops with a group being committed (their next group waits for it)
        self._committing: set[asyncio.AbstractEventLoop] = set()
        #: the thread commits run on (None: on the loop, where a connection cannot change thread)
        self._committer = (
            ThreadPoolExecutor(1, thread_name_prefix="group-commit")
            if store.commits_anywhere
            else None
        )

    async def run(self, job: Callable[[Connection], T]) -> T:
        """Run ``job`` in the next group's transaction; its result once that has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
        if not pending and loop not in self._committing:
            # After the callbacks ready now: the requests the loop is serving add their jobs.
            # (While a group is being committed, its end starts the next.)
            loop.call_soon(self._flush, loop)
        pending.append((job, future))
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop in self._committing:
            return  # the commit's end flushes what is pending
        pending = self._pending.get(loop, [])
        group, rest = pending[: self.largest], pending[self.largest :]
        if rest:
            loop.call_soon(self._flush, loop)
        if rest:
            self._pending[loop] = rest
        else:
            self._pending.pop(loop, None)
        while group:
            since = self._busy_since.get(loop)
            try:
                prepared = self.store.prepare_together(
                    [job for job, _ in group],
                    wait=since is not None and loop.time() - since > self.patience,
                )
            except WriterBusy:
                # Another worker process is writing: try again shortly. Waiting here, in
                # SQLite's busy handler, would hold the loop (and every request of this worker)
                # for up to the handler's next sleep, whenever the lock was freed.
                self._busy_since.setdefault(loop, loop.time())
                self._pending[loop] = group + self._pending.get(loop, [])
                self._committing.add(loop)  # the retry flushes what is pending meanwhile
                loop.call_later(self.retry, self._again, loop)
                return
            except JobFailed as failed:  # rolled back: that job alone, the rest together again
                self._alone(group.pop(failed.index))
                continue
            except Exception:  # the transaction could not begin: each job alone
                for entry in group:
                    self._alone(entry)
                return
            self._busy_since.pop(loop, None)
            if self._committer is None:
                self._commit_here(group, prepared)
                return
            self._commit_elsewhere(loop, self._committer, group, prepared)
            return

    def _again(self, loop: asyncio.AbstractEventLoop) -> None:
        """The retry of a group that found the write lock taken."""
        self._committing.discard(loop)
        self._flush(loop)

    def _commit_elsewhere(
        self,
        loop: asyncio.AbstractEventLoop,
        committer: ThreadPoolExecutor,
        group: list[_Entry],
        prepared: PreparedGroup,
    ) -> None:
        self._committing.add(loop)
        committed = committer.submit(prepared.commit)
        committed.add_done_callback(
            lambda done: loop.call_soon_threadsafe(self._committed, loop, group, prepared, done)
        )

    def _commit_here(self, group: list[_Entry], prepared: PreparedGroup) -> None:
        try:
            prepared.commit()
        except Exception as exc:
            self._failed(group, exc)
            return
        self._answer(group, prepared.results)

    def _committed(
        self,
        loop: asyncio.AbstractEventLoop,
        group: list[_Entry],
        prepared: PreparedGroup,
        done: Future[None],
    ) -> None:
        """On the loop, once the commit thread has committed ``group`` (or failed to)."""
        self._committing.discard(loop)
        failed = done.exception()
        if failed is not None:
            self._failed(group, failed)
        else:
            self._answer(group, prepared.results)
        if self._pending.get(loop):
            loop.call_soon(self._flush, loop)

    def _failed(self, group: list[_Entry], error: BaseException) -> None:
        """The group's commit failed, nothing of it kept (its commit said so, or its mark):
        each job alone, with its own outcome. Or perhaps kept (:class:`CommitUncertain`): each
        request fails with that, nothing is run again."""
        if not isinstance(error, CommitUncertain):
            for entry in group:
                self._alone(entry)
            return
        for _, future in group:
            if not future.done():
                future.set_exception(error)

    @staticmethod
    def _answer(group: list[_Entry], results: list[Any]) -> None:
        for (_, future), result in zip(group, results, strict=True):
            if not future.done():  # a request cancelled meanwhile: its rows are kept
                future.set_result(result)

    def _alone(self, entry: _Entry) -> None:
        job, future = entry
        try:
            (result,) = self.store.run_together([job])
        except JobFailed as failed:
            if not future.done():
                future.set_exception(failed.__cause__ or failed)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(result)
