"""The case store on SQLite and on a real PostgreSQL server (tests/store_backends.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

import fangfan_rules as ff
from fangfan_rules.store import AccessDenied, Store, StoreError, token_hash
from tests import mini_pack
from tests.helpers import household, record

AS_OF = date(2024, 6, 1)


@pytest.fixture
def pack(tmp_path):
    directory = mini_pack.write_pack(tmp_path / "mini")
    return ff.Pack.from_directory(directory).with_parameters(income_window="2023-06-01..2024-05-31")


def village(hid: str = "H1", village: str = "东村", *, self_coping: bool = False) -> ff.Household:
    return household(
        id=hid,
        area={"county": "千山区", "town": "甘泉镇", "village": village},
        income=[record("2023-06-01", "2024-05-31", wage="5000")],
        self_coping=self_coping,
    )


def principals(store: Store):
    store.create_token("east", "village", "千山区", "甘泉镇", "东村")
    store.create_token("west", "village", "千山区", "甘泉镇", "西村")
    store.create_token("town", "town", "千山区", "甘泉镇")
    county_token = store.create_token("county", "county", "千山区", reveal_ids=True)
    return county_token


def test_the_schema_is_created_once_and_matches_the_models(store):
    Store(store.url)  # a second open runs no migration again
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fangfan_rules.store.models import Base

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"the migrations and the models disagree: {diff}"


def test_tokens_are_kept_only_as_hashes_and_can_be_revoked(store):
    token = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM tokens")).scalar_one()
    assert stored == token_hash(token) and token not in stored
    principal = store.authenticate(token)
    assert principal is not None and principal.area == "千山区/甘泉镇/东村"
    assert store.authenticate(token + "x") is None
    store.revoke_token("east")
    assert store.authenticate(token) is None
    with pytest.raises(StoreError, match="exists already"):
        store.create_token("east", "county", "千山区")
    with pytest.raises(ValueError, match="village token needs its village"):
        store.create_token("bad", "village", "千山区", "甘泉镇")


def test_a_token_revoked_by_one_process_is_refused_by_another_at_once(store):
    """No worker trusts a token it looked up before: a revocation made through one Store (one
    worker of the service) is refused by another on the same database at the next request."""
    token = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
    worker = Store(store.url)
    try:
        assert worker.authenticate(token) is not None
        assert worker.authenticate(token + "x") is None
        store.revoke_token("east")
        assert worker.authenticate(token) is None
        late = store.create_token("late", "county", "千山区")  # a new token is found at once
        assert worker.authenticate(late) is not None
    finally:
        worker.close()


def test_a_token_reaches_only_its_own_area(store):
    tokens = {p: store.authenticate(store.create_token(p, *args)) for p, args in {
        "east": ("village", "千山区", "甘泉镇", "东村"),
        "west": ("village", "千山区", "甘泉镇", "西村"),
        "town": ("town", "千山区", "甘泉镇"),
        "other_town": ("town", "千山区", "大屯镇"),
        "county": ("county", "千山区"),
    }.items()}  # fmt: skip
    with store.transaction() as s:
        store.submit(s, village("H1", "东村"), tokens["east"])
    for name in ("east", "town", "county"):
        assert store.household(tokens[name], "H1")[0].id == "H1"
    for name in ("west", "other_town"):
        with pytest.raises(AccessDenied, match="does not cover"):
            store.household(tokens[name], "H1")
        with pytest.raises(AccessDenied), store.transaction() as s:
            store.submit(s, village("H1", "东村"), tokens[name])


def test_snapshots_are_versions_and_unchanged_facts_are_not_stored_twice(store):
    county = store.authenticate(principals(store))
    with store.transaction() as s:
        first = store.submit(s, village(), county)
        again = store.submit(s, village(), county)
        changed = store.submit(s, village(self_coping=True), county)
    assert first == again != changed
    latest, version = store.household(county, "H1")
    assert version == 2 and latest.self_coping is True
    assert store.snapshot(first).self_coping is False


def test_a_household_moved_to_another_area_keeps_its_versions(store):
    """One statement reads the stored area and the latest snapshot: a move updates the area and
    the next version follows the latest, whatever the area; the old area's token must cover it."""
    county = store.authenticate(principals(store))
    east = store.authenticate(store.create_token("east2", "village", "千山区", "甘泉镇", "东村"))
    with store.transaction() as s:
        first = store.submit(s, village("H1", "东村"), county)
        with_second = store.submit(s, village("H2", "东村"), county)
    with pytest.raises(AccessDenied), store.transaction() as s:
        store.submit(s, village("H1", "西村"), east)
    with store.transaction() as s:
        moved = store.submit(s, village("H1", "西村"), county)
        again = store.submit(s, village("H1", "西村"), county)
        back = store.submit(s, village("H1", "东村", self_coping=True), county)
    assert len({first, with_second, moved, back}) == 4 and again == moved
    latest, version = store.household(county, "H1")
    assert version == 3 and latest.area.village == "东村" and latest.self_coping is True
    assert store.household(county, "H2")[1] == 1


