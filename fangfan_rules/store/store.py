"""The case store: household snapshots, cases and events, decisions, tokens and the audit log.

``Store(url)`` opens a database — an embedded SQLite file by default, PostgreSQL for a real
deployment (``postgresql+psycopg://user@host/db``) — and brings its schema up to date with the
Alembic migrations shipped in the package. Every write happens in one transaction
(:meth:`Store.transaction`): a batch of decisions is stored whole or not at all, and a restarted
service sees exactly what was committed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household, load_household
from fangfan_rules.facts.forms import check_text
from fangfan_rules.store import models as m
from fangfan_rules.store.access import Principal, Role, new_token, token_hash
from fangfan_rules.store.commitmark import Mark, Marks
from fangfan_rules.store.direct import first_row, insert_row

DEFAULT_URL = "sqlite:///fangfan-rules.sqlite3"
#: how long an SQLite connection waits for another's write lock before "database is locked"
BUSY_TIMEOUT_MS = 10_000
#: SQLite's result code for a lock held by another connection
_SQLITE_BUSY = 5
MIGRATIONS = Path(__file__).parent / "migrations"


def quoted(text: str) -> str:
    """``text`` quoted in a message: ID numbers masked *before* ``repr`` — its escapes
    (``\\u3000``, ``\\x85``…) end in digits that join an ID number's and hide it from a mask
    applied afterwards (attack 2026-12-08, findings 3 and 7)."""
    from fangfan_rules.idnumber import scrub_id_numbers

    return repr(scrub_id_numbers(text))


class StoreError(FangfanError):
    """The store refused an operation (unknown record, conflicting idempotency key…)."""


class AccessDenied(StoreError):
    """The token's area does not cover the household (or the token may not do this)."""


class CommitUncertain(StoreError):
    """A group's commit failed and whether it was committed could not be learnt
    (:mod:`fangfan_rules.store.commitmark`): its jobs are not run again."""


class WriterBusy(Exception):
    """Another connection (another worker process) holds SQLite's write lock now: raised by
    :meth:`Store.prepare_together` with ``wait=False`` instead of waiting for it."""


class JobFailed(Exception):
    """Job ``index`` of :meth:`Store.run_together` failed (its error is the cause); the group's
    transaction was rolled back."""

    def __init__(self, index: int):
        super().__init__(f"job {index} of the group failed")
        self.index = index


def _now() -> datetime:
    return datetime.now(UTC)


#: Where a write runs: an ORM session's transaction or a Core connection's (the group commit of
#: :class:`~fangfan_rules.store.groupcommit.GroupCommit` hands jobs a connection).
Executor = Session | Connection


_IDEMPOTENCY = m.IdempotentResponse.__table__
_HOUSEHOLDS = cast(Table, m.Household.__table__)
_SNAPSHOTS = cast(Table, m.Snapshot.__table__)
_TOKENS = cast(Table, m.Token.__table__)
_CASES = cast(Table, m.CaseRecord.__table__)
_HOUSEHOLD_AREA = select(_HOUSEHOLDS.c.county, _HOUSEHOLDS.c.town, _HOUSEHOLDS.c.village).where(
    _HOUSEHOLDS.c.id == bindparam("hid")
)
#: a case's household and pack by its number (a page's link to a case: Store.case_of)
_CASE_OF = select(_CASES.c.household_id, _CASES.c.pack).where(_CASES.c.id == bindparam("id"))
# A stored household's area and its latest snapshot in one statement (every decision reads both).
_VERSIONS = _SNAPSHOTS.alias("versions")
_AREA_AND_LATEST = (
    select(
        _HOUSEHOLDS.c.county,
        _HOUSEHOLDS.c.town,
        _HOUSEHOLDS.c.village,
        _SNAPSHOTS.c.id.label("snapshot"),
        _SNAPSHOTS.c.version,
        _SNAPSHOTS.c.sha256,
    )
    .select_from(
        _HOUSEHOLDS.outerjoin(
            _SNAPSHOTS,
            and_(
                _SNAPSHOTS.c.household_id == _HOUSEHOLDS.c.id,
                _SNAPSHOTS.c.version
                == select(func.max(_VERSIONS.c.version))
                .where(_VERSIONS.c.household_id == _HOUSEHOLDS.c.id)
                .correlate(_HOUSEHOLDS)
                .scalar_subquery(),
            ),
        )
    )
    .where(_HOUSEHOLDS.c.id == bindparam("hid"))
)
_MOVE_HOUSEHOLD = (
    update(_HOUSEHOLDS)
    .where(_HOUSEHOLDS.c.id == bindparam("hid"))
    .values(county=bindparam("county"), town=bindparam("town"), village=bindparam("village"))
)
_INSERT_HOUSEHOLD = insert(_HOUSEHOLDS)
_TOKEN_BY_HASH = select(
    _TOKENS.c.name,
    _TOKENS.c.role,
    _TOKENS.c.county,
    _TOKENS.c.town,
    _TOKENS.c.village,
    _TOKENS.c.reveal_ids,
    _TOKENS.c.admin,
    _TOKENS.c.revoked_at,
).where(_TOKENS.c.token_hash == bindparam("hash"))
_CASE_ID = select(_CASES.c.id).where(
    _CASES.c.household_id == bindparam("hid"), _CASES.c.pack == bindparam("pack")
)
_REMEMBERED = select(
    _IDEMPOTENCY.c.token_name,
    _IDEMPOTENCY.c.request_sha256,
    _IDEMPOTENCY.c.status,
    _IDEMPOTENCY.c.response,
).where(_IDEMPOTENCY.c.token_name == bindparam("token"), _IDEMPOTENCY.c.key == bindparam("key"))

