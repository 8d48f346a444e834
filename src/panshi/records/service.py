"""Credit records: reading a subject's records with provenance and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from panshi.accounts.service import departments_by_id
from panshi.catalog.service import get_record_type
from panshi.core.errors import NotFound, PanshiError
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.ingest.service import batch_columns, label_submitted
from panshi.records import repository
from panshi.records.models import Record
from panshi.records.schemas import HistoryEventOut, ProvenanceOut
from panshi.subjects import service as subjects

# Above this many rows an exact count costs a scan of the table (~0.3 s at 10 million): say "about".
EXACT_COUNT_LIMIT = 1_000_000


def count_records_for_display(session: Session) -> tuple[int, bool]:
    """How many records the store holds, for pages: (count, approximate). Exact on SQLite and for
    stores under a million records; PostgreSQL's estimate, rounded to ten thousand, above that."""
    estimate = repository.estimated_count(session)
    if estimate is not None and estimate >= EXACT_COUNT_LIMIT:
        return round(estimate, -4), True
    return repository.count(session), False


def count_records(session: Session) -> int:
    """How many records the store holds (current versions)."""
    return repository.count(session)


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
    columns = batch_columns(session, (r.batch_id for r in rows))
    stored = _data_as_stored(session, rows)
    return {
        r.id: ProvenanceOut(
            department_name=departments[r.department_id].name, department_uscc=departments[r.department_id].uscc,
            batch_id=r.batch_id, source_row=r.source_row, received_at=r.received_at, content_hash=r.content_hash,
            catalog_version=r.catalog_version,
            submitted=label_submitted(columns[r.batch_id], r.submitted, stored[r.id]),
        )
        for r in rows
    }  # fmt: skip


def _data_as_stored(session: Session, rows: Sequence[Record]) -> dict[int, dict[str, Any]]:
    """Each record's data as its batch stored it: an amendment since keeps it in its history row
    (the submitted values of a record are kept relative to that data, see ingest.label_submitted)."""
    data = {r.id: r.data for r in rows}
    batch_of = {r.id: r.batch_id for r in rows}
    found: set[int] = set()
    for h in repository.history_of(session, [r.id for r in rows if r.version > 1]):  # by version
        if h.event == "amended" and h.previous_batch_id == batch_of[h.record_id] and h.record_id not in found:
            data[h.record_id] = h.previous_data or {}
            found.add(h.record_id)
    return data


def history_by_record(session: Session, record_ids: list[int]) -> dict[int, list[HistoryEventOut]]:
    history: dict[int, list[HistoryEventOut]] = defaultdict(list)
    for h in repository.history_of(session, record_ids):
        history[h.record_id].append(
            HistoryEventOut(
                version=h.version, event=h.event, batch_id=h.batch_id, actor=h.actor, at=h.at, reason=h.reason
            )
        )
    return dict(history)


def counts_by_department(session: Session) -> dict[int, int]:
    """Records held per source department."""
    return repository.counts_by_department(session)


# --- one subject's records as a view shows them (the access layer decides which) -----------------


Shown = repository.Shown
ShownRow = repository.ShownRow


def shown_file_page(
    session: Session,
    subject_id: int,
    *,
    shown: Shown,
    offset: int | dict[str, int],
    limit: int | None,
    objection_open: Callable[[Any], Any],
) -> tuple[list[ShownRow], dict[str, int]]:
    """A page of the records a view includes, newest decision first, each with whether it is in its
    publicity window, whether an objection to it is open (`objection_open`: the cases domain's SQL of
    that, for a record id) and its department's name; and how many records the view includes of each
    type. An `offset` per record type pages each type on its own (`limit` each). One statement."""
    # Only a view that admits every record (不公开 granted) shows provenance, with the values as submitted.
    full = shown.rule == "all" or (shown.department_id is not None and shown.department_rule == "all")
    return repository.shown_file_page(
        session, subject_id, shown, offset=offset, limit=limit, objection_open=objection_open, submitted=full
    )


# --- records of one type, for the domains that derive from them (lists) --------------------------


class NotAmendable(PanshiError):
    code = "not_amendable"
    status_code = 409


def of_type_for_subjects(
    session: Session, record_type: str, subject_ids: Sequence[int]
) -> tuple[list[Record], int]:
    """The records of `record_type` of these subjects and the store's change counter, read together
    (the counter grows with every history row: a data version for receipts)."""
    if not subject_ids:
        return [], repository.change_counter(session)
    return repository.of_type_for_subjects(session, record_type, subject_ids)


def change_counter(session: Session) -> int:
    """The store's data version: the newest history row (every create, update or amendment writes one)."""
    return repository.change_counter(session)


