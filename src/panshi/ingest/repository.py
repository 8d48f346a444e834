"""All SQL of ingest: per-chunk staging, bulk loading (COPY / executemany) and the set-based merge.

A batch is stored chunk by chunk inside one transaction. Each chunk's keys (natural key, subject,
department, content hash — no record data) land in small staging tables; SQL resolves departments
and subjects and classifies every row against the store; then the new records go by COPY straight
into `records` with ids taken from its sequence beforehand, so that their `created` history rows
go by COPY too. Updated records go through a staging table of their own (usually few).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.ingest.models import Batch
from panshi.subjects import service as subjects

# One batch at a time stores records: two batches over the same records both end consistent
# (PostgreSQL advisory lock, held to the end of the transaction; SQLite has a single writer).
MERGE_LOCK = 7_310_001

_KEYS_DDL = """CREATE {kind} TABLE {name} (
    row BIGINT NOT NULL, natural_key TEXT NOT NULL, subject_key TEXT NOT NULL, subject_kind TEXT,
    subject_name TEXT, subject_uscc TEXT, subject_id_number TEXT, subject_region TEXT,
    department_name TEXT, department_uscc TEXT, content_hash TEXT NOT NULL)"""
_CODES_DDL = "CREATE {kind} TABLE {name} (row BIGINT NOT NULL, code_type TEXT NOT NULL, code TEXT NOT NULL)"
_SEEN_DDL = "CREATE {kind} TABLE {name} (natural_key TEXT PRIMARY KEY, row BIGINT NOT NULL)"
# New versions of stored records, in the columns of `records` (id: the record's), as new ones are copied.
_UPDATES_DDL = {"pg": "CREATE UNLOGGED TABLE {name} (LIKE records)",
                "sqlite": "CREATE TEMP TABLE {name} AS SELECT * FROM records WHERE 0"}  # fmt: skip

KEY_COLUMNS = [
    "row", "natural_key", "subject_key", "subject_kind", "subject_name", "subject_uscc", "subject_id_number",
    "subject_region", "department_name", "department_uscc", "content_hash",
]  # fmt: skip
CODE_COLUMNS = ["row", "code_type", "code"]
# A new record's columns that need no database; with id, subject_id and department_id, all of them.
RECORD_STATIC = [
    "record_type", "natural_key", "batch_id", "version", "status", "decision_date", "publicity_start",
    "publicity_end", "publicity_minimum_end", "publicity_rule", "content_hash", "catalog_version", "data",
    "submitted", "source_row", "received_at", "created_at",
]  # fmt: skip
RECORD_COLUMNS = ["id", "subject_id", "department_id", *RECORD_STATIC]
ISSUE_COLUMNS = ["batch_id", "row", "field", "column", "code", "severity", "message"]
CLASSIFIED = {
    "row": pl.Int64,
    "outcome": pl.String,  # new | updated | unchanged | duplicate | homed_elsewhere
    "record_id": pl.Int64,  # the stored record with the same natural key
    "first_row": pl.Int64,  # duplicate: the row of the file that stands
    "home_region": pl.String,  # homed_elsewhere: the node the stored record belongs to
}
OWNERS = {"row": pl.Int64, "subject_id": pl.Int64, "department_id": pl.Int64}
_ROW_OWNERS = {"row": pl.Int64, "subject_key": pl.String, "department_uscc": pl.String}


class Staging:
    """The staging tables of one batch, alive for its transaction only.

    `rows`, `codes` and `updates` hold one chunk at a time; `seen` holds, for the whole batch, the
    keys of the rows left unchanged (so that a later row with the same key is a duplicate). On
    PostgreSQL they are UNLOGGED tables created and dropped inside the batch's transaction (a crash
    leaves none behind; unlike TEMP tables they use shared buffers, not the small temp_buffers).
    """

    def __init__(self, session: Session, batch_id: str) -> None:
        self.session = session
        self.pg = is_postgres(session)
        self.rows = f"stg_rows_{batch_id}"
        self.codes = f"stg_codes_{batch_id}"
        self.seen = f"stg_seen_{batch_id}"
        self.updates = f"stg_updates_{batch_id}"
        kind = "UNLOGGED" if self.pg else "TEMP"
        for ddl, name in ((_KEYS_DDL, self.rows), (_CODES_DDL, self.codes), (_SEEN_DDL, self.seen)):
            session.execute(text(ddl.format(name=name, kind=kind)))
        session.execute(text(_UPDATES_DDL["pg" if self.pg else "sqlite"].format(name=self.updates)))
        for table in (self.rows, self.codes):  # the chunk's own joins, by row
            session.execute(text(f"CREATE INDEX ix_{table} ON {table} (row)"))

    def load_chunk(self, keys: Encoded) -> None:
        """Replace the staged chunk with these rows' keys and subject codes."""
        self._clear(self.rows, self.codes, self.updates)
        land(self.session, self.rows, keys.rows, KEY_COLUMNS)
        land(self.session, self.codes, keys.codes, CODE_COLUMNS)

    def drop_rows(self, rows: pl.Series) -> None:
        """Take rows out of the staged chunk (duplicates of earlier chunks: rare)."""
        for table in (self.rows, self.codes):
            statement = text(f"DELETE FROM {table} WHERE row IN :rows").bindparams(
                bindparam("rows", expanding=True)
            )
            self.session.execute(statement, {"rows": rows.to_list()})

    def load_seen(self, seen: pl.DataFrame) -> None:
        land(self.session, self.seen, seen.select("natural_key", "row"))

    def _clear(self, *tables: str) -> None:
        if self.pg:  # in place: the tables were created in this transaction
            self.session.execute(text(f"TRUNCATE {', '.join(tables)}"))
        else:
            for table in tables:
                self.session.execute(text(f"DELETE FROM temp.{table}"))

    def drop(self) -> None:
        schema = "" if self.pg else "temp."
        for name in (self.rows, self.codes, self.seen, self.updates):
            self.session.execute(text(f"DROP TABLE IF EXISTS {schema}{name}"))


