"""sanctions: checks with receipts, feedback and applied measures; reasons of amended history rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 20:47:13.763465
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=True),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("query_kind", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("case_reference", sa.String(length=100), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("measure_codes", sa.String(length=400), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_checks_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_checks_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index("ix_checks_department_at", ["department_id", "at"], unique=False)
        batch_op.create_index("ix_checks_subject_at", ["subject_id", "at"], unique=False)

    op.create_table(
        "check_feedback",
        sa.Column("check_id", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("measure_codes", sa.String(length=400), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["checks.id"], name=op.f("fk_check_feedback_check_id_checks")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_check_feedback_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("check_id", name=op.f("pk_check_feedback")),
    )
    op.create_table(
        "check_applied_measures",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("check_id", sa.String(length=32), nullable=False),
        sa.Column("measure_code", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["check_feedback.check_id"],
            name=op.f("fk_check_applied_measures_check_id_check_feedback"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_check_applied_measures_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_applied_measures")),
    )
    with op.batch_alter_table("check_applied_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_applied_measures_check_id"), ["check_id"], unique=False)
        batch_op.create_index("ix_check_applied_measures_month", ["month", "measure_code"], unique=False)

    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.drop_column("reason")

    with op.batch_alter_table("check_applied_measures", schema=None) as batch_op:
        batch_op.drop_index("ix_check_applied_measures_month")
        batch_op.drop_index(batch_op.f("ix_check_applied_measures_check_id"))

    op.drop_table("check_applied_measures")
    op.drop_table("check_feedback")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_subject_at")
        batch_op.drop_index("ix_checks_department_at")

    op.drop_table("checks")
