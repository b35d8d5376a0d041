"""accounts: the person's title (chức vụ) and a password to be changed at the next sign-in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 21:45:00

An administrator who resets a password gives the person a temporary one; `must_change_password` makes the next
sign-in ask for a new one before the window opens. Existing accounts keep their passwords (false) and have no
title yet ("").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("title")