@dataclass(frozen=True)
class Window:
    """Records whose window covers `on`: decision date to the date in `end_field`; a record without
    an end lasts while its decision date is on or after the floor of its `group_field` value."""

    on: date
    end_field: str
    group_field: str
    open_end_floors: dict[str, date]


def _window_clause(window: Window | None) -> Any:
    if window is None:
        return None
    return repository.date_window(
        window.on,
        end_field=window.end_field,
        group_field=window.group_field,
        open_end_floors=window.open_end_floors,
    )


def of_type_page(
    session: Session,
    record_type: str,
    *,
    field_in: dict[str, Sequence[str]] | None = None,
    status: str | None = None,
    subject_ids: Sequence[int] | None = None,
    window: Window | None = None,
    may_be_public: bool = False,
    offset: int = 0,
    limit: int = 20,
    count_cap: int = 10_000,
) -> tuple[list[Record], int]:
    """A page of records of one type, newest decision first, and the match count (capped); with
    `may_be_public`, only records that may ever be shown to the public (never a minor's)."""
    where = _window_clause(window)
    return repository.of_type_page(
        session, record_type, field_in=field_in or {}, status=status, subject_ids=subject_ids, window=where,
        may_be_public=may_be_public, offset=offset, limit=limit, count_cap=count_cap,
    )  # fmt: skip


def active_of_subjects(
    record_type: str,
    subject_ids: Sequence[int],
    *,
    fields: Sequence[str] = (),
    decided_from: date | None = None,
    decided_to: date,
    window: Window | None = None,
) -> Any:
    """Active records of one type of a set of subjects (one, or a chunk of many), decided in
    [decided_from, decided_to] and, with `window`, in force on its date: a subquery (id, subject_id,
    decision_date and `fields` as text) for domains that compute over records in SQL (evaluation)."""
    where = _window_clause(window)
    return repository.active_of_subjects(
        record_type, subject_ids, fields=fields, decided_from=decided_from, decided_to=decided_to,
        window=where,
    )  # fmt: skip


def by_natural_key(session: Session, record_type: str, natural_key: str) -> Record | None:
    """A record by its type and natural key (the key every node knows it by)."""
    return repository.by_natural_key(session, record_type, natural_key)


class HomedElsewhere(PanshiError):
    """A record replicated from its home node: only its home changes it (DESIGN §3.8)."""

    code = "homed_elsewhere"
    status_code = 409


def _changed_here(record: Record) -> None:
    if record.home_region is not None:
        raise HomedElsewhere(
            f"记录 {record.id} 归属节点 {record.home_region}，只能由归属节点变更"
            "（本节点对它的异议、信用修复决定会作为请求发往归属节点办理）"
        )


def get_of_type(session: Session, record_type: str, record_id: int) -> Record | None:
    record = repository.get(session, record_id)
    return record if record is not None and record.record_type == record_type else None


def amend(
    session: Session,
    *,
    record_id: int,
    record_type: str,
    changes: dict[str, Any],
    status: str | None = None,
    actor: str,
    reason: str,
) -> Record:
    """Change fields and/or the status of a record as a new version, with an 'amended' history row
    (actor, time, reason) that keeps the data it replaced. The only way records change outside ingest."""
    reason = " ".join(reason.split())
    if len(reason) < 2:
        raise PanshiError("请说明变更原因（至少 2 个字）", code="reason_required")
    record = repository.get_for_update(session, record_id)
    if record is None or record.record_type != record_type:
        raise NotFound(f"未找到编号为 {record_id} 的记录")
    _changed_here(record)
    if record.status != "active":
        raise NotAmendable(f"记录 {record_id} 的状态为“{record.status}”，不能再变更")
    unknown = set(changes) - {f.name for f in get_record_type(record_type).fields}
    if unknown:
        raise PanshiError(f"信息目录中没有字段 {sorted(unknown)}", code="unknown_field")
    return repository.amend(
        session, record, data={**record.data, **changes}, status=status or record.status, actor=actor,
        reason=reason[:500], at=utcnow(),
    )  # fmt: skip


# --- leaving public view ----------------------------------------------------------------------------

PUBLICITY_CLOSED_REASONS = ("expired", "repaired", "withdrawn")


def end_publicity(session: Session, *, record_id: int, on: date, reason: str, actor: str, note: str) -> None:
    """Take a record out of public view from `on` (公示结束), with a history event `reason`.

    The window ends on `on` − 1 day unless it already ended earlier; publicity_closed_on/_reason are
    set. A record already closed keeps its first closing and nothing is written (idempotent)."""
    if reason not in PUBLICITY_CLOSED_REASONS:
        raise PanshiError(f"未知的公示结束原因：{reason}", code="unknown_closing_reason")
    record = repository.get_for_update(session, record_id)
    if record is None:
        raise NotFound(f"未找到编号为 {record_id} 的记录")
    _changed_here(record)
    if record.publicity_closed_on is not None:
        return
    repository.end_publicity(
        session, record, on=on, reason=reason, actor=actor, note=" ".join(note.split()), at=utcnow()
    )


