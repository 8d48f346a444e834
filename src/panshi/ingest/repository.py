"""All SQL of ingest: staging tables, bulk loading (COPY / executemany) and the set-based merge."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.ingest.models import Batch
from panshi.ingest.validate import ISSUE_COLUMNS, STAGING_COLUMNS

# One merge at a time per database: parsing and staging run in parallel, the merge serialises so
# that two batches over the same records both end consistent (PostgreSQL advisory lock; SQLite
# already has a single writer).
MERGE_LOCK = 7_310_001

_STAGING_DDL = """
CREATE {kind} TABLE {name} (
    row BIGINT NOT NULL, natural_key TEXT NOT NULL, subject_key TEXT NOT NULL, subject_kind TEXT,
    subject_name TEXT, subject_uscc TEXT, subject_id_number TEXT, subject_region TEXT,
    department_name TEXT, department_uscc TEXT, decision_date DATE, publicity_start DATE, publicity_end DATE,
    content_hash TEXT,
    data TEXT,
    submitted TEXT
)
"""
_CODES_DDL = "CREATE {kind} TABLE {name} (row BIGINT NOT NULL, code_type TEXT NOT NULL, code TEXT NOT NULL)"
_ISSUES_DDL = """CREATE {kind} TABLE {name} (row BIGINT NOT NULL, field TEXT, "column" TEXT, code TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT NOT NULL)"""


class Staging:
    """The staging tables of one batch, alive for its transaction only.

    On PostgreSQL they are UNLOGGED tables created and dropped inside the batch's transaction (so a
    crash leaves none behind): unlike TEMP tables they use shared buffers instead of the small
    per-session temp_buffers, which made the merge read its staging rows from disk.
    """

    def __init__(self, session: Session, batch_id: str) -> None:
        self.session = session
        self.pg = is_postgres(session)
        self.rows = f"stg_rows_{batch_id}"
        self.codes = f"stg_codes_{batch_id}"
        self.issues = f"stg_issues_{batch_id}"
        kind = "UNLOGGED" if self.pg else "TEMP"
        for ddl, name in ((_STAGING_DDL, self.rows), (_CODES_DDL, self.codes), (_ISSUES_DDL, self.issues)):
            session.execute(text(ddl.format(name=name, kind=kind, suffix="")))

    def load(self, staged: pl.DataFrame, codes: pl.DataFrame, issues: pl.DataFrame) -> None:
        """Land one validated chunk: COPY on PostgreSQL, executemany on SQLite."""
        self._land(self.rows, staged.select(STAGING_COLUMNS))
        self._land(self.codes, codes.select("row", "code_type", "code"))
        self.load_issues(issues)

    def load_issues(self, issues: pl.DataFrame) -> None:
        self._land(self.issues, issues.select(list(ISSUE_COLUMNS)))

    def _land(self, table: str, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        if self.pg:
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False, null_value="")
            raw = self.session.connection().connection.driver_connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
            ):
                copy.write(buffer.getbuffer())
        else:
            marks = ", ".join("?" for _ in frame.columns)
            raw = self.session.connection().connection.driver_connection
            assert raw is not None
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", frame.iter_rows())

    def index(self) -> None:
        """Index and analyse the loaded staging tables so that the merge joins by hash or index."""
        for table, column in ((self.rows, "row"), (self.rows, "natural_key"), (self.rows, "subject_key"),
                              (self.codes, "row"), (self.issues, "row")):  # fmt: skip
            self.session.execute(text(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})"))
        for table in (self.rows, self.codes, self.issues):
            self.session.execute(text(f"ANALYZE {table}"))

    def drop(self) -> None:
        schema = "" if self.pg else "temp."
        for name in (self.rows, self.codes, self.issues):
            self.session.execute(text(f"DROP TABLE IF EXISTS {schema}{name}"))


def _exec(session: Session, sql: str, **params: Any) -> None:
    session.execute(text(sql), params)


def merge(
    session: Session, stg: Staging, *, batch_id: str, record_type: str, catalog_version: str,
    received_at: datetime, register_departments: bool, actor: str, public_id_seed: str,
) -> dict[str, int]:  # fmt: skip
    """Resolve subjects and departments, then insert, version or skip each staged record, set-based."""
    stg.index()
    if stg.pg:
        _exec(session, "SELECT pg_advisory_xact_lock(:k)", k=MERGE_LOCK)
        _exec(session, "SET LOCAL work_mem = '256MB'")  # the merge's hash joins fit in memory
    rows, codes, issues = stg.rows, stg.codes, stg.issues
    p = {"batch": batch_id, "rt": record_type, "cv": catalog_version, "now": received_at, "actor": actor}

    # The same record twice in one file: the first stands, the others come back to the sender.
    _exec(
        session,
        f"""
        INSERT INTO {issues} (row, field, "column", code, severity, message)
        SELECT s.row, NULL, NULL, 'duplicate_in_file', 'error',
               '与本文件第 ' || f.first_row || ' 行是同一条记录（决定文书号与行政相对人相同），请合并后重报'
        FROM {rows} s JOIN (SELECT natural_key, MIN(row) AS first_row FROM {rows} GROUP BY natural_key) f
          ON f.natural_key = s.natural_key AND s.row > f.first_row""",
    )
    _exec(
        session,
        f"""DELETE FROM {rows} WHERE EXISTS
        (SELECT 1 FROM {issues} i WHERE i.row = {rows}.row AND i.code = 'duplicate_in_file')""",
    )
    _exec(session, f"DELETE FROM {codes} WHERE NOT EXISTS (SELECT 1 FROM {rows} s WHERE s.row = {codes}.row)")

    _resolve_departments(session, stg, register=register_departments, now=received_at)
    _resolve_subjects(session, stg, now=received_at, seed=public_id_seed)

    # Classify against the store: new, unchanged (same content), updated (same key, new content).
    counts = session.execute(
        text(f"""
        SELECT COALESCE(SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN r.content_hash <> s.content_hash THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN r.content_hash = s.content_hash THEN 1 ELSE 0 END), 0)
        FROM {rows} s LEFT JOIN records r ON r.record_type = :rt AND r.natural_key = s.natural_key"""),
        p,
    ).one()

    # Each staged row with its subject and department, joined in place rather than written back.
    resolved = f"""{rows} s JOIN subjects sj0 ON sj0.subject_key = s.subject_key
        JOIN subjects sj ON sj.id = COALESCE(sj0.merged_into_id, sj0.id)
        JOIN departments d ON d.uscc = s.department_uscc"""
    json_cast = "::jsonb" if stg.pg else ""
    json_plain = "::json" if stg.pg else ""  # kept as sent, never queried: no jsonb parsing
    if counts[1]:
        _exec(
            session,
            f"""
            INSERT INTO record_history (record_id, version, event, batch_id, content_hash, previous_data,
                                        previous_submitted, previous_batch_id, actor, at)
            SELECT r.id, r.version + 1, 'updated', :batch, s.content_hash, r.data, r.submitted, r.batch_id,
                   :actor, :now
            FROM {rows} s JOIN records r ON r.record_type = :rt AND r.natural_key = s.natural_key
            WHERE r.content_hash <> s.content_hash""",
            **p,
        )
        _exec(
            session,
            f"""
            UPDATE records SET version = records.version + 1, subject_id = sj.id, department_id = d.id,
                   batch_id = :batch, decision_date = s.decision_date, publicity_start = s.publicity_start,
                   publicity_end = s.publicity_end, content_hash = s.content_hash,
                   catalog_version = :cv, data = s.data{json_cast}, submitted = s.submitted{json_plain},
                   source_row = s.row, received_at = :now
            FROM {resolved}
            WHERE records.record_type = :rt AND records.natural_key = s.natural_key
              AND records.content_hash <> s.content_hash""",
            **p,
        )
    if counts[0]:
        insert = f"""
            INSERT INTO records (record_type, natural_key, subject_id, department_id, batch_id, version, status,
                                 decision_date, publicity_start, publicity_end, content_hash, catalog_version,
                                 data, submitted, source_row, received_at, created_at)
            SELECT CAST(:rt AS VARCHAR), s.natural_key, sj.id, d.id, CAST(:batch AS VARCHAR), 1, 'active',
                   s.decision_date, s.publicity_start, s.publicity_end, s.content_hash, CAST(:cv AS VARCHAR),
                   s.data{json_cast}, s.submitted{json_plain}, s.row, :now, :now
            FROM {resolved}
            WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.record_type = :rt AND r.natural_key = s.natural_key)"""
        created = "SELECT id, 1, 'created', batch_id, content_hash, :actor, :now FROM {source}"
        history = "INSERT INTO record_history (record_id, version, event, batch_id, content_hash, actor, at) "
        if stg.pg:  # one pass: the history rows come from the inserted rows themselves
            _exec(session, f"WITH created AS ({insert} RETURNING id, batch_id, content_hash) "
                           + history + created.format(source="created"), **p)  # fmt: skip
        else:
            _exec(session, insert, **p)
            _exec(
                session,
                history + created.format(source="records WHERE batch_id = :batch AND version = 1"),
                **p,
            )
    return {"new": int(counts[0]), "updated": int(counts[1]), "unchanged": int(counts[2])}


def _resolve_departments(session: Session, stg: Staging, *, register: bool, now: datetime) -> None:
    rows = stg.rows
    if register:
        conflict = "ON CONFLICT (uscc) DO NOTHING"
        _exec(
            session,
            f"""
            INSERT INTO departments (name, uscc, region_code, created_at)
            SELECT MIN(department_name), department_uscc, SUBSTR(department_uscc, 3, 6), :now
            FROM {rows} WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.uscc = {rows}.department_uscc)
            GROUP BY department_uscc {conflict}""",
            now=now,
        )


def _resolve_subjects(session: Session, stg: Staging, *, now: datetime, seed: str) -> None:
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
        SELECT subject_key, {public_id}, MIN(subject_kind), MIN(subject_name), MIN(subject_uscc),
               MIN(subject_id_number), MIN(subject_region), :now, :now
        FROM {rows} WHERE NOT EXISTS (SELECT 1 FROM subjects s WHERE s.subject_key = {rows}.subject_key)
        GROUP BY subject_key ON CONFLICT (subject_key) DO NOTHING""",
        now=now,
        seed=seed,
    )
    _exec(
        session,
        f"""
        INSERT INTO subject_codes (code_type, code, subject_id)
        SELECT DISTINCT c.code_type, c.code, sj.id FROM {codes} c JOIN {rows} s ON s.row = c.row
        JOIN subjects sj ON sj.subject_key = s.subject_key
        WHERE NOT EXISTS (SELECT 1 FROM subject_codes x WHERE x.code_type = c.code_type AND x.code = c.code)
        ON CONFLICT (code_type, code) DO NOTHING""",
    )
    # An old code that so far named a provisional subject (old code only) now belongs to the USCC
    # subject it arrived with; the provisional subject merges into it, so one subject has one file.
    _exec(
        session,
        f"""
        UPDATE subject_codes SET subject_id = target.id
        FROM {codes} c JOIN {rows} s ON s.row = c.row JOIN subjects target ON target.subject_key = s.subject_key,
             subjects old
        WHERE s.subject_uscc IS NOT NULL AND subject_codes.code_type = c.code_type AND subject_codes.code = c.code
          AND old.id = subject_codes.subject_id AND old.uscc IS NULL AND old.kind <> 'natural_person'
          AND old.id <> target.id""",
    )
    _exec(
        session,
        """
        UPDATE subjects SET merged_into_id = sc.subject_id, updated_at = :now
        FROM subject_codes sc
        WHERE subjects.uscc IS NULL AND subjects.merged_into_id IS NULL AND subjects.kind <> 'natural_person'
          AND subjects.subject_key = sc.code_type || ':' || sc.code AND sc.subject_id <> subjects.id""",
        now=now,
    )
    _exec(
        session,
        """
        UPDATE records SET subject_id = s.merged_into_id
        FROM subjects s WHERE records.subject_id = s.id AND s.merged_into_id IS NOT NULL AND s.updated_at = :now""",
        now=now,
    )


def copy_issues(session: Session, stg: Staging, batch_id: str) -> dict[str, int]:
    """Keep the batch's issues; return the rejected-row and warning counts."""
    _exec(
        session,
        f"""
        INSERT INTO batch_issues (batch_id, row, field, "column", code, severity, message)
        SELECT :batch, row, field, "column", code, severity, message FROM {stg.issues}""",
        batch=batch_id,
    )
    result = session.execute(
        text(f"""
        SELECT COUNT(DISTINCT CASE WHEN severity = 'error' THEN row END),
               COUNT(CASE WHEN severity = 'warning' THEN 1 END) FROM {stg.issues}""")
    ).one()
    return {"rejected": int(result[0] or 0), "warnings": int(result[1] or 0)}


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
