"""exchange messages (case requests to a record's home node, their replies, catalog documents) carried
by the feeds; a case's request waiting at the home node

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exchange_messages",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("uid", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin_region", sa.String(length=6), nullable=False),
        sa.Column("target_region", sa.String(length=6), nullable=True),
        sa.Column("feed", sa.String(length=4), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_from", sa.String(length=6), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_messages")),
        sa.UniqueConstraint("uid", name=op.f("uq_exchange_messages_uid")),
    )
    op.create_index("ix_exchange_messages_feed_id", "exchange_messages", ["feed", "id"])
    # A batch's cursor into the messages beside its cursor into record_history (0: none carried yet).
    with op.batch_alter_table("exchange_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_message_id", BIG_ID, nullable=False, server_default="0"))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_request", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_cases_home_request"), ["home_request"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_cases_home_request"), type_="unique")
        batch_op.drop_column("home_request")
    with op.batch_alter_table("exchange_batches", schema=None) as batch_op:
        batch_op.drop_column("last_message_id")
    op.drop_index("ix_exchange_messages_feed_id", table_name="exchange_messages")
    op.drop_table("exchange_messages")