def end_expired_publicity(session: Session, *, on: date, actor: str, limit: int) -> int:
    """Close up to `limit` records whose window ended before `on` (set-based, the rule of
    end_publicity: out of view from the day after the end), each with a `publicity_ended` event."""
    return repository.end_expired(session, on=on, actor=actor, at=utcnow(), limit=limit)


def count_expired_publicity(session: Session, *, on: date) -> int:
    return repository.count_expired(session, on=on)


PUBLICITY_WINDOW_FIELDS = repository.WINDOW_FIELDS


def count_window_candidates(session: Session, *, record_types: Sequence[str], rule: str | None) -> int:
    """Open records of these types whose window `rule` computed (None: none yet; "*": any)."""
    return repository.count_window_candidates(session, record_types=record_types, rule=rule)


def window_chunk(
    session: Session, *, record_types: Sequence[str], rule: str | None, after_id: int, limit: int
) -> list[Any]:
    """The next candidates by id (id, record_type, data and PUBLICITY_WINDOW_FIELDS)."""
    return repository.window_chunk(
        session, record_types=record_types, rule=rule, after_id=after_id, limit=limit
    )


def set_windows(session: Session, changes: list[dict[str, Any]], *, actor: str) -> None:
    """Store recomputed windows of open records; an `event_reason` writes a `publicity_recomputed` event."""
    repository.set_windows(session, changes, actor=actor, at=utcnow())


def arrivals(
    session: Session,
    *,
    record_types: Sequence[str],
    decided_from: date,
    decided_to: date,
    department_id: int | None,
) -> list[tuple[int, date, date, int]]:
    """(department_id, decision date, arrival date in Asia/Shanghai, records) of the records decided
    in [decided_from, decided_to]: the grouped counts timeliness is computed from."""
    return repository.arrivals(
        session, record_types=record_types, decided_from=decided_from, decided_to=decided_to,
        department_id=department_id,
    )  # fmt: skip


def withdraw(session: Session, *, record_id: int, actor: str, reason: str) -> Record:
    """Withdraw a record (撤销, e.g. its source department upholds an objection against it): status
    'withdrawn' as a new version with a 'withdrawn' history event, out of public view from today.
    It then appears in no view but the full one (不公开 granted), with its history."""
    reason = " ".join(reason.split())
    if len(reason) < 2:
        raise PanshiError("请说明撤销原因（至少 2 个字）", code="reason_required")
    record = repository.get_for_update(session, record_id)
    if record is None:
        raise NotFound(f"未找到编号为 {record_id} 的记录")
    _changed_here(record)
    if record.status != "active":
        raise NotAmendable(f"记录 {record_id} 的状态为“{record.status}”，不能撤销")
    repository.set_status(session, record, status="withdrawn", event="withdrawn", actor=actor,
                          reason=reason[:500], at=utcnow())  # fmt: skip
    end_publicity(
        session, record_id=record_id, on=today_shanghai(), reason="withdrawn", actor=actor, note=reason
    )
    return record


# --- exchange between nodes: the change feed out, replicated changes in (exchange domain) ----------

REPLICATED_COLUMNS = repository.REPLICATED_COLUMNS
# A replicated record's owners, by the codes every node knows (its subject's and its department's).
REPLICA_OWNER_COLUMNS = repository.REPLICA_OWNER_COLUMNS


class HomeConflict(PanshiError):
    """A replicated record whose stored twin has another home node: nothing is edited in two places."""

    code = "home_conflict"
    status_code = 409


def history_horizon(session: Session, *, lock_timeout_ms: int = 5000) -> int:
    """The newest change (history row) every older one of which is committed: where a feed may read to."""
    return repository.history_horizon(session, lock_timeout_ms=lock_timeout_ms)


def changes_after(
    session: Session,
    *,
    after: int,
    upto: int,
    own_region: str,
    area_prefix: str,
    limit: int,
    record_types: Sequence[str] | None = None,
) -> list[Mapping[str, Any]]:
    """Changes after `after` up to `upto`, of records homed in the area whose region codes start with
    `area_prefix` (a record without a home is this node's): one row each, the history row's columns
    (`h_*`), the record as it is now (REPLICATED_COLUMNS, `record_id`; `data` and `submitted` as
    their JSON text) and its owners' codes (`subject_*`, `department_*`), one query for them all
    (per window of history ids); only of `record_types` when given."""
    return repository.changes_after(
        session, after=after, upto=upto, own_region=own_region, area_prefix=area_prefix, limit=limit,
        record_types=record_types,
    )  # fmt: skip


