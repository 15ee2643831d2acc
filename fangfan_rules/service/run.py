"""Running the service: ``fangfan-rules serve`` and ``fangfan-rules token`` (tokens by area).

``serve`` with no options opens (or creates) the SQLite file ``fangfan-rules.sqlite3`` in the
current directory and listens on 127.0.0.1:8000 with one worker process per CPU
(:func:`default_workers`); ``--db postgresql://…`` points it at PostgreSQL; ``--config
county.yaml`` supplies the county's figures per pack.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fangfan_rules.errors import FangfanError
from fangfan_rules.service.settings import Settings
from fangfan_rules.store import DEFAULT_URL, ROLES, Store


def serve_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", default=None, help=f"database URL (default: {DEFAULT_URL})")
    parser.add_argument(
        "--config", type=Path, help="deployment file: database, parameters per pack"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000)")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per CPU)"
    )
    parser.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    return parser


#: Why uvicorn's line per request is off unless asked for: the audit log keeps every request
#: already (who, what, on which household, the outcome, from where), and formatting and writing
#: the line was 1.5 % of a worker's CPU under load (issue 16, ``benchmarks/service_load.py``).
ACCESS_LOG_HELP = "log a line per request on stdout (off by default: the audit log keeps each)"


def token_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("name", help="who holds the token (shown in the audit log)")
    parser.add_argument("--role", choices=ROLES, required=True, help="village, town or county")
    parser.add_argument("--county", required=True, help="the county (区县/旗)")
    parser.add_argument("--town", help="the town (乡镇/苏木); needed for town and village tokens")
    parser.add_argument("--village", help="the village (村/嘎查); needed for village tokens")
    parser.add_argument("--reveal-ids", action="store_true", help="may see unmasked ID numbers")
    parser.add_argument("--db", default=None, help=f"database URL (default: {DEFAULT_URL})")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    if getattr(args, "config", None):
        return Settings.read(args.config, database=args.db)
    return Settings(database=args.db or DEFAULT_URL)


#: the most worker processes ``serve`` starts by itself (``--workers`` may ask for more, up to 64):
#: each holds the packs and a connection pool, and on the default SQLite file every one is a writer
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One worker process per CPU this process may use, at most :data:`MAX_DEFAULT_WORKERS`.

    A request's work is Python on the event loop (the evaluation and its trace, then the group
    commit's statements), which the interpreter's lock serialises within a process: one process
    keeps one core busy. On the quiet 2-core development machine a second process served 1.7
    times the requests of one (issue 16, ``benchmarks/service_load.py``, 50 clients). The CPUs
    counted are those this process may run on and, in a container, its CPU quota (cgroup v2
    ``cpu.max``): a container limited to 2 CPUs on a 96-core host starts 2 workers, not 96."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus or quota, quota)
    return max(1, min(cpus or 1, MAX_DEFAULT_WORKERS))


def _cgroup_cpu_quota(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> int | None:
    """The CPUs a cgroup v2 quota allows (``"200000 100000"`` → 2, rounded up), None without one."""
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, -(-int(quota) // int(period)))
    except (ValueError, ZeroDivisionError):
        return None


def serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        settings.check()  # a bad figure or pack name in the deployment file: refused at start
    except FangfanError as exc:
        raise SystemExit(f"serve: {exc}") from None
    Store(settings.database).close()  # migrate once, before the workers start
    workers = args.workers or default_workers()
    access_log = bool(getattr(args, "access_log", False))
    if workers > 1 and args.port == 0:
        # each worker binds the port itself: port 0 would give each its own random port
        raise SystemExit("serve: --port 0 (any free port) needs --workers 1; choose a port")
    if workers > 1:
        # Workers build the app by name; they read the same settings from the environment.
        os.environ["FANGFAN_SERVICE_DB"] = settings.database
        if getattr(args, "config", None):
            os.environ["FANGFAN_SERVICE_CONFIG"] = str(args.config)
        from fangfan_rules.service.workers import run_workers

        return run_workers(
            "fangfan_rules.service.run:app_from_environment", args.host, args.port, workers,
            access_log=access_log,
        )  # fmt: skip
    import uvicorn

    from fangfan_rules.service.app import create_app
    from fangfan_rules.service.collector import tune_for_serving
    from fangfan_rules.service.logmask import mask_logs

    app = create_app(settings)
    tune_for_serving()
    server = uvicorn.Server(
        uvicorn.Config(app, host=args.host, port=args.port, access_log=access_log)
    )
    mask_logs()  # after uvicorn's Config has set up its loggers' handlers
    server.run()
    return 0


def app_from_environment():  # type: ignore[no-untyped-def]
    """The app as configured by ``serve`` for worker processes (uvicorn ``factory=True``); the
    worker's garbage collector is set for serving (:mod:`fangfan_rules.service.collector`)."""
    from fangfan_rules.service.app import create_app
    from fangfan_rules.service.collector import tune_for_serving
    from fangfan_rules.service.logmask import mask_logs

    # uvicorn has configured its logging by now (its Config, before it loads the app)
    mask_logs()
    config = os.environ.get("FANGFAN_SERVICE_CONFIG")
    database = os.environ.get("FANGFAN_SERVICE_DB", DEFAULT_URL)
    settings = Settings.read(Path(config), database=database) if config else Settings(database)
    app = create_app(settings)
    tune_for_serving()
    return app


def create_token(args: argparse.Namespace) -> int:
    store = Store(args.db or DEFAULT_URL)
    token = store.create_token(
        args.name, args.role, args.county, args.town, args.village, reveal_ids=args.reveal_ids
    )
    print(token)
    print(
        f"token for {args.name} ({args.role} {'/'.join(p for p in (args.county, args.town, args.village) if p)}); "
        "it is shown once and stored only as a hash",
        file=sys.stderr,
    )
    store.close()
    return 0
