"""Idempotency keys per token: the key of one token is not the key of another, and a token is
never told that another used a key (audit attack10 finding 7). The primary key of ``idempotency``
becomes (token_name, key); the rows kept are copied as they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = "token_name, key, request_sha256, status, response, created_at"


def _table(name: str, *primary: str) -> None:
    op.create_table(
        name,
        sa.Column("token_name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*primary, name=f"{name}_pkey"),
    )


def _swap(new: str, copy: str) -> None:
    op.execute(f"INSERT INTO {new} ({COLUMNS}) {copy}")
    op.drop_table("idempotency")
    op.rename_table(new, "idempotency")
    if op.get_bind().dialect.name == "postgresql":  # the constraint keeps its name on a rename
        op.execute(f"ALTER TABLE idempotency RENAME CONSTRAINT {new}_pkey TO idempotency_pkey")


def upgrade() -> None:
    _table("idempotency_by_token", "token_name", "key")
    _swap("idempotency_by_token", f"SELECT {COLUMNS} FROM idempotency")


def downgrade() -> None:
    # one row per key again: where two tokens used one key, the first token's is kept
    _table("idempotency_by_key", "key")
    _swap(
        "idempotency_by_key",
        f"SELECT {COLUMNS} FROM idempotency AS i WHERE NOT EXISTS (SELECT 1 FROM idempotency "
        "AS j WHERE j.key = i.key AND j.token_name < i.token_name)",
    )
