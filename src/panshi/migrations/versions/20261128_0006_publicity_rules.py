"""publicity windows from rule data: the rule version per record, the minimum-period end, and the publicity job's closing mark

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the work on this revision


def downgrade() -> None:
    pass
