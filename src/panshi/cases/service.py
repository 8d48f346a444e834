"""What other domains read about cases: which records have an open objection (异议处理中).

The workflows themselves (filing, deciding, reading cases) are in `panshi.cases.workflow` and
`panshi.cases.filing`; evidence files in `panshi.cases.evidence`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from panshi.cases import repository

OBJECTION_OPEN_LABEL = "异议处理中"


def open_objection_record_ids(session: Session, record_ids: Iterable[int]) -> set[int]:
    """Of these records, those with an open objection (one query for a whole page of records)."""
    return repository.open_objection_record_ids(session, record_ids)
