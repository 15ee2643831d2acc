"""Load test of the HTTP service, on loopback only, bounded in requests and time.

Starts ``fangfan-rules serve`` in its own process on a fresh SQLite file (or ``--db``), creates a
county token, then runs CONCURRENCY clients at once, each sending identify calls for households
of the bundled synthetic sample (each with its own Idempotency-Key) and a case event now and then.
Prints requests/s and p50 / p90 / p99 latency per kind, the CPU the server and this client spent
per request, and checks the store afterwards: every accepted decision is in it exactly once, under
the decision id the client was answered with, and every accepted case event once.

    .venv/bin/python benchmarks/service_load.py                       # 50 clients, 2,000 requests
    .venv/bin/python benchmarks/service_load.py --workers 1           # one server process
    .venv/bin/python benchmarks/service_load.py --clients 50 --requests 5000 --workers 2
    .venv/bin/python benchmarks/service_load.py --rate 40       # paced: 40 requests/s offered

With no ``--workers`` the server runs ``fangfan-rules serve``'s default (one worker process per
CPU); the first lines printed say which configuration was measured.

Target (issue 16, on the 2-core development machine): p99 under 50 ms for single-household
identify at 50 concurrent clients; zero lost or duplicated decisions.

The client is a bare HTTP/1.1 keep-alive client on asyncio streams (uvloop when installed), with
each household's request body encoded once: it shares the machine's cores with the server, so it
must cost far less per request than the server does (it prints what it cost; httpx cost 1-2 ms
of CPU per request, as much as the server's own work).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"
DECISION_ID = re.compile(rb'^\{"decision_id":\s*(\d+)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its descendants still alive (uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"identify": [], "case_event": []}
    )
    #: each client's mean latency (ms): one connection per client, so a spread between them is a
    #: server serving some connections before others (e.g. worker processes given unequal shares)
    per_client: list[float] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)  # idempotency key -> decision id
    events: int = 0
    #: (kind, idempotency key or "", started, answered): perf_counter seconds (``--timings``)
    timings: list[tuple[str, str, float, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Connection:
    """One keep-alive HTTP/1.1 connection; requests are pre-encoded bytes."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, payload: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        try:
            self.writer.write(payload)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lowered = head.lower()
            start = lowered.find(b"\r\ncontent-length:")
            if start < 0:
                raise ConnectionError(f"response without Content-Length: {head[:200]!r}")
            end = lowered.index(b"\r\n", start + 2)
            body = await self.reader.readexactly(int(lowered[start + 17 : end]))
            if b"\r\nconnection: close" in lowered:
                self.close()
            return status, body
        except BaseException:
            self.close()  # never reuse a connection left mid-response
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(method: str, path: str, port: int, token: str, body: bytes, key: str | None) -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
    )
    if key is not None:
        head += f"Idempotency-Key: {key}\r\n"
    return (head + "\r\n").encode("utf-8") + body


def plan(households: list[dict], args: argparse.Namespace) -> list[tuple[str, str, bytes]]:
    """Request i: (kind, idempotency key or "", the encoded request). Bodies are encoded once
    per household; only the header with the key differs between requests."""
    identify_bodies = [
        json.dumps(
            {"household": h, "as_of": args.as_of, "parameters": args.parameters},
            ensure_ascii=False,
        ).encode("utf-8")
        for h in households
    ]
    event_body = json.dumps({"step": "clue_received", "date": args.as_of}).encode("utf-8")
    requests = []
    for i in range(args.requests):
        h = i % len(households)
        if i % 10 == 9:
            path = f"/cases/{households[h]['id']}/{args.pack}/events"
            requests.append(
                ("case_event", "", encode("POST", path, args.port, args.token, event_body, None))
            )
        else:
            key = f"load-{i}"
            path = f"/packs/{args.pack}/identify"
            payload = encode("POST", path, args.port, args.token, identify_bodies[h], key)
            requests.append(("identify", key, payload))
    return requests


