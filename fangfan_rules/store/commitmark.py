"""Whether a group transaction whose commit raised was committed all the same.

A commit can fail after the database has committed: the connection lost once COMMIT was sent
(PostgreSQL), an error reported by the driver after the write-ahead log's commit record was
written. The group commit (:mod:`fangfan_rules.store.groupcommit`) used to run every job of a
failed group again, one by one: after such a commit that stored each job's rows twice — a
decision sent without an Idempotency-Key kept two times, its audit entry too. So each group
transaction leaves a mark that says, once the commit has failed, what became of it:

- on PostgreSQL, the transaction's own id (``pg_current_xact_id()``, read in the transaction;
  ``txid_current()`` before PostgreSQL 13); ``pg_xact_status`` (``txid_status``) then says
  ``committed``, ``aborted`` or ``in progress`` (the server may still be committing when the
  client's connection is gone: asked again until it knows). A server too old to say (before
  PostgreSQL 10) leaves every failed commit uncertain;
- on SQLite, which has no transaction ids, a row of ``commit_marks`` with a token of the group's
  own, written in the group's transaction: after the failed connection is closed (rolled back if
  it had not committed), the row is there if and only if the transaction committed. The rows of
  groups known to be committed are deleted by the store's next group, in its own transaction, so
  the table holds a handful of rows, not one per group ever written.

If the outcome cannot be learnt (the database unreachable for the whole patience), it is
*uncertain*: the group's jobs are then not run again, and each request is answered with an error
that says so (a re-sent request with the same Idempotency-Key is answered once and stored once).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, text

__all__ = ["Mark", "Marks"]

#: how long to keep asking what became of a failed commit before calling it uncertain (seconds)
PATIENCE = 10.0
#: the pause between two questions (seconds)
PAUSE = 0.05


@dataclass
class Mark:
    """One group transaction's mark: its transaction id (PostgreSQL) or token (SQLite), and the
    tokens of earlier groups its transaction deletes (SQLite)."""

    value: str
    dropped: list[str] = field(default_factory=list)


class Marks:
    """The marks of one store's group transactions (thread-safe)."""

    def __init__(self, engine: Engine, *, patience: float = PATIENCE):
        #: where a failed commit's outcome is asked (a fresh connection, never the failed one)
        self.engine = engine
        self.patience = patience
        self._sqlite = engine.dialect.name == "sqlite"
        # an in-memory SQLite database is one per connection: another cannot see the mark
        database = engine.url.database if self._sqlite else "server"
        self._knowable = bool(database) and database != ":memory:"
        #: PostgreSQL: the statements that read a transaction's id and ask its status, by the
        #: server's version (None: the server cannot say)
        self._pg: tuple[str, str] | None = None
        #: tokens of committed groups, deleted by the next group's transaction (SQLite)
        self._settled: list[str] = []
        self._lock = threading.Lock()

    def mark(self, connection: Connection) -> Mark:
        """Leave this transaction's mark (the last statement of a group, after its jobs)."""
        if not self._sqlite:
            statements = self._pg_statements(connection)
            if statements is None:
                return Mark("")  # no way to ask: uncertain if the commit fails
            xid = connection.exec_driver_sql(statements[0]).scalar_one()
            return Mark(str(xid))
        token = uuid.uuid4().hex
        with self._lock:
            dropped, self._settled = self._settled, []
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            # on the driver's cursor, as the hot path's other statements (store/direct.py)
            cursor.execute("INSERT INTO commit_marks (token) VALUES (?)", (token,))
            if dropped:
                cursor.execute(
                    f"DELETE FROM commit_marks WHERE token IN ({','.join('?' * len(dropped))})",
                    dropped,
                )
        except BaseException:
            self._keep(dropped)
            raise
        finally:
            cursor.close()
        return Mark(token, dropped)

    def _pg_statements(self, connection: Connection) -> tuple[str, str] | None:
        if self._pg is None:
            version = connection.dialect.server_version_info or (0,)
            self._pg = (
                ("SELECT pg_current_xact_id()::text", "SELECT pg_xact_status(CAST(:xid AS xid8))")
                if version >= (13,)
                else ("SELECT txid_current()::text", "SELECT txid_status(CAST(:xid AS bigint))")
                if version >= (10,)
                else ("", "")
            )
        return self._pg if self._pg[0] else None

    def settle(self, mark: Mark, committed: bool) -> None:
        """The group's outcome is known (or given up on): its token may go; the tokens its
        transaction deleted are deleted again by the next one unless it committed."""
        if not self._sqlite:
            return
        self._keep([mark.value] if committed else [mark.value, *mark.dropped])

    def _keep(self, tokens: list[str]) -> None:
        with self._lock:
            self._settled.extend(tokens)

    def committed(self, mark: Mark) -> bool | None:
        """Whether the transaction that left ``mark`` committed; None: not known within the
        patience (the database unreachable, or a PostgreSQL transaction still in progress)."""
        if not self._knowable or not mark.value:
            return None
        deadline = time.monotonic() + self.patience
        while True:
            try:
                found = self._ask(mark)
            except Exception:  # the database unreachable for now: ask again
                found = None
            if found is not None or time.monotonic() >= deadline:
                return found
            time.sleep(PAUSE)

    def _ask(self, mark: Mark) -> bool | None:
        with self.engine.connect() as connection:
            if self._sqlite:
                row = connection.exec_driver_sql(
                    "SELECT 1 FROM commit_marks WHERE token = ?", (mark.value,)
                ).first()
                return row is not None
            assert self._pg is not None  # set by mark()
            status: Any = connection.execute(text(self._pg[1]), {"xid": mark.value}).scalar_one()
        # NULL: too old for the server to remember (never the case right after the commit)
        return {"committed": True, "aborted": False}.get(status)
