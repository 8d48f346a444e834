"""ingest speed: sparse submitted values, no per-row checks of keys the batch guarantees

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:00:00

- batches.header_fields: the field each column was read as; records of such batches keep only the
  submitted values that differ from their normalised data (see panshi.ingest.validate).
- ix_records_batch_id: no query reads records by batch; 1 of 6 index writes per record.
- Foreign keys whose parent the ingest creates or finds in the same transaction, and which nothing
  deletes: records.subject_id and records.department_id (found or created by the merge's joins,
  under the batch lock; a merged subject keeps its row, departments are never deleted),
  records.batch_id and record_history.batch_id / previous_batch_id (the batch row is inserted
  first; batches are never deleted) and record_history.record_id (the history row is written with
  its record, whose id is taken from the sequence first; records are never deleted). Each was a
  trigger and an index probe per row on the bulk path: together a third of the server's time for a
  new record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECORD_FKS = (
    ("fk_records_subject_id_subjects", ["subject_id"], "subjects", ["id"]),
    ("fk_records_department_id_departments", ["department_id"], "departments", ["id"]),
    ("fk_records_batch_id_batches", ["batch_id"], "batches", ["id"]),
)
_HISTORY_FKS = (
    ("fk_record_history_batch_id_batches", ["batch_id"], "batches", ["id"]),
    ("fk_record_history_previous_batch_id_batches", ["previous_batch_id"], "batches", ["id"]),
    ("fk_record_history_record_id_records", ["record_id"], "records", ["id"]),
)


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("header_fields", sa.JSON(), nullable=True))

    # record_history first: on SQLite each table is copied and the old one dropped, which its
    # foreign key to records would refuse while it stands.
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        for name, *_ in _HISTORY_FKS:
            batch_op.drop_constraint(name, type_="foreignkey")

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_batch_id")
        for name, *_ in _RECORD_FKS:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name, columns, parent, parent_columns in _RECORD_FKS:
            batch_op.create_foreign_key(name, parent, columns, parent_columns)
        batch_op.create_index("ix_records_batch_id", ["batch_id"], unique=False)

    with op.batch_alter_table("record_history", schema=None) as batch_op:
        for name, columns, parent, parent_columns in _HISTORY_FKS:
            batch_op.create_foreign_key(name, parent, columns, parent_columns)

    # In place (SQLite 3.35+): a copy of batches could not drop the table its children refer to.
    op.execute("ALTER TABLE batches DROP COLUMN header_fields")