async def client_loop(
    requests: list[tuple[str, str, bytes]],
    queue: asyncio.Queue[int],
    args: argparse.Namespace,
    tally: Tally,
) -> None:
    connection = Connection(args.port)
    mine: list[float] = []
    try:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            kind, key, payload = requests[i]
            started = time.perf_counter()
            if args.rate:
                # paced: request i is due at start + i / rate; latency counts from when it was
                # due, so a server falling behind shows in the figures (no coordinated omission)
                due = args.started + i / args.rate
                if due > started:
                    await asyncio.sleep(due - started)
                started = due
            try:
                status, body = await connection.request(payload)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.failures.append(f"{kind} {key}: {type(exc).__name__}: {exc}")
                continue
            answered = time.perf_counter()
            mine.append((answered - started) * 1000)
            tally.timings.append((kind, key, started, answered))
            tally.latencies[kind].append(mine[-1])
            if kind == "identify" and status == 200:
                found = DECISION_ID.match(body)
                if found is None:
                    tally.failures.append(f"identify {key}: no decision id in {body[:120]!r}")
                else:
                    tally.accepted[key] = int(found.group(1))
            elif kind == "case_event" and status == 201:
                tally.events += 1
            else:
                tally.failures.append(
                    f"{kind} {key} {status}: {body[:200].decode(errors='replace')}"
                )
    finally:
        connection.close()
        if mine:
            tally.per_client.append(statistics.fmean(mine))


async def run_load(households: list[dict], args: argparse.Namespace) -> tuple[Tally, float]:
    tally = Tally()
    # households must exist before their case events: one identify each, not timed
    warm = Connection(args.port)
    for household in households:
        body = json.dumps(
            {"household": household, "as_of": args.as_of, "parameters": args.parameters},
            ensure_ascii=False,
        ).encode("utf-8")
        path = f"/packs/{args.pack}/identify"
        status, text = await warm.request(
            encode("POST", path, args.port, args.token, body, f"warm-{household['id']}")
        )
        if status != 200:
            raise SystemExit(
                f"warm-up identify of {household['id']} failed: {status} {text[:300]!r}"
            )
    warm.close()
    requests = plan(households, args)
    # CPU from here on: the warm-up loaded the pack and filled the caches
    args.cpu_before = process_cpu(args.server_pid), resource.getrusage(resource.RUSAGE_SELF)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.requests):
        queue.put_nowait(i)
    started = args.started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client_loop(requests, queue, args, tally) for _ in range(args.clients))),
        timeout=args.seconds,
    )
    return tally, time.perf_counter() - started


def check_store(url: str, tally: Tally) -> tuple[int, list[str], list[str], list[str], int]:
    """(stored exactly once, missing, duplicated, answered with another id, case events stored)."""
    from sqlalchemy import text

    from fangfan_rules.store import Store

    store = Store(url)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT request_key, count(*), min(id) FROM decisions "
                    "WHERE request_key LIKE 'load-%' GROUP BY request_key"
                )
            ).all()
            events = connection.execute(text("SELECT count(*) FROM case_events")).scalar_one()
    finally:
        store.close()
    stored = {key: (int(n), int(first)) for key, n, first in rows}
    missing = [k for k in tally.accepted if k not in stored]
    duplicated = [k for k, (n, _) in stored.items() if n > 1]
    other_id = [k for k, d in tally.accepted.items() if k in stored and stored[k][1] != d]
    once = sum(1 for k in tally.accepted if k in stored and stored[k][0] == 1)
    return once, missing, duplicated, other_id, int(events)


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/packs", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if server.poll() is not None:
                raise SystemExit("the server exited before serving") from None
            time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