def test_a_snapshot_keeps_the_facts_exactly_and_every_dump_masks_them(store):
    county = store.authenticate(principals(store))
    number = "11010519491231002X"
    facts = household(
        id="H9",
        area={"county": "千山区", "town": "甘泉镇", "village": "东村"},
        members=[{"id": "m1", "relation": "head", "id_number": number}],
    )
    with store.transaction() as s:
        snapshot = store.submit(s, facts, county)
    again = store.snapshot(snapshot)
    assert again == facts and again.members[0].id_number == number
    assert number not in again.model_dump_json()


def test_a_decision_keeps_what_it_was_made_on_and_a_failed_batch_keeps_nothing(store, pack):
    county = store.authenticate(principals(store))
    result = pack.identify(village(), as_of=AS_OF)
    with store.transaction() as s:
        snapshot = store.submit(s, village(), county)
        decision_id = store.record_decision(
            s,
            kind="identify",
            snapshot_id=snapshot,
            result=result,
            parameters={"income_window": "2023-06-01..2024-05-31"},
            principal=county,
            request_key="k1",
        )
    kept = store.decision(county, decision_id)
    assert kept.pack_hash == pack.content_hash and kept.outcome == result.outcome.value
    assert kept.result == json.loads(result.model_dump_json())
    with pytest.raises(RuntimeError), store.transaction() as s:
        store.submit(s, village("H2"), county)
        store.record_decision(
            s, kind="identify", snapshot_id=snapshot, result=result, parameters={},
            principal=county, request_key="k2",
        )  # fmt: skip
        raise RuntimeError("the process dies mid-batch")
    assert store.count_decisions() == 1 and store.count_decisions("k2") == 0
    with pytest.raises(StoreError, match="no household"):
        store.household(county, "H2")


def test_the_audit_log_is_append_only_in_the_database(store):
    store.audit("east", "identify", "H1", "ok", {"n": 1}, "127.0.0.1")
    (entry,) = store.audit_entries(action="identify")
    assert entry.actor == "east" and entry.remote == "127.0.0.1"
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert len(store.audit_entries()) >= 1


def test_an_idempotency_key_answers_once_and_refuses_another_request(store):
    with store.transaction() as s:
        store.remember(s, "key-1", "east", "abc", 200, '{"ok": true}')
    assert store.remembered("key-1", "east", "abc") == (200, '{"ok": true}')
    assert store.remembered("key-2", "east", "abc") is None
    with pytest.raises(StoreError, match="another request"):
        store.remembered("key-1", "east", "other body")


def test_cases_are_listed_by_area(store):
    tokens = {
        name: store.authenticate(store.create_token(name, *args))
        for name, args in {
            "east": ("village", "千山区", "甘泉镇", "东村"),
            "town": ("town", "千山区", "甘泉镇"),
        }.items()
    }
    with store.transaction() as s:
        store.submit(s, village("H1", "东村"), tokens["town"])
        store.submit(s, village("H2", "西村"), tokens["town"])
    store.add_event(tokens["town"], "H1", "mini_pack", "clue_received", date(2024, 5, 6))
    store.add_event(tokens["town"], "H2", "mini_pack", "clue_received", date(2024, 5, 7))
    store.add_event(tokens["east"], "H1", "mini_pack", "home_verification", date(2024, 5, 8))
    assert [h for h, _ in store.cases_in_area(tokens["town"], "mini_pack")] == ["H1", "H2"]
    assert store.cases_in_area(tokens["east"], "mini_pack") == [
        ("H1", [("clue_received", date(2024, 5, 6)), ("home_verification", date(2024, 5, 8))])
    ]
    with pytest.raises(AccessDenied):
        store.add_event(tokens["east"], "H2", "mini_pack", "home_verification", date(2024, 5, 8))
    actions = [e.action for e in store.audit_entries()]
    assert actions.count("case.event") == 3


def test_an_sqlite_store_syncs_each_commit_to_disk(tmp_path):
    """WAL with synchronous=FULL (2), on the reading and the writing connections alike: an answered
    decision survives a power cut, not only a crash of the service (NORMAL may lose the last
    commits in WAL mode)."""
    store = Store(f"sqlite:///{tmp_path / 'durable.sqlite3'}")
    try:
        for engine in {store.engine, store._writes}:
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        store.close()
