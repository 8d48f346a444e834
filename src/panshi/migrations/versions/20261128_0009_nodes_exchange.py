"""node identity and peers, exchange log, national export runs (three tiers)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    # The home node of a record (DESIGN §3.8); NULL: this node, where every ingested record lives.
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_region", sa.String(length=6), nullable=True))
    op.create_table(
        "exchange_nodes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=8), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_nodes")),
        sa.UniqueConstraint("region_code", name=op.f("uq_exchange_nodes_region_code")),
    )
    op.create_table(
        "exchange_batches",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("first_history_id", BIG_ID, nullable=False),
        sa.Column("last_history_id", BIG_ID, nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_exchange_batches")),
    )
    op.create_table(
        "exchange_cursors",
        sa.Column("peer_region", sa.String(length=6), nullable=False),
        sa.Column("applied_seq", BIG_ID, nullable=False),
        sa.Column("applied_hash", sa.String(length=64), nullable=False),
        sa.Column("latest_seq", BIG_ID, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("peer_region", name=op.f("pk_exchange_cursors")),
    )
    op.create_table(
        "exchange_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=False),
        sa.Column("peer_region", sa.String(length=6), nullable=True),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("seq", BIG_ID, nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("at", TIME, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_log")),
    )
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_log_peer_at", ["peer_region", "at"], unique=False)
    op.create_table(
        "national_exports",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("after_history_id", BIG_ID, nullable=False),
        sa.Column("upto_history_id", BIG_ID, nullable=False),
        sa.Column("received_from", sa.Date(), nullable=True),
        sa.Column("received_to", sa.Date(), nullable=True),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("directory", sa.String(length=1000), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_exports")),
    )


def downgrade() -> None:
    op.drop_table("national_exports")
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_log_peer_at")
    op.drop_table("exchange_log")
    op.drop_table("exchange_cursors")
    op.drop_table("exchange_batches")
    op.drop_table("exchange_nodes")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("home_region")
