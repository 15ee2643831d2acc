"""The hot path (fangfan_rules.service.fastpath) answers exactly as FastAPI's routes do: the same
status, headers and bytes, the same rows kept, the same audit entries; it answers only what goes
well and leaves the rest to the routes; a revoked token writes nothing more, in any process."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import fangfan_rules as ff
from fangfan_rules.service import Settings, create_app, fastpath
from fangfan_rules.store import Store
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url
from tests.test_service import ID_NUMBER, WINDOW, auth, facts

TOKENS = {
    "east": ("village", "千山区", "甘泉镇", "东村"),
    "west": ("village", "千山区", "甘泉镇", "西村"),
    "county": ("county", "千山区"),
}


def body(hid: str = "H1", **changes: Any) -> dict[str, Any]:
    return {"household": facts(hid), "as_of": "2024-06-01", "parameters": WINDOW, **changes}


def requests(tokens: dict[str, str]) -> list[tuple[str, str, dict[str, str], Any]]:
    """(method, path, headers, JSON body or raw bytes): what goes well and what does not."""
    east, west, county, revealer = (tokens[k] for k in ("east", "west", "county", "revealer"))
    bad_wage = body("H9")
    bad_wage["household"]["income"][0]["wage_income"] = "五千"
    ident = "/packs/mini_pack/identify"
    events = "/cases/H1/mini_pack/events"
    json_type = {"Content-Type": "application/json"}
    step = {"step": "clue_received", "date": "2024-05-06"}
    batch = {"households": [facts("B1")], "as_of": "2024-06-01", "parameters": WINDOW}
    return [
        ("POST", ident, auth(east), body()),
        ("POST", ident, auth(east, **{"Idempotency-Key": "k1"}), body("H2")),
        ("POST", ident, auth(east, **{"Idempotency-Key": "k1"}), body("H2")),  # re-sent
        ("POST", ident, auth(east, **{"Idempotency-Key": "k1"}), body("H3")),  # key re-used: 409
        ("POST", ident, auth(revealer, **{"Idempotency-Key": "k2"}), body(ID_NUMBER)),
        ("POST", ident, auth(west), body()),  # outside the token's area: 403, audited
        ("POST", ident, auth(east), bad_wage),  # bad facts: 422
        ("POST", ident, auth(east), {"household": facts("H4"), "as_of": "2024-06-01"}),
        ("POST", "/packs/nope/identify", auth(east), body()),  # unknown pack: 404
        ("POST", ident, auth(east), body(as_of="someday")),  # invalid request: 422
        ("POST", ident, auth(east, **json_type), b'{"household": {"id": "H5", "id": "H6"}}'),
        ("POST", ident, auth(east, **json_type), b"{not json"),
        ("POST", ident, {}, body()),  # no token: 401, audited
        ("POST", ident, auth("ffr_nonsense"), body()),
        ("POST", ident, {"Cookie": f"ffr_token={east}"}, body("H7")),  # the web page's cookie
        ("POST", ident, auth(east, **{"Content-Type": "text/plain"}), b"{}"),
        ("POST", "/packs/mini_pack/eliminate", auth(county, **{"Idempotency-Key": "e1"}), body()),
        ("POST", events, auth(east), {"step": "clue_received", "date": "2024-05-06"}),
        ("POST", events, auth(west), {"step": "clue_received", "date": "2024-05-06"}),
        ("POST", events, auth(east), {"step": "no_such_step", "date": "2024-05-06"}),
        ("POST", "/cases/NOPE/mini_pack/events", auth(county), step),  # no such household
        ("POST", "/cases/H1/nope/events", auth(county), step),  # no such pack
        ("POST", "/packs/mini_pack/identify/batch", auth(county), batch),
    ]


#: the requests above the hot path answers itself (the others it passes to FastAPI's routes)
ANSWERED_HOT = {0, 1, 2, 4, 16, 17}

#: what differs between two runs of the same requests: times, and the tokens' random hashes
_ROWS = {
    "households": "id, county, town, village",
    "snapshots": "id, household_id, version, facts, sha256, submitted_by",
    "decisions": "id, kind, household_id, snapshot_id, pack, pack_version, pack_hash, "
    "parameters, as_of, outcome, result, decided_by, request_key",
    "cases": "id, household_id, pack, opened_by",
    "case_events": "id, case_id, step, date, note, recorded_by",
    "audit_log": "id, actor, action, target, outcome, detail, remote",
    "idempotency": "key, token_name, request_sha256, status, response",
}


_ANSWER = fastpath.FastPath._answer


def kept(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(text(f"SELECT {columns} FROM {table} ORDER BY 1"))
            ]
            for table, columns in _ROWS.items()
        }


def run(backend: str, tmp_path, fast: bool, monkeypatch) -> tuple[list[Any], Any, list[int]]:
    hot: list[int] = []
    answer = _ANSWER

    async def spied(self, scope, *args):  # type: ignore[no-untyped-def]
        response = await answer(self, scope, *args)
        if response is not None:
            hot.append(int(dict(scope["headers"])[b"x-test-index"]))
        return response

    monkeypatch.setattr(fastpath.FastPath, "_answer", spied)
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        tokens = {name: store.create_token(name, *area) for name, area in TOKENS.items()}
        tokens["revealer"] = store.create_token("revealer", "county", "千山区", reveal_ids=True)
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store,
                         fast_path=fast)  # fmt: skip
        answers = []
        with TestClient(app) as client:
            for index, (method, path, headers, sent) in enumerate(requests(tokens)):
                payload = {"content": sent} if isinstance(sent, bytes) else {"json": sent}
                client.cookies.clear()
                cookie = headers.pop("Cookie", None)
                if cookie:
                    client.cookies.set(*cookie.split("=", 1))
                headers["X-Test-Index"] = str(index)  # for the spy above
                response = client.request(method, path, headers=headers, **payload)
                answers.append(
                    (response.status_code, response.headers.get("content-type"), response.content)
                )
        rows = kept(store)
        store.close()
    return answers, rows, hot


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_hot_path_answers_and_keeps_exactly_what_the_routes_do(backend, tmp_path, monkeypatch):
    routes, routes_kept, none = run(backend, tmp_path / "routes", False, monkeypatch)
    hot, hot_kept, answered = run(backend, tmp_path / "hot", True, monkeypatch)
    assert none == [] and set(answered) == ANSWERED_HOT
    for index, (a, b) in enumerate(zip(routes, hot, strict=True)):
        assert a == b, (index, a, b)
    assert routes_kept == hot_kept
    statuses = [status for status, _, _ in hot]
    assert statuses[:6] == [200, 200, 200, 409, 200, 403] and 401 in statuses
    assert ID_NUMBER in hot[4][2].decode() and ID_NUMBER not in hot[0][2].decode()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_revoked_token_writes_nothing_more_from_the_hot_path(backend, tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        east = store.create_token("east", *TOKENS["east"])
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store)
        with TestClient(app) as client:
            ident = "/packs/mini_pack/identify"
            assert client.post(ident, json=body(), headers=auth(east)).status_code == 200
            event = {"step": "clue_received", "date": "2024-05-06"}
            assert client.post("/cases/H1/mini_pack/events", json=event,
                               headers=auth(east)).status_code == 201  # fmt: skip
            other = Store(url, upgrade=False)  # another process revokes it
            other.revoke_token("east")
            other.close()
            refused = client.post(ident, json=body("H2"), headers=auth(east))
            outside = client.post(ident, json=body("H3", household=facts("H3", village="西村")),
                                  headers=auth(east))  # fmt: skip
            late_event = client.post("/cases/H1/mini_pack/events", json=event, headers=auth(east))
        assert refused.status_code == outside.status_code == late_event.status_code == 401
        assert refused.json()["type"].endswith("/unauthorized")
        assert store.count_decisions() == 1
        assert len(store.case_events(store.authenticate(store.create_token("c", "county", "千山区")),
                                     "H1", "mini_pack")) == 1  # fmt: skip
        refusals = [e for e in store.audit_entries() if e.outcome == "refused"]
        assert [e.actor for e in refusals] == ["anonymous"] * 3
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_error_after_the_write_is_a_500_never_the_request_run_again(
    backend, tmp_path, monkeypatch
):
    """Once a hot call's rows are committed nothing hands it to the routes: an error while its
    answer is built (here: the response object) is the server's 500 and the decision and the
    case event are kept once — handed over, the route would have stored them a second time (no
    idempotency key on these requests)."""
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    built = fastpath._response
    failing = {"on": True}

    def response(text: str, status: int):  # type: ignore[no-untyped-def]
        if failing["on"]:
            raise RuntimeError("the answer could not be built")
        return built(text, status)

    monkeypatch.setattr(fastpath, "_response", response)
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        east = store.create_token("east", *TOKENS["east"])
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store)
        with TestClient(app, raise_server_exceptions=False) as client:
            ident = "/packs/mini_pack/identify"
            event = {"step": "clue_received", "date": "2024-05-06"}
            assert client.post(ident, json=body(), headers=auth(east)).status_code == 500
            assert client.post("/cases/H1/mini_pack/events", json=event,
                               headers=auth(east)).status_code == 500  # fmt: skip
            failing["on"] = False
            assert client.post(ident, json=body(), headers=auth(east)).status_code == 200
        assert store.count_decisions() == 2  # the failed answer's decision once, the next one
        county = store.authenticate(store.create_token("c", "county", "千山区"))
        assert county is not None
        assert len(store.case_events(county, "H1", "mini_pack")) == 1
        assert len(store.audit_entries(action="identify")) == 2
        assert len(store.audit_entries(action="case.event")) == 1
        store.close()
