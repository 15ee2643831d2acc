"""A case-event note kept before notes were checked (an older database: a control character in
it) reads back — escaped as ``\\uXXXX``, the same on the API and the web page, ID numbers still
masked — never a 500; on SQLite (a NUL too) and PostgreSQL (which cannot hold a NUL in text)."""

from __future__ import annotations

from sqlalchemy import text

from fangfan_rules.store.store import readable_note
from tests.test_service import ID_NUMBER, auth, identify, service  # noqa: F401  (the fixture)


def test_a_note_stored_before_notes_were_checked_reads_back_escaped(service):  # noqa: F811
    client, store, tokens = service
    east = auth(tokens["east"])
    identify(client, tokens["east"])
    event = {"step": "clue_received", "date": "2024-05-06", "note": "ok"}
    assert client.post("/cases/H1/mini_pack/events", json=event, headers=east).status_code == 201
    nul = "\x00" if store.engine.dialect.name == "sqlite" else ""
    old = f"来电{nul}\x1b[31m 身份证 {ID_NUMBER}\x07"
    with store.engine.begin() as connection:  # as an older service kept it
        connection.execute(text("UPDATE case_events SET note = :n"), {"n": old})
    escaped = ("来电\\u0000" if nul else "来电") + "\\u001b[31m 身份证 "

    answer = client.get("/cases/H1/mini_pack?as_of=2024-06-01", headers=east)
    assert answer.status_code == 200, answer.text
    (note,) = [e["note"] for e in answer.json()["events"]]
    assert note.startswith(escaped) and note.endswith("\\u0007")
    assert ID_NUMBER not in answer.text  # still masked for a token that may not reveal

    revealed = client.get("/cases/H1/mini_pack?as_of=2024-06-01", headers=auth(tokens["revealer"]))
    assert revealed.json()["events"][0]["note"] == f"{escaped}{ID_NUMBER}\\u0007"

    client.cookies.set("ffr_token", tokens["east"])
    page = client.get("/ui/cases/H1/mini_pack?as_of=2024-06-01")
    assert page.status_code == 200 and escaped in page.text and ID_NUMBER not in page.text
    with store.engine.connect() as connection:  # the stored row itself is kept as it was
        assert connection.execute(text("SELECT note FROM case_events")).scalar_one() == old


def test_readable_note_leaves_a_checked_note_as_it_is():
    assert readable_note(None) is None
    assert readable_note("第一行\n\t第二行 \\u0000") == "第一行\n\t第二行 \\u0000"
    assert readable_note("a\ud800b\x7f") == "a\\ud800b\\u007f"
