"""exchange: how far each feed's history was read past its last batch with nothing found for it

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exchange_feed_marks",
        sa.Column("feed", sa.String(length=4), nullable=False),
        sa.Column("after_history_id", BIG_ID, nullable=False),
        sa.Column("scanned_upto", BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_exchange_feed_marks")),
    )


def downgrade() -> None:
    op.drop_table("exchange_feed_marks")
