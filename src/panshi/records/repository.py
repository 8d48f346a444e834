"""All SQL of records."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    BindParameter,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    table,
    text,
    true,
    type_coerce,
    update,
)
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, defer
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import Date, Text

from panshi.core.db import is_postgres
from panshi.records.models import Record, RecordHistory

# Records this node may change itself: its own, not replicas received from their home node (the home
# closes and recomputes their windows, and the change arrives by exchange; DESIGN §3.8).
HOMED_HERE = Record.home_region.is_(None)


def publicly_visible(on: date | Any, public_types: Sequence[str] | Any) -> ColumnElement[bool]:
    """The public view's rule (社会公开) in SQL: active, of a public type, inside its publicity window
    on `on`. Records never to be public (a minor's, DESIGN §3.3) have no publicity start. `on` and
    `public_types` may be bound parameters (an expanding one for the types) of a statement built once."""
    return and_(
        Record.status == "active",
        Record.record_type.in_(
            public_types if isinstance(public_types, BindParameter) else list(public_types)
        ),
        Record.publicity_start <= on,
        or_(Record.publicity_end.is_(None), Record.publicity_end >= on),
    )


def get(session: Session, record_id: int) -> Record | None:
    return session.get(Record, record_id)


def by_natural_key(session: Session, record_type: str, natural_key: str) -> Record | None:
    query = select(Record).where(Record.record_type == record_type, Record.natural_key == natural_key)
    return session.scalar(query)


def is_publicly_visible(session: Session, record_id: int, *, on: date, public_types: Sequence[str]) -> bool:
    query = select(Record.id).where(Record.id == record_id, publicly_visible(on, public_types))
    return session.scalar(query) is not None


def public_listing(
    session: Session,
    *,
    on: date,
    public_types: Sequence[str],
    record_type: str | None,
    department_id: int | None,
    date_from: date | None,
    date_to: date | None,
    offset: int,
    limit: int,
    count_cap: int,
) -> tuple[list[Record], int]:
    """A page of public records (newest decision first), and the number of
    matches counted up to `count_cap` (an exact count of millions of rows is not worth its time)."""
    query: Select[Any] = select(Record).where(publicly_visible(on, public_types))
    if record_type:
        query = query.where(Record.record_type == record_type)
    if department_id is not None:
        query = query.where(Record.department_id == department_id)
    if date_from is not None:
        query = query.where(Record.decision_date >= date_from)
    if date_to is not None:
        query = query.where(Record.decision_date <= date_to)
    rows = list(
        session.scalars(
            query.order_by(Record.decision_date.desc(), Record.id.desc()).offset(offset).limit(limit)
        )
    )
    capped = query.with_only_columns(Record.id).limit(count_cap).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    return rows, total


def estimated_count(session: Session) -> int | None:
    """PostgreSQL's own estimate of the table's rows (kept by ANALYZE and autovacuum); None elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    estimate = session.scalar(text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'records'::regclass"))
    return int(estimate) if estimate is not None and estimate >= 0 else None


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Record)) or 0


def counts_by_type_of_department(session: Session, department_id: int) -> dict[str, int]:
    query = (
        select(Record.record_type, func.count())
        .where(Record.department_id == department_id)
        .group_by(Record.record_type)
    )
    return {t: n for t, n in session.execute(query)}


def history_of(session: Session, record_ids: list[int]) -> list[RecordHistory]:
    if not record_ids:
        return []
    query = (
        select(RecordHistory)
        .where(RecordHistory.record_id.in_(record_ids))
        .order_by(RecordHistory.record_id, RecordHistory.version)
    )
    return list(session.scalars(query))


def counts_by_department(session: Session) -> dict[int, int]:
    query = select(Record.department_id, func.count()).group_by(Record.department_id)
    return {d: n for d, n in session.execute(query)}


# --- one subject's records, as a view shows them: filtered in SQL, then paginated ----------------

ShownRule = Literal["public", "active", "all"]


def _shown_rule(rule: ShownRule) -> ColumnElement[bool]:
    if rule == "public":
        return publicly_visible(_ON, _PUBLIC_TYPES)
    return Record.status == "active" if rule == "active" else true()


@dataclass(frozen=True)
class Shown:
    """Which of a subject's records a view includes: those `rule` admits ("public": in their
    publicity window on `on`; "active"; "all"), and the records of `department_id`, when given, by
    `department_rule` instead. Applied in SQL, so that pages and counts are of these records only."""

    on: date
    public_types: tuple[str, ...]
    rule: ShownRule
    department_id: int | None = None
    department_rule: ShownRule = "all"

    @property
    def own_rule(self) -> ShownRule | None:
        """The rule of `department_id`'s records, when it differs from `rule` (else None)."""
        return (
            self.department_rule
            if self.department_id is not None and self.department_rule != self.rule
            else None
        )


@dataclass(frozen=True)
class ShownRow:
    """One record of a file's page: whether it is in its publicity window on the day asked, whether
    an objection to it is open, and its source department's name (read with it, one statement)."""

    record: Record
    in_publicity: bool
    objection_open: bool
    department_name: str


# The parameters of a file page's statement, which is built once per shape (see _file_page_query).
_ON = bindparam("on", type_=Date)
_PUBLIC_TYPES: BindParameter[list[str]] = bindparam("public_types", expanding=True)