@dataclass(frozen=True)
class Encoded:
    """A chunk's keys and subject codes ready to land: COPY text on PostgreSQL, frames on SQLite."""

    rows: pl.DataFrame | memoryview  # KEY_COLUMNS
    codes: pl.DataFrame | memoryview  # CODE_COLUMNS


def encode_keys(staged: pl.DataFrame, codes: pl.DataFrame, copy_text: bool) -> Encoded:
    rows, codes = staged.select(KEY_COLUMNS), codes.select(CODE_COLUMNS)
    if copy_text:
        return Encoded(copy_lines(text_lines(rows)), copy_lines(text_lines(codes)))
    return Encoded(rows, codes)


def land(
    session: Session, table: str, rows: pl.DataFrame | memoryview, columns: Sequence[str] | None = None
) -> None:
    """Bulk-insert rows: COPY on PostgreSQL (a frame, or COPY text already made), executemany on SQLite.

    A frame's columns are named as the table's; COPY text comes with its `columns`."""
    if isinstance(rows, pl.DataFrame):
        if rows.is_empty():
            return
        columns = rows.columns
    elif not rows:
        return
    assert columns is not None
    names = ", ".join(f'"{c}"' for c in columns)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    if is_postgres(session):
        data = rows if isinstance(rows, memoryview) else copy_lines(text_lines(rows))
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            copy.write(data)
    else:
        assert isinstance(rows, pl.DataFrame)
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows.iter_rows())


# COPY's text format: only these characters are special. Cheaper for the server to read than CSV,
# where every quote of the JSON columns would be doubled.
_TEXT_SPECIAL = ["\\", "\t", "\n", "\r"]
_TEXT_ESCAPED = ["\\\\", "\\t", "\\n", "\\r"]


def text_lines(frame: pl.DataFrame) -> pl.Series:
    """Each row of `frame` as a line of COPY's text format, without its newline."""
    texts = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    # Escaping allocates every value anew; most columns have nothing to escape (a literal search is cheap).
    found = (
        frame.select(
            pl.any_horizontal(pl.col(c).str.contains(ch, literal=True) for ch in _TEXT_SPECIAL).any().alias(c)
            for c in texts
        ).row(0)
        if texts
        else ()
    )
    escape = {c for c, hit in zip(texts, found, strict=True) if hit}
    fields = [
        (
            pl.col(c).str.replace_many(_TEXT_SPECIAL, _TEXT_ESCAPED)
            if c in escape
            else pl.col(c).cast(pl.String)
        ).fill_null("\\N")
        for c in frame.columns
    ]
    return frame.select(pl.concat_str(fields, separator="\t").alias("line")).to_series()


def copy_lines(lines: pl.Series) -> memoryview:
    """Lines of COPY text as one buffer."""
    buffer = io.BytesIO()
    lines.to_frame().write_csv(buffer, include_header=False, quote_style="never")
    return buffer.getbuffer()


_RECORD_SLICE_ROWS = 2000  # ~3 MB of COPY text


def _exec(session: Session, sql: str, **params: Any) -> int:
    """Run one statement; the number of rows it changed."""
    result = session.execute(text(sql), params)
    return int(getattr(result, "rowcount", 0) or 0)


