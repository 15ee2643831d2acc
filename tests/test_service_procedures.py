"""The case store keeps one event list per household and pack; a clue recorded after the case
was closed is the next procedure (timeline.procedures), never an error row or a refused page —
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import fangfan_rules as ff
from fangfan_rules.facts import load_household
from fangfan_rules.service import Settings, create_app
from fangfan_rules.store import Store
from tests.store_backends import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def puan_service(request, tmp_path):
    pack = ff.load_pack("puan_2025")
    with database_url(request.param, tmp_path) as url:
        store = Store(url)
        token = store.create_token("county", "county", "示例乙县")
        owner = store.authenticate(token)
        example = json.loads(
            (Path(__file__).parents[1] / "examples/one_household.json").read_text()
        )
        with store.transaction() as s:
            store.submit(s, load_household({**example, "id": "H1"}), owner)
        for step, day in (
            ("clue_received", date(2025, 4, 1)),
            ("home_verification", date(2025, 4, 3)),
            ("case_closed", date(2025, 4, 10)),
            ("clue_received", date(2025, 6, 2)),  # a new clue: the next procedure
        ):
            store.add_event(owner, "H1", "puan_2025", step, day)
        app = create_app(Settings(database=url, packs={"puan_2025": pack}), store=store)
        with TestClient(app) as client:
            yield client, {"Authorization": f"Bearer {token}"}
        store.close()


def test_the_worklist_times_the_clue_after_a_closure(puan_service) -> None:
    client, headers = puan_service
    rows = client.get("/worklist/puan_2025?as_of=2025-06-30", headers=headers).json()
    assert all(row["status"] != "error" for row in rows)
    visit = [r for r in rows if r["deadline"] == "puan_2025.clue_home_verification"]
    assert [(r["start"], r["status"]) for r in visit] == [("2025-06-02", "overdue")]


def test_the_case_shows_both_procedures(puan_service) -> None:
    client, headers = puan_service
    answer = client.get("/cases/H1/puan_2025?as_of=2025-06-30", headers=headers)
    assert answer.status_code == 200
    visits = [
        (d["start"], d["status"])
        for d in answer.json()["deadlines"]
        if d["name"] == "puan_2025.clue_home_verification"
    ]
    assert visits == [("2025-04-01", "met"), ("2025-06-02", "overdue")]
    # known on as_of: on 2025-05-31 the June clue has not happened, one procedure is timed
    before = client.get("/cases/H1/puan_2025?as_of=2025-05-31", headers=headers).json()
    assert [d["start"] for d in before["deadlines"] if "home_verification" in d["name"]] == [
        "2025-04-01"
    ]
