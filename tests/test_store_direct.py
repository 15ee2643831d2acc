"""The store's per-request statements run on SQLite's cursor (fangfan_rules/store/direct.py) write
and read exactly what SQLAlchemy's execution of the same statements does; on PostgreSQL they run
through SQLAlchemy (the ``store`` fixture's two backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, text

from fangfan_rules.store import models as m
from fangfan_rules.store.direct import first_row, insert_row
from fangfan_rules.store.store import _AREA_AND_LATEST, _REMEMBERED, _TOKEN_BY_HASH

WHEN = datetime(2024, 6, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _rows(store, table: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]


def _decision(household: str, snapshot: int) -> dict[str, Any]:
    return {
        "kind": "identify",
        "household_id": household,
        "snapshot_id": snapshot,
        "pack": "p",
        "pack_version": "1",
        "pack_hash": "h",
        "parameters": {"monitoring_income_line": "7000", "说明": "元"},
        "as_of": date(2024, 6, 1),
        "outcome": "identify",
        "result": '{"x": "吴某"}',
        "decided_by": "east",
        "decided_at": WHEN,
        "request_key": None,
    }


def test_rows_inserted_directly_are_the_rows_sqlalchemy_inserts(store):
    decisions = cast(Table, m.Decision.__table__)
    audit = cast(Table, m.AuditEntry.__table__)
    households = cast(Table, m.Household.__table__)
    snapshots = cast(Table, m.Snapshot.__table__)
    with store._writes.begin() as connection:
        connection.execute(
            insert(households),
            [{"id": h, "county": "千山区", "town": "甘泉镇", "village": "东村",
              "created_at": WHEN} for h in ("H1", "H2")],
        )  # fmt: skip
        for hid in ("H1", "H2"):
            insert_row(connection, snapshots, {"household_id": hid, "version": 1, "facts": "{}",
                                               "sha256": "s", "submitted_by": "east",
                                               "submitted_at": WHEN})  # fmt: skip
        first = connection.execute(insert(decisions), _decision("H1", 1)).inserted_primary_key
        second = insert_row(connection, decisions, _decision("H1", 1))
        detail = {"pack": "p", "decision": 7, "outcome": "identify", "amount": "1.50"}
        connection.execute(insert(audit), {"at": WHEN, "actor": "east", "action": "identify",
                                           "target": "H1", "outcome": "ok", "detail": detail,
                                           "remote": None})  # fmt: skip
        insert_row(connection, audit, {"at": WHEN, "actor": "east", "action": "identify",
                                       "target": "H1", "outcome": "ok", "detail": detail,
                                       "remote": None})  # fmt: skip
        # a key the row is given is that value (the idempotency record's key is two columns,
        # token and key, since migration 0003: it is written through SQLAlchemy)
        key = insert_row(connection, households, {"id": "H3", "county": "千山区", "town": "甘泉镇",
                                                  "village": "东村", "created_at": WHEN})  # fmt: skip
    assert first is not None and second == first[0] + 1 and key == "H3"
    (by_sqlalchemy, direct) = _rows(store, "decisions")
    assert by_sqlalchemy[0] + 1 == direct[0]
    assert by_sqlalchemy[1:] == direct[1:]
    snapshot_rows = _rows(store, "snapshots")
    assert [r[1:] for r in snapshot_rows] == [
        ("H1", 1, "{}", "s", "east", snapshot_rows[0][6]),
        ("H2", 1, "{}", "s", "east", snapshot_rows[0][6]),
    ]
    (audit_a, audit_b) = _rows(store, "audit_log")
    assert audit_a[1:] == audit_b[1:]
    with store.engine.connect() as connection:  # read back by SQLAlchemy, typed as written
        kept = connection.execute(select(decisions).order_by(decisions.c.id)).all()
    assert kept[1].decided_at.replace(tzinfo=UTC) == WHEN and kept[1].as_of == date(2024, 6, 1)
    assert kept[1].parameters == {"monitoring_income_line": "7000", "说明": "元"}


def test_rows_read_directly_are_the_rows_sqlalchemy_reads(store):
    token = store.create_token("east", "village", "千山区", "甘泉镇", "东村", reveal_ids=True)
    with store._writes.begin() as connection:
        connection.execute(
            insert(cast(Table, m.Household.__table__)),
            {"id": "H1", "county": "千山区", "town": "甘泉镇", "village": "东村",
             "created_at": WHEN},
        )  # fmt: skip
        for version in (1, 2):
            insert_row(connection, cast(Table, m.Snapshot.__table__),
                       {"household_id": "H1", "version": version, "facts": "{}",
                        "sha256": f"s{version}", "submitted_by": "east",
                        "submitted_at": WHEN})  # fmt: skip
        connection.execute(insert(cast(Table, m.IdempotentResponse.__table__)),
                           {"key": "k", "token_name": "east", "request_sha256": "d",
                            "status": 201, "response": "{}", "created_at": WHEN})  # fmt: skip
    from fangfan_rules.store import token_hash

    with store.engine.connect() as connection:
        for statement, params in (
            (_AREA_AND_LATEST, {"hid": "H1"}),
            (_AREA_AND_LATEST, {"hid": "H9"}),
            (_REMEMBERED, {"token": "east", "key": "k"}),
            (_TOKEN_BY_HASH, {"hash": token_hash(token)}),
        ):
            expected = connection.execute(statement, params).first()
            found = first_row(connection, statement, params)
            if expected is None:
                assert found is None
                continue
            # a boolean comes back as SQLite keeps it (1), which the store reads with bool()
            pairs = zip(expected, found, strict=True)
            assert [bool(f) if isinstance(e, bool) else f for e, f in pairs] == list(expected)
    principal = store.authenticate(token)
    assert principal is not None and principal.reveal_ids is True and principal.admin is False
    assert store.authenticate(token + "x") is None
    store.revoke_token("east")
    assert store.authenticate(token) is None