def shown_file_page(
    session: Session,
    subject_id: int,
    shown: Shown,
    *,
    offset: int | Mapping[str, int],
    limit: int | None,
    objection_open: Callable[[Any], ColumnElement[bool]],
    submitted: bool = True,
) -> tuple[list[ShownRow], dict[str, int]]:
    """A page of the subject's records `shown` selects, newest decision first, and how many it
    selects of each type, in one statement. `offset` per record type (a mapping) pages each type on its
    own, else the page runs across types. `objection_open`: SQL of whether a record id has an open
    objection (the cases domain's). Without `submitted` the values as submitted are not read (views
    without provenance)."""
    by_type = tuple(offset) if isinstance(offset, Mapping) else None
    query = _file_page_query(
        shown.rule, shown.own_rule, by_type=by_type, paged=limit is not None, objection_open=objection_open,
        submitted=submitted,
    )  # fmt: skip
    params: dict[str, Any] = {
        "subject_id": subject_id, "on": shown.on, "public_types": list(shown.public_types),
        "department_id": shown.department_id, "limit": limit or 0,
    }  # fmt: skip
    if isinstance(offset, Mapping):
        params.update({f"start_{i}": offset[key] for i, key in enumerate(offset)})
    else:
        params["start"] = offset
    rows, counts = [], {}
    for r, public, objection, department, total, on_page in session.execute(query, params):
        counts[r.record_type] = total
        if on_page:
            rows.append(ShownRow(r, bool(public), bool(objection), department or ""))
    return rows, dict(sorted(counts.items()))


@lru_cache(maxsize=256)
def _file_page_query(
    rule: ShownRule,
    own_rule: ShownRule | None,
    *,
    by_type: tuple[str, ...] | None,
    paged: bool,
    objection_open: Callable[[Any], ColumnElement[bool]],
    submitted: bool,
) -> Select[Any]:
    """The statement of a file page of this shape, with bound parameters for the subject, the day,
    the public types, the department, the offsets and the limit: a page is the most read thing of the
    portal, and building its statement cost more than running it.

    The selected records are ranked in a narrow subquery (ids, types, positions, counts per type); the
    page's rows, and one row of each type to carry its count when none of that type is on the page,
    are then read in full by primary key."""
    shown = _shown_rule(rule)
    if own_rule is not None:
        shown = or_(shown, and_(Record.department_id == bindparam("department_id"), _shown_rule(own_rule)))
    newest_first = (Record.decision_date.desc(), Record.id.desc())
    ranked = (
        select(
            Record.id, Record.record_type,
            func.row_number().over(partition_by=Record.record_type, order_by=newest_first).label("type_position"),
            func.count().over(partition_by=Record.record_type).label("type_total"),
            (literal(0) if by_type is not None else func.row_number().over(order_by=newest_first)).label("position"),
        )
        .where(Record.subject_id == bindparam("subject_id"), shown)
        .subquery()
    )  # fmt: skip
    position = ranked.c.type_position if by_type is not None else ranked.c.position
    start: Any = bindparam("start", type_=Integer)
    if by_type is not None:
        starts = {key: bindparam(f"start_{i}", type_=Integer) for i, key in enumerate(by_type)}
        start = case(starts, value=ranked.c.record_type, else_=0) if starts else literal(0)
    in_page = position > start
    if paged:
        in_page = and_(in_page, position <= start + bindparam("limit", type_=Integer))
    query = (
        select(
            Record, publicly_visible(_ON, _PUBLIC_TYPES), objection_open(Record.id), _DEPARTMENTS.c.name,
            ranked.c.type_total, in_page,
        )
        .join(ranked, ranked.c.id == Record.id)
        .outerjoin(_DEPARTMENTS, _DEPARTMENTS.c.id == Record.department_id)
        .where(or_(in_page, ranked.c.type_position == 1))
        .order_by(*((ranked.c.record_type, ranked.c.type_position) if by_type is not None else (ranked.c.position,)))
    )  # fmt: skip
    return query.options(defer(Record.submitted)) if not submitted else query


# --- records of one type, for the domains that derive from them (lists) --------------------------


def change_counter_subquery() -> Any:
    """One row, one column `version`: the newest history row, which every change of a record writes."""
    return select(func.coalesce(func.max(RecordHistory.id), 0).label("version")).subquery()


def of_type_for_subjects(
    session: Session, record_type: str, subject_ids: Sequence[int]
) -> tuple[list[Record], int]:
    """The records of `record_type` of these subjects, and the change counter, read in one statement."""
    counter = change_counter_subquery()
    query = (
        select(counter.c.version, Record)
        .select_from(counter)
        .outerjoin(Record, and_(Record.subject_id.in_(list(subject_ids)), Record.record_type == record_type))
    )
    rows = session.execute(query).all()
    version = int(rows[0][0]) if rows else 0
    return [row[1] for row in rows if row[1] is not None], version


def change_counter(session: Session) -> int:
    return int(session.scalar(select(change_counter_subquery().c.version)) or 0)


