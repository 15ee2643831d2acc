"""Running fangfan-rules for a county office: ``serve`` (the HTTP service) and ``token`` (API
tokens by area). Needs the ``[service]`` extra."""

from __future__ import annotations

import argparse
from pathlib import Path

import rich_click as click

from fangfan_rules.errors import FangfanError


def _service() -> object:
    try:
        from fangfan_rules.service import run
    except ImportError as exc:  # the extra is not installed
        raise FangfanError(
            f"the service needs the [service] extra: pip install 'fangfan-rules[service]' ({exc.name} "
            "is missing)"
        ) from None
    return run


@click.command("serve")
@click.option(
    "--db", help="Database URL (default: sqlite:///fangfan-rules.sqlite3 here; or postgresql://…)."
)
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Deployment file (YAML): database and the county's figures per pack.")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes [default: one per CPU].")  # fmt: skip
@click.option(
    "--access-log",
    is_flag=True,
    help="Log a line per request on stdout (off by default: the audit log keeps each).",
)
def serve(
    db: str | None,
    config: Path | None,
    host: str,
    port: int,
    workers: int | None,
    access_log: bool,
) -> int:
    """Start the HTTP service (OpenAPI page at /docs, web page at /ui) on the case store."""
    run = _service()
    args = argparse.Namespace(
        db=db, config=config, host=host, port=port, workers=workers, access_log=access_log
    )
    return int(run.serve(args))  # type: ignore[attr-defined]


@click.command("token")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["village", "town", "county"]),
              help="Whose area the token covers: one village, a town's villages, or the county.")  # fmt: skip
@click.option("--county", required=True, help="The county (区县/旗).")
@click.option("--town", help="The town (乡镇/苏木): needed for town and village tokens.")
@click.option("--village", help="The village (村/嘎查): needed for village tokens.")
@click.option(
    "--reveal-ids", is_flag=True, help="The holder may see unmasked ID numbers (audited)."
)
@click.option("--db", help="Database URL (default: sqlite:///fangfan-rules.sqlite3 here).")
def token(
    name: str,
    role: str,
    county: str,
    town: str | None,
    village: str | None,
    reveal_ids: bool,
    db: str | None,
) -> int:
    """Create an API token for NAME, limited to an area; printed once, stored only as a hash."""
    run = _service()
    args = argparse.Namespace(name=name, role=role, county=county, town=town, village=village,
                              reveal_ids=reveal_ids, db=db)  # fmt: skip
    try:
        return int(run.create_token(args))  # type: ignore[attr-defined]
    except ValueError as exc:
        raise FangfanError(str(exc)) from None


COMMANDS = [serve, token]
