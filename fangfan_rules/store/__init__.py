"""The case store (optional extra ``[service]``): household snapshots, cases and events, every
decision with the facts and pack it was made on, API tokens by area and an append-only audit log,
on SQLite (the embedded default) or PostgreSQL. The core library never imports this package."""

from fangfan_rules.store.access import ROLES, Principal, Role, new_token, token_hash
from fangfan_rules.store.store import (
    DEFAULT_URL,
    AccessDenied,
    Store,
    StoredDecision,
    StoreError,
    make_engine,
    migrate,
)

__all__ = [
    "DEFAULT_URL",
    "ROLES",
    "AccessDenied",
    "Principal",
    "Role",
    "Store",
    "StoreError",
    "StoredDecision",
    "make_engine",
    "migrate",
    "new_token",
    "token_hash",
]
