"""The HTTP service on SQLite and PostgreSQL, with the mini pack (tests/mini_pack.py): tokens by
area, problem documents, every decision stored once, batches with bad rows, re-evaluation, cases
and the worklist."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from fastapi.testclient import TestClient

import fangfan_rules as ff
from fangfan_rules.service import Settings, create_app
from fangfan_rules.store import Store
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url

WINDOW = {"income_window": "2023-06-01..2024-05-31", "spending_lookback_start": "2023-06-01"}
ID_NUMBER = "11010519491231002X"


def facts(hid: str = "H1", village: str = "东村", wage: str = "5000") -> dict:
    return {
        "id": hid,
        "area": {"county": "千山区", "town": "甘泉镇", "village": village},
        "hukou": "rural",
        "members": [{"id": "m1", "relation": "head", "id_number": ID_NUMBER}],
        "self_coping": False,
        "income": [
            {"start": "2023-06-01", "end": "2024-05-31", "wage_income": wage,
             "business_income": "0", "property_income": "0", "transfer_income": "0",
             "business_expense": "0"}
        ],
    }  # fmt: skip


@pytest.fixture(params=BACKENDS)
def service(request, tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(request.param, tmp_path) as url:
        store = Store(url)
        tokens = {
            "east": store.create_token("east", "village", "千山区", "甘泉镇", "东村"),
            "west": store.create_token("west", "village", "千山区", "甘泉镇", "西村"),
            "county": store.create_token("county", "county", "千山区"),
            "revealer": store.create_token("revealer", "county", "千山区", reveal_ids=True),
        }
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store)
        with TestClient(app) as client:
            yield client, store, tokens
        store.close()


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def identify(client, token, body=None, **headers):
    body = body or {"household": facts(), "as_of": "2024-06-01", "parameters": WINDOW}
    return client.post("/packs/mini_pack/identify", json=body, headers=auth(token, **headers))


def test_packs_cards_schemas_and_openapi_are_served(service):
    client, _, _ = service
    (entry,) = client.get("/packs").json()
    assert entry["name"] == "mini_pack" and entry["caller_supplied"] == [
        "income_window",
        "spending_lookback_start",
    ]
    card = client.get("/packs/mini_pack").json()
    assert card["parameters"]["monitoring_income_line"]["values"][0]["quote"] == "低于6000元"
    assert {r["decides"] for r in card["rules"]} >= {"identify", "out_of_scope"}
    assert client.get("/schema/household").json()["title"] == "fangfan-rules household"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/packs/{name}/identify" in paths and "/worklist/{pack_name}" in paths
    assert client.get("/packs/nope").json()["status"] == 404


def test_no_token_is_refused_and_audited(service):
    client, store, _ = service
    response = client.post("/packs/mini_pack/identify", json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert [e.outcome for e in store.audit_entries()][-1] == "refused"


def test_an_answer_is_kept_with_its_facts_pack_and_figures(service):
    client, _, tokens = service
    response = identify(client, tokens["east"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"]["outcome"] == "identify"
    assert ID_NUMBER not in response.text  # masked for a token that may not reveal
    kept = client.get(f"/decisions/{body['decision_id']}", headers=auth(tokens["east"])).json()
    assert kept["parameters"] == WINDOW and kept["result"]["outcome"] == "identify"
    again = client.post(
        f"/decisions/{body['decision_id']}/reevaluate", headers=auth(tokens["county"])
    )
    assert again.json()["same_result"] and again.json()["same_pack"]


def test_a_revealing_token_sees_id_numbers_and_each_reveal_is_audited(service):
    client, store, tokens = service
    identify(client, tokens["east"])
    masked = client.get("/households/H1", headers=auth(tokens["county"]))
    assert masked.json()["version"] == 1 and ID_NUMBER not in masked.text
    shown = client.get("/households/H1", headers=auth(tokens["revealer"]))
    assert ID_NUMBER in shown.text
    assert [e.actor for e in store.audit_entries(action="reveal_ids")] == ["revealer"]


def test_the_callers_figures_are_never_defaulted(service):
    client, _, tokens = service
    body = {"household": facts(), "as_of": "2024-06-01"}
    response = identify(client, tokens["east"], body)
    assert response.status_code == 422
    assert response.json()["error"] == "MissingParameterError"
    assert "income_window" in response.json()["detail"]


def test_bad_facts_are_a_problem_document_with_the_id_number_masked(service):
    client, _, tokens = service
    bad = facts()
    bad["members"][0]["id_number"] = "110105194912310021"  # wrong check digit
    response = identify(
        client, tokens["east"], {"household": bad, "as_of": "2024-06-01", "parameters": WINDOW}
    )
    assert response.status_code == 422 and response.json()["error"] == "FactError"
    assert "110105194912310021" not in response.text and "110105" in response.text


def test_every_endpoint_refuses_another_areas_token_and_audits_it(service):
    client, store, tokens = service
    decided = identify(client, tokens["east"]).json()["decision_id"]
    client.post("/cases/H1/mini_pack/events", json={"step": "clue_received", "date": "2024-05-06"},
                headers=auth(tokens["east"]))  # fmt: skip
    west = auth(tokens["west"])
    body = {"household": facts(), "as_of": "2024-06-01", "parameters": WINDOW}
    attempts = [
        client.post("/packs/mini_pack/identify", json=body, headers=west),
        client.post("/packs/mini_pack/eliminate", json=body, headers=west),
        client.post("/packs/mini_pack/explain", json=body, headers=west),
        client.get(f"/decisions/{decided}", headers=west),
        client.post(f"/decisions/{decided}/reevaluate", headers=west),
        client.post("/cases/H1/mini_pack/events", json={"step": "home_verification", "date": "2024-05-08"}, headers=west),
        client.get("/cases/H1/mini_pack?as_of=2024-06-01", headers=west),
        client.get("/households/H1", headers=west),
    ]  # fmt: skip
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all(r.headers["content-type"] == "application/problem+json" for r in attempts)
    refused = [e for e in store.audit_entries() if e.outcome == "refused" and e.actor == "west"]
    assert len(refused) == len(attempts)
    batch = client.post("/packs/mini_pack/identify/batch",
                        json={"households": [facts()], "as_of": "2024-06-01", "parameters": WINDOW},
                        headers=west).json()  # fmt: skip
    assert "does not cover" in batch[0]["error"]
    assert client.get("/worklist/mini_pack?as_of=2024-05-07", headers=west).json() == []


def test_an_idempotency_key_stores_a_decision_once(service):
    client, store, tokens = service
    first = identify(client, tokens["east"], **{"Idempotency-Key": "req-1"})
    second = identify(client, tokens["east"], **{"Idempotency-Key": "req-1"})
    assert first.json() == second.json() and store.count_decisions("req-1") == 1
    other = {"household": facts(wage="9000"), "as_of": "2024-06-01", "parameters": WINDOW}
    clash = identify(client, tokens["east"], other, **{"Idempotency-Key": "req-1"})
    assert clash.status_code == 409


def test_a_batch_reports_bad_rows_and_answers_the_rest(service):
    client, store, tokens = service
    bad = facts("H3")
    bad["income"][0]["wage_income"] = "1000.001"
    households = [facts("H1"), facts("H2", wage="9000"), facts("H1"), bad, facts("H4", "西村")]
    response = client.post(
        "/packs/mini_pack/identify/batch",
        json={"households": households, "as_of": "2024-06-01", "parameters": WINDOW},
        headers=auth(tokens["east"], **{"Idempotency-Key": "batch-1"}),
    )
    rows = response.json()
    assert [r["index"] for r in rows] == [0, 1, 2, 3, 4]
    assert (
        "appears more than once" in rows[0]["error"]
        and "appears more than once" in rows[2]["error"]
    )
    assert rows[1]["outcome"] == "not_eligible" and rows[1]["decision_id"] is not None
    assert rows[3]["error"] and "does not cover" in rows[4]["error"]
    assert store.count_decisions("batch-1") == 1
    again = client.post(
        f"/decisions/{rows[1]['decision_id']}/reevaluate", headers=auth(tokens["east"])
    )
    assert again.json()["same_result"]


def test_a_changed_pack_shows_the_difference_on_reevaluation(service, tmp_path):
    client, store, tokens = service
    decided = identify(client, tokens["east"]).json()["decision_id"]
    parameters = copy.deepcopy(mini_pack.PARAMETERS)
    line = parameters["monitoring_income_line"]["values"][date(2024, 3, 1)]
    line["value"] = 4000
    line["interpretation"] = "a test reform"
    changed = ff.Pack.from_directory(
        mini_pack.write_pack(tmp_path / "changed", parameters=parameters)
    )
    app = create_app(Settings(database=store.url, packs={"mini_pack": changed}), store=store)
    with TestClient(app) as other:
        answer = other.post(f"/decisions/{decided}/reevaluate", headers=auth(tokens["east"])).json()
    assert not answer["same_pack"] and not answer["same_result"]
    assert "outcome" in answer["differences"]


def test_cases_deadlines_and_the_worklist_by_area(service):
    client, _, tokens = service
    identify(client, tokens["east"])
    identify(
        client,
        tokens["county"],
        {"household": facts("H9", "西村"), "as_of": "2024-06-01", "parameters": WINDOW},
    )
    for token, hid in ((tokens["east"], "H1"), (tokens["county"], "H9")):
        created = client.post(f"/cases/{hid}/mini_pack/events",
                              json={"step": "clue_received", "date": "2024-05-06"}, headers=auth(token))  # fmt: skip
        assert created.status_code == 201
    case = client.get("/cases/H1/mini_pack?as_of=2024-05-07", headers=auth(tokens["east"])).json()
    assert [e["step"] for e in case["events"]] == ["clue_received"]
    assert (
        client.get("/worklist/mini_pack?as_of=2024-05-07", headers=auth(tokens["east"])).status_code
        == 200
    )


def test_the_token_command_prints_a_token_the_store_accepts(tmp_path, capsys):
    from fangfan_rules.cli import EXIT_CANNOT_RUN, EXIT_OK, main

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    args = ["token", "east", "--role", "village", "--county", "千山区", "--town", "甘泉镇"]
    assert main([*args, "--db", url]) == EXIT_CANNOT_RUN
    assert "village token needs its village" in capsys.readouterr().err
    assert main([*args, "--village", "东村", "--db", url]) == EXIT_OK
    token = capsys.readouterr().out.strip().splitlines()[0]
    principal = Store(url).authenticate(token)
    assert principal is not None and principal.area == "千山区/甘泉镇/东村"


def test_web_answers_name_missing_facts_in_words():
    """The web page's answer lists missing facts as village staff read them, never as field paths
    (the machine names stay in the stored result and the API)."""
    import json as _json
    import re as _re
    from datetime import date as _date

    import fangfan_rules as _ff
    from fangfan_rules.service.web import _answer

    pack = _ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    with open("examples/sample_households.jsonl", encoding="utf-8") as lines:
        households = [_ff.load_household(_json.loads(line)) for line in lines]
    shown = 0
    for household in households[:60]:
        result = pack.identify(household, as_of=_date(2023, 6, 5))
        answer = _answer(result, household, decision=1)
        words = " ".join(
            [*answer["missing"], *answer["review"], *(r for r, _ in answer["reasons"])]
        )
        assert not _re.search(r"\b[a-z]+(?:[._][a-z]+)+\b", words), (household.id, words)
        assert not set(answer["missing"]) & set(answer["review"])  # said once, not twice
        shown += bool(result.missing_facts)
    assert shown > 10  # the sample has many answers with missing facts


def test_concurrent_requests_are_stored_once_each_and_one_key_once(service):
    """Many identify calls and case events at once on the event loop (their rows written by the
    group commit): each answered decision is stored once under the id it was answered with, a key
    sent twice at once stores one decision and both get its answer, a bad one fails alone; a key re-used for another request is refused."""
    import asyncio

    import httpx

    client, store, tokens = service
    identify(client, tokens["county"])  # H1 exists before its case events

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            calls = []
            for i in range(24):
                body = {"household": facts(f"C{i}", wage=str(3000 + 200 * i)),
                        "as_of": "2024-06-01", "parameters": WINDOW}  # fmt: skip
                calls.append(http.post("/packs/mini_pack/identify", json=body,
                                       headers=auth(tokens["county"], **{"Idempotency-Key": f"c-{i}"})))  # fmt: skip
            same = {"household": facts("S1"), "as_of": "2024-06-01", "parameters": WINDOW}
            for _ in range(2):
                calls.append(http.post("/packs/mini_pack/identify", json=same,
                                       headers=auth(tokens["county"], **{"Idempotency-Key": "same"})))  # fmt: skip
            for step in ("clue_received", "home_verification"):
                calls.append(http.post("/cases/H1/mini_pack/events", json={"step": step, "date": "2024-05-06"},
                                       headers=auth(tokens["county"])))  # fmt: skip
            calls.append(http.post("/cases/NOPE/mini_pack/events", json={"step": "clue_received", "date": "2024-05-06"},
                                   headers=auth(tokens["county"])))  # fmt: skip
            return list(await asyncio.gather(*calls))

    responses = asyncio.run(burst())
    decided, same, events, missing = (
        responses[:24],
        responses[24:26],
        responses[26:28],
        responses[28],
    )
    other = {"household": facts("C0", wage="100"), "as_of": "2024-06-01", "parameters": WINDOW}
    clash = identify(client, tokens["county"], other, **{"Idempotency-Key": "c-0"})
    assert [r.status_code for r in decided + same] == [200] * 26
    for i, response in enumerate(decided):
        assert store.count_decisions(f"c-{i}") == 1
        kept = store.decision(store.authenticate(tokens["county"]), response.json()["decision_id"])
        assert kept.household_id == f"C{i}"
    assert store.count_decisions("same") == 1 and same[0].json() == same[1].json()
    assert clash.status_code == 409 and clash.json()["type"].endswith("/store")
    assert [r.status_code for r in events] == [201, 201] and missing.status_code == 409
    steps = store.case_events(store.authenticate(tokens["county"]), "H1", "mini_pack")
    assert sorted(s for s, _, _ in steps) == ["clue_received", "home_verification"]
    audited = store.audit_entries(action="identify")
    assert len(audited) == store.count_decisions()  # one entry per stored decision, no more


def test_a_re_sent_request_gets_the_same_answer_masked_or_revealed(service):
    """The answer to a keyed request is remembered by reference to its decision when it shows the
    stored (masked) result, in full when the token revealed ID numbers (here the household id is
    one): either way a re-send gets the first answer, byte for byte, and stores nothing more."""
    client, store, tokens = service
    body = {"household": facts(ID_NUMBER), "as_of": "2024-06-01", "parameters": WINDOW}
    for token, key in ((tokens["east"], "masked-1"), (tokens["revealer"], "revealed-1")):
        first = identify(client, token, body, **{"Idempotency-Key": key})
        again = identify(client, token, body, **{"Idempotency-Key": key})
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and store.count_decisions(key) == 1
        assert (ID_NUMBER in first.text) == (key == "revealed-1")
    assert store.count_decisions() == 2
    from sqlalchemy import text

    with store.engine.connect() as connection:
        kept = dict(connection.execute(text("SELECT key, response FROM idempotency")).all())
    assert kept["masked-1"].startswith("decision:")  # one copy of the result: the decision's
    assert kept["revealed-1"] == first.text  # what only this answer showed, kept whole
