"""Load test of the HTTP service, on loopback only, bounded in requests and time.

Starts ``fangfan-rules serve`` in its own process on a fresh SQLite file (or ``--db``), creates a
county token, then runs CONCURRENCY clients at once, each sending identify calls for households
of the bundled synthetic sample (each with its own Idempotency-Key) and a case event now and then.
Prints requests/s and p50 / p90 / p99 latency per kind, and checks that every accepted decision
is in the store exactly once (one decision per key, none missing, none duplicated).

    .venv/bin/python benchmarks/service_load.py                       # 50 clients, 2,000 requests
    .venv/bin/python benchmarks/service_load.py --clients 50 --requests 5000 --workers 2
    .venv/bin/python benchmarks/service_load.py --rate 40       # paced: 40 requests/s offered

Target (issue 16, on the 2-core development machine): p99 under 50 ms for single-household
identify at 50 concurrent clients; zero lost or duplicated decisions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_households.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def client_loop(
    client: httpx.AsyncClient,
    queue: asyncio.Queue[int],
    households: list[dict],
    args: argparse.Namespace,
    latencies: dict[str, list[float]],
    accepted: list[str],
    failures: list[str],
) -> None:
    while True:
        try:
            i = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        household = households[i % len(households)]
        if i % 10 == 9:
            kind = "case_event"
            url = f"/cases/{household['id']}/{args.pack}/events"
            body: dict = {"step": "clue_received", "date": args.as_of}
            headers = {}
        else:
            kind = "identify"
            url = f"/packs/{args.pack}/identify"
            body = {"household": household, "as_of": args.as_of, "parameters": args.parameters}
            headers = {"Idempotency-Key": f"load-{i}"}
        started = time.perf_counter()
        if args.rate:
            # paced: request i is due at start + i / rate; latency counts from when it was due,
            # so a server falling behind shows in the figures (no coordinated omission)
            due = args.started + i / args.rate
            if due > started:
                await asyncio.sleep(due - started)
            started = due
        response = await client.post(url, json=body, headers=headers)
        latencies[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code in (200, 201):
            if kind == "identify":
                accepted.append(f"load-{i}")
        else:
            failures.append(f"{kind} {response.status_code}: {response.text[:200]}")


async def run_load(base: str, token: str, households: list[dict], args: argparse.Namespace) -> dict:
    latencies: dict[str, list[float]] = {"identify": [], "case_event": []}
    accepted: list[str] = []
    failures: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.requests):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        limits=limits,
    ) as client:
        # households must exist before their case events: one identify each, not timed
        for household in households:
            await client.post(
                f"/packs/{args.pack}/identify",
                json={"household": household, "as_of": args.as_of, "parameters": args.parameters},
                headers={"Idempotency-Key": f"warm-{household['id']}"},
            )
        started = args.started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    client_loop(client, queue, households, args, latencies, accepted, failures)
                    for _ in range(args.clients)
                )
            ),
            timeout=args.seconds,
        )
        elapsed = time.perf_counter() - started
    return {
        "elapsed": elapsed,
        "latencies": latencies,
        "accepted": accepted,
        "failures": failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=300, help="give up after this long")
    parser.add_argument("--workers", type=int, default=1)
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
    args = parser.parse_args()
    args.parameters = dict(p.split("=", 1) for p in args.param) or {
        "monitoring_income_line": "7000"
    }
    households = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for household in households:  # one county, so a county token covers them all
        household["area"]["county"] = "示例县"
    workdir = Path(tempfile.mkdtemp(prefix="ffr-load-"))
    url = args.db or f"sqlite:///{workdir / 'load.sqlite3'}"
    exe = [sys.executable, "-m", "fangfan_rules"]
    token = subprocess.run(
        [*exe, "token", "load", "--role", "county", "--county", "示例县", "--db", url],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*exe, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/packs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        result = asyncio.run(run_load(base, token, households, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    from fangfan_rules.store import Store

    store = Store(url)
    stored = {key: store.count_decisions(key) for key in result["accepted"]}
    missing = [k for k, n in stored.items() if n == 0]
    duplicated = [k for k, n in stored.items() if n > 1]
    mode = f"paced at {args.rate:g} requests/s" if args.rate else "closed loop (saturation)"
    print(f"service load: {args.clients} clients, {args.requests} requests, {mode}, "
          f"{args.workers} worker(s), pack {args.pack}, database {url.split(':', 1)[0]}")  # fmt: skip
    print(
        f"  elapsed {result['elapsed']:.1f} s, {args.requests / result['elapsed']:.0f} requests/s"
    )
    for kind, values in result["latencies"].items():
        if values:
            print(
                f"  {kind:<11} n={len(values):>5}  p50 {statistics.median(values):6.1f} ms  "
                f"p90 {percentile(values, 0.9):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
            )
    print(f"  accepted decisions {len(result['accepted'])}, stored exactly once: "
          f"{len(stored) - len(missing) - len(duplicated)}, missing {len(missing)}, "
          f"duplicated {len(duplicated)}, failed requests {len(result['failures'])}")  # fmt: skip
    for failure in result["failures"][:5]:
        print("   ", failure)
    p99 = percentile(result["latencies"]["identify"], 0.99)
    print(f"  target p99 < 50 ms for identify: {'met' if p99 < 50 else 'MISSED'} ({p99:.1f} ms)")
    if not args.rate:
        # Little's law: with every client always waiting, mean latency = clients / throughput.
        print(f"  (closed loop: {args.clients} clients always waiting need "
              f"{args.clients / 0.05:.0f} requests/s for a 50 ms mean; this run served "
              f"{args.requests / result['elapsed']:.0f})")  # fmt: skip
    return 0 if not missing and not duplicated and not result["failures"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
