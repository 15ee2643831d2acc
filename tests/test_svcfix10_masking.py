"""The service's answers to the attack of 2026-12-08 (audit/attack10_findings.md findings 2, 3, 4,
7, 8, 11): a batch row built from a household id that holds a lone surrogate is written (the
rest of the batch is answered and stored); an ID number is masked *before* any ``repr`` or
escape quotes it (a duplicated id, an idempotency key, an unknown key, a refused household, a
pack name); the web page masks the village and links a case by a handle the store resolves,
never by the masked id; the access log masks a percent-encoded path.

The API's checks run on SQLite and PostgreSQL (``FANGFAN_TEST_POSTGRES``)."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

import fangfan_rules as ff
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD, PackError
from fangfan_rules.facts import load_household
from fangfan_rules.idnumber import mask_id_number
from fangfan_rules.service import Settings, create_app
from fangfan_rules.service.logmask import MaskIdNumbers, masked_path
from fangfan_rules.store import Store, StoreError
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url
from tests.test_service import WINDOW, auth, facts

#: an ID number whose birth date (19491231) is what a leak shows
ID = "11010519491231109X"
BIRTH = "19491231"
MASKED = mask_id_number(ID)
BATCH = "/packs/mini_pack/identify/batch"
#: characters whose repr / escape ends in a digit that joins an ID number's run
PREFIXES = ["\x00", "\x85", "\u2000", "\u3000"]


@pytest.fixture(params=BACKENDS)
def service(request, tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    with database_url(request.param, tmp_path) as url:
        store = Store(url)
        tokens = {
            "county": store.create_token("county", "county", "千山区"),
            "west": store.create_token("west", "village", "千山区", "甘泉镇", "西村"),
            "revealer": store.create_token("revealer", "county", "千山区", reveal_ids=True),
        }
        app = create_app(Settings(database=url, packs={"mini_pack": pack}), store=store)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, store, tokens
        store.close()


def post_ascii(client, path: str, payload: dict, token: str, **headers):
    """``payload`` as JSON text with every non-ASCII character escaped (``\\ud800`` stays a lone
    surrogate in the text the service reads)."""
    text = json.dumps(payload, ensure_ascii=True)
    return client.post(
        path,
        content=text.encode("ascii"),
        headers=auth(token, **{"content-type": "application/json", **headers}),
    )


def batch(client, token, households, **headers):
    payload = {"households": households, "as_of": "2024-06-01", "parameters": WINDOW}
    return post_ascii(client, BATCH, payload, token, **headers)


# -- finding 2: a lone surrogate in one household id loses nothing ------------------------------
@pytest.mark.parametrize("who", ["county", "revealer"])
def test_a_surrogate_id_is_a_bad_row_and_the_rest_is_answered_and_stored(service, who):
    client, store, tokens = service
    answer = batch(client, tokens[who], [facts("\ud800abc"), facts("B"), facts("\udfff")])
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert rows[0]["household_id"] == "\\ud800abc" and rows[0]["decision_id"] is None
    assert "U+D800" in rows[0]["error"]
    assert rows[2]["household_id"] == "\\udfff" and rows[2]["error"]
    assert rows[1]["household_id"] == "B" and rows[1]["error"] is None
    assert rows[1]["decision_id"] is not None and rows[1]["outcome"]
    assert store.count_decisions() == 1  # the good row is kept
    assert store.decision(store.authenticate(tokens["county"]), rows[1]["decision_id"])


def test_two_copies_of_a_surrogate_id_are_two_bad_rows(service):
    client, store, tokens = service
    answer = batch(client, tokens["county"], [facts("\ud800x"), facts("\ud800x"), facts("B")])
    assert answer.status_code == 200, answer.text
    first, second, good = answer.json()
    assert first["household_id"] == second["household_id"] == "\\ud800x"
    assert DUPLICATED_HOUSEHOLD in first["error"] and DUPLICATED_HOUSEHOLD in second["error"]
    assert good["decision_id"] is not None and store.count_decisions() == 1


def test_a_surrogate_before_an_id_number_is_masked_in_the_row_id(service):
    client, _, tokens = service
    answer = batch(client, tokens["county"], [facts("\ud800" + ID), facts("B")])
    assert answer.status_code == 200
    bad, good = answer.json()
    assert bad["household_id"] == "\\ud800" + MASKED  # masked first, then escaped
    assert good["decision_id"] is not None


def test_a_surrogate_before_an_id_number_is_masked_in_the_row_error(service):
    client, _, tokens = service
    answer = batch(client, tokens["county"], [facts("\ud800" + ID), facts("B")])
    assert BIRTH not in answer.text


# -- finding 3: a duplicated id is masked before it is quoted -----------------------------------
@pytest.mark.parametrize("prefix", PREFIXES, ids=lambda p: f"U+{ord(p):04X}")
def test_a_duplicated_id_number_is_masked_before_it_is_quoted(service, prefix):
    client, store, tokens = service
    answer = batch(client, tokens["county"], [facts(prefix + ID), facts(prefix + ID), facts("B")])
    assert answer.status_code == 200 and BIRTH not in answer.text, answer.text
    first, second, good = answer.json()
    for row in (first, second):
        assert row["household_id"] == prefix + MASKED
        assert row["decision_id"] is None
        # the engines' error for a repeated id: masked, then quoted
        assert DUPLICATED_HOUSEHOLD in row["error"]
        assert f"id = {(prefix + MASKED)!r}" in row["error"]
    assert good["decision_id"] is not None and store.count_decisions() == 1


def test_a_duplicated_id_error_reads_in_chinese():
    from fangfan_rules.errors import FactError
    from fangfan_rules.messages_zh import reason_zh

    text = str(FactError("\u3000" + ID, [("id", "\u3000" + ID, DUPLICATED_HOUSEHOLD)]))
    assert "户编号在本批中出现不止一次" in reason_zh(text) and BIRTH not in reason_zh(text)


# -- finding 7 and its kin: a key or id quoted in a problem document ------------------------------
@pytest.mark.parametrize(
    "key",
    [b"\xc2\x85" + ID.encode(), b"k\xa0" + ID.encode(), "\u3000".encode() + ID.encode()],
    ids=["C2-85", "nbsp", "ideographic-space"],
)
def test_an_idempotency_key_is_masked_in_the_conflict(service, key):
    client, _, tokens = service
    one = {"as_of": "2024-06-01", "parameters": WINDOW}
    requests = {
        "/packs/mini_pack/identify": ({**one, "household": facts("H1")},
                                      {**one, "household": facts("H2")}),
        BATCH: ({**one, "households": [facts("H1")]}, {**one, "households": [facts("H2")]}),
    }  # fmt: skip
    for path, (first, second) in requests.items():
        # one key per path (the header's bytes are read as latin-1, as a server reads them)
        headers = {"Authorization": f"Bearer {tokens['county']}",
                   "Idempotency-Key": key + path.encode()}  # fmt: skip
        assert client.post(path, json=first, headers=headers).status_code == 200
        refused = client.post(path, json=second, headers=headers)
        assert refused.status_code == 409, refused.text
        detail = refused.json()["detail"]
        # the mask covers the birth date and the sequence exactly: 110105 ******** 109X
        assert BIRTH not in detail and re.search(r"110105\*{8}109X", detail), detail


def test_an_unknown_key_is_masked_before_it_is_quoted(service):
    client, _, tokens = service
    body = {"household": facts("H1"), "as_of": "2024-06-01", "parameters": WINDOW,
            "\u3000" + ID: 1}  # fmt: skip
    answer = post_ascii(client, "/packs/mini_pack/identify", body, tokens["county"])
    assert answer.status_code == 422 and BIRTH not in answer.text, answer.text
    assert MASKED in answer.text


@pytest.mark.parametrize("prefix", PREFIXES, ids=lambda p: f"U+{ord(p):04X}")
def test_a_refused_or_unknown_household_is_masked_before_it_is_quoted(service, prefix):
    client, _, tokens = service
    hid = prefix + ID
    refused = post_ascii(client, "/packs/mini_pack/identify",
                         {"household": facts(hid), "as_of": "2024-06-01", "parameters": WINDOW},
                         tokens["west"])  # fmt: skip
    # refused for its area, or (a control character) for the id itself: masked either way
    assert refused.status_code in (403, 422) and BIRTH not in refused.text, refused.text
    in_batch = batch(client, tokens["west"], [facts(hid), facts("B")])
    assert in_batch.status_code == 200 and BIRTH not in in_batch.text, in_batch.text
    unknown = client.get(f"/households/{quote(hid)}", headers=auth(tokens["county"]))
    assert unknown.status_code == 409 and BIRTH not in unknown.text, unknown.text
    assert MASKED in unknown.text


@pytest.mark.parametrize(
    "prefix", ["", *PREFIXES], ids=lambda p: f"U+{ord(p):04X}" if p else "bare"
)
def test_a_pack_name_is_masked_before_it_is_quoted(service, prefix):
    client, _, tokens = service
    answer = client.post(f"/packs/{quote(prefix + ID)}/identify", headers=auth(tokens["county"]),
                         json={"household": facts("H1"), "as_of": "2024-06-01"})  # fmt: skip
    assert answer.status_code == 404 and BIRTH not in answer.text, answer.text
    with pytest.raises(PackError) as raised:
        Settings(database="sqlite://").pack(prefix + ID)  # the installed packs
    assert BIRTH not in str(raised.value)


# -- findings 4 and 11: the web page --------------------------------------------------------------
def web_evaluate(client, *households: dict):
    text = "\n".join(json.dumps(h, ensure_ascii=False) for h in households)
    return client.post("/ui/evaluate", data={"pack": "mini_pack", "as_of": "2024-06-01",
                                             "households": text})  # fmt: skip


def test_web_results_mask_the_village(web):
    client, _, _ = web
    page = web_evaluate(client, facts("H1", village="东村"))
    assert page.status_code == 200
    # a village name holding an ID number is outside the token's village: refused, and masked
    page = web_evaluate(client, facts("H2", village="东村" + ID))
    assert BIRTH not in page.text


def test_web_results_village_is_masked_for_a_county_token(tmp_path):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = Store(url)
    county = store.create_token("county", "county", "千山区")
    app = create_app(
        Settings(database=url, parameters={"mini_pack": WINDOW}, packs={"mini_pack": pack}),
        store=store,
    )
    with TestClient(app) as client:
        client.post("/ui/login", data={"token": county})
        for village in ("西村" + ID, "西村" + ID.lower(), "西村110105491231123", "西村　" + ID):
            page = web_evaluate(client, facts("H-" + str(len(village)), village=village))
            assert page.status_code == 200 and "识别为监测对象" in page.text, page.text
            assert BIRTH not in page.text and "491231" not in page.text, village
            assert "西村" in page.text
    store.close()


def _links(page: str) -> list[str]:
    return re.findall(r'href="(/ui/[^"]+)"', page)


def test_web_case_link_of_an_id_number_household_opens_its_case(web):
    client, store, _ = web
    page = web_evaluate(client, facts(ID), facts("H1"))
    assert page.status_code == 200 and BIRTH not in page.text
    links = [link for link in _links(page.text) if "/case" in link]
    assert len(links) == 2 and all(ID not in link and MASKED not in link for link in links)
    assert all(re.fullmatch(r"/ui/decisions/\d+/case\?as_of=2024-06-01", link) for link in links)
    case = client.get(links[0])
    assert case.status_code == 200 and "时限与程序" in case.text, case.text
    assert MASKED in case.text and BIRTH not in case.text
    # a step recorded on that page is the household's own, and the page comes back
    posted = client.post(links[0].split("?")[0], follow_redirects=False,
                         data={"step": "clue_received", "day": "2024-05-06", "note": ""})  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"].startswith("/ui/decisions/")
    owner = store.authenticate(web[2])
    assert [step for step, _, _ in store.case_events(owner, ID, "mini_pack")] == ["clue_received"]
    assert "收到风险线索" in client.get(posted.headers["location"]).text


@pytest.fixture
def jimo_web(tmp_path):
    """(client, store, owner): the web page on jimo_2022 (a pack with case limits), signed in
    with a county token; households SYN-like with the ids given, stored with a case each."""
    pack = ff.load_pack("jimo_2022")
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = Store(url)
    token = store.create_token("county", "county", "示例乙县")
    owner = store.authenticate(token)
    example = json.loads((Path(__file__).parents[1] / "examples/one_household.json").read_text())
    with store.transaction() as s:
        for hid in (ID, "H1"):
            store.submit(s, load_household({**example, "id": hid}), owner)
    for hid in (ID, "H1"):
        store.add_event(owner, hid, "jimo_2022", "clue_received", date(2025, 6, 2))
    app = create_app(Settings(database=url, packs={"jimo_2022": pack}), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.post("/ui/login", data={"token": token})
        yield client, store, owner
    store.close()


def test_web_worklist_links_a_case_by_its_number(jimo_web):
    client, store, owner = jimo_web
    listing = client.get("/ui/worklist/jimo_2022", params={"as_of": "2025-06-03"})
    assert listing.status_code == 200 and BIRTH not in listing.text
    assert MASKED in listing.text and ">H1<" in listing.text
    links = [link for link in _links(listing.text) if "/case" in link]
    assert len(links) == 2 and all(
        re.fullmatch(r"/ui/case/\d+\?as_of=2025-06-03", x) for x in links
    )
    # the rows are in the order of the masked ids (as before: by due date, then id)
    assert listing.text.index(MASKED) < listing.text.index(">H1<")
    opened = {link: client.get(link).text for link in links}
    (id_link,) = [link for link, page in opened.items() if MASKED in page]
    assert BIRTH not in opened[id_link] and "入户核实" in opened[id_link]
    posted = client.post(id_link.split("?")[0], follow_redirects=False,
                         data={"step": "home_verification", "day": "2025-06-03", "note": ""})  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"].startswith("/ui/case/")
    steps = [step for step, _, _ in store.case_events(owner, ID, "jimo_2022")]
    assert steps == ["clue_received", "home_verification"]
    assert [s for s, _, _ in store.case_events(owner, "H1", "jimo_2022")] == ["clue_received"]
    west = store.create_token("west", "village", "示例乙县", "新华乡", "东村")
    client.post("/ui/login", data={"token": west})
    refused = client.get(id_link)
    assert "does not cover" in refused.text and BIRTH not in refused.text
    posted = client.post(
        id_link.split("?")[0], data={"step": "home_verification", "day": "2025-06-04"}
    )
    assert "does not cover" in posted.text and len(store.case_events(owner, ID, "jimo_2022")) == 2
    assert "no case 999" in client.get("/ui/case/999").text


def test_web_decision_case_link_is_bounded_by_the_tokens_area(web):
    client, store, east = web
    page = web_evaluate(client, facts(ID))
    (link,) = [link for link in _links(page.text) if "/case" in link]
    client.post(link.split("?")[0], data={"step": "clue_received", "day": "2024-05-06"})
    west = store.create_token("west", "village", "千山区", "甘泉镇", "西村")
    client.post("/ui/login", data={"token": west})
    refused = client.get(link)
    assert "does not cover" in refused.text and BIRTH not in refused.text
    posted = client.post(
        link.split("?")[0], data={"step": "home_verification", "day": "2024-05-08"}
    )
    assert "does not cover" in posted.text
    assert "no decision 999" in client.get("/ui/decisions/999/case").text
    assert len(store.case_events(store.authenticate(east), ID, "mini_pack")) == 1


# -- finding 8: the access log's percent-encoded path ------------------------------------------
FULL_WIDTH = ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})


@pytest.mark.parametrize(
    "path",
    [
        "/households/110105%2019491231%20109X",
        "/households/" + quote(FULL_WIDTH),
        "/households/" + quote("户" + ID),
        "/households/" + ("户" + ID).encode().decode("latin-1"),  # raw bytes, as uvicorn logs them
        "/worklist/mini_pack?id=110105+19491231+109X",
        "/households/" + quote("\u3000" + ID),
    ],
    ids=["spaced", "full-width", "cjk-prefix", "raw-utf8", "query-plus", "ideographic-space"],
)
def test_the_access_line_masks_a_percent_encoded_path(path):
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", path, "1.1", 409), None)  # fmt: skip
    assert MaskIdNumbers().filter(record)
    line = logging.Formatter().format(record)
    from urllib.parse import unquote

    decoded = unquote(line).translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"})
    assert BIRTH not in line and BIRTH not in decoded, line
    assert "109" in decoded and "********" in decoded, line
    assert "\n" not in line and " 409" in line


def test_a_path_without_an_id_number_is_logged_as_it_came():
    for path in ("/households/H1", "/ui/case/12?as_of=2024-06-01", "/x/%E6%88%B7", "/a%0Ab"):
        assert masked_path(path) == path
    # a line break decoded from the path is written encoded again, never into the log
    assert masked_path("/a%0Ab/" + ID) == f"/a%0Ab/{MASKED}"


# -- finding 7, second part: idempotency keys per token ------------------------------------------
def test_a_key_is_per_token(service):
    client, store, tokens = service
    body = {"household": facts("H1"), "as_of": "2024-06-01", "parameters": WINDOW}
    other = {**body, "household": facts("H2")}
    path = "/packs/mini_pack/identify"
    first = client.post(
        path, json=body, headers=auth(tokens["county"], **{"Idempotency-Key": "k1"})
    )
    # another token's request with the same key is its own: answered, not told of the first
    second = client.post(path, json=other, headers=auth(tokens["revealer"], **{"Idempotency-Key": "k1"}))  # fmt: skip
    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["decision_id"] != second.json()["decision_id"]
    again = client.post(path, json=other, headers=auth(tokens["revealer"], **{"Idempotency-Key": "k1"}))  # fmt: skip
    assert again.json()["decision_id"] == second.json()["decision_id"]  # each token's replay
    clash = client.post(path, json=other, headers=auth(tokens["county"], **{"Idempotency-Key": "k1"}))  # fmt: skip
    assert clash.status_code == 409  # the same token, another request: refused
    assert store.count_decisions(request_key="k1") == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_per_token_migration_keeps_the_remembered_answers(backend, tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from fangfan_rules.store.store import MIGRATIONS, normalise_url

    with database_url(backend, tmp_path) as url:
        engine = create_engine(normalise_url(url))
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
            connection.execute(
                text("INSERT INTO idempotency (key, token_name, request_sha256, status, response, "
                     "created_at) VALUES ('k1', 'east', 'abc', 200, '{}', CURRENT_TIMESTAMP)")
            )  # fmt: skip
        engine.dispose()
        store = Store(url)  # upgrades to the newest
        try:
            assert store.remembered("k1", "east", "abc") == (200, "{}")
            assert store.remembered("k1", "west", "abc") is None  # another token's key
            with store.transaction() as s:
                store.remember(s, "k1", "west", "def", 200, "[]")
            assert store.remembered("k1", "west", "def") == (200, "[]")
            with pytest.raises(StoreError, match="was used for another request"):
                store.remembered("k1", "east", "def")
        finally:
            store.close()
