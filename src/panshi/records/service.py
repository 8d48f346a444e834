"""Credit records: reading a subject's records with provenance and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from panshi.accounts.service import departments_by_id
from panshi.ingest.service import batch_headers, label_submitted
from panshi.records import repository
from panshi.records.models import Record
from panshi.records.schemas import HistoryEventOut, ProvenanceOut


def count_records(session: Session) -> int:
    """How many records the store holds (current versions)."""
    return repository.count(session)


def records_of_subject_raw(
    session: Session, subject_id: int, *, public_on: date | None = None, public_types: Sequence[str] = ()
) -> Sequence[Record]:
    """A subject's stored records (for the access layer); only the public ones when `public_on` is given."""
    return repository.of_subject(session, subject_id, public_on=public_on, public_types=public_types)


def get_raw(session: Session, record_id: int) -> Record | None:
    return repository.get(session, record_id)


def is_publicly_visible(session: Session, record_id: int, *, on: date, public_types: Sequence[str]) -> bool:
    return repository.is_publicly_visible(session, record_id, on=on, public_types=public_types)


def public_listing(session: Session, **where: Any) -> tuple[list[Record], int]:
    """A page of records in their publicity window (see repository.public_listing)."""
    return repository.public_listing(session, **where)


def counts_by_type_of_department(session: Session, department_id: int) -> dict[str, int]:
    return repository.counts_by_type_of_department(session, department_id)


def provenance_of(session: Session, rows: Sequence[Record]) -> dict[int, ProvenanceOut]:
    """Each record's provenance (来源), with the values as submitted under their original headers."""
    departments = departments_by_id(session, (r.department_id for r in rows))
    headers = batch_headers(session, (r.batch_id for r in rows))
    return {
        r.id: ProvenanceOut(
            department_name=departments[r.department_id].name, department_uscc=departments[r.department_id].uscc,
            batch_id=r.batch_id, source_row=r.source_row, received_at=r.received_at, content_hash=r.content_hash,
            catalog_version=r.catalog_version, submitted=label_submitted(headers[r.batch_id], r.submitted),
        )
        for r in rows
    }  # fmt: skip


def history_by_record(session: Session, record_ids: list[int]) -> dict[int, list[HistoryEventOut]]:
    history: dict[int, list[HistoryEventOut]] = defaultdict(list)
    for h in repository.history_of(session, record_ids):
        history[h.record_id].append(
            HistoryEventOut(version=h.version, event=h.event, batch_id=h.batch_id, actor=h.actor, at=h.at)
        )
    return dict(history)


def counts_by_department(session: Session) -> dict[int, int]:
    """Records held per source department."""
    return repository.counts_by_department(session)
