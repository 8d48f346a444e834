"""foundation: departments, tokens, subjects, records, batches

Revision ID: 0001
Revises:
Create Date: 2026-11-27 19:00:10.700206
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "departments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("uscc", name=op.f("uq_departments_uscc")),
    )
    op.create_table(
        "subjects",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("id_number", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["subjects.id"], name=op.f("fk_subjects_merged_into_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint("public_id", name=op.f("uq_subjects_public_id")),
        sa.UniqueConstraint("subject_key", name=op.f("uq_subjects_subject_key")),
        sa.UniqueConstraint("uscc", name=op.f("uq_subjects_uscc")),
    )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subjects_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index("ix_subjects_name", ["name"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_api_tokens_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("catalog_version", sa.String(length=32), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_batches_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_table(
        "subject_codes",
        sa.Column("code_type", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_codes_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("code_type", "code", name=op.f("pk_subject_codes")),
    )
    with op.batch_alter_table("subject_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_codes_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "batch_issues",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("column", sa.String(length=200), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_batch_issues_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_issues")),
    )
    with op.batch_alter_table("batch_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_issues_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "records",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("natural_key", sa.String(length=400), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("catalog_version", sa.String(length=32), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("submitted", sa.JSON(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_records_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_records_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_records_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("record_type", "natural_key", name=op.f("uq_records_record_type")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_batch_id", ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_records_department_decision", ["department_id", "decision_date"], unique=False
        )
        batch_op.create_index("ix_records_subject_id", ["subject_id"], unique=False)

    op.create_table(
        "record_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "previous_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("previous_submitted", sa.JSON(), nullable=True),
        sa.Column("previous_batch_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_record_history_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["previous_batch_id"], ["batches.id"], name=op.f("fk_record_history_previous_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_history_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_history")),
    )
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_history_record_id"), ["record_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_history_record_id"))

    op.drop_table("record_history")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_subject_id")
        batch_op.drop_index("ix_records_department_decision")
        batch_op.drop_index("ix_records_batch_id")

    op.drop_table("records")
    with op.batch_alter_table("batch_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_issues_batch_id"))

    op.drop_table("batch_issues")
    with op.batch_alter_table("subject_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_codes_subject_id"))

    op.drop_table("subject_codes")
    op.drop_table("batches")
    op.drop_table("api_tokens")
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_subjects_name")
        batch_op.drop_index(batch_op.f("ix_subjects_merged_into_id"))

    op.drop_table("subjects")
    op.drop_table("departments")
