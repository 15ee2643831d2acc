"""The service's trust defects found by the attack of 2026-12-07 (audit/attack.md findings 1-4, 9,
10, 14-16, 20, 22): nothing silently dropped or coerced in a request, ID numbers masked in every
answer and page unless the token may reveal them, no batch row lost, a bad deployment figure
refused at start. The API's checks are run with and without the fast path."""

from __future__ import annotations

import argparse
import json

import pytest
from fastapi.testclient import TestClient

import fangfan_rules as ff
from fangfan_rules.errors import PackError, ParameterError
from fangfan_rules.idnumber import check_digit, mask_id_number
from fangfan_rules.service import Settings, create_app
from fangfan_rules.service.run import serve
from fangfan_rules.store import Store
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url
from tests.test_service import ID_NUMBER, WINDOW, auth, facts

MASKED = mask_id_number(ID_NUMBER)
PROBLEM = "application/problem+json"
BATCH = "/packs/mini_pack/identify/batch"


def _another_id_number() -> str:
    """An ID number other than ID_NUMBER that masks alike (same area code and last four)."""
    for day in range(1, 29):
        first17 = f"110105195001{day:02d}002"
        if check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no such number")


@pytest.fixture(params=[(b, fast) for b in BACKENDS for fast in (True, False)],
                ids=lambda p: f"{p[0]}-{'fast' if p[1] else 'routes'}")  # fmt: skip
def service(request, tmp_path):
    backend, fast = request.param
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        tokens = {
            "east": store.create_token("east", "village", "千山区", "甘泉镇", "东村"),
            "revealer": store.create_token("revealer", "county", "千山区", reveal_ids=True),
        }
        app = create_app(
            Settings(database=url, packs={"mini_pack": pack}), store=store, fast_path=fast
        )
        with TestClient(app) as client:
            yield client, store, tokens
        store.close()


def body(hid: str = "H1", **changes) -> dict:
    return {"household": facts(hid), "as_of": "2024-06-01", "parameters": WINDOW, **changes}


def errors(response) -> list[dict]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return response.json()["errors"]


# -- finding 1: unknown keys ----------------------------------------------------------------------
def test_unknown_keys_are_refused_naming_them(service):
    client, store, tokens = service
    east = auth(tokens["east"])
    typo = {"household": facts(), "as_of": "2024-06-01", "paramters": WINDOW}
    (error,) = errors(client.post("/packs/mini_pack/identify", json=typo, headers=east))
    assert error["loc"] == ["body", "paramters"] and "paramters" in error["msg"]
    (error,) = errors(client.post("/packs/mini_pack/eliminate", json=body(extra=1), headers=east))
    assert error["loc"] == ["body", "extra"]
    event = {"step": "clue_received", "date": "2024-05-06", "notes": "x"}
    (error,) = errors(client.post("/cases/H1/mini_pack/events", json=event, headers=east))
    assert error["loc"] == ["body", "notes"]
    batch = {"households": [facts()], "as_of": "2024-06-01", "parameters": WINDOW, "asof": "x"}
    (error,) = errors(client.post(BATCH, json=batch, headers=east))
    assert error["loc"] == ["body", "asof"]
    assert store.count_decisions() == 0


# -- finding 2: dates only YYYY-MM-DD ----------------------------------------------------------------
@pytest.mark.parametrize("as_of", [1717200000, "1717200000", "2024-06-01T00:00:00", "2024-6-1"])
def test_dates_are_only_iso_days(service, as_of):
    client, store, tokens = service
    east = auth(tokens["east"])
    for path in ("/packs/mini_pack/identify", "/packs/mini_pack/eliminate"):
        (error,) = errors(client.post(path, json=body(as_of=as_of), headers=east))
        assert error["loc"] == ["body", "as_of"] and "YYYY-MM-DD" in error["msg"]
    batch = {"households": [facts()], "as_of": as_of, "parameters": WINDOW}
    assert errors(client.post(BATCH, json=batch, headers=east))[0]["loc"] == ["body", "as_of"]
    event = {"step": "clue_received", "date": as_of}
    (error,) = errors(client.post("/cases/H1/mini_pack/events", json=event, headers=east))
    assert error["loc"] == ["body", "date"]
    for path in ("/cases/H1/mini_pack", "/worklist/mini_pack"):
        (error,) = errors(client.get(path, params={"as_of": str(as_of)}, headers=east))
        assert error["loc"] == ["query", "as_of"]
    assert store.count_decisions() == 0


