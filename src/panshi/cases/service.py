"""What other domains ask of cases: which records have an open objection (异议处理中); the exchange's
hand-over of a decision taken at another node, and of the home node's answer (remote.py).

The workflows themselves (filing, deciding, reading cases) are in `panshi.cases.workflow` and
`panshi.cases.filing`; evidence files in `panshi.cases.evidence`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from panshi.cases import repository

OBJECTION_OPEN_LABEL = "异议处理中"


def open_objection_record_ids(session: Session, record_ids: Iterable[int]) -> set[int]:
    """Of these records, those with an open objection (one query for a whole page of records)."""
    return repository.open_objection_record_ids(session, record_ids)


def objection_open_sql(record_id: Any) -> Any:
    """SQL of whether a record (its id, a column of another domain's query) has an open objection, so
    that a page of records reads the flag with its records (see open_objection_record_ids)."""
    return repository.objection_open_sql(record_id)


def answer_home_request(session: Session, body: dict[str, Any], *, origin: str) -> dict[str, Any]:
    """Carry out, as the record's home node, a case decision taken at node `origin`; the answer."""
    from panshi.cases import remote

    return remote.answer_home_request(session, body, origin=origin)


def take_home_reply(session: Session, body: dict[str, Any], *, origin: str) -> str:
    """The home node's answer to a case decision taken here; what became of the case."""
    from panshi.cases import remote

    return remote.take_home_reply(session, body, origin=origin)