_REMEMBER = insert(cast(Table, _IDEMPOTENCY))


def _connection(s: Executor) -> Connection:
    return s.connection() if isinstance(s, Session) else s


def _insert(s: Executor, model: type[m.Base], **values: Any) -> Any:
    """One row in one statement (no unit-of-work bookkeeping: the hot path of every decision;
    on SQLite on the driver's cursor, :mod:`fangfan_rules.store.direct`); its primary key."""
    return insert_row(_connection(s), cast(Table, model.__table__), values)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL, not NORMAL: in WAL mode NORMAL keeps the database consistent but may lose the last
    # commits on a power cut or an operating-system crash, and the service has by then answered
    # "decision N stored" (a county system may never re-send it). FULL syncs the WAL at each
    # commit; the group commit shares one sync among the requests that arrive together.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def normalise_url(url: str) -> str:
    """``postgresql://…`` → the psycopg 3 driver; anything else as given."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    # A ping before each checkout finds a PostgreSQL connection the server dropped; an SQLite
    # file has no server to drop it, and the ping was a statement more on every request.
    sqlite = normalise_url(url).startswith("sqlite")
    # hide_parameters: a database error's message (raised, logged, shown in a traceback) names
    # the statement but not its values — a household id or a stored fact may be an ID number.
    engine = create_engine(normalise_url(url), pool_pre_ping=not sqlite, hide_parameters=True)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _begin_immediate(dbapi_connection: Any, _record: Any) -> None:
    # The driver issues no BEGIN of its own: the "begin" listener below says which kind.
    dbapi_connection.isolation_level = None


def make_write_engine(url: str) -> Engine:
    """The engine write transactions run on. On SQLite each begins ``BEGIN IMMEDIATE``: it takes
    the write lock first (waiting for another writer, e.g. another worker process, up to the
    busy timeout) instead of reading on a snapshot that a later write cannot upgrade (SQLite then
    fails at once with "database is locked", whatever the busy timeout)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _begin_immediate)
        event.listen(engine, "begin", _on_begin)
    return engine


#: a group transaction's memo in its connection's ``info`` (set at its begin, dropped at its end):
#: the principal of each token hash read in it (:meth:`Store.principal_in`)
_GROUP_MEMO = "fangfan_rules.group_memo"

#: set in a connection's ``info`` when :meth:`Store._begin_now` has begun its transaction on the
#: driver already (the "begin" listener then issues no BEGIN of its own)
_BEGUN = "fangfan_rules.begun"


