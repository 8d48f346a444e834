"""catalog_documents: versions of the sanctions and record catalogs installed beyond the package data

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:00:00

A province publishes a new measures (or record catalog) version; it flows down the exchange and each
node below installs it here. Loading sees these versions beside the package's (catalog/installed.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "catalog_documents",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("origin_region", sa.String(length=6), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_documents")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_catalog_documents_kind")),
    )


def downgrade() -> None:
    op.drop_table("catalog_documents")