# Planner settings while chunks are stored (see begin_storing); parallel workers and JIT cost more
# than they bring to statements this small.
_CHUNK_PLANNER = {
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",  # staging tables have no statistics: estimates are high, and compiling cost more than it saved
}


def begin_storing(session: Session) -> None:
    """Wait for any other batch storing records, then hold them until this transaction ends.

    On PostgreSQL the chunk statements then join by nested loops only: each joins a chunk of a few
    thousand staged rows to tables of millions (records, subjects, codes), which must be index
    probes from the chunk, never a scan of the store — whatever the planner's estimates, which bulk
    loads leave stale. (SQLite joins this way anyway.)"""
    if is_postgres(session):
        _exec(session, "SELECT pg_advisory_xact_lock(:k)", k=MERGE_LOCK)
        for setting, value in _CHUNK_PLANNER.items():
            _exec(session, f"SET LOCAL {setting} = {value}")


def end_storing(session: Session) -> None:
    """Back to the planner's own choices for the rest of the transaction (the lock stays to its end)."""
    if is_postgres(session):
        for setting in _CHUNK_PLANNER:
            _exec(session, f"SET LOCAL {setting} TO DEFAULT")


def resolve_departments(session: Session, stg: Staging, *, now: datetime) -> None:
    """Register the departments the staged rows name that are not known yet."""
    _exec(
        session,
        f"""
        INSERT INTO departments (name, uscc, region_code, created_at)
        SELECT name, uscc, SUBSTR(uscc, 3, 6), :now
        FROM (SELECT department_uscc AS uscc, MIN(department_name) AS name FROM {stg.rows}
              GROUP BY department_uscc) s
        WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.uscc = s.uscc)
        ON CONFLICT (uscc) DO NOTHING""",
        now=now,
    )


def resolve_subjects(session: Session, stg: Staging, *, now: datetime, seed: str) -> None:
    """Find or create the subject of every staged row, record its codes, merge provisional subjects."""
    rows, codes = stg.rows, stg.codes
    # A subject known so far only under an old code: rows that bring that code alone join it.
    _exec(
        session,
        f"""
        UPDATE {rows} SET subject_key = s.subject_key
        FROM {codes} c JOIN subject_codes sc ON sc.code_type = c.code_type AND sc.code = c.code
             JOIN subjects s ON s.id = sc.subject_id
        WHERE c.row = {rows}.row AND {rows}.subject_uscc IS NULL AND {rows}.subject_key NOT LIKE 'person:%'
          AND {rows}.subject_key NOT LIKE 'uscc:%'""",
    )
    public_id = "md5(:seed || subject_key)" if stg.pg else "lower(hex(randomblob(16)))"
    _exec(
        session,
        f"""
        INSERT INTO subjects (subject_key, public_id, kind, name, uscc, id_number, region_code, created_at, updated_at)
        SELECT subject_key, {public_id}, kind, name, uscc, id_number, region_code, :now, :now
        FROM (SELECT subject_key, MIN(subject_kind) AS kind, MIN(subject_name) AS name, MIN(subject_uscc) AS uscc,
                     MIN(subject_id_number) AS id_number, MIN(subject_region) AS region_code
              FROM {rows} GROUP BY subject_key) s
        WHERE NOT EXISTS (SELECT 1 FROM subjects x WHERE x.subject_key = s.subject_key)
        ON CONFLICT (subject_key) DO NOTHING""",
        now=now,
        seed=seed,
    )
    codes_from = f"""SELECT s.subject_key, s.subject_uscc, c.code_type, c.code
                     FROM {codes} c JOIN {rows} s ON s.row = c.row"""
    subjects.register_codes(session, codes_from, now=now)


def classify_keys(
    session: Session, stg: Staging, rows: pl.DataFrame, *, batch_id: str, record_type: str
) -> pl.DataFrame:
    """Each staged row against the store by its natural key: new, updated (new content), unchanged,
    a duplicate of an earlier row of this batch (`first_row`, the row that stands), or the key of a
    record replicated from its home node (`home_region`), which only its home changes."""
    query = f"""
        SELECT s.row,
               CASE WHEN r.home_region IS NOT NULL THEN 'homed_elsewhere'
                    WHEN r.batch_id = :batch OR seen.row IS NOT NULL THEN 'duplicate'
                    WHEN r.content_hash = s.content_hash THEN 'unchanged' ELSE 'updated' END,
               r.id, CASE WHEN r.batch_id = :batch THEN r.source_row ELSE seen.row END, r.home_region
        FROM {stg.rows} s JOIN records r ON r.record_type = :rt AND r.natural_key = s.natural_key
        LEFT JOIN {stg.seen} seen ON seen.natural_key = s.natural_key"""  # rows not found are new
    known = _frame_of(session, query, {"rt": record_type, "batch": batch_id}, CLASSIFIED)
    return (
        rows.join(known, on="row", how="left", maintain_order="left")
        .with_columns(pl.col("outcome").fill_null("new"))
        .select(list(CLASSIFIED))
    )