def of_type_page(
    session: Session,
    record_type: str,
    *,
    field_in: dict[str, Sequence[str]],
    status: str | None,
    subject_ids: Sequence[int] | None,
    window: ColumnElement[bool] | None,
    may_be_public: bool,
    offset: int,
    limit: int,
    count_cap: int,
) -> tuple[list[Record], int]:
    """A page of records of `record_type` (newest decision first) whose data fields have one of the
    given values, and how many match, counted up to `count_cap`. `may_be_public` leaves out the records
    that are never to be public (a minor's, DESIGN §3.3: ingest gives them no publicity start)."""
    query: Select[Any] = select(Record).where(Record.record_type == record_type)
    if may_be_public:
        query = query.where(Record.publicity_start.is_not(None))
    for name, values in field_in.items():
        query = query.where(Record.data[name].as_string().in_(list(values)))
    if status:
        query = query.where(Record.status == status)
    if subject_ids is not None:
        query = query.where(Record.subject_id.in_(list(subject_ids)))
    if window is not None:
        query = query.where(window)
    rows = list(
        session.scalars(
            query.order_by(Record.decision_date.desc(), Record.id.desc()).offset(offset).limit(limit)
        )
    )
    capped = query.with_only_columns(Record.id).limit(count_cap).subquery()
    return rows, session.scalar(select(func.count()).select_from(capped)) or 0


def date_window(
    on: date, *, end_field: str, group_field: str, open_end_floors: dict[str, date]
) -> ColumnElement[bool]:
    """Records whose window covers `on`: from the decision date to the date in `end_field`, both
    inclusive; a record without an end lasts while its decision date is on or after the floor its
    `group_field` value has in `open_end_floors`."""
    end = Record.data[end_field].as_string()
    group = Record.data[group_field].as_string()
    open_ended = or_(
        false(),
        *[and_(group == value, Record.decision_date >= floor) for value, floor in open_end_floors.items()],
    )
    return and_(
        Record.decision_date <= on,
        or_(end >= on.isoformat(), and_(or_(end.is_(None), end == ""), open_ended)),
    )


def active_of_subjects(
    record_type: str,
    subject_ids: Sequence[int],
    *,
    fields: Sequence[str],
    decided_from: date | None,
    decided_to: date,
    window: ColumnElement[bool] | None,
) -> Any:
    """Active records of `record_type` of these subjects decided in [decided_from, decided_to], as a
    subquery with columns id, subject_id, decision_date and each of `fields` (as text)."""
    values = [Record.data[name].as_string().label(name) for name in fields]
    query = select(Record.id, Record.subject_id, Record.decision_date, *values).where(
        Record.record_type == record_type,
        Record.status == "active",
        Record.subject_id.in_(list(subject_ids)),
        Record.decision_date <= decided_to,
    )
    if decided_from is not None:
        query = query.where(Record.decision_date >= decided_from)
    if window is not None:
        query = query.where(window)
    return query.subquery(record_type)


def get_for_update(session: Session, record_id: int) -> Record | None:
    return session.get(Record, record_id, with_for_update=True)


def amend(
    session: Session,
    record: Record,
    *,
    data: dict[str, Any],
    status: str,
    actor: str,
    reason: str,
    at: datetime,
) -> Record:
    """A new version of `record` with `data` and `status`; the history row keeps what it replaced.

    The content hash stays the one of the submitted content, so that the department re-sending the
    same row leaves the amendment standing (an unchanged record), while a corrected row replaces it."""
    session.add(
        RecordHistory(
            record_id=record.id, version=record.version + 1, event="amended", batch_id=None,
            content_hash=record.content_hash, previous_data=record.data, previous_submitted=None,
            previous_batch_id=record.batch_id, actor=actor, at=at, reason=reason,
        )
    )  # fmt: skip
    record.version += 1
    record.data = dict(data)
    record.status = status
    session.flush()
    return record


# --- leaving public view (publicity ends: expired, repaired, withdrawn) ---------------------------


def end_publicity(
    session: Session, record: Record, *, on: date, reason: str, actor: str, note: str, at: datetime
) -> None:
    """`record` leaves public view from `on`: its window ends the day before (or earlier, if it did),
    the closing is marked, and a history event (same version) keeps the previous end."""
    previous_end = record.publicity_end
    last_public_day = on - timedelta(days=1)
    was = previous_end.isoformat() if previous_end else "无"
    session.add(
        RecordHistory(
            record_id=record.id, version=record.version, event=reason, batch_id=None,
            content_hash=record.content_hash, previous_data=None, previous_submitted=None,
            previous_batch_id=None, actor=actor, at=at, reason=f"{note}（原公示截止日期：{was}）"[:500],
        )
    )  # fmt: skip
    if previous_end is None or previous_end > last_public_day:
        record.publicity_end = last_public_day
    record.publicity_closed_on = on
    record.publicity_closed_reason = reason
    session.flush()


def set_status(
    session: Session, record: Record, *, status: str, event: str, actor: str, reason: str, at: datetime
) -> Record:
    """A new version of `record` with only its status changed (e.g. withdrawn after an objection);
    the history row `event` keeps the data as it was."""
    session.add(
        RecordHistory(
            record_id=record.id, version=record.version + 1, event=event, batch_id=None,
            content_hash=record.content_hash, previous_data=record.data, previous_submitted=None,
            previous_batch_id=record.batch_id, actor=actor, at=at, reason=reason,
        )
    )  # fmt: skip
    record.version += 1
    record.status = status
    session.flush()
    return record


# --- exchange between nodes: the change feed out, replicated changes in (exchange domain) ----------

# A record's columns that travel between nodes; the rest (id, subject, department) are each node's own.
NODE_LOCAL_COLUMNS = ("id", "subject_id", "department_id")
REPLICATED_COLUMNS = tuple(c.name for c in Record.__table__.columns if c.name not in NODE_LOCAL_COLUMNS)
REPLICA_OWNER_COLUMNS = (
    "subject_key", "subject_kind", "subject_name", "subject_uscc", "subject_id_number", "subject_region",
    "department_name", "department_uscc",
)  # fmt: skip
REPLICA_EVENT_COLUMNS = (
    "ord", "record_type", "natural_key", "version", "event", "batch_id", "content_hash", "actor", "at",
    "reason", "keeps_previous",
)  # fmt: skip


