"""The API reads JSON bodies as the library's readers do (fangfan_rules.service.strict_body): a
money amount sent as a JSON number is exact, a number in another form and a key sent twice are
refused as problem documents naming where, and the same household gets the same answer whether its
money is sent as text or as a JSON number."""

from __future__ import annotations

import json

from tests.test_service import WINDOW, auth, facts, service  # noqa: F401  (the fixture)


def post(client, token: str, text: str, key: str | None = None):
    headers = auth(token, **({"Idempotency-Key": key} if key else {}))
    headers["Content-Type"] = "application/json"
    return client.post("/packs/mini_pack/identify", content=text.encode(), headers=headers)


def body(wage: object) -> str:
    household = facts()
    household["income"][0]["wage_income"] = wage
    return json.dumps({"household": household, "as_of": "2024-06-01", "parameters": WINDOW})


def test_money_as_a_json_number_is_read_exactly(service):  # noqa: F811
    client, _, tokens = service
    as_text = post(client, tokens["east"], body("5000.10"))
    as_number = post(client, tokens["east"], body("5000.10").replace('"5000.10"', "5000.10"))
    assert as_text.status_code == 200, as_text.text
    assert as_number.status_code == 200, as_number.text
    assert as_text.json()["result"] == as_number.json()["result"]
    kept = client.get("/households/H1", headers=auth(tokens["county"])).json()
    # the facts sent with a number are the facts sent as text: no second version was stored
    assert kept["version"] == 1 and kept["household"]["income"][0]["wage_income"] == "5000.10"


def test_a_number_in_exponent_form_is_a_fact_error_naming_field_and_value(service):  # noqa: F811
    client, _, tokens = service
    response = post(client, tokens["east"], body("X").replace('"X"', "5e3"), key="k-exp")
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["error"] == "FactError"
    assert "wage_income" in problem["detail"] and "5e3" in problem["detail"]
    again = post(client, tokens["east"], body("X").replace('"X"', "5e3"), key="k-exp")
    assert again.status_code == 422  # the key still stands for the same refused request


def test_a_key_sent_twice_is_refused_naming_it(service):  # noqa: F811
    client, _, tokens = service
    text = body("5000").replace('"hukou": "rural"', '"hukou": "rural", "hukou": "urban"')
    response = post(client, tokens["east"], text)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("invalid-request")
    assert any("hukou" in e["msg"] or "hukou" in "".join(e["loc"]) for e in problem["errors"])


def test_text_that_is_not_json_is_an_invalid_request(service):  # noqa: F811
    client, _, tokens = service
    response = post(client, tokens["east"], '{"household": ')
    assert response.status_code == 422
    assert response.json()["type"].endswith("invalid-request")
    assert "not valid JSON" in response.json()["errors"][0]["msg"]
