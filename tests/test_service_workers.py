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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def two_workers(tmp_path: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """``serve --workers 2`` on a free port, both workers listening; killed if still running."""
    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    port = free_port()
    server = serve(url, port)
    try:
        wait_for(lambda: listeners(port) == 2, "two listening sockets on the port")
        yield url, port, server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


def test_two_workers_each_listen_refuse_a_second_instance_and_stop_together(tmp_path):
    with two_workers(tmp_path) as (url, port, server):
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


def test_sighup_starts_every_worker_again_and_a_killed_parent_leaves_no_worker(tmp_path):
    with two_workers(tmp_path) as (_url, port, server):
        before = workers_of(server.pid)
        server.send_signal(signal.SIGHUP)  # a reload, as with uvicorn's supervisor
        wait_for(
            lambda: (
                not (workers_of(server.pid) & before)
                and len(workers_of(server.pid)) == 2
                and listeners(port) == 2
            ),
            "two new workers listening in place of the old ones",
        )
        assert server.poll() is None
        assert httpx.get(f"http://127.0.0.1:{port}/packs", timeout=30).status_code == 200

        workers = workers_of(server.pid)
        server.kill()  # SIGKILL: the parent cannot stop its workers itself
        server.wait(timeout=30)
        wait_for(lambda: not any(alive(p) for p in workers), "the workers gone with the parent", 30)
        wait_for(lambda: listeners(port) == 0, "nothing left listening on the port", 30)


def test_port_zero_needs_one_worker(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "fangfan_rules", "serve", "--db",
         f"sqlite:///{tmp_path / 'zero.sqlite3'}", "--port", "0", "--workers", "2"],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert b"--port 0" in done.stderr


def test_default_workers_follow_the_cpus_and_a_container_quota(tmp_path, monkeypatch):
    from fangfan_rules.service import run

    read_quota = run._cgroup_cpu_quota
    monkeypatch.setattr(run, "_cgroup_cpu_quota", lambda: None)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(96)))
    assert run.default_workers() == run.MAX_DEFAULT_WORKERS  # a big host: bounded
    monkeypatch.setattr(run, "_cgroup_cpu_quota", lambda: 2)
    assert run.default_workers() == 2  # a container allowed 2 CPUs of 96
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert run.default_workers() == 1

    quota = tmp_path / "cpu.max"
    for text, cpus in (("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000", 1)):
        quota.write_text(text)
        assert read_quota(quota) == cpus
    quota.write_text("garbage")
    assert read_quota(quota) is None
    assert read_quota(tmp_path / "absent") is None
