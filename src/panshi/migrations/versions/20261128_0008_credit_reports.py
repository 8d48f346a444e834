"""credit reports (信用报告): issued reports with number, verification code and hash

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_reports",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("serial", BIG_ID, nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("subject_code", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("issued_to", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_credit_reports_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_reports")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_reports_number")),
        sa.UniqueConstraint("serial", name=op.f("uq_credit_reports_serial")),
    )
    with op.batch_alter_table("credit_reports", schema=None) as batch_op:
        batch_op.create_index("ix_credit_reports_subject_issued", ["subject_id", "issued_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Report serials: nextval never waits for another transaction (a rolled-back issue leaves a gap).
        # SQLite has one writer at a time and takes max(serial) + 1 under its write lock instead.
        op.execute("CREATE SEQUENCE credit_report_serial AS bigint START WITH 1")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS credit_report_serial")
    with op.batch_alter_table("credit_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_reports_subject_issued")
    op.drop_table("credit_reports")
