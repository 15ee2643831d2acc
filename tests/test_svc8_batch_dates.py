"""Days in the service's table answers (batch rows, the worklist, stored batch rows) are
``YYYY-MM-DD`` as in every other answer — pandas wrote them as timestamps
(``"2024-06-01T00:00:00.000"``) — on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import fangfan_rules as ff
from fangfan_rules.service import Settings, create_app
from fangfan_rules.store import Store
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url
from tests.test_service import WINDOW, auth, facts, service  # noqa: F401  (the fixture)

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def batch(client, token, key: str, *households):
    body = {"households": list(households), "as_of": "2024-06-01", "parameters": WINDOW}
    response = client.post("/packs/mini_pack/identify/batch", json=body,
                           headers=auth(token, **{"Idempotency-Key": key}))  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def test_a_batch_row_gives_its_day_as_a_date_and_keeps_it_so(service):  # noqa: F811
    client, _, tokens = service
    (row,) = batch(client, tokens["east"], "b1", facts("H1"))
    assert row["row"]["as_of"] == "2024-06-01"
    kept = client.get(f"/decisions/{row['decision_id']}", headers=auth(tokens["east"])).json()
    assert kept["as_of"] == "2024-06-01" and kept["result"]["as_of"] == "2024-06-01"
    again = client.post(f"/decisions/{row['decision_id']}/reevaluate",
                        headers=auth(tokens["east"])).json()  # fmt: skip
    assert again["same_result"] and again["now"]["as_of"] == "2024-06-01"


def test_a_batch_row_kept_before_reads_back_as_a_date_and_reevaluates_the_same(service):  # noqa: F811
    client, store, tokens = service
    (row,) = batch(client, tokens["east"], "b2", facts("H2"))
    decision = row["decision_id"]
    with store.engine.begin() as connection:  # as an older service kept it
        stored = connection.execute(text("SELECT result FROM decisions WHERE id = :i"),
                                    {"i": decision}).scalar_one()  # fmt: skip
        older = stored.replace('"as_of": "2024-06-01"', '"as_of": "2024-06-01T00:00:00.000"')
        assert older != stored
        connection.execute(text("UPDATE decisions SET result = :r WHERE id = :i"),
                           {"r": older, "i": decision})  # fmt: skip
    kept = client.get(f"/decisions/{decision}", headers=auth(tokens["east"])).json()
    assert kept["result"]["as_of"] == "2024-06-01"
    again = client.post(f"/decisions/{decision}/reevaluate", headers=auth(tokens["east"])).json()
    assert again["same_result"], again["differences"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_worklist_gives_its_days_as_dates(backend, tmp_path):
    """The worklist's start and due days (a pack with a timeline: qianshan_2023)."""
    mini = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    packs = {"mini_pack": mini, "qianshan_2023": ff.load_pack("qianshan_2023")}
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        token = store.create_token("east", "village", "千山区", "甘泉镇", "东村")
        app = create_app(Settings(database=url, packs=packs), store=store)
        with TestClient(app) as client:
            batch(client, token, "b3", facts("H1"))
            created = client.post("/cases/H1/qianshan_2023/events", headers=auth(token),
                                  json={"step": "system_entry", "date": "2023-06-01"})  # fmt: skip
            assert created.status_code == 201, created.text
            items = client.get("/worklist/qianshan_2023?as_of=2023-06-14",
                               headers=auth(token)).json()  # fmt: skip
            client.cookies.set("ffr_token", token)  # the web page's sign-in
            page = client.get("/ui/worklist/qianshan_2023?as_of=2023-06-14")
        store.close()
    days = [v for item in items for k, v in item.items() if k in ("start", "due") and v]
    assert days and all(DAY.match(d) for d in days), items
    assert "T00:00:00" not in page.text and f">{items[0]['start']}<" in page.text
