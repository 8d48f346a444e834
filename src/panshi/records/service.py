"""Credit records: reading a subject's records with provenance and history."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from panshi.accounts.service import departments_by_id
from panshi.catalog.service import load_catalog
from panshi.ingest.service import batch_headers, label_submitted
from panshi.records import repository
from panshi.records.schemas import HistoryEventOut, ProvenanceOut, RecordOut


def count_records(session: Session) -> int:
    """How many records the store holds (current versions)."""
    return repository.count(session)


def records_of_subject(session: Session, subject_id: int) -> list[RecordOut]:
    """Every record of a subject, newest decision first, each with its provenance and history."""
    records = repository.of_subject(session, subject_id)
    history: dict[int, list[HistoryEventOut]] = defaultdict(list)
    for h in repository.history_of(session, [r.id for r in records]):
        history[h.record_id].append(
            HistoryEventOut(version=h.version, event=h.event, batch_id=h.batch_id, actor=h.actor, at=h.at)
        )
    departments = departments_by_id(session, (r.department_id for r in records))
    headers = batch_headers(session, (r.batch_id for r in records))
    types = load_catalog().record_types
    return [
        RecordOut(
            id=r.id, record_type=r.record_type,
            record_type_label=types[r.record_type].label if r.record_type in types else r.record_type,
            status=r.status, version=r.version, decision_date=r.decision_date, data=r.data,
            provenance=ProvenanceOut(
                department_name=departments[r.department_id].name,
                department_uscc=departments[r.department_id].uscc, batch_id=r.batch_id, source_row=r.source_row,
                received_at=r.received_at, content_hash=r.content_hash, catalog_version=r.catalog_version,
                submitted=label_submitted(headers[r.batch_id], r.submitted),
            ),
            history=history[r.id],
        )
        for r in records
    ]  # fmt: skip