def owners(session: Session, stg: Staging) -> pl.DataFrame:
    """The subject (after merges) and department of each staged row.

    A chunk names a few thousand subjects and a dozen departments in tens of thousands of rows: each
    is looked up once, and the rows are matched to them here rather than by an index probe per row."""
    rows = _frame_of(session, f"SELECT row, subject_key, department_uscc FROM {stg.rows}", {}, _ROW_OWNERS)
    subjects = _frame_of(
        session,
        f"""SELECT s.subject_key, COALESCE(sj.merged_into_id, sj.id)
            FROM (SELECT DISTINCT subject_key FROM {stg.rows}) s JOIN subjects sj ON sj.subject_key = s.subject_key""",
        {},
        {"subject_key": pl.String, "subject_id": pl.Int64},
    )
    departments = _frame_of(
        session,
        f"""SELECT d.uscc, d.id FROM (SELECT DISTINCT department_uscc FROM {stg.rows}) s
            JOIN departments d ON d.uscc = s.department_uscc""",
        {},
        {"department_uscc": pl.String, "department_id": pl.Int64},
    )
    return (
        rows.join(subjects, on="subject_key", how="inner")
        .join(departments, on="department_uscc", how="inner")
        .select(list(OWNERS))
    )


def _frame_of(session: Session, query: str, params: dict[str, Any], schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of a query (`:name` parameters, no `%`) as a frame: by COPY on PostgreSQL, which
    spares building a Python object per value."""
    if not is_postgres(session):
        return pl.DataFrame(session.execute(text(query), params).all(), schema=schema, orient="row")
    assert "%" not in query
    raw = session.connection().connection.driver_connection
    assert raw is not None
    buffer = io.BytesIO()
    statement = re.sub(r"(?<!:):(\w+)", r"%(\1)s", f"COPY ({query}) TO STDOUT")
    with raw.cursor() as cursor, cursor.copy(statement, params) as copy:
        for block in copy:
            buffer.write(block)
    if not buffer.tell():
        return pl.DataFrame(schema=schema)
    return pl.read_csv(
        buffer.getvalue(), separator="\t", has_header=False, new_columns=list(schema), schema=schema,
        null_values="\\N", quote_char=None,
    )  # fmt: skip


def allocate_record_ids(session: Session, count: int) -> pl.Series:
    """`count` new record ids, taken now so that records and their history rows can be copied."""
    if is_postgres(session):
        # The sequence is named once: `nextval(pg_get_serial_sequence(...))` looked it up per id.
        sequence = session.execute(text("SELECT pg_get_serial_sequence('records', 'id')")).scalar_one()
        taken = """SELECT MIN(id), MAX(id) FROM (SELECT nextval(CAST(:seq AS regclass)) AS id
                   FROM generate_series(1, :n)) ids"""
        first, last = session.execute(text(taken), {"seq": sequence, "n": count}).one()
        if last - first + 1 != count:  # another session took ids in between: take a list instead
            return pl.Series("id", _take_ids(session, sequence, count), dtype=pl.Int64)
    else:  # the ingest holds SQLite's only write lock
        first = int(session.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM records")).scalar_one())
    return pl.int_range(first, first + count, dtype=pl.Int64, eager=True).alias("id")


def _take_ids(session: Session, sequence: str, count: int) -> list[int]:
    query = "SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)"
    return list(session.execute(text(query), {"seq": sequence, "n": count}).scalars())


def insert_records(
    session: Session, records: pl.DataFrame, *, batch_id: str, actor: str, at: datetime
) -> None:
    """New records (see `_land_records`), then their `created` history rows, made from them by the server."""
    _land_records(session, "records", records)
    ids = records.get_column("id")
    # The chunk's ids come from the sequence: no record of this batch has one in their range but
    # those just copied (earlier chunks took smaller ones; other sessions' records are of other batches).
    _exec(
        session,
        """
        INSERT INTO record_history (record_id, version, event, batch_id, content_hash, actor, at)
        SELECT id, 1, 'created', batch_id, content_hash, :actor, :at FROM records
        WHERE id BETWEEN :first AND :last AND batch_id = :batch ORDER BY id""",
        actor=actor,
        at=at,
        first=ids.min(),
        last=ids.max(),
        batch=batch_id,
    )


def update_records(
    session: Session, stg: Staging, records: pl.DataFrame, *, actor: str, now: datetime
) -> None:
    """New versions of stored records (`id` the stored record's, see `_land_records`); each history row
    keeps the data it replaced."""
    _land_records(session, stg.updates, records)
    _exec(
        session,
        f"""
        INSERT INTO record_history (record_id, version, event, batch_id, content_hash, previous_data,
                                    previous_submitted, previous_batch_id, actor, at)
        SELECT r.id, r.version + 1, 'updated', u.batch_id, u.content_hash, r.data, r.submitted, r.batch_id, :actor, :now
        FROM {stg.updates} u JOIN records r ON r.id = u.id""",
        actor=actor,
        now=now,
    )
    # A record that has left public view (expired, repaired, withdrawn) keeps its window: a new
    # version from the department does not publish it again.
    _exec(
        session,
        f"""
        UPDATE records SET version = records.version + 1, subject_id = u.subject_id, department_id = u.department_id,
               batch_id = u.batch_id, decision_date = u.decision_date,
               publicity_start = CASE WHEN records.publicity_closed_on IS NULL THEN u.publicity_start
                                      ELSE records.publicity_start END,
               publicity_end = CASE WHEN records.publicity_closed_on IS NULL THEN u.publicity_end
                                    ELSE records.publicity_end END,
               publicity_minimum_end = CASE WHEN records.publicity_closed_on IS NULL THEN u.publicity_minimum_end
                                            ELSE records.publicity_minimum_end END,
               publicity_rule = CASE WHEN records.publicity_closed_on IS NULL THEN u.publicity_rule
                                     ELSE records.publicity_rule END,
               content_hash = u.content_hash, catalog_version = u.catalog_version,
               data = u.data, submitted = u.submitted, source_row = u.source_row, received_at = u.received_at
        FROM {stg.updates} u WHERE records.id = u.id""",
    )


def _land_records(session: Session, table: str, records: pl.DataFrame) -> None:
    """Records in RECORD_COLUMNS, or `id`, `subject_id`, `department_id` and `record_line`, the other
    columns already in COPY text (store.prepare)."""
    if "record_line" not in records.columns:
        land(session, table, records.select(RECORD_COLUMNS))
        return
    owned = [pl.col(c).cast(pl.String) for c in ("id", "subject_id", "department_id")]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in RECORD_COLUMNS)
    # The server parses and indexes the records (the ingest's largest cost) while the next slice
    # is put together here and a writer thread sends the one before.
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN", writer=QueuedLibpqWriter(cursor)) as copy,
    ):
        for piece in records.iter_slices(_RECORD_SLICE_ROWS):
            copy.write(
                copy_lines(
                    piece.select(pl.concat_str([*owned, pl.col("record_line")], separator="\t")).to_series()
                )
            )


def insert_issues(session: Session, issues: pl.DataFrame) -> None:
    """Rejected rows and warnings (columns ISSUE_COLUMNS)."""
    land(session, "batch_issues", issues.select(ISSUE_COLUMNS))


def issue_counts(session: Session, batch_id: str) -> tuple[int, int]:
    """Rows rejected and warnings given in a batch."""
    result = session.execute(
        text("""
        SELECT COUNT(DISTINCT CASE WHEN severity = 'error' THEN row END),
               COUNT(CASE WHEN severity = 'warning' THEN 1 END) FROM batch_issues WHERE batch_id = :batch"""),
        {"batch": batch_id},
    ).one()
    return int(result[0] or 0), int(result[1] or 0)


def batch_stats_by_department(session: Session) -> list[Any]:  # rows of the select below
    """Per department: batches, rows received and rejected, last submission."""
    return list(
        session.execute(
            select(
                Batch.department_id,
                func.count(Batch.id).label("batches"),
                func.coalesce(func.sum(Batch.received), 0).label("received"),
                func.coalesce(func.sum(Batch.rejected), 0).label("rejected"),
                func.max(Batch.received_at).label("last"),
            )
            .where(Batch.department_id.is_not(None))
            .group_by(Batch.department_id)
        )
    )


def recent_batches(session: Session, *, department_id: int | None, limit: int) -> list[Batch]:
    query = select(Batch).order_by(Batch.received_at.desc()).limit(limit)
    if department_id is not None:
        query = query.where(Batch.department_id == department_id)
    return list(session.scalars(query))
