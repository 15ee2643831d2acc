"""The case store's tables (SQLAlchemy 2.0 declarative models).

What is kept, and why:

- ``households`` — one row per household id with its area (county / town / village): the key of
  access by area;
- ``snapshots`` — every version of a household's facts as submitted (JSON, its sha256, who and
  when): a decision always points at the exact facts it was made on;
- ``cases`` / ``case_events`` — a household's procedure record per pack (the steps of the pack's
  timeline), for deadlines and procedure checks;
- ``decisions`` — every identify / elimination answer with the full result JSON, the pack's name,
  version and content hash and the caller's parameters: enough to re-evaluate and show that a past
  decision matches or differs;
- ``audit_log`` — append-only (who, when, what, from where); the store never updates or deletes
  it, and the database refuses to (triggers installed by the migration). Its ``target`` (and a
  refusal's ``detail``) names the household by its id *as given*: where that id is an ID number
  (身份证) it is kept unmasked, as in ``households.id`` and every other key column — the store is
  the system of record, and a masked target could not be traced back to its household (two ID
  numbers may mask alike). It is never shown so: the service has no endpoint that reads the audit
  log; every answer and problem document masks ID numbers (unless the token may reveal them, which
  is itself audited); the server's log lines and tracebacks are masked
  (:mod:`fangfan_rules.service.logmask`); and a database error names its statement, never its
  values (``hide_parameters``, :func:`fangfan_rules.store.store.make_engine`). Reading it means
  reading the database, with the database's own access control;
- ``tokens`` — API tokens, stored only as sha256 hashes, each with a role and an area;
- ``idempotency`` — the response of each request sent with an idempotency key, so a re-sent
  batch is answered once and stored once;
- ``commit_marks`` — a row written by each group transaction on SQLite, so a commit that raised
  can be told apart from one that committed (:mod:`fangfan_rules.store.commitmark`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Household(Base):
    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    county: Mapped[str] = mapped_column(String(200), index=True)
    town: Mapped[str] = mapped_column(String(200))
    village: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Snapshot(Base):
    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("household_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text, doc="the household as JSON (model_dump_json)")
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseRecord(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("household_id", "pack"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    pack: Mapped[str] = mapped_column(String(100))
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseEventRecord(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(100))
    date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_household", "household_id", "pack"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), doc="identify | elimination")
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    pack: Mapped[str] = mapped_column(String(100))
    pack_version: Mapped[str] = mapped_column(String(50))
    pack_hash: Mapped[str] = mapped_column(String(80))
    parameters: Mapped[dict[str, str]] = mapped_column(JSON)
    as_of: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(Text, doc="the full result as JSON (model_dump_json)")
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(400), nullable=True)
    outcome: Mapped[str] = mapped_column(String(40), doc="ok | refused | error")
    detail: Mapped[dict[str, object]] = mapped_column(JSON)
    remote: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), doc="village | town | county")
    county: Mapped[str] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(200), nullable=True)
    village: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reveal_ids: Mapped[bool] = mapped_column(Boolean, default=False)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IdempotentResponse(Base):
    __tablename__ = "idempotency"

    # per token (migration 0003): one token's key is not another's, and no token learns that
    # another used a key
    token_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommitMark(Base):
    __tablename__ = "commit_marks"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
