"""A household whose id is an ID number: the store keeps it unmasked (audit_log.target, the
system of record), and nothing prints it so — not the server's access or error log lines
(fangfan_rules/service/logmask.py), not a database error's message (its values are hidden), not a
problem document's error locations; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.service.logmask import MaskIdNumbers
from fangfan_rules.store import Store
from fangfan_rules.store import models as m
from tests.test_service import ID_NUMBER, WINDOW, auth, facts, service  # noqa: F401
from tests.test_service_workers import free_port, wait_for

MASKED = scrub_id_numbers(ID_NUMBER)


def test_the_audit_log_keeps_the_id_and_no_answer_shows_it(service):  # noqa: F811
    client, store, tokens = service
    body = {"household": facts(ID_NUMBER), "as_of": "2024-06-01", "parameters": WINDOW}
    west = auth(tokens["west"])
    refused = client.post("/packs/mini_pack/identify", json=body, headers=west)
    assert refused.status_code == 403 and ID_NUMBER not in refused.text
    assert MASKED in refused.text
    answered = client.post("/packs/mini_pack/identify", json=body, headers=auth(tokens["east"]))
    assert answered.status_code == 200 and ID_NUMBER not in answered.text
    for path in (f"/households/{ID_NUMBER}", f"/cases/{ID_NUMBER}/mini_pack?as_of=2024-06-01"):
        response = client.get(path, headers=west)
        assert response.status_code == 403 and ID_NUMBER not in response.text, path
    # the system of record: the refusals' targets are the id as given
    targets = [e.target for e in store.audit_entries() if e.outcome == "refused"]
    assert targets.count(ID_NUMBER) == 3
    # an unknown field named by an ID number: its location masked, as its message is
    sent = {**body, ID_NUMBER: "1"}
    invalid = client.post("/packs/mini_pack/identify", json=sent, headers=auth(tokens["east"]))
    assert invalid.status_code == 422 and ID_NUMBER not in invalid.text, invalid.text


def test_a_database_error_names_no_value_and_is_logged_masked(store):
    """SQLAlchemy leaves the statement's values out of its message; PostgreSQL's own detail may
    still quote one (``Key (id)=(…) already exists``): logged, it is masked."""
    row = {"id": ID_NUMBER, "county": "c", "town": "t", "village": "v",
           "created_at": m.Household.__table__.c.created_at.type.python_type.now()}  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(insert(m.Household.__table__), row)
    with pytest.raises(IntegrityError) as raised, store.engine.begin() as connection:
        connection.execute(insert(m.Household.__table__), row)
    assert "parameters hidden" in str(raised.value)
    if store.engine.dialect.name == "sqlite":
        assert ID_NUMBER not in str(raised.value)
    record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI "
                               "application", (), (IntegrityError, raised.value, raised.tb))  # fmt: skip
    assert MaskIdNumbers().filter(record)
    assert ID_NUMBER not in logging.Formatter().format(record)


def test_a_log_record_and_its_traceback_are_masked():
    try:
        raise ValueError(f"no household {ID_NUMBER!r}")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "failed on %s (%d)", (f"/households/{ID_NUMBER}", 3),
                                   sys.exc_info())  # fmt: skip
    assert MaskIdNumbers().filter(record)
    line = logging.Formatter().format(record)
    assert ID_NUMBER not in line and line.count(MASKED) == 2 and "(3)" in line


@pytest.mark.parametrize("workers", [1, 2])
def test_the_servers_access_log_masks_the_id_in_a_path(tmp_path, workers):
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    token = Store(url).create_token("east", "village", "千山区", "甘泉镇", "东村")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fangfan_rules", "serve", "--db", url, "--port", str(port),
         "--workers", str(workers), "--access-log"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # uvicorn's access lines: stdout
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:

        def serving() -> bool:
            try:
                return httpx.get(f"{base}/packs", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(serving, "the server answers")
        time.sleep(0.5 * workers)  # every worker up (each logs its own lines)
        for _ in range(4):  # spread over the workers' sockets by the client's port
            with httpx.Client(base_url=base, headers=auth(token)) as client:
                assert client.get(f"/households/{ID_NUMBER}").status_code == 409
                event = {"step": "clue_received", "date": "2024-05-06"}
                client.post(f"/cases/{ID_NUMBER}/qianshan_2023/events", json=event)
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    log = out.decode("utf-8", "replace")
    assert f"/households/{MASKED}" in log, log[-2000:]
    assert ID_NUMBER not in log