class BadReplica(PanshiError):
    """A replicated value the store cannot take (a date that is not one, a text too long)."""

    code = "bad_replica"
    status_code = 422


def apply_replicated(
    session: Session,
    *,
    records: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    batches: Sequence[dict[str, Any]],
    own_region: str,
    seed: str,
) -> dict[str, int]:
    """Store records replicated from another node (REPLICATED_COLUMNS plus their owners' codes, values
    as JSON carries them: dates and moments as ISO text) with their history events, set-based, in the
    caller's transaction (within a savepoint: a refusal leaves it to be rolled back); a stored record
    homed elsewhere refuses the whole set (HomeConflict), a value that does not fit its column too
    (BadReplica). Counts: new, updated, stale (ours newer), events."""
    now = utcnow()
    try:
        counts = repository.apply_replicated(
            session, records=records, events=events, batches=batches, own_region=own_region, now=now, seed=seed,
        )  # fmt: skip
    except repository.ReplicaConflict as exc:
        shown = "；".join(f"{t} {k}（归属 {h}）" for t, k, h in exc.conflicts)
        raise HomeConflict(f"记录已归属其他节点，不能由此批次变更：{shown}") from None
    except repository.ReplicaInvalid as exc:
        raise BadReplica(f"批次中的记录有不能存储的值：{exc}") from None
    codes = _subject_codes(records)
    if codes:  # the old codes name the subjects here too: search by them, provisional subjects merge
        staged = repository.stage_subject_codes(session, codes)
        codes_from = f"SELECT subject_key, subject_uscc, code_type, code FROM {staged}"
        subjects.register_codes(session, codes_from, now=now)
    return counts


def _subject_codes(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The codes naming the organisations of replicated records, from their data as their catalog
    declares it (as ingest finds them), and the organisation code inside each USCC."""
    found: dict[tuple[str, str, str], str | None] = {}
    for state in records:
        if state["subject_kind"] == "natural_person" or not isinstance(state["data"], dict):
            continue
        key, uscc, subject = (
            state["subject_key"],
            state["subject_uscc"],
            get_record_type(state["record_type"]).subject,
        )
        for field in subject.code_fields:
            value = state["data"].get(field)
            if isinstance(value, str) and value:
                found[(key, subject.code_type(field), value)] = uscc
        if uscc:
            found[(key, "org_code", uscc[8:17])] = uscc
    return [
        {"subject_key": k, "subject_uscc": u, "code_type": t, "code": c} for (k, t, c), u in found.items()
    ]


def export_chunk(
    session: Session,
    record_type: str,
    *,
    after_id: int,
    limit: int,
    changed_after: int | None = None,
    changed_upto: int | None = None,
    received_from: Any = None,
    received_before: Any = None,
) -> list[tuple[int, dict[str, Any]]]:
    """A chunk of (id, data) of the records of a type that are public now or will be (active, publicity
    not closed, never a minor's), changed in a history range or received in a time range: the national
    export reads by these."""
    return repository.export_chunk(
        session, record_type, after_id=after_id, limit=limit, changed_after=changed_after,
        changed_upto=changed_upto, received_from=received_from, received_before=received_before,
    )  # fmt: skip


def removed_chunk(
    session: Session, record_type: str, *, after_id: int, limit: int, changed_after: int, changed_upto: int
) -> list[tuple[int, dict[str, Any], str, Any, str | None]]:
    """A chunk of (id, data, status, publicity_closed_on, publicity_closed_reason) of the records of a
    type that could be public and, by a change in the history range, are not any more (withdrawn,
    repaired, expired): what the national export tells the national platform to take down."""
    return repository.removed_chunk(
        session, record_type, after_id=after_id, limit=limit, changed_after=changed_after,
        changed_upto=changed_upto,
    )  # fmt: skip


def changes_passing_down(
    session: Session,
    *,
    after: int,
    upto: int,
    own_region: str,
    area_prefix: str,
    record_types: Sequence[str],
    limit: int,
) -> list[Mapping[str, Any]]:
    """Changes after `after` up to `upto` of records of `record_types` homed at this node or outside
    its area `area_prefix` (a record without a home is this node's): what flows down; rows as
    changes_after's."""
    return repository.changes_passing_down(
        session, after=after, upto=upto, own_region=own_region, area_prefix=area_prefix,
        record_types=record_types, limit=limit,
    )  # fmt: skip
