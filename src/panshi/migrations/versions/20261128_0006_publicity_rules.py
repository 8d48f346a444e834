"""publicity windows from rule data: the rule version per record, the minimum-period end, and the publicity job's closing mark

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 00:00:00

- records.publicity_rule: the rule version that computed the record's window (e.g. national-2023.1).
- records.publicity_minimum_end: the last day of the minimum publicity period (repair from the next day).
- records.publicity_closed_on / publicity_closed_reason (expired | repaired | withdrawn): set when
  the record left public view. Existing records keep their window until `panshi publicity recompute`.
- ix_records_publicity_open_end: the publicity job's look-up (open windows by end), partial so that
  closed and endless records cost no index entry.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN_END = sa.text("publicity_closed_on IS NULL AND publicity_end IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publicity_rule", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("publicity_minimum_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("publicity_closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("publicity_closed_reason", sa.String(length=16), nullable=True))
    op.create_index(
        "ix_records_publicity_open_end", "records", ["publicity_end"],
        postgresql_where=_OPEN_END, sqlite_where=_OPEN_END,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_records_publicity_open_end", table_name="records")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("publicity_closed_reason")
        batch_op.drop_column("publicity_closed_on")
        batch_op.drop_column("publicity_minimum_end")
        batch_op.drop_column("publicity_rule")