def history_horizon(session: Session, *, lock_timeout_ms: int) -> int:
    """The newest history row below which no row can still appear. On PostgreSQL a writer may commit
    a smaller id after a larger one: SHARE mode waits for every writer in progress (and holds new ones
    until this transaction ends), so every row up to the answer is committed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
        session.execute(text("LOCK TABLE record_history IN SHARE MODE"))
    return int(session.scalar(select(func.coalesce(func.max(RecordHistory.id), 0))) or 0)


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
    """History rows after `after` (up to `upto`) of records homed in the area `area_prefix` (of
    `record_types` when given), each with its record as it is now and its owners, in history order
    (FEED_COLUMNS: one query for a batch)."""
    home = func.coalesce(Record.home_region, own_region)
    where = home.startswith(area_prefix, autoescape=True)
    if record_types is not None:
        where = and_(where, Record.record_type.in_(list(record_types)))
    return _feed_rows(session, where, after=after, upto=upto, limit=limit)


_SUBJECTS = table(
    "subjects", column("id"), column("subject_key"), column("kind"), column("name"), column("uscc"),
    column("id_number"), column("region_code"),
)  # fmt: skip
_DEPARTMENTS = table("departments", column("id"), column("name"), column("uscc"))


def _feed_rows(
    session: Session, where: ColumnElement[bool], *, after: int, upto: int, limit: int
) -> list[Mapping[str, Any]]:
    """The feed's changes in history order, as plain rows: history columns prefixed `h_`, the
    record's REPLICATED_COLUMNS (its JSON documents `data` and `submitted` as their JSON text) and
    `record_id`, its subject's `subject_*` and department's `department_*` columns (Core rows: no
    ORM objects, nothing of the history's previous data)."""
    rows: list[Mapping[str, Any]] = []
    low, span = after, max(limit, FEED_WINDOW)
    while len(rows) < limit and low < upto:
        high = min(upto, low + span)
        rows.extend(_feed_window(session, where, after=low, upto=high, limit=limit - len(rows)))
        low, span = high, min(span * 2, FEED_WINDOW_MAX)
    return rows


# The feed reads history in windows of ids (the first about a batch's size, doubled while they come
# back short): the join and sort of one read never reach past what it may return, however long the
# backlog after it (one read over the whole backlog made publishing quadratic in its length).
FEED_WINDOW = 1000
FEED_WINDOW_MAX = 1_000_000


def _feed_window(
    session: Session, where: ColumnElement[bool], *, after: int, upto: int, limit: int
) -> Sequence[Mapping[str, Any]]:
    h, s, d = RecordHistory.__table__.c, _SUBJECTS.c, _DEPARTMENTS.c
    query = (
        select(
            h.id.label("h_id"), h.version.label("h_version"), h.event.label("h_event"),
            h.batch_id.label("h_batch_id"), h.content_hash.label("h_content_hash"), h.actor.label("h_actor"),
            h.at.label("h_at"), h.reason.label("h_reason"), Record.id.label("record_id"),
            *[_as_text(Record.__table__.c[c]) for c in REPLICATED_COLUMNS],
            s.subject_key.label("subject_key"), s.kind.label("subject_kind"), s.name.label("subject_name"),
            s.uscc.label("subject_uscc"), s.id_number.label("subject_id_number"),
            s.region_code.label("subject_region"), d.name.label("department_name"),
            d.uscc.label("department_uscc"),
        )
        .select_from(RecordHistory)
        .join(Record, Record.id == h.record_id)
        .outerjoin(_SUBJECTS, s.id == Record.subject_id)  # no foreign keys: a missing owner reads as NULL
        .outerjoin(_DEPARTMENTS, d.id == Record.department_id)
        .where(h.id > after, h.id <= upto, where)
        .order_by(h.id)
        .limit(limit)
    )  # fmt: skip
    # Core rows of the connection: no ORM result processing of a few thousand rows a batch.
    rows: Sequence[Mapping[str, Any]] = session.connection().execute(query).mappings().all()  # type: ignore[assignment]
    return rows


def _as_text(col: Any) -> Any:
    """A JSON column as its text (the feed parses it with orjson, many times faster than the
    driver's `json.loads`), any other column as it is."""
    return cast(col, Text).label(col.name) if isinstance(col.type, JSON) else col


class ReplicaConflict(Exception):
    """Replicated records whose stored twin has another home: (type, natural key, stored home)."""

    def __init__(self, conflicts: list[tuple[str, str, str]]) -> None:
        super().__init__(conflicts)
        self.conflicts = conflicts


class ReplicaInvalid(Exception):
    """A replicated value the store cannot take (a date that is not one, a text too long)."""


# The staging tables of apply_replicated: temporary, made once per connection (CREATE ... IF NOT
# EXISTS) and emptied at each commit on PostgreSQL (ON COMMIT DELETE ROWS), instead of two tables
# made and dropped per batch. `stored_*` is the record of the same key stored here, looked up once
# while staging: whether a record is new, stale (ours newer) or homed elsewhere is read from it.
_STAGING = MetaData()
_STAGED_RECORDS = Table(
    "xchg_records", _STAGING,
    *[Column(c.name, c.type) for c in Record.__table__.columns if c.name in REPLICATED_COLUMNS],
    *[Column(name, String(200)) for name in REPLICA_OWNER_COLUMNS],
    Column("stored_id", BigInteger), Column("stored_version", Integer), Column("stored_home", String(6)),
    prefixes=["TEMPORARY"], postgresql_on_commit="DELETE ROWS",
)  # fmt: skip
_STAGED_EVENTS = Table(
    "xchg_events", _STAGING, Column("ord", Integer),
    *[Column(c.name, c.type) for c in RecordHistory.__table__.columns if c.name in REPLICA_EVENT_COLUMNS],
    Column("record_type", String(64)), Column("natural_key", String(400)), Column("keeps_previous", Boolean),
    prefixes=["TEMPORARY"], postgresql_on_commit="DELETE ROWS",
)  # fmt: skip


_STAGED_CODES = Table(
    "xchg_codes", _STAGING, Column("subject_key", String(200)), Column("subject_uscc", String(200)),
    Column("code_type", String(32)), Column("code", String(64)),
    prefixes=["TEMPORARY"], postgresql_on_commit="DELETE ROWS",
)  # fmt: skip


def stage_subject_codes(session: Session, codes: Sequence[Mapping[str, Any]]) -> str:
    """The codes of replicated records' subjects into this connection's staging table; its name."""
    conn = session.connection()
    conn.execute(CreateTable(_STAGED_CODES, if_not_exists=True))
    conn.execute(_STAGED_CODES.delete())
    _stage_rows(session, _STAGED_CODES, codes)  # COPY on PostgreSQL: an executemany cost seconds a backlog
    if is_postgres(session):  # a temporary table has no statistics: the joins on it are planned with them
        session.execute(text(f"ANALYZE {_STAGED_CODES.name}"))
    return _STAGED_CODES.name


def _staging(session: Session) -> tuple[Table, Table]:
    """The staging tables of this connection, made if missing, empty."""
    conn = session.connection()
    for staged in (_STAGED_RECORDS, _STAGED_EVENTS):
        conn.execute(CreateTable(staged, if_not_exists=True))
        conn.execute(staged.delete())  # empty already, unless this transaction applied a batch before
    return _STAGED_RECORDS, _STAGED_EVENTS


def home_conflicts(session: Session, staged: Any) -> list[tuple[str, str, str]]:
    """Staged records whose stored twin has another home (type, natural key, stored home)."""
    c = staged.c
    query = (
        select(c.record_type, c.natural_key, c.stored_home)
        .where(c.stored_id.is_not(None), c.stored_home != c.home_region)
        .limit(5)
    )
    return [(t, k, h) for t, k, h in session.execute(query)]


def apply_replicated(
    session: Session,
    *,
    records: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    batches: Sequence[dict[str, Any]],
    own_region: str,
    now: datetime,
    seed: str,
) -> dict[str, int]:
    """Replicated record states and their history events, set-based: owners (departments, subjects,
    batches) found or registered, stored records of the same key replaced unless newer, new ones
    inserted, each event a history row. Values are as JSON carries them (dates and moments as ISO
    text, documents as values). Raises ReplicaConflict when a stored record has another home,
    ReplicaInvalid when a value does not fit its column. Counts: new, updated, stale, events."""
    staged, staged_events = _staging(session)
    driver = session.get_bind().dialect.loaded_dbapi
    try:
        _stage_records(session, staged, records, own_region=own_region)
        _stage_rows(session, staged_events, events)
    except (DataError, driver.DataError, ValueError, TypeError) as exc:
        raise ReplicaInvalid(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    if is_postgres(session):  # temporary tables have no statistics but these: the merge joins on them
        session.execute(text(f"ANALYZE {staged.name} (stored_id, record_type, natural_key)"))
        session.execute(text(f"ANALYZE {staged_events.name} (record_type, natural_key)"))
    conflicts = home_conflicts(session, staged)
    if conflicts:
        raise ReplicaConflict(conflicts)
    return _merge_replicated(session, staged, staged_events, batches=batches, now=now, seed=seed)


def _stage_records(
    session: Session, staged: Table, records: Sequence[Mapping[str, Any]], *, own_region: str
) -> None:
    """The records into staging, then each with its stored twin, if any (only those rows change)."""
    if not records:
        return
    _stage_rows(session, staged, records)
    x = staged.name
    session.execute(
        text(f"""
        UPDATE {x} SET stored_id = r.id, stored_version = r.version, stored_home = COALESCE(r.home_region, :own)
        FROM records r WHERE r.record_type = {x}.record_type AND r.natural_key = {x}.natural_key"""),
        {"own": own_region},
    )


def _stage_rows(session: Session, staged: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows as JSON carries them into a staging table: COPY on PostgreSQL (one stream, the values as
    they come: PostgreSQL reads ISO dates and JSON documents' text itself), else one executemany of
    converted values. Only the table's columns are read from each row."""
    if not rows:
        return
    columns = [c for c in staged.columns if c.name in rows[0]]
    if not is_postgres(session):
        readers = {
            c.name: reader for c in columns for kind, reader in _READERS.items() if isinstance(c.type, kind)
        }
        session.execute(staged.insert(), [_read_iso(row, columns, readers) for row in rows])
        return
    names = [c.name for c in columns]
    documents = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
    values_of = itemgetter(*names)
    raw = session.connection().connection.driver_connection
    assert raw is not None  # a live connection of this transaction
    with raw.cursor() as cursor, cursor.copy(f"COPY {staged.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            values = list(values_of(row))
            for i in documents:
                if values[i] is not None:
                    values[i] = _json_text(values[i]).decode()
            copy.write_row(values)


def _read_iso(
    row: Mapping[str, Any], columns: Sequence[Column[Any]], readers: Mapping[str, Any]
) -> dict[str, Any]:
    values = {c.name: row[c.name] for c in columns}
    for name, reader in readers.items():
        if isinstance(values[name], str):
            values[name] = reader(values[name])
    return values


# ISO text read as the values SQLite's columns are written from (PostgreSQL reads the text itself).
_READERS: dict[type, Any] = {DateTime: datetime.fromisoformat, Date: date.fromisoformat}


def _json_text(value: Any) -> bytes:
    """JSON of staged values (PostgreSQL reads it back as values: its text need not be canonical)."""
    import json

    import orjson

    try:
        return orjson.dumps(value)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(value).encode()


def _merge_replicated(
    session: Session,
    staged: Any,
    staged_events: Any,
    *,
    batches: Sequence[dict[str, Any]],
    now: datetime,
    seed: str,
) -> dict[str, int]:
    x, e = staged.name, staged_events.name
    pg = session.get_bind().dialect.name == "postgresql"
    counts = session.execute(
        text(f"""
        SELECT SUM(CASE WHEN stored_id IS NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN stored_id IS NOT NULL AND stored_version <= version THEN 1 ELSE 0 END),
               SUM(CASE WHEN stored_id IS NOT NULL AND stored_version > version THEN 1 ELSE 0 END)
        FROM {x}""")
    ).one()
    new, updated, stale = (int(v or 0) for v in counts)
    session.execute(
        text(f"""
        INSERT INTO departments (name, uscc, region_code, created_at)
        SELECT name, uscc, SUBSTR(uscc, 3, 6), :now
        FROM (SELECT department_uscc AS uscc, MIN(department_name) AS name FROM {x} GROUP BY department_uscc) s
        WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.uscc = s.uscc)
        ON CONFLICT (uscc) DO NOTHING"""),
        {"now": now},
    )
    public_id = "md5(:seed || subject_key)" if pg else "lower(hex(randomblob(16)))"
    session.execute(
        text(f"""
        INSERT INTO subjects (subject_key, public_id, kind, name, uscc, id_number, region_code, created_at, updated_at)
        SELECT subject_key, {public_id}, kind, name, uscc, id_number, region_code, :now, :now
        FROM (SELECT subject_key, MIN(subject_kind) AS kind, MIN(subject_name) AS name, MIN(subject_uscc) AS uscc,
                     MIN(subject_id_number) AS id_number, MIN(subject_region) AS region_code
              FROM {x} GROUP BY subject_key) s
        WHERE NOT EXISTS (SELECT 1 FROM subjects o WHERE o.subject_key = s.subject_key)
        ON CONFLICT DO NOTHING"""),
        {"now": now, "seed": seed},
    )
    _register_batches(session, batches)
    history_insert = """
        INSERT INTO record_history (record_id, version, event, batch_id, content_hash, previous_data,
                                    previous_submitted, previous_batch_id, actor, at, reason)"""
    of_events = f"FROM {e} e JOIN {x} x ON x.record_type = e.record_type AND x.natural_key = e.natural_key"
    owner = f"""FROM {x} x JOIN subjects s ON s.subject_key = x.subject_key
                JOIN departments d ON d.uscc = x.department_uscc"""
    events_of_stored = replaced = inserted = events_of_new = 0
    if updated:
        # Stored records first: their history rows keep the data they replace, then they take the new state.
        events_of_stored = _changed(
            session.execute(
                text(f"""{history_insert}
            SELECT r.id, e.version, e.event, e.batch_id, e.content_hash,
                   CASE WHEN e.keeps_previous THEN r.data END, CASE WHEN e.keeps_previous THEN r.submitted END,
                   CASE WHEN e.keeps_previous THEN r.batch_id END, e.actor, e.at, e.reason
            {of_events} JOIN records r ON r.id = x.stored_id
            WHERE r.version <= x.version ORDER BY e.ord""")
            )
        )
        assignments = ", ".join(f"{c} = x.{c}" for c in REPLICATED_COLUMNS)
        replaced = _changed(
            session.execute(
                text(f"""
            UPDATE records SET {assignments}, subject_id = COALESCE(s.merged_into_id, s.id), department_id = d.id
            {owner}
            WHERE records.id = x.stored_id AND records.version <= x.version""")
            )
        )
    if new:
        columns = ", ".join(REPLICATED_COLUMNS)
        inserted = _changed(
            session.execute(
                text(f"""
            INSERT INTO records (subject_id, department_id, {columns})
            SELECT COALESCE(s.merged_into_id, s.id), d.id, {", ".join("x." + c for c in REPLICATED_COLUMNS)}
            {owner} WHERE x.stored_id IS NULL""")
            )
        )
    if (replaced, inserted) != (updated, new):  # an owner not found: never store part of a batch
        raise RuntimeError(
            f"replicated records without subject or department ({replaced}/{updated}, {inserted}/{new})"
        )
    if new:
        events_of_new = _changed(
            session.execute(
                text(f"""{history_insert}
            SELECT r.id, e.version, e.event, e.batch_id, e.content_hash, NULL, NULL, NULL, e.actor, e.at, e.reason
            {of_events} JOIN records r ON r.record_type = x.record_type AND r.natural_key = x.natural_key
            WHERE x.stored_id IS NULL ORDER BY e.ord""")
            )
        )
    session.flush()
    return {"new": new, "updated": updated, "stale": stale, "events": int(events_of_stored + events_of_new)}


def _register_batches(session: Session, batches: Sequence[dict[str, Any]]) -> None:
    """The source batches of replicated records, so that their provenance reads as at home (the
    submitted values are kept by column of their batch)."""
    from sqlalchemy import column, table

    if not batches:
        return
    ids = [b["id"] for b in batches]
    known = set(
        session.scalars(
            text("SELECT id FROM batches WHERE id IN :ids").bindparams(_expanding("ids")), {"ids": ids}
        )
    )
    missing = [b for b in batches if b["id"] not in known]
    if not missing:
        return
    departments: dict[str, int] = dict(
        session.execute(
            text("SELECT uscc, id FROM departments WHERE uscc IN :u").bindparams(_expanding("u")),
            {"u": sorted({b["department_uscc"] for b in missing})},
        ).all()
    )
    target = table(
        "batches", column("id"), column("record_type"), column("department_id"), column("channel"),
        column("filename"), column("file_sha256"), column("file_format"), column("encoding"),
        column("catalog_version"), column("headers", JSON), column("header_fields", JSON), column("received"),
        column("accepted"), column("updated"), column("unchanged"), column("rejected"), column("warnings"),
        column("received_at"), column("completed_at"),
    )  # fmt: skip
    rows = [
        {
            "id": b["id"], "record_type": b["record_type"], "department_id": departments.get(b["department_uscc"]),
            "channel": "exchange", "filename": b["filename"][:500], "file_sha256": "", "file_format": "exchange",
            "encoding": None, "catalog_version": b["catalog_version"], "headers": b["headers"],
            "header_fields": b["header_fields"], "received": 0, "accepted": 0, "updated": 0, "unchanged": 0,
            "rejected": 0, "warnings": 0, "received_at": b["received_at"], "completed_at": b["received_at"],
        }
        for b in missing
    ]  # fmt: skip
    session.execute(target.insert(), rows)


def _changed(result: Any) -> int:
    """The rows a statement changed."""
    return int(getattr(result, "rowcount", 0) or 0)


def _expanding(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def _day_after(session: Session, day: Any) -> Any:
    """`day` + 1 in SQL (PostgreSQL adds days to a date; SQLite's date() shifts its text)."""
    return day + 1 if is_postgres(session) else type_coerce(func.date(day, "+1 day"), Date)


def end_expired(session: Session, *, on: date, actor: str, at: datetime, limit: int) -> int:
    """Up to `limit` records whose window ended before `on` and that are not closed yet: closed as
    expired from the day after their end, each with a `publicity_ended` history event. How many.

    The UPDATE re-checks that a record is still open (a concurrent run waits on its row lock, then
    skips it), and the events are written for the rows it changed only."""
    expired = and_(Record.publicity_end < on, Record.publicity_closed_on.is_(None), HOMED_HERE)
    ids = list(session.scalars(select(Record.id).where(expired).limit(limit)))
    if not ids:
        return 0
    closed = list(
        session.scalars(
            update(Record)
            .where(Record.id.in_(ids), expired)
            .values(
                publicity_closed_on=_day_after(session, Record.publicity_end),
                publicity_closed_reason="expired",
            )
            .returning(Record.id)
            .execution_options(synchronize_session=False)
        )
    )
    if closed:
        reason = (
            literal("公示期届满（公示截止日期：", String)
            + cast(Record.publicity_end, String)
            + literal("）", String)
        )
        events = select(
            Record.id, Record.version, literal("publicity_ended", String), Record.content_hash,
            literal(actor, String), literal(at, RecordHistory.at.type), reason,
        ).where(Record.id.in_(closed))  # fmt: skip
        session.execute(
            insert(RecordHistory).from_select(
                ["record_id", "version", "event", "content_hash", "actor", "at", "reason"], events
            )
        )
    return len(closed)


def count_expired(session: Session, *, on: date) -> int:
    """Records whose window ended before `on` and that are not closed yet."""
    query = select(func.count()).where(
        Record.publicity_end < on, Record.publicity_closed_on.is_(None), HOMED_HERE
    )
    return session.scalar(query) or 0


WINDOW_FIELDS = ("publicity_start", "publicity_end", "publicity_minimum_end", "publicity_rule")
_RECORDS: Table = Record.__table__  # type: ignore[assignment]


def _window_candidates(record_types: Sequence[str], rule: str | None) -> ColumnElement[bool]:
    """Open records of these types computed by `rule` (None: never computed; "*": any)."""
    where = and_(Record.record_type.in_(list(record_types)), Record.publicity_closed_on.is_(None), HOMED_HERE)
    if rule is None:
        return and_(where, Record.publicity_rule.is_(None))
    return where if rule == "*" else and_(where, Record.publicity_rule == rule)


def count_window_candidates(session: Session, *, record_types: Sequence[str], rule: str | None) -> int:
    return session.scalar(select(func.count()).where(_window_candidates(record_types, rule))) or 0


def window_chunk(
    session: Session, *, record_types: Sequence[str], rule: str | None, after_id: int, limit: int
) -> list[Any]:
    """The next `limit` candidate records by id after `after_id`: id, record type, data and window."""
    query = (
        select(Record.id, Record.record_type, Record.data, *[getattr(Record, f) for f in WINDOW_FIELDS])
        .where(_window_candidates(record_types, rule), Record.id > after_id)
        .order_by(Record.id)
        .limit(limit)
    )
    return list(session.execute(query))


def set_windows(session: Session, changes: list[dict[str, Any]], *, actor: str, at: datetime) -> None:
    """New windows (`id` and WINDOW_FIELDS each; `event_reason` where the dates changed: a history
    event `publicity_recomputed` is written for those), for records still open."""
    if not changes:
        return
    session.execute(
        update(_RECORDS)  # Core: one statement executed for many rows
        .where(_RECORDS.c.id == bindparam("b_id"), _RECORDS.c.publicity_closed_on.is_(None))
        .values({f: bindparam(f"b_{f}") for f in WINDOW_FIELDS}),
        [{"b_id": c["id"], **{f"b_{f}": c[f] for f in WINDOW_FIELDS}} for c in changes],
    )
    reasons = {c["id"]: c["event_reason"] for c in changes if c.get("event_reason")}
    if reasons:
        current = session.execute(
            select(Record.id, Record.version, Record.content_hash).where(Record.id.in_(list(reasons)))
        )
        session.execute(
            insert(RecordHistory),
            [
                {"record_id": i, "version": v, "event": "publicity_recomputed", "content_hash": h,
                 "actor": actor, "at": at, "reason": reasons[i][:500]}
                for i, v, h in current
            ],
        )  # fmt: skip


def arrivals(
    session: Session,
    *,
    record_types: Sequence[str],
    decided_from: date,
    decided_to: date,
    department_id: int | None,
) -> list[tuple[int, date, date, int]]:
    """Records of these types decided in [decided_from, decided_to], counted by (department, decision
    date, arrival date): the date the record first arrived (created_at) in Asia/Shanghai."""
    if is_postgres(session):
        arrived: Any = cast(func.timezone("Asia/Shanghai", Record.created_at), Date)
    else:  # stored as UTC text; China has kept UTC+8 all year since 1991
        arrived = type_coerce(func.date(Record.created_at, "+8 hours"), Date)
    query = select(Record.department_id, Record.decision_date, arrived.label("arrived"), func.count()).where(
        Record.record_type.in_(list(record_types)),
        Record.decision_date >= decided_from,
        Record.decision_date <= decided_to,
    )
    if department_id is not None:
        query = query.where(Record.department_id == department_id)
    query = query.group_by(Record.department_id, Record.decision_date, arrived)
    return [(d, _as_date(day), _as_date(a), n) for d, day, a, n in session.execute(query)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def export_chunk(
    session: Session,
    record_type: str,
    *,
    after_id: int,
    limit: int,
    changed_after: int | None,
    changed_upto: int | None,
    received_from: datetime | None,
    received_before: datetime | None,
) -> list[tuple[int, dict[str, Any]]]:
    """A chunk (id order, after `after_id`) of the records of a type that are public now or will be (active,
    publicity not closed, never a minor's), changed in (changed_after, changed_upto] of the history, or
    received in [received_from, received_before)."""
    where = _exported(record_type, after_id, changed_after, changed_upto, received_from, received_before)
    query = select(Record.id, Record.data).where(
        *where, Record.status == "active", Record.publicity_closed_on.is_(None)
    )
    return [(i, d) for i, d in session.execute(query.order_by(Record.id).limit(limit))]


def removed_chunk(
    session: Session, record_type: str, *, after_id: int, limit: int, changed_after: int, changed_upto: int
) -> list[tuple[int, dict[str, Any], str, date | None, str | None]]:
    """A chunk of (id, data, status, publicity_closed_on, publicity_closed_reason) of the records of a type
    that could be public once and changed in (changed_after, changed_upto] so that they are not any more:
    withdrawn (or another status), repaired, or their publicity expired."""
    where = _exported(record_type, after_id, changed_after, changed_upto, None, None)
    gone = or_(Record.status != "active", Record.publicity_closed_on.is_not(None))
    query = select(
        Record.id, Record.data, Record.status, Record.publicity_closed_on, Record.publicity_closed_reason
    ).where(*where, gone)
    return [
        (i, d, s, on, why) for i, d, s, on, why in session.execute(query.order_by(Record.id).limit(limit))
    ]


def _exported(
    record_type: str,
    after_id: int,
    changed_after: int | None,
    changed_upto: int | None,
    received_from: datetime | None,
    received_before: datetime | None,
) -> list[Any]:
    """The national export's selection: records of a type after `after_id` that a public window was
    computed for, changed in a history range or received in a time range."""
    where: list[Any] = [
        Record.record_type == record_type, Record.id > after_id, Record.publicity_start.is_not(None)
    ]  # fmt: skip
    if changed_after is not None and changed_upto is not None:
        changed = select(RecordHistory.id).where(
            RecordHistory.record_id == Record.id,
            RecordHistory.id > changed_after,
            RecordHistory.id <= changed_upto,
        )
        where.append(changed.exists())
    if received_from is not None:
        where.append(Record.received_at >= received_from)
    if received_before is not None:
        where.append(Record.received_at < received_before)
    return where


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
    """History rows after `after` (up to `upto`) of records of `record_types` homed at this node or
    outside its area `area_prefix` (what flows down the tiers: never a record homed below it), each
    with its record as it is now and its owners, in history order."""
    home = func.coalesce(Record.home_region, own_region)
    below = and_(home.startswith(area_prefix, autoescape=True), home != own_region)
    where = and_(Record.record_type.in_(list(record_types)), not_(below))
    return _feed_rows(session, where, after=after, upto=upto, limit=limit)
