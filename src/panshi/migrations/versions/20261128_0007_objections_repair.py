"""objections (异议), credit repair (信用修复), credit commitments, evidence files and notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 00:00:00

- cases: objections and repair applications (one table, `kind`), with a version for optimistic
  locking and `open_key` (unique while open) for one open case of each kind per record.
- case_events: every step of a case. credit_commitments: 信用承诺 (one per repair application).
- evidence_files: uploaded evidence (stored outside the web root under generated names).
- notices, notice_reads, notice_addresses: in-app notices, who read them, the email outbox's addresses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", BIG_ID, nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("open_key", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_by_role", sa.String(length=16), nullable=False),
        sa.Column("filed_at", MOMENT, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("deadline_unknown", sa.Boolean(), nullable=False),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_key", name=op.f("uq_cases_open_key")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_record_id", ["record_id"], unique=False)
        batch_op.create_index("ix_cases_subject_id", ["subject_id"], unique=False)
        batch_op.create_index("ix_cases_queue", ["department_id", "due_on"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)
    op.create_table(
        "credit_commitments",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("commitment_type", sa.String(length=16), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("subject_code", sa.String(length=64), nullable=False),
        sa.Column("subject_category", sa.String(length=16), nullable=False),
        sa.Column("legal_representative", sa.String(length=100), nullable=False),
        sa.Column("cause", sa.String(length=500), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("liability", sa.String(length=500), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("acceptor", sa.String(length=200), nullable=False),
        sa.Column("acceptor_code", sa.String(length=18), nullable=False),
        sa.Column("disclosure", sa.String(length=16), nullable=False),
        sa.Column("fulfilment", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_commitments")),
        sa.UniqueConstraint("case_id", name=op.f("uq_credit_commitments_case_id")),
        sa.UniqueConstraint("code", name=op.f("uq_credit_commitments_code")),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("file_type", sa.String(length=8), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_evidence_files_stored_name")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_case_id"), ["case_id"], unique=False)
    op.create_table(
        "notices",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("audience_key", sa.String(length=80), nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("email_state", sa.String(length=8), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_audience", ["audience", "audience_key", "created_at"], unique=False)
        batch_op.create_index("ix_notices_email_state", ["email_state"], unique=False)
    op.create_table(
        "notice_reads",
        sa.Column("notice_id", BIG_ID, nullable=False),
        sa.Column("reader", sa.String(length=200), nullable=False),
        sa.Column("read_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("notice_id", "reader", name=op.f("pk_notice_reads")),
    )
    op.create_table(
        "notice_addresses",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=True),
        sa.Column("department_id", BIG_ID, nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notice_addresses")),
    )
    with op.batch_alter_table("notice_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_addresses_subject_key"), ["subject_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notice_addresses_department_id"), ["department_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("notice_addresses")
    op.drop_table("notice_reads")
    op.drop_table("notices")
    op.drop_table("evidence_files")
    op.drop_table("credit_commitments")
    op.drop_table("case_events")
    op.drop_table("cases")
