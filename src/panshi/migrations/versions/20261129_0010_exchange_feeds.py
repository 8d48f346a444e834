"""exchange: two feeds per node (up to parents and equals, down to children); who connects to a peer

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A node publishes two feeds, each its own sequence and hash chain: `up` (records of its area, for
    # its parent and equals) and `down` (lists made at or above it, for its children).
    with op.batch_alter_table("exchange_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed", sa.String(length=4), nullable=False, server_default="up"))
        batch_op.drop_constraint("pk_exchange_batches", type_="primary")
        batch_op.create_primary_key("pk_exchange_batches", ["feed", "seq"])
    # How this node reaches a peer: pull (each side pulls the other's feed), push (this node connects
    # both ways: pulls the peer's feed and pushes its own), wait (the peer connects: it does both).
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=8), nullable=False, server_default="pull"))


def downgrade() -> None:
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.drop_column("link")
    op.execute("DELETE FROM exchange_batches WHERE feed <> 'up'")
    with op.batch_alter_table("exchange_batches", schema=None) as batch_op:
        batch_op.drop_constraint("pk_exchange_batches", type_="primary")
        batch_op.create_primary_key("pk_exchange_batches", ["seq"])
        batch_op.drop_column("feed")