# -- findings 3, 4, 10: case notes and ids ----------------------------------------------------------
def test_case_notes_and_ids_are_masked_unless_revealed(service):
    client, store, tokens = service
    east, revealer = auth(tokens["east"]), auth(tokens["revealer"])
    assert client.post("/packs/mini_pack/identify", json=body(ID_NUMBER), headers=east).is_success
    note = f"户主身份证 {ID_NUMBER} 已核"
    event = {"step": "clue_received", "date": "2024-05-06", "note": note}
    assert client.post(f"/cases/{ID_NUMBER}/mini_pack/events", json=event, headers=east).is_success
    path = f"/cases/{ID_NUMBER}/mini_pack"
    shown = client.get(path, params={"as_of": "2024-06-01"}, headers=east)
    assert ID_NUMBER not in shown.text
    assert shown.json()["household_id"] == MASKED
    assert shown.json()["events"][0]["note"] == f"户主身份证 {MASKED} 已核"
    assert store.audit_entries(action="reveal_ids") == []  # masked: nothing revealed
    revealed = client.get(path, params={"as_of": "2024-06-01"}, headers=revealer).json()
    assert revealed["household_id"] == ID_NUMBER and revealed["events"][0]["note"] == note
    (entry,) = store.audit_entries(action="reveal_ids")  # each reveal is audited
    assert entry.actor == "revealer" and entry.target == ID_NUMBER


@pytest.mark.parametrize("note", ["a\u0000b", "a\ud800b", "a\u001bb"])
def test_event_note_is_free_text_or_a_problem_document(service, note):
    client, _, tokens = service
    assert client.post("/packs/mini_pack/identify", json=body(), headers=auth(tokens["east"]))
    text = json.dumps({"step": "clue_received", "date": "2024-05-06", "note": note})
    response = client.post(
        "/cases/H1/mini_pack/events",
        content=text.encode(),
        headers=auth(tokens["east"], **{"Content-Type": "application/json"}),
    )
    (error,) = errors(response)
    assert error["loc"] == ["body", "note"] and f"U+{ord(note[1]):04X}" in error["msg"]
    case = client.get("/cases/H1/mini_pack", params={"as_of": "2024-06-01"},
                      headers=auth(tokens["east"]))  # fmt: skip
    assert case.status_code == 200 and case.json()["events"] == []


def test_stored_decision_top_level_household_id_is_masked(service):
    client, store, tokens = service
    east, revealer = auth(tokens["east"]), auth(tokens["revealer"])
    decided = client.post("/packs/mini_pack/identify", json=body(ID_NUMBER), headers=east).json()
    shown = client.get(f"/decisions/{decided['decision_id']}", headers=east)
    assert ID_NUMBER not in shown.text and shown.json()["household_id"] == MASKED
    assert store.audit_entries(action="reveal_ids") == []
    revealed = client.get(f"/decisions/{decided['decision_id']}", headers=revealer).json()
    assert revealed["household_id"] == ID_NUMBER
    (entry,) = store.audit_entries(action="reveal_ids")
    assert entry.actor == "revealer" and entry.target == ID_NUMBER


# -- findings 9, 10, 14: the batch ---------------------------------------------------------------
def test_batch_answers_id_number_households_by_position_and_masks_them(service):
    client, store, tokens = service
    other = _another_id_number()
    assert mask_id_number(other) == MASKED and other != ID_NUMBER
    poor, richer = facts(ID_NUMBER), facts(other, wage="90000")
    sent = {"households": [poor, richer, facts("D1"), facts("D1")], "as_of": "2024-06-01",
            "parameters": WINDOW}  # fmt: skip
    response = client.post(BATCH, json=sent, headers=auth(tokens["east"]))
    assert response.status_code == 200 and ID_NUMBER not in response.text
    assert other not in response.text
    rows = response.json()
    assert [r["household_id"] for r in rows] == [MASKED, MASKED, "D1", "D1"]
    assert rows[0]["outcome"] == "identify" and rows[0]["error"] is None
    assert rows[1]["outcome"] not in (None, "identify") and rows[1]["error"] is None
    assert all("more than once" in r["error"] for r in rows[2:])
    dup = {"households": [poor, poor], "as_of": "2024-06-01", "parameters": WINDOW}
    response = client.post(BATCH, json=dup, headers=auth(tokens["east"]))
    assert ID_NUMBER not in response.text and MASKED in response.json()[0]["error"]
    assert store.audit_entries(action="reveal_ids") == []
    revealed = client.post(BATCH, json=sent, headers=auth(tokens["revealer"])).json()
    assert [r["household_id"] for r in revealed[:2]] == [ID_NUMBER, other]
    (entry,) = store.audit_entries(action="reveal_ids")
    assert entry.actor == "revealer" and entry.detail == {"batch_rows": 4}


