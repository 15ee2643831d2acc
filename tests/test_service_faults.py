"""A real server process killed (SIGKILL) in the middle of a batch, then restarted: no half-stored
decision, an audit log that agrees with the decisions, and the batch re-sent with its idempotency
key answered and stored exactly once. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fangfan_rules.store import Store
from tests import mini_pack
from tests.store_backends import BACKENDS, database_url

SERVER = """
import sys, uvicorn
import fangfan_rules as ff
from fangfan_rules.service import Settings, create_app
pack = ff.Pack.from_directory(sys.argv[2])
app = create_app(Settings(database=sys.argv[1], packs={"mini_pack": pack}))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""
WINDOW = {"income_window": "2023-06-01..2024-05-31", "spending_lookback_start": "2023-06-01"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(url: str, pack_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(pack_dir), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/packs", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                died = process.stderr.read().decode() if process.stderr else "died"
                raise RuntimeError(died) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def households(n: int) -> list[dict]:
    return [
        {
            "id": f"H{i:05d}",
            "area": {"county": "千山区", "town": "甘泉镇", "village": "东村"},
            "hukou": "rural",
            "members": [{"id": "m1", "relation": "head"}],
            "self_coping": i % 2 == 0,
            "income": [
                {
                    "start": "2023-06-01",
                    "end": "2024-05-31",
                    "wage_income": str(3000 + i),
                    "business_income": "0",
                    "property_income": "0",
                    "transfer_income": "0",
                    "business_expense": "0",
                }
            ],
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_killed_mid_batch_keeps_nothing_half_done(backend, tmp_path):
    pack_dir = mini_pack.write_pack(tmp_path / "mini")
    with database_url(backend, tmp_path) as url:
        store = Store(url)
        token = store.create_token("county", "county", "千山区")
        n = 4000
        body = {"households": households(n), "as_of": "2024-06-01", "parameters": WINDOW}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "batch-fault-1"}
        port = free_port()
        errors: list[BaseException] = []
        server = start(url, pack_dir, port)
        try:
            with httpx.Client(timeout=120) as client:
                pending = client.build_request(
                    "POST", f"http://127.0.0.1:{port}/packs/mini_pack/identify/batch",
                    json=body, headers=headers,
                )  # fmt: skip
                import threading

                def send() -> None:
                    try:
                        client.send(pending)
                    except BaseException as exc:  # the server dies under it
                        errors.append(exc)

                sender = threading.Thread(target=send)
                sender.start()
                time.sleep(1.0)  # the batch is being evaluated and stored
                os.kill(server.pid, signal.SIGKILL)
                server.wait(timeout=30)
                sender.join(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
        after_kill = store.count_decisions("batch-fault-1")
        print(f"{backend}: {after_kill} of {n} decisions stored when killed")
        if after_kill == 0:
            assert errors, "the request was answered before the kill: nothing was tested"
        assert after_kill in (0, n), f"a half-stored batch: {after_kill} of {n} decisions"
        audited = [e for e in store.audit_entries(action="identify.batch")]
        assert len(audited) == (1 if after_kill else 0), "the audit log disagrees with the store"

        server = start(url, pack_dir, port)  # restarted: sees exactly what was committed
        try:
            response = httpx.post(
                f"http://127.0.0.1:{port}/packs/mini_pack/identify/batch",
                json=body, headers=headers, timeout=300,
            )  # fmt: skip
            assert response.status_code == 200, response.text
            rows = response.json()
            assert len(rows) == n and all(r["decision_id"] for r in rows)
            again = httpx.post(
                f"http://127.0.0.1:{port}/packs/mini_pack/identify/batch",
                json=body, headers=headers, timeout=300,
            )  # fmt: skip
            assert again.json() == rows
        finally:
            server.kill()
            server.wait(timeout=30)
        assert store.count_decisions("batch-fault-1") == n
        assert len(store.audit_entries(action="identify.batch")) == 1
        store.close()
