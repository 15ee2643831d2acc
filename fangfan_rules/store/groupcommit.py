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
of the group is run again together. If the commit itself fails, each job is run alone. Jobs are
therefore functions of their arguments and the database only: a job run again after a rollback
leaves what running it once leaves.

The jobs run on the event loop's own thread, between requests: the work of a group is short
statements (the evaluation, the long part of a request, is done before), and a thread of its own
would wait for the interpreter's lock behind the loop's evaluations at every statement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from fangfan_rules.store.store import JobFailed, Store

T = TypeVar("T")


class GroupCommit:
    """Runs the jobs handed in on one event loop together, one transaction per loop turn."""

    def __init__(self, store: Store, *, largest: int = 256):
        self.store = store
        #: at most this many jobs in one transaction (a bound on the time one commit holds the
        #: loop; the rest go in the next group)
        self.largest = largest
        # One queue per event loop: a test client may run the app on a loop of its own.
        self._pending: dict[asyncio.AbstractEventLoop, list[tuple[Callable[[Connection], Any], asyncio.Future[Any]]]] = {}  # fmt: skip

    async def run(self, job: Callable[[Connection], T]) -> T:
        """Run ``job`` in the next group's transaction; its result once that has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
        if not pending:
            # After the callbacks ready now: the requests the loop is serving add their jobs.
            loop.call_soon(self._flush, loop)
        pending.append((job, future))
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = self._pending.get(loop, [])
        group, rest = pending[: self.largest], pending[self.largest :]
        if rest:
            loop.call_soon(self._flush, loop)
        if rest:
            self._pending[loop] = rest
        else:
            self._pending.pop(loop, None)
        while group:
            try:
                results = self.store.run_together([job for job, _ in group])
            except JobFailed as failed:  # rolled back: that job alone, the rest together again
                self._alone(group.pop(failed.index))
                continue
            except Exception:  # the commit failed: each job alone, with its own outcome
                for entry in group:
                    self._alone(entry)
                return
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():  # a request cancelled meanwhile: its rows are kept
                    future.set_result(result)
            return

    def _alone(self, entry: tuple[Callable[[Connection], Any], asyncio.Future[Any]]) -> None:
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