def test_batch_malformed_elements_are_rows_of_their_own(service):
    client, _, tokens = service
    east = auth(tokens["east"], **{"Content-Type": "application/json"})
    g1, g2, w = json.dumps(facts("G1")), json.dumps(facts("G2")), json.dumps(WINDOW)
    for bad, expected in [
        ('"oops", 5, null', ["got str", "got int", "got null"]),
        ('{"id": "D1", "id": "D2"}', ["key 'id' appears twice"]),
        ("[" * 5000 + "]" * 5000, ["nested too deeply"]),
    ]:
        text = f'{{"households": [{g1}, {bad}, {g2}], "as_of": "2024-06-01", "parameters": {w}}}'
        response = client.post(BATCH, content=text.encode(), headers=east)
        assert response.status_code == 200, response.text
        rows = response.json()
        assert [r["index"] for r in rows] == list(range(len(expected) + 2))
        assert rows[0]["outcome"] == "identify" and rows[-1]["outcome"] == "identify"
        for row, words in zip(rows[1:-1], expected, strict=True):
            assert row["decision_id"] is None and words in row["error"], row
    # outside the households array the document is still refused as a whole
    text = f'{{"households": [{g1}], "as_of": "2024-06-01", "as_of": "2024-06-02"}}'
    assert client.post(BATCH, content=text.encode(), headers=east).status_code == 422


# -- finding 20 ----------------------------------------------------------------------------------
def test_idempotent_resend_with_keys_in_another_order_is_a_replay(service):
    client, store, tokens = service
    first = body("K1")
    again = {k: first[k] for k in reversed(list(first))}
    again["household"] = dict(reversed(list(first["household"].items())))
    headers = auth(tokens["east"], **{"Idempotency-Key": "kk"})
    a = client.post("/packs/mini_pack/identify", json=first, headers=headers)
    b = client.post("/packs/mini_pack/identify", json=again, headers=headers)
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert store.count_decisions() == 1
    changed = body("K1", as_of="2024-06-02")
    assert (
        client.post("/packs/mini_pack/identify", json=changed, headers=headers).status_code == 409
    )