def _on_begin(connection: Connection) -> None:
    if not connection.info.pop(_BEGUN, False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


#: An idempotency record's response that names a decision instead of holding its answer (no JSON
#: answer begins so).
_DECISION_ANSWER = "decision:"
#: the kind of a decision kept as one row of a batch (the batch engine's columns)
BATCH_ROW = "identify_batch"
_DECISIONS = cast(Table, m.Decision.__table__)
_DECISION_RESULT = select(_DECISIONS.c.result).where(_DECISIONS.c.id == bindparam("id"))


def decision_answer(decision_id: int, result_json: str) -> str:
    """The service's answer for one stored decision: its id and its result (JSON text)."""
    return f'{{"decision_id": {decision_id}, "result": {result_json}}}'


class PreparedGroup:
    """The jobs of :meth:`Store.prepare_together`, run in a transaction not yet committed."""

    def __init__(
        self, connection: Connection, transaction: Any, results: list[Any], marks: Marks,
        mark: Mark,
    ):  # fmt: skip
        self._connection = connection
        self._transaction = transaction
        self._marks = marks
        self._mark = mark
        #: the jobs' results, in order: valid once :meth:`commit` has returned
        self.results = results

    def commit(self) -> None:
        """Commit (on SQLite with ``synchronous=FULL``: the write-ahead log synced) and give the
        connection back. Returns once the transaction is committed — also when the commit
        raised but the transaction's mark shows it committed all the same; raises the commit's
        error when it was not committed (nothing of the group kept), :class:`CommitUncertain`
        when that could not be learnt."""
        failed: Exception | None = None
        try:
            self._transaction.commit()
        except Exception as exc:
            failed = exc
        finally:
            self._connection.info.pop(_GROUP_MEMO, None)
            self._connection.close()  # rolls back what was not committed
        if failed is None:
            self._marks.settle(self._mark, committed=True)
            return
        # Asked on a fresh connection once the failed one is closed: a transaction left open
        # there has been rolled back, so the mark's answer is final.
        committed = self._marks.committed(self._mark)
        self._marks.settle(self._mark, committed=committed is True)
        if committed is None:
            raise CommitUncertain(
                "the database did not confirm or deny the commit of this request's rows "
                f"({type(failed).__name__}); they may be stored: re-send it with the same "
                "Idempotency-Key (answered once, stored once)"
            ) from failed
        if not committed:
            raise failed


@dataclass(frozen=True)
class StoredDecision:
    """A decision as kept: what was decided, on which facts, by which pack and parameters."""

    id: int
    kind: str
    household_id: str
    snapshot_id: int
    pack: str
    pack_version: str
    pack_hash: str
    parameters: dict[str, str]
    as_of: date
    outcome: str
    result: dict[str, Any]
    decided_by: str
    decided_at: datetime


class Store:
    """One database of cases; thread-safe (each call uses its own session)."""

    def __init__(self, url: str = DEFAULT_URL, *, upgrade: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if upgrade:
            migrate(self.engine)
        self._writes = (
            make_write_engine(url) if self.engine.dialect.name == "sqlite" else self.engine
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: each group transaction's mark, to learn the outcome of a commit that raised
        self._marks = Marks(self.engine)
        self._write_sessions = sessionmaker(self._writes, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()
        self._writes.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole when the block ends, rolled back on any error."""
        with self._write_sessions() as session, session.begin():
            yield session

    def run_together(self, jobs: list[Callable[[Connection], Any]]) -> list[Any]:
        """Run ``jobs`` in one transaction, in order, and commit once; their results in order.

        Any error rolls the whole transaction back: nothing of any job is kept unless all are.
        An error of a job is raised as :class:`JobFailed` naming it (the error as its cause);
        an error of the commit itself as it is if nothing was committed, none if the commit
        raised but committed, :class:`CommitUncertain` if that is not known
        (:meth:`PreparedGroup.commit`)."""
        group = self.prepare_together(jobs)
        group.commit()
        return group.results

    def prepare_together(
        self, jobs: list[Callable[[Connection], Any]], *, wait: bool = True
    ) -> PreparedGroup:
        """:meth:`run_together` up to its commit: the jobs run in one open transaction, which the
        caller commits (:meth:`PreparedGroup.commit`, from any one thread: the group commit
        commits while its event loop serves other requests). A job's error rolls the
        transaction back and is raised as :class:`JobFailed`. ``wait=False``: on SQLite,
        :class:`WriterBusy` at once (nothing run) when another connection holds the write lock,
        instead of waiting up to the busy timeout."""
        connection = self._writes.connect()
        try:
            transaction = connection.begin() if wait else self._begin_now(connection)
            connection.info[_GROUP_MEMO] = {}  # this transaction's (principal_in)
            results = []
            for index, job in enumerate(jobs):
                try:
                    results.append(job(connection))
                except Exception as exc:
                    raise JobFailed(index) from exc
            mark = self._marks.mark(connection)  # the group's last statement
        except BaseException:
            connection.info.pop(_GROUP_MEMO, None)
            connection.close()  # rolls the transaction back
            raise
        return PreparedGroup(connection, transaction, results, self._marks, mark)

    def _begin_now(self, connection: Connection) -> Any:
        """Begin the write transaction if SQLite's write lock is free now, else
        :class:`WriterBusy` (the connection's busy timeout is set back either way).

        The lock is tried on the driver, not through SQLAlchemy: SQLAlchemy's handling of the
        driver's error keeps it in a local of its own frame, a reference cycle (exception →
        traceback → frame → exception) that held the frames of the group's call — its jobs,
        each request's result and trace — until the cyclic collector ran. Under load the
        write lock is found taken many times a second (two workers on one file): tens of
        thousands of objects a second were left to the collector, and each of its passes held
        the worker's loop 15-70 ms (``benchmarks/service_load.py``, 2 workers). Raised outside
        the driver error's handler, :class:`WriterBusy` chains no other exception and is freed
        as soon as it is handled."""
        if self._writes.dialect.name != "sqlite":
            return connection.begin()
        driver = connection.connection.driver_connection
        assert driver is not None
        busy = False
        driver.execute("PRAGMA busy_timeout=0")
        try:
            driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) != _SQLITE_BUSY:
                raise
            busy = True
        finally:
            driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if busy:
            raise WriterBusy()
        connection.info[_BEGUN] = True  # begun: SQLAlchemy's begin issues no BEGIN of its own
        try:
            return connection.begin()
        finally:
            # taken by the listener; never left for a later transaction on this pooled
            # connection (which would then run without BEGIN IMMEDIATE)
            connection.info.pop(_BEGUN, None)

    @property
    def commits_anywhere(self) -> bool:
        """Whether a write connection may be committed from another thread than the one that
        wrote on it: pooled connections (an SQLite file, PostgreSQL); not an in-memory SQLite
        database (one connection per thread)."""
        return isinstance(self._writes.pool, QueuePool)

    # -- tokens ------------------------------------------------------------------------------
    def create_token(
        self,
        name: str,
        role: Role,
        county: str,
        town: str | None = None,
        village: str | None = None,
        *,
        reveal_ids: bool = False,
        admin: bool = False,
    ) -> str:
        """A new token for ``name`` with this role and area; the plain token is returned once
        and only its sha256 is kept."""
        Principal(name, role, county, town, village, reveal_ids, admin)  # validates the area
        token = new_token()
        with self.transaction() as s:
            if s.scalar(select(m.Token).where(m.Token.name == name)) is not None:
                raise StoreError(f"a token named {quoted(name)} exists already")
            s.add(
                m.Token(
                    name=name,
                    token_hash=token_hash(token),
                    role=role,
                    county=county,
                    town=town,
                    village=village,
                    reveal_ids=reveal_ids,
                    admin=admin,
                    created_at=_now(),
                )
            )
            self._audit(s, name, "token.create", name, "ok", {"role": role, "area": county})
        return token

    def revoke_token(self, name: str) -> None:
        with self.transaction() as s:
            row = s.scalar(select(m.Token).where(m.Token.name == name))
            if row is None:
                raise StoreError(f"no token named {quoted(name)}")
            row.revoked_at = _now()
            self._audit(s, name, "token.revoke", name, "ok", {})

    def authenticate(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token (None otherwise)."""
        # One SELECT on a pooled connection (on SQLite on the driver's cursor). Never cached
        # here: a revoked token (or a changed area) must be refused by every worker at once. The
        # service's hot path memoises the principal instead and checks the token again in the
        # transaction that writes (principal_in), which refuses it as promptly.
        with self.engine.connect() as connection:
            return self.principal_in(connection, token_hash(token))

    def principal_in(self, s: Executor, hashed: str) -> Principal | None:
        """:meth:`authenticate` inside the caller's transaction, by the token's hash: a write
        that checks its token here is kept only if the token was valid (and the same) when the
        write's transaction ran — a token revoked before it commits stores nothing."""
        # In a group's transaction (prepare_together) each token is read once: its jobs are
        # mostly one county system's requests, all with one token, and the row cannot change
        # under the transaction's write lock (SQLite) — nor, for what the check promises (a
        # revocation committed before the transaction began), on PostgreSQL.
        memo = _connection(s).info.get(_GROUP_MEMO)
        if memo is not None:
            if hashed not in memo:
                memo[hashed] = self._principal_row(s, hashed)
            return memo[hashed]
        return self._principal_row(s, hashed)

    def _principal_row(self, s: Executor, hashed: str) -> Principal | None:
        row = first_row(_connection(s), _TOKEN_BY_HASH, {"hash": hashed})
        if row is None:
            return None
        name, role, county, town, village, reveal_ids, admin, revoked_at = row
        if revoked_at is not None:
            return None
        # SQLite keeps a boolean as 0 / 1 (read here without SQLAlchemy's conversion)
        return Principal(name, role, county, town, village, bool(reveal_ids), bool(admin))

    # -- households --------------------------------------------------------------------------
    def check_access(self, principal: Principal, household: Household) -> None:
        area = household.area
        if not principal.covers(area.county, area.town, area.village):
            raise AccessDenied(
                f"token {quoted(principal.name)} ({principal.role} {principal.area}) does not "
                f"cover household {quoted(household.id)} ({area.county}/{area.town}/{area.village})"
            )

    def _check_stored(self, s: Executor, principal: Principal, household_id: str) -> None:
        # a NUL is never in a stored id (ids with one are refused), and PostgreSQL cannot be
        # asked about one (a query error, not "no household")
        row = (
            None
            if "\x00" in household_id
            else first_row(_connection(s), _HOUSEHOLD_AREA, {"hid": household_id})
        )
        if row is None:
            raise StoreError(f"no household {quoted(household_id)} in the store")
        self._check_area(principal, household_id, *row)

    @staticmethod
    def _check_area(
        principal: Principal, household_id: str, county: str, town: str, village: str
    ) -> None:
        if not principal.covers(county, town, village):
            raise AccessDenied(
                f"token {quoted(principal.name)} ({principal.role} {principal.area}) does not "
                f"cover household {quoted(household_id)}"
            )

    def submit(
        self,
        s: Executor,
        household: Household,
        principal: Principal,
        *,
        facts: str | None = None,
    ) -> int:
        """Keep this version of ``household`` (a new snapshot only when the facts changed);
        returns the snapshot id. Runs inside the caller's transaction.

        ``facts`` is ``household.model_dump_json(context={"reveal_ids": True})`` when the caller
        has it already."""
        self.check_access(principal, household)
        # The store is the system of record: it keeps the facts as given (ID numbers unmasked, so
        # a stored household reloads and re-evaluates exactly); every output masks them again.
        text = (
            facts if facts is not None else household.model_dump_json(context={"reveal_ids": True})
        )
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        area = household.area
        # Core statements only (no ORM identity map): this runs for every decision.
        row = first_row(_connection(s), _AREA_AND_LATEST, {"hid": household.id})
        version = None  # the latest snapshot's version, if any
        if row is None:
            s.execute(
                _INSERT_HOUSEHOLD,
                {
                    "id": household.id,
                    "county": area.county,
                    "town": area.town,
                    "village": area.village,
                    "created_at": _now(),
                },
            )
        else:
            county, town, village, snapshot, version, sha256 = row
            if (county, town, village) != (area.county, area.town, area.village):
                # Moving a household to another area is the old area's act too: its token must
                # cover both (checked on the stored row).
                self._check_area(principal, household.id, county, town, village)
                s.execute(
                    _MOVE_HOUSEHOLD,
                    {"hid": household.id, "county": area.county, "town": area.town,
                     "village": area.village},
                )  # fmt: skip
            if sha256 == digest:
                return int(snapshot)
        return _insert(
            s,
            m.Snapshot,
            household_id=household.id,
            version=version + 1 if version is not None else 1,
            facts=text,
            sha256=digest,
            submitted_by=principal.name,
            submitted_at=_now(),
        )

    def snapshot(self, snapshot_id: int) -> Household:
        with self._sessions() as s:
            row = s.get(m.Snapshot, snapshot_id)
            if row is None:
                raise StoreError(f"no snapshot {snapshot_id}")
            return load_household(json.loads(row.facts))

    def household(self, principal: Principal, household_id: str) -> tuple[Household, int]:
        """The latest stored version of a household the token covers, and its version."""
        with self._sessions() as s:
            self._check_stored(s, principal, household_id)
            row = s.scalar(
                select(m.Snapshot)
                .where(m.Snapshot.household_id == household_id)
                .order_by(m.Snapshot.version.desc())
                .limit(1)
            )
            assert row is not None
            return load_household(json.loads(row.facts)), row.version

    # -- decisions ---------------------------------------------------------------------------
    def record_decision(
        self,
        s: Executor,
        *,
        kind: str,
        snapshot_id: int,
        result: Any,
        parameters: dict[str, str],
        principal: Principal,
        request_key: str | None = None,
        result_json: str | None = None,
    ) -> int:
        """Keep a decision (an Identification or Elimination) with its full result.

        ``result_json`` is ``result.model_dump_json()`` when the caller already has it (ID
        numbers masked, as every stored result is)."""
        return _insert(
            s,
            m.Decision,
            kind=kind,
            household_id=result.household_id,
            snapshot_id=snapshot_id,
            pack=result.pack,
            pack_version=result.pack_version,
            pack_hash=result.pack_hash,
            parameters=dict(sorted(parameters.items())),
            as_of=result.as_of,
            outcome=str(result.outcome.value),
            result=result_json if result_json is not None else result.model_dump_json(),
            decided_by=principal.name,
            decided_at=_now(),
            request_key=request_key,
        )

    def record_batch_row(
        self,
        s: Session,
        *,
        snapshot_id: int,
        household: Household,
        pack: Any,
        as_of: date,
        row: dict[str, Any],
        parameters: dict[str, str],
        principal: Principal,
        request_key: str | None = None,
    ) -> int:
        """Keep one row of a batch evaluation (the engine's columns are its full result)."""
        record = m.Decision(
            kind=BATCH_ROW,
            household_id=household.id,
            snapshot_id=snapshot_id,
            pack=pack.name,
            pack_version=pack.version,
            pack_hash=pack.content_hash,
            parameters=dict(sorted(parameters.items())),
            as_of=as_of,
            outcome=str(row.get("outcome")),
            result=json.dumps(row, ensure_ascii=False, sort_keys=True),
            decided_by=principal.name,
            decided_at=_now(),
            request_key=request_key,
        )
        s.add(record)
        s.flush()
        return record.id

    def decision(self, principal: Principal, decision_id: int) -> StoredDecision:
        with self._sessions() as s:
            row = s.get(m.Decision, decision_id)
            if row is None:
                raise StoreError(f"no decision {decision_id}")
            self._check_stored(s, principal, row.household_id)
            return _stored(row)

    def decisions(self, principal: Principal, household_id: str) -> list[StoredDecision]:
        with self._sessions() as s:
            self._check_stored(s, principal, household_id)
            rows = s.scalars(
                select(m.Decision)
                .where(m.Decision.household_id == household_id)
                .order_by(m.Decision.id)
            )
            return [_stored(r) for r in rows]

    def count_decisions(self, request_key: str | None = None) -> int:
        with self._sessions() as s:
            query = select(func.count()).select_from(m.Decision)
            if request_key is not None:
                query = query.where(m.Decision.request_key == request_key)
            return int(s.scalar(query) or 0)

    # -- cases -------------------------------------------------------------------------------
    def add_event(
        self,
        principal: Principal,
        household_id: str,
        pack: str,
        step: str,
        day: date,
        note: str | None = None,
    ) -> int:
        """Record one step of a household's case under ``pack`` (the case is opened if new)."""
        with self.transaction() as s:
            return self.record_event(s, principal, household_id, pack, step, day, note)

    def record_event(
        self,
        s: Executor,
        principal: Principal,
        household_id: str,
        pack: str,
        step: str,
        day: date,
        note: str | None = None,
        remote: str | None = None,
    ) -> int:
        """:meth:`add_event` inside the caller's transaction (and audited there)."""
        self._check_stored(s, principal, household_id)
        found = first_row(_connection(s), _CASE_ID, {"hid": household_id, "pack": pack})
        case = found[0] if found is not None else None
        if case is None:
            case = _insert(
                s, m.CaseRecord, household_id=household_id, pack=pack, opened_by=principal.name,
                opened_at=_now(),
            )  # fmt: skip
        event_id = _insert(
            s,
            m.CaseEventRecord,
            case_id=case,
            step=step,
            date=day,
            note=note,
            recorded_by=principal.name,
            recorded_at=_now(),
        )
        self._audit(
            s, principal.name, "case.event", household_id, "ok", {"pack": pack, "step": step},
            remote,
        )  # fmt: skip
        return int(event_id)

    def case_events(
        self, principal: Principal, household_id: str, pack: str
    ) -> list[tuple[str, date, str | None]]:
        """A case's events (step, day, note) in order; each note as :func:`readable_note`
        shows it."""
        with self._sessions() as s:
            self._check_stored(s, principal, household_id)
            rows = s.execute(
                select(m.CaseEventRecord.step, m.CaseEventRecord.date, m.CaseEventRecord.note)
                .join(m.CaseRecord, m.CaseRecord.id == m.CaseEventRecord.case_id)
                .where(m.CaseRecord.household_id == household_id, m.CaseRecord.pack == pack)
                .order_by(m.CaseEventRecord.date, m.CaseEventRecord.id)
            )
            return [(r.step, r.date, readable_note(r.note)) for r in rows]

    def cases_in_area(
        self, principal: Principal, pack: str
    ) -> list[tuple[str, list[tuple[str, date]]]]:
        """Every case of ``pack`` in the token's area: household id and its (step, date) events."""
        return [(hid, events) for _, hid, events in self.numbered_cases_in_area(principal, pack)]

    def numbered_cases_in_area(
        self, principal: Principal, pack: str
    ) -> list[tuple[int, str, list[tuple[str, date]]]]:
        """:meth:`cases_in_area` with each case's number (what :meth:`case_of` resolves: a page
        links a case by it, never by a household id that it shows masked)."""
        with self._sessions() as s:
            query = (
                select(
                    m.CaseRecord.id,
                    m.CaseRecord.household_id,
                    m.CaseEventRecord.step,
                    m.CaseEventRecord.date,
                )
                .join(m.CaseEventRecord, m.CaseEventRecord.case_id == m.CaseRecord.id)
                .join(m.Household, m.Household.id == m.CaseRecord.household_id)
                .where(m.CaseRecord.pack == pack, m.Household.county == principal.county)
            )
            if principal.role != "county":
                query = query.where(m.Household.town == principal.town)
            if principal.role == "village":
                query = query.where(m.Household.village == principal.village)
            out: dict[tuple[str, int], list[tuple[str, date]]] = {}
            for number, hid, step, day in s.execute(query.order_by(m.CaseRecord.household_id)):
                out.setdefault((hid, number), []).append((step, day))
            return [(number, hid, events) for (hid, number), events in sorted(out.items())]

    def case_of(self, principal: Principal, case_id: int) -> tuple[str, str]:
        """The household id and pack of case number ``case_id`` (the token's area is checked)."""
        with self._sessions() as s:
            row = first_row(_connection(s), _CASE_OF, {"id": case_id})
            if row is None:
                raise StoreError(f"no case {case_id}")
            household_id, pack = row
            self._check_stored(s, principal, household_id)
            return str(household_id), str(pack)

    # -- audit log ---------------------------------------------------------------------------
    def _audit(
        self,
        s: Executor,
        actor: str,
        action: str,
        target: str | None,
        outcome: str,
        detail: dict[str, Any],
        remote: str | None = None,
    ) -> None:
        _insert(
            s,
            m.AuditEntry,
            at=_now(),
            actor=actor,
            action=action,
            target=target,
            outcome=outcome,
            detail=detail,
            remote=remote,
        )

    def audit(
        self,
        actor: str,
        action: str,
        target: str | None,
        outcome: str,
        detail: dict[str, Any] | None = None,
        remote: str | None = None,
        *,
        session: Executor | None = None,
    ) -> None:
        """Append one entry to the audit log (in ``session``'s transaction, or its own)."""
        if session is not None:
            self._audit(session, actor, action, target, outcome, detail or {}, remote)
            return
        with self.transaction() as s:
            self._audit(s, actor, action, target, outcome, detail or {}, remote)

    def audit_entries(self, *, action: str | None = None) -> list[m.AuditEntry]:
        with self._sessions() as s:
            query = select(m.AuditEntry).order_by(m.AuditEntry.id)
            if action is not None:
                query = query.where(m.AuditEntry.action == action)
            return list(s.scalars(query))

    # -- idempotency -------------------------------------------------------------------------
    def remembered(self, key: str, token_name: str, request_sha256: str) -> tuple[int, str] | None:
        """The stored response of this token's earlier request with this key (None: not seen).
        The same key with another request body is refused; keys are per token (another token's
        use of a key is neither refused nor told)."""
        # One Core SELECT on a pooled connection: this runs on every POST (the ORM's identity-map
        # load was an eighth of a request's time under load, benchmarks/service_load.py).
        with self.engine.connect() as connection:
            return self.remembered_in(connection, key, token_name, request_sha256)

    def remembered_in(
        self, s: Executor, key: str, token_name: str, request_sha256: str
    ) -> tuple[int, str] | None:
        """:meth:`remembered` inside the caller's transaction: a write that checks the key in
        the transaction that stores it answers two concurrent requests with one key once."""
        row = first_row(_connection(s), _REMEMBERED, {"token": token_name, "key": key})
        if row is None:
            return None
        _, stored_sha256, status, response = row
        if stored_sha256 != request_sha256:
            raise StoreError(
                f"idempotency key {quoted(key)} was used for another request; use a new key per request"
            )
        if response.startswith(_DECISION_ANSWER):
            # Kept as a reference (remember_decision): the answer is rebuilt from the decision.
            decision_id = int(response.removeprefix(_DECISION_ANSWER))
            result = s.execute(_DECISION_RESULT, {"id": decision_id}).scalar_one()
            return int(status), decision_answer(decision_id, result)
        return int(status), response

    def remember_decision(
        self, s: Executor, key: str, token_name: str, request_sha256: str, decision_id: int
    ) -> None:
        """Remember that the request with ``key`` was answered 200 with
        ``decision_answer(decision_id, <the decision's stored result>)`` — by reference: the
        result (tens of kilobytes with its trace) is kept once, in the decision, not twice.
        Only for answers that show the stored (masked) result as it is."""
        self.remember(s, key, token_name, request_sha256, 200, f"{_DECISION_ANSWER}{decision_id}")

    def remember(
        self,
        s: Executor,
        key: str,
        token_name: str,
        request_sha256: str,
        status: int,
        response: str,
    ) -> None:
        # through SQLAlchemy, not the store's direct insert (which returns a one-column key):
        # the record's key is (token, key), per token
        _connection(s).execute(
            _REMEMBER,
            {
                "key": key,
                "token_name": token_name,
                "request_sha256": request_sha256,
                "status": status,
                "response": response,
                "created_at": _now(),
            },
        )


def readable_note(note: str | None) -> str | None:
    """A stored note as the read model can hold it: as it is, or — a note kept before notes were
    checked (older databases) — with each character a note cannot hold (a control character but
    tab and line breaks, a lone surrogate: the facts' ``Text``) written as ``\\uXXXX``. The row
    itself is kept as it is (the system of record); reading it never fails."""
    if note is None:
        return None
    try:
        return check_text(note)
    except ValueError:
        return "".join(ch if _holdable(ch) else f"\\u{ord(ch):04x}" for ch in note)


def _holdable(ch: str) -> bool:
    try:
        check_text(ch)
    except ValueError:
        return False
    return True


def _stored_result(kind: str, as_of: date, text: str) -> dict[str, Any]:
    """A stored result as read. A batch row kept before its day was written ``YYYY-MM-DD`` has
    ``as_of`` as pandas wrote the date, a timestamp at midnight: read back as the day it is (the
    same value; a re-evaluation then compares like with like)."""
    result: dict[str, Any] = json.loads(text)
    if kind == BATCH_ROW and result.get("as_of") == f"{as_of.isoformat()}T00:00:00.000":
        result["as_of"] = as_of.isoformat()
    return result


def _stored(row: m.Decision) -> StoredDecision:
    return StoredDecision(
        id=row.id,
        kind=row.kind,
        household_id=row.household_id,
        snapshot_id=row.snapshot_id,
        pack=row.pack,
        pack_version=row.pack_version,
        pack_hash=row.pack_hash,
        parameters=dict(row.parameters),
        as_of=row.as_of,
        outcome=row.outcome,
        result=_stored_result(row.kind, row.as_of, row.result),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )
