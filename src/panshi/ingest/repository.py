"""All SQL of ingest: staging tables, bulk loading (COPY / executemany) and the set-based merge."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import text
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.ingest.validate import ISSUE_COLUMNS, STAGING_COLUMNS

# One merge at a time per database: parsing and staging run in parallel, the merge serialises so
# that two batches over the same records both end consistent (PostgreSQL advisory lock; SQLite
# already has a single writer).
MERGE_LOCK = 7_310_001

_STAGING_DDL = """
CREATE TEMP TABLE {name} (
    row BIGINT NOT NULL, natural_key TEXT NOT NULL, subject_key TEXT NOT NULL, subject_kind TEXT,
    subject_name TEXT, subject_uscc TEXT, subject_id_number TEXT, subject_region TEXT,
    department_name TEXT, department_uscc TEXT, decision_date DATE, content_hash TEXT, data TEXT,
    submitted TEXT, subject_id BIGINT, department_id BIGINT, record_id BIGINT, outcome TEXT
){suffix}
"""
_CODES_DDL = "CREATE TEMP TABLE {name} (row BIGINT NOT NULL, code_type TEXT NOT NULL, code TEXT NOT NULL){suffix}"
_ISSUES_DDL = """CREATE TEMP TABLE {name} (row BIGINT NOT NULL, field TEXT, "column" TEXT, code TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT NOT NULL){suffix}"""


class Staging:
    """The temporary tables of one batch, alive for its transaction only."""

    def __init__(self, session: Session, batch_id: str) -> None:
        self.session = session
        self.pg = is_postgres(session)
        self.rows = f"stg_rows_{batch_id}"
        self.codes = f"stg_codes_{batch_id}"
        self.issues = f"stg_issues_{batch_id}"
        suffix = " ON COMMIT DROP" if self.pg else ""
        for ddl, name in ((_STAGING_DDL, self.rows), (_CODES_DDL, self.codes), (_ISSUES_DDL, self.issues)):
            session.execute(text(ddl.format(name=name, suffix=suffix)))

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
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getbuffer())
        else:
            marks = ", ".join("?" for _ in frame.columns)
            raw = self.session.connection().connection.driver_connection
            assert raw is not None
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", frame.iter_rows())

    def drop(self) -> None:
        if not self.pg:
            for name in (self.rows, self.codes, self.issues):
                self.session.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))


def _exec(session: Session, sql: str, **params: Any) -> None:
    session.execute(text(sql), params)


def merge(
    session: Session, stg: Staging, *, batch_id: str, record_type: str, catalog_version: str,
    received_at: datetime, register_departments: bool, actor: str, public_id_seed: str,
) -> dict[str, int]:  # fmt: skip
    """Resolve subjects and departments, then insert, version or skip each staged record, set-based."""
    if stg.pg:
        _exec(session, "SELECT pg_advisory_xact_lock(:k)", k=MERGE_LOCK)
    rows, codes, issues = stg.rows, stg.codes, stg.issues
    p = {"batch": batch_id, "rt": record_type, "cv": catalog_version, "now": received_at, "actor": actor}

    # The same record twice in one file: the first stands, the others come back to the sender.
    _exec(session, f"""
        INSERT INTO {issues} (row, field, "column", code, severity, message)
        SELECT s.row, NULL, NULL, 'duplicate_in_file', 'error',
               '与本文件第 ' || f.first_row || ' 行是同一条记录（决定文书号与行政相对人相同），请合并后重报'
        FROM {rows} s JOIN (SELECT natural_key, MIN(row) AS first_row FROM {rows} GROUP BY natural_key) f
          ON f.natural_key = s.natural_key AND s.row > f.first_row""")
    _exec(session, f"""DELETE FROM {rows} WHERE row IN
        (SELECT row FROM {issues} WHERE code = 'duplicate_in_file')""")
    _exec(session, f"DELETE FROM {codes} WHERE row NOT IN (SELECT row FROM {rows})")

    _resolve_departments(session, stg, register=register_departments, now=received_at)
    _resolve_subjects(session, stg, now=received_at, seed=public_id_seed)

    # Classify against the store: new, unchanged (same content), updated (same key, new content).
    _exec(session, f"""
        UPDATE {rows} SET record_id = r.id,
               outcome = CASE WHEN r.content_hash = {rows}.content_hash THEN 'unchanged' ELSE 'updated' END
        FROM records r WHERE r.record_type = :rt AND r.natural_key = {rows}.natural_key""", **p)
    _exec(session, f"UPDATE {rows} SET outcome = 'new' WHERE outcome IS NULL")

    json_cast = "::jsonb" if stg.pg else ""
    _exec(session, f"""
        INSERT INTO record_history (record_id, version, event, batch_id, content_hash, previous_data,
                                    previous_submitted, actor, at)
        SELECT r.id, r.version + 1, 'updated', :batch, s.content_hash, r.data, r.submitted, :actor, :now
        FROM {rows} s JOIN records r ON r.id = s.record_id WHERE s.outcome = 'updated'""", **p)
    _exec(session, f"""
        UPDATE records SET version = records.version + 1, subject_id = s.subject_id,
               department_id = s.department_id, batch_id = :batch, decision_date = s.decision_date,
               content_hash = s.content_hash, catalog_version = :cv, data = s.data{json_cast},
               submitted = s.submitted{json_cast}, source_row = s.row, received_at = :now
        FROM {rows} s WHERE records.id = s.record_id AND s.outcome = 'updated'""", **p)
    _exec(session, f"""
        INSERT INTO records (record_type, natural_key, subject_id, department_id, batch_id, version, status,
                             decision_date, content_hash, catalog_version, data, submitted, source_row,
                             received_at, created_at)
        SELECT :rt, natural_key, subject_id, department_id, :batch, 1, 'active', decision_date, content_hash,
               :cv, data{json_cast}, submitted{json_cast}, row, :now, :now
        FROM {rows} WHERE outcome = 'new'""", **p)
    _exec(session, """
        INSERT INTO record_history (record_id, version, event, batch_id, content_hash, actor, at)
        SELECT id, 1, 'created', batch_id, content_hash, :actor, :now
        FROM records WHERE batch_id = :batch AND version = 1""", **p)

    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for outcome, n in session.execute(text(f"SELECT outcome, COUNT(*) FROM {rows} GROUP BY outcome")):
        counts[outcome] = n
    return counts


def _resolve_departments(session: Session, stg: Staging, *, register: bool, now: datetime) -> None:
    rows = stg.rows
    if register:
        conflict = "ON CONFLICT (uscc) DO NOTHING"
        _exec(session, f"""
            INSERT INTO departments (name, uscc, region_code, created_at)
            SELECT MIN(department_name), department_uscc, SUBSTR(department_uscc, 3, 6), :now
            FROM {rows} WHERE department_uscc NOT IN (SELECT uscc FROM departments)
            GROUP BY department_uscc {conflict}""", now=now)
    _exec(session, f"""UPDATE {rows} SET department_id = d.id FROM departments d
        WHERE d.uscc = {rows}.department_uscc""")


def _resolve_subjects(session: Session, stg: Staging, *, now: datetime, seed: str) -> None:
    rows, codes = stg.rows, stg.codes
    # A subject known so far only under an old code: rows that bring that code alone join it.
    _exec(session, f"""
        UPDATE {rows} SET subject_key = s.subject_key
        FROM {codes} c JOIN subject_codes sc ON sc.code_type = c.code_type AND sc.code = c.code
             JOIN subjects s ON s.id = sc.subject_id
        WHERE c.row = {rows}.row AND {rows}.subject_uscc IS NULL AND {rows}.subject_key NOT LIKE 'person:%'
          AND {rows}.subject_key NOT LIKE 'uscc:%'""")
    public_id = "md5(:seed || subject_key)" if stg.pg else "lower(hex(randomblob(16)))"
    _exec(session, f"""
        INSERT INTO subjects (subject_key, public_id, kind, name, uscc, id_number, region_code, created_at, updated_at)
        SELECT subject_key, {public_id}, MIN(subject_kind), MIN(subject_name), MIN(subject_uscc),
               MIN(subject_id_number), MIN(subject_region), :now, :now
        FROM {rows} WHERE subject_key NOT IN (SELECT subject_key FROM subjects)
        GROUP BY subject_key ON CONFLICT (subject_key) DO NOTHING""", now=now, seed=seed)
    _exec(session, f"""UPDATE {rows} SET subject_id = s.id FROM subjects s
        WHERE s.subject_key = {rows}.subject_key""")
    _exec(session, f"""
        INSERT INTO subject_codes (code_type, code, subject_id)
        SELECT DISTINCT c.code_type, c.code, s.subject_id FROM {codes} c JOIN {rows} s ON s.row = c.row
        WHERE true ON CONFLICT (code_type, code) DO NOTHING""")
    # Provisional subjects (old code only) whose code now belongs to a USCC subject merge into it,
    # so that one subject keeps one credit file.
    _exec(session, """
        UPDATE subjects SET merged_into_id = sc.subject_id, updated_at = :now
        FROM subject_codes sc
        WHERE subjects.uscc IS NULL AND subjects.merged_into_id IS NULL AND subjects.kind <> 'natural_person'
          AND subjects.subject_key = sc.code_type || ':' || sc.code AND sc.subject_id <> subjects.id""", now=now)
    _exec(session, """
        UPDATE records SET subject_id = s.merged_into_id
        FROM subjects s WHERE records.subject_id = s.id AND s.merged_into_id IS NOT NULL""")


def copy_issues(session: Session, stg: Staging, batch_id: str) -> dict[str, int]:
    """Keep the batch's issues; return the rejected-row and warning counts."""
    _exec(session, f"""
        INSERT INTO batch_issues (batch_id, row, field, "column", code, severity, message)
        SELECT :batch, row, field, "column", code, severity, message FROM {stg.issues}""", batch=batch_id)
    result = session.execute(text(f"""
        SELECT COUNT(DISTINCT CASE WHEN severity = 'error' THEN row END),
               COUNT(CASE WHEN severity = 'warning' THEN 1 END) FROM {stg.issues}""")).one()
    return {"rejected": int(result[0] or 0), "warnings": int(result[1] or 0)}