# -- finding 22 ----------------------------------------------------------------------------------
def test_bad_deployment_figures_are_refused_at_start(tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    packs = {"mini_pack": pack}
    with pytest.raises(ParameterError, match=r"mini_pack\.monitoring_income_line = '6_000'"):
        create_app(Settings("sqlite://", {"mini_pack": {"monitoring_income_line": "6_000"}}, packs))
    with pytest.raises(ParameterError, match=r"mini_pack\.bogus = '1'.*no parameter"):
        create_app(Settings("sqlite://", {"mini_pack": {"bogus": "1"}}, packs))
    with pytest.raises(PackError, match="no policy pack named 'no_such_pack'"):
        create_app(Settings("sqlite://", {"no_such_pack": {"x": "1"}}, packs))
    config = tmp_path / "county.yaml"
    config.write_text("parameters:\n  qianshan_2023: {monitoring_income_line: 7_000}\n")
    args = argparse.Namespace(db=f"sqlite:///{tmp_path / 's.sqlite3'}", config=config,
                              host="127.0.0.1", port=0, workers=1, access_log=False)  # fmt: skip
    with pytest.raises(SystemExit, match=r"qianshan_2023\.monitoring_income_line = '7_000'"):
        serve(args)
    assert not (tmp_path / "s.sqlite3").exists()


# -- findings 3, 10, 15, 16: the web page --------------------------------------------------------
# the web page fixture ``web`` is in conftest.py (shared with tests/test_web_uploads.py)


def evaluate(client, text: str = "", upload: bytes | None = None, as_of: str = "2024-06-01"):
    files = {"upload": ("h.jsonl", upload, "application/octet-stream")} if upload else None
    return client.post(
        "/ui/evaluate",
        data={"pack": "mini_pack", "as_of": as_of, "households": text},
        files=files,
    )


def test_web_upload_reads_json_strictly(web):
    client, store, _ = web
    dup = json.dumps(facts("DUP1")).replace(
        '"hukou": "rural"', '"hukou": "urban", "hukou": "rural"'
    )
    page = evaluate(client, dup)
    assert page.status_code == 200 and "同一对象中键&#39;hukou&#39;出现两次" in page.text
    money = json.dumps(facts("NUM1")).replace('"wage_income": "5000"', '"wage_income": 5000.50')
    page = evaluate(client, money)
    assert page.status_code == 200 and "NUM1" in page.text and "float" not in page.text
    deep = "[" + json.dumps(facts("A1")) + "," + "[" * 100000 + "]" * 100000 + "]"
    page = evaluate(client, deep)
    assert page.status_code == 200 and "A1" in page.text and "嵌套过深" in page.text
    gbk = json.dumps(facts("张三家"), ensure_ascii=False).encode("gbk")
    page = evaluate(client, upload=gbk)
    assert page.status_code == 200 and "不是UTF-8编码" in page.text and "\ufffd" not in page.text
    assert store.count_decisions() == 2  # NUM1 and A1


@pytest.mark.parametrize(
    ("path", "data", "named"),
    [
        ("/ui/publicity", {"decisions": "abc"}, "decisions"),
        ("/ui/cases/H1/mini_pack", {"step": "nonsense", "day": "2024-05-06"}, "nonsense"),
        ("/ui/cases/H1/mini_pack", {"step": "clue_received", "day": "1714953600"}, "1714953600"),
        (
            "/ui/cases/H1/mini_pack",
            {"step": "clue_received", "day": "2024-05-06", "note": "a\u0000b"},
            "U+0000",
        ),
        ("/ui/evaluate", {"pack": "mini_pack", "as_of": "1717200000"}, "1717200000"),
        ("/ui/evaluate", {"pack": "no_pack", "as_of": "2024-06-01"}, "no_pack"),
        (
            "/ui/evaluate",
            {"pack": "mini_pack", "as_of": "2024-06-01", "parameters": "a=1\na=2"},
            "写了两次",
        ),
    ],
)
def test_web_forms_answer_bad_values_with_the_error_page(web, path, data, named):
    client, store, _ = web
    page = client.post(path, data=data)
    assert page.status_code == 422 and "无法办理" in page.text and named in page.text
    assert store.count_decisions() == 0


def test_web_publicity_refuses_batch_rows_and_mixed_days(web):
    client, _, east = web
    assert evaluate(client, json.dumps(facts("P1"))).status_code == 200
    assert evaluate(client, json.dumps(facts("P2")), as_of="2024-06-02").status_code == 200
    batch = {"households": [facts("P3")], "as_of": "2024-06-01", "parameters": WINDOW}
    assert client.post(BATCH, json=batch, headers=auth(east)).status_code == 200
    page = client.post("/ui/publicity", data={"decisions": "1,2"})
    assert page.status_code == 422 and "2024-06-01" in page.text and "2024-06-02" in page.text
    page = client.post("/ui/publicity", data={"decisions": "3"})
    assert page.status_code == 422 and "identify_batch" in page.text
    assert client.post("/ui/publicity", data={"decisions": "1"}).status_code == 200


def test_web_case_page_masks_the_id_and_the_notes(web):
    client, store, _ = web
    assert evaluate(client, json.dumps(facts(ID_NUMBER))).status_code == 200
    note = f"户主 {ID_NUMBER}"
    posted = client.post(
        f"/ui/cases/{ID_NUMBER}/mini_pack",
        data={"step": "clue_received", "day": "2024-05-06", "note": note},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    page = client.get(f"/ui/cases/{ID_NUMBER}/mini_pack", params={"as_of": "2024-06-01"})
    assert page.status_code == 200 and ID_NUMBER not in page.text and MASKED in page.text
    assert store.audit_entries(action="reveal_ids") == []
    revealer = store.create_token("revealer", "county", "千山区", reveal_ids=True)
    client.post("/ui/login", data={"token": revealer})
    page = client.get(f"/ui/cases/{ID_NUMBER}/mini_pack", params={"as_of": "2024-06-01"})
    assert page.status_code == 200 and ID_NUMBER in page.text
    (entry,) = store.audit_entries(action="reveal_ids")  # each reveal is audited
    assert entry.actor == "revealer" and entry.target == ID_NUMBER
