"""``fangfan-rules serve --workers 2``: two processes, each listening on the port with a socket of
its own (fangfan_rules/service/workers.py); a second instance on a taken port refuses to start;
a worker that dies is replaced; SIGTERM stops the parent and every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fangfan_rules.service.workers import listeners


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def workers_of(pid: int) -> set[int]:
    """The worker processes of the server ``pid`` (not multiprocessing's resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "fangfan_rules", "serve", "--db", url, "--port", str(port),
         "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_two_workers_each_listen_refuse_a_second_instance_and_stop_together(tmp_path):
    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    port = free_port()
    server = serve(url, port)
    try:
        wait_for(lambda: listeners(port) == 2, "two listening sockets on the port")
        for _ in range(20):  # a new connection each: whichever worker takes it answers
            assert httpx.get(f"http://127.0.0.1:{port}/packs", timeout=30).status_code == 200

        second = serve(url, port)
        assert second.wait(timeout=120) == 1
        assert b"cannot listen" in (second.stderr.read() if second.stderr else b"")
        assert listeners(port) == 2  # the second instance took nothing

        workers = workers_of(server.pid)
        assert len(workers) == 2
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: not alive(victim), "the killed worker gone")
        wait_for(
            lambda: len(workers_of(server.pid) - workers) == 1 and listeners(port) == 2,
            "a new worker listening in its place",
        )
        assert httpx.get(f"http://127.0.0.1:{port}/packs", timeout=30).status_code == 200

        workers = workers_of(server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        wait_for(lambda: not any(alive(p) for p in workers), "every worker stopped", 30)
        assert listeners(port) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