def wait_for_workers(port: int, workers: int, patience: float = 10) -> str:
    """Wait until every worker listens, so the clients' connections spread over all of them (a
    worker still starting gets none, and keeps none for the run). A server whose workers share
    one socket shows one listener: then wait ``patience`` seconds for its workers to start."""
    from fangfan_rules.service.workers import listeners

    started = time.monotonic()
    while (found := listeners(port)) < workers and time.monotonic() < started + 60:
        if found == 1 and time.monotonic() > started + patience:
            break
        time.sleep(0.2)
    return f"{found} listening socket(s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=300, help="give up after this long")
    parser.add_argument(
        "--workers", type=int, help="server worker processes (default: serve's, one per CPU)"
    )
    parser.add_argument(
        "--rate", type=float, default=0,
        help="offered requests/s in all (paced, open loop); 0: every client sends its next "
        "request as soon as the last is answered (closed loop, the server's saturation)",
    )  # fmt: skip
    parser.add_argument("--pack", default="qianshan_2023")
    parser.add_argument("--as-of", default="2023-06-05")
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE",
        help="caller figures (default: monitoring_income_line=7000)",
    )  # fmt: skip
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--server-python", default=sys.executable,
        help="the Python whose fangfan_rules serves (A/B: another checkout's venv, same client)",
    )  # fmt: skip
    parser.add_argument("--server-log", type=Path, help="write the server's stderr here")
    parser.add_argument(
        "--timings", type=Path,
        help="write each timed request here, a JSON line each: kind, idempotency key, when it "
        "was sent (or due, paced) and answered (time.perf_counter seconds: the system's "
        "monotonic clock on Linux, comparable with the server's)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.workers is None:
        from fangfan_rules.service.run import default_workers

        args.workers = default_workers()
    args.parameters = dict(p.split("=", 1) for p in args.param) or {
        "monitoring_income_line": "7000"
    }
    households = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for household in households:  # one county, so a county token covers them all
        household["area"]["county"] = "示例县"
    workdir = Path(tempfile.mkdtemp(prefix="ffr-load-"))
    url = args.db or f"sqlite:///{workdir / 'load.sqlite3'}"
    exe = [args.server_python, "-m", "fangfan_rules"]
    args.token = subprocess.run(
        [*exe, "token", "load", "--role", "county", "--county", "示例县", "--db", url],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    args.port = free_port()
    log = args.server_log.open("wb") if args.server_log else subprocess.DEVNULL
    serve = [*exe, "serve", "--db", url, "--port", str(args.port), "--workers", str(args.workers)]
    server = subprocess.Popen(
        serve,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_until_serving(args.port, server)
        args.sockets = (
            wait_for_workers(args.port, args.workers) if args.workers > 1 else "1 listening socket"
        )
        try:
            import uvloop

            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        args.server_pid = server.pid
        tally, elapsed = runner(run_load(households, args))
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu, client_cpu = args.cpu_before
        server_cpu = process_cpu(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    client_cpu_s = (client_after.ru_utime - client_cpu.ru_utime) + (
        client_after.ru_stime - client_cpu.ru_stime
    )
    once, missing, duplicated, other_id, events = check_store(url, tally)
    # the fresh SQLite file (tens of megabytes: each decision keeps its trace) is not kept
    shutil.rmtree(workdir, ignore_errors=True)
    if args.timings:
        with args.timings.open("w", encoding="utf-8") as out:
            for kind, key, sent, answered in tally.timings:
                out.write(
                    json.dumps({"kind": kind, "key": key, "sent": sent, "answered": answered})
                )
                out.write("\n")
    done = sum(len(v) for v in tally.latencies.values())
    mode = f"paced at {args.rate:g} requests/s" if args.rate else "closed loop (saturation)"
    print(f"service load: {args.clients} clients, {args.requests} requests, {mode}, "
          f"{args.workers} worker(s), pack {args.pack}, database {url.split(':', 1)[0]}")  # fmt: skip
    print(f"  server: {' '.join(serve)} ({os.cpu_count()} CPUs here, "
          f"{'uvloop' if find_spec('uvloop') else 'asyncio'} loop, "
          f"{'httptools' if find_spec('httptools') else 'h11'} parser, {args.sockets})")  # fmt: skip
    print(f"  elapsed {elapsed:.1f} s, {done / elapsed:.0f} requests/s, "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    for kind, values in tally.latencies.items():
        if values:
            print(
                f"  {kind:<11} n={len(values):>5}  p50 {statistics.median(values):6.1f} ms  "
                f"p90 {percentile(values, 0.9):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
            )
    spread = sorted(tally.per_client)
    if spread:
        print(f"  mean latency per client: fastest {spread[0]:.1f} ms, median "
              f"{statistics.median(spread):.1f} ms, slowest {spread[-1]:.1f} ms")  # fmt: skip
    print(f"  CPU per request: server {server_cpu / done * 1000:.2f} ms, "
          f"this client {client_cpu_s / done * 1000:.2f} ms")  # fmt: skip
    print(f"  accepted decisions {len(tally.accepted)}, stored exactly once: {once}, "
          f"missing {len(missing)}, duplicated {len(duplicated)}, stored under another id "
          f"{len(other_id)}; case events accepted {tally.events}, stored {events}; "
          f"failed requests {len(tally.failures)}")  # fmt: skip
    for failure in tally.failures[:5]:
        print("   ", failure)
    p99 = percentile(tally.latencies["identify"], 0.99) if tally.latencies["identify"] else 0.0
    print(f"  target p99 < 50 ms for identify: {'met' if p99 < 50 else 'MISSED'} ({p99:.1f} ms)")
    if not args.rate:
        # Little's law: with every client always waiting, mean latency = clients / throughput.
        print(f"  (closed loop: {args.clients} clients always waiting need "
              f"{args.clients / 0.05:.0f} requests/s for a 50 ms mean; this run served "
              f"{done / elapsed:.0f})")  # fmt: skip
    ok = not (missing or duplicated or other_id or tally.failures) and events == tally.events
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
