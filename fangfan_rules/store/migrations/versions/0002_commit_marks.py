"""Commit marks: one row per group transaction in flight or just committed, so a commit that
raised can be told apart from one that committed (fangfan_rules/store/commitmark.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("commit_marks", sa.Column("token", sa.String(64), primary_key=True))


def downgrade() -> None:
    op.drop_table("commit_marks")
