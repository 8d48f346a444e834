"""records, record_history: indexes for the evaluation's scoring reads and its re-grading sweep

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 12:00:00

The scoring statement reads, per record type, the active records of a chunk of subjects. With only
ix_records_subject_id and the (record_type, natural_key) key, PostgreSQL ANDed the chunk's bitmap with
a bitmap of every record of the type in each chunk: work that grows with the whole store, per chunk.
This partial index answers "active records of type T of these subjects" by itself.

The re-grading sweep looks for changes after a high-water mark (the start of the last full run): by
the time of a history row, or by its batch (a batch's rows count from the batch's completion). Both
are indexes on an append-only table whose values arrive in order (cheap to keep up on ingest).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_index(
        "ix_records_active_type_subject",
        "records",
        ["record_type", "subject_id"],
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )
    op.create_index("ix_record_history_at", "record_history", ["at"])
    op.create_index("ix_record_history_batch_id", "record_history", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_record_history_batch_id", table_name="record_history")
    op.drop_index("ix_record_history_at", table_name="record_history")
    op.drop_index("ix_records_active_type_subject", table_name="records")
