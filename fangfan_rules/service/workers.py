"""Several worker processes on one port, each with a listening socket of its own.

uvicorn's ``workers=N`` shares one listening socket between its processes: whichever process is
waiting when a burst of connections arrives accepts most of them, and as a county's systems keep
their connections open, one process then serves most clients while the other idles. Measured
with ``benchmarks/service_load.py`` (50 keep-alive clients, 2 workers): the clients' mean latency
was 110 ms for the fastest and 530 ms for the median, most connections on one process. Here
each process binds the port itself with ``SO_REUSEPORT``, and the kernel spreads new
connections over the processes' sockets evenly (by a hash of each connection's addresses).

The parent process only starts the workers, starts one again if it dies, starts them all again
on SIGHUP (as uvicorn's supervisor does: a reload) and stops them on SIGINT / SIGTERM. A worker
asks the kernel for SIGTERM when its parent dies (Linux ``PR_SET_PDEATHSIG``), so a parent
killed outright leaves no worker serving the port. Before they start, it binds the port once without ``SO_REUSEPORT``: that fails
when anything listens there already, another instance of the service included (whose sockets
would otherwise share the port with these and take some of their connections).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

logger = logging.getLogger("uvicorn.error")

#: the exit status of a uvicorn server that could not start (its ``STARTUP_FAILURE``): starting
#: it again would fail the same way
STARTUP_FAILURE = 3


def listening_socket(host: str, port: int, *, shared: bool) -> socket.socket:
    """A TCP socket bound to ``host:port``; ``shared``: with ``SO_REUSEPORT``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def listeners(port: int) -> int:
    """How many sockets listen on TCP ``port`` on this machine (one per worker here; Linux's
    ``/proc/net``, 0 elsewhere)."""
    count = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            count += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port  # 0A: LISTEN
    return count


def _die_with_parent(parent: int) -> None:
    """SIGTERM this worker when its parent process dies (Linux ``prctl(PR_SET_PDEATHSIG)``);
    exit at once if the parent is already gone."""
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - not Linux's libc
        logger.warning("worker [%s] cannot ask to be stopped with its parent", os.getpid())
    if os.getppid() != parent:  # the parent died before the request took effect
        raise SystemExit(0)


def _worker(app: str, host: str, port: int, parent: int, access_log: bool) -> None:
    """One worker process: its own socket on the shared port, a uvicorn server on it."""
    import uvicorn

    _die_with_parent(parent)
    try:
        sock = listening_socket(host, port, shared=True)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", host, port, exc)
        raise SystemExit(STARTUP_FAILURE) from exc
    config = uvicorn.Config(app, factory=True, host=host, port=port, access_log=access_log)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(app: str, host: str, port: int, workers: int, *, access_log: bool = False) -> int:
    """Serve the app factory named ``app`` (``module:function``) from ``workers`` processes on
    ``host:port`` until SIGINT or SIGTERM; the exit status (1 if the port is taken or a worker
    could not start); ``access_log``: uvicorn's line per request on stdout. Where the kernel
    does not spread a port's connections over its sockets (``SO_REUSEPORT`` as Linux has it),
    uvicorn's own workers serve, on one shared socket."""
    if sys.platform != "linux":
        import uvicorn

        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, access_log=access_log)
        return 0
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", host, port, exc)
        return 1
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no state of this one

    def start() -> BaseProcess:
        process = spawn.Process(
            target=_worker, args=(app, host, port, os.getpid(), access_log), daemon=False
        )
        process.start()
        return process

    stopping: list[int] = []
    reloading: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    def reload(signum: int, _frame: FrameType | None) -> None:
        reloading.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, reload)
    processes = [start() for _ in range(workers)]
    status = 0
    try:
        while not stopping:
            wait([p.sentinel for p in processes], timeout=0.5)
            if reloading and not stopping:
                reloading.clear()
                logger.info("SIGHUP: starting the workers again")
                for index, process in enumerate(processes):  # one at a time: the port stays served
                    process.terminate()
                    process.join()
                    processes[index] = start()
                continue
            for index, process in enumerate(processes):
                if stopping or process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    logger.error("worker [%s] could not start; stopping", process.pid)
                    stopping.append(0)
                    status = 1
                    break
                logger.warning("worker [%s] died (%s); starting another", process.pid,
                               process.exitcode)  # fmt: skip
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        for process in processes:
            process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status
