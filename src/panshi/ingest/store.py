"""Storing a batch chunk by chunk: resolve, classify, then copy new records and version changed ones.

`prepare` does all that needs no database (in the read-ahead thread, while the database stores the
chunk before); `ChunkStore.add` then runs the chunk's SQL in the batch's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy.orm import Session

from panshi.ingest import repository
from panshi.ingest.receipts import RECEIVED_AT
from panshi.ingest.validate import ISSUE_COLUMNS, ValidatedChunk


@dataclass(frozen=True)
class BatchInfo:
    """What every record and history row of a batch shares."""

    batch_id: str
    record_type: str
    catalog_version: str
    received_at: datetime
    actor: str

    @property
    def at(self) -> str:
        return self.received_at.isoformat(sep=" ")


@dataclass(frozen=True)
class PreparedChunk:
    received: int  # rows read
    # The first row of each natural key: STAGING_COLUMNS, or with `copy_text` row, natural_key,
    # content_hash and record_line (the rest of the record as COPY text).
    staged: pl.DataFrame
    codes: pl.DataFrame  # row, code_type, code of the staged rows
    issues: pl.DataFrame  # ISSUE_COLUMNS, duplicates within the chunk included
    keys: repository.Encoded  # the staged rows' keys, ready to land


def prepare(chunk: ValidatedChunk, batch: BatchInfo, *, copy_text: bool) -> PreparedChunk:
    """Everything about a validated chunk that needs no database. With `copy_text` (PostgreSQL), each
    row's record is encoded for COPY already, but for its id, subject and department."""
    staged, duplicates = _first_of_each_key(chunk.staged)
    codes = chunk.codes
    if not duplicates.is_empty():
        codes = codes.filter(pl.col("row").is_in(staged.get_column("row").implode()))
    issues = pl.concat([chunk.issues, duplicates]) if not duplicates.is_empty() else chunk.issues
    keys = repository.encode_keys(staged, codes, copy_text)
    if copy_text and not staged.is_empty():  # all that is left to store of a row
        lines = repository.text_lines(record_columns(staged, batch))
        staged = staged.select("row", "natural_key", "content_hash", lines.alias("record_line"))
    return PreparedChunk(chunk.received, staged, codes, issues, keys)


def record_columns(staged: pl.DataFrame, batch: BatchInfo) -> pl.DataFrame:
    """The columns of a new record that do not depend on the database (repository.RECORD_STATIC).

    A migration's rows carry the time the old platform received them (`received_at`, null for the
    import's own): it is the record's receipt and first arrival; an update keeps `created_at`
    (repository.update_records)."""
    received = pl.col(RECEIVED_AT).fill_null(batch.at) if RECEIVED_AT in staged.columns else pl.lit(batch.at)
    return staged.select(
        pl.lit(batch.record_type).alias("record_type"), "natural_key", pl.lit(batch.batch_id).alias("batch_id"),
        pl.lit(1).alias("version"), pl.lit("active").alias("status"), "decision_date", "publicity_start",
        "publicity_end", "publicity_minimum_end", "publicity_rule", "content_hash",
        pl.lit(batch.catalog_version).alias("catalog_version"), "data", "submitted", pl.col("row").alias("source_row"),
        received.alias("received_at"), received.alias("created_at"),
    )  # fmt: skip


class ChunkStore:
    """Stores a batch one prepared chunk at a time, in the caller's transaction; one batch at a time
    (another one waits here until this transaction ends)."""

    def __init__(
        self, session: Session, batch: BatchInfo, *, register_departments: bool, public_id_seed: str
    ) -> None:
        self.session, self.batch = session, batch
        self.register_departments, self.public_id_seed = register_departments, public_id_seed
        self.staging = repository.Staging(session, batch.batch_id)
        repository.begin_storing(session)
        self.received = self.new = self.updated = self.unchanged = 0

    def add(self, chunk: PreparedChunk) -> None:
        """Resolve, classify and store one chunk's accepted rows; keep its issues."""
        self.received += chunk.received
        self.add_issues(chunk.issues)
        staged = chunk.staged
        if staged.is_empty():
            return
        session, batch, now = self.session, self.batch, self.batch.received_at
        self.staging.load_chunk(chunk.keys)
        # The outcome of each staged row, in their order; the rows themselves (a record's worth of
        # text each) are taken once, by position, for those that are stored.
        outcome = repository.classify_keys(
            session,
            self.staging,
            staged.select("row"),
            batch_id=batch.batch_id,
            record_type=batch.record_type,
        ).with_row_index("at")
        earlier = outcome.filter(pl.col("outcome") == "duplicate")
        if not earlier.is_empty():  # the same record in an earlier chunk of this file
            self.add_issues(_duplicate_issues(earlier))
            self.staging.drop_rows(earlier.get_column("row"))
        elsewhere = outcome.filter(pl.col("outcome") == "homed_elsewhere")
        if not elsewhere.is_empty():  # nothing is edited in two places (DESIGN §3.8)
            self.add_issues(_homed_elsewhere_issues(elsewhere))
            self.staging.drop_rows(elsewhere.get_column("row"))
        if self.register_departments:
            repository.resolve_departments(session, self.staging, now=now)
        repository.resolve_subjects(session, self.staging, now=now, seed=self.public_id_seed)
        unchanged = outcome.filter(pl.col("outcome") == "unchanged")
        if not unchanged.is_empty():
            self.staging.load_seen(_rows_at(staged, unchanged).select("natural_key", "row"))
            self.unchanged += unchanged.height
        changed = outcome.filter(pl.col("outcome").is_in(["new", "updated"]))
        if changed.is_empty():
            return
        changed = changed.join(
            repository.owners(session, self.staging), on="row", how="left", maintain_order="left"
        )
        if changed.get_column("subject_id").null_count():  # cannot happen: every staged row was resolved
            raise RuntimeError(f"batch {batch.batch_id}: rows without a subject or department")
        self._insert(staged, changed.filter(pl.col("outcome") == "new"))
        self._update(staged, changed.filter(pl.col("outcome") == "updated"))

    def _insert(self, staged: pl.DataFrame, new: pl.DataFrame) -> None:
        if new.is_empty():
            return
        new = new.with_columns(repository.allocate_record_ids(self.session, new.height))
        records = self._records(new.select("id", "subject_id", "department_id"), _rows_at(staged, new))
        batch = self.batch
        repository.insert_records(
            self.session, records, batch_id=batch.batch_id, actor=batch.actor, at=batch.received_at
        )
        self.new += new.height

    def _update(self, staged: pl.DataFrame, updated: pl.DataFrame) -> None:
        if updated.is_empty():
            return
        owned = updated.select(pl.col("record_id").alias("id"), "subject_id", "department_id")
        records = self._records(owned, _rows_at(staged, updated))
        repository.update_records(
            self.session, self.staging, records, actor=self.batch.actor, now=self.batch.received_at
        )
        self.updated += updated.height

    def _records(self, owned: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
        """Records: id, subject and department, with the rest as prepared (COPY text) or as columns."""
        if "record_line" in rows.columns:
            rest = rows.select("content_hash", "record_line")
        else:
            rest = record_columns(rows, self.batch)
        return pl.concat([owned, rest], how="horizontal")

    def add_issues(self, issues: pl.DataFrame) -> None:
        if not issues.is_empty():
            repository.insert_issues(
                self.session, issues.with_columns(pl.lit(self.batch.batch_id).alias("batch_id"))
            )

    def close(self) -> None:
        self.staging.drop()
        repository.end_storing(self.session)


def _rows_at(staged: pl.DataFrame, picked: pl.DataFrame) -> pl.DataFrame:
    """The staged rows at the positions `picked.at` (all of them, as they are, when all are picked)."""
    if picked.height == staged.height:
        return staged
    return staged[picked.get_column("at")]


def _first_of_each_key(staged: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same record twice in one chunk: the first stands, the others come back to the sender."""
    if staged.get_column("natural_key").is_unique().all():
        return staged, pl.DataFrame(schema=ISSUE_COLUMNS)
    marked = staged.with_columns(pl.col("row").min().over("natural_key").alias("first_row"))
    repeated = marked.filter(pl.col("row") != pl.col("first_row"))
    return marked.filter(pl.col("row") == pl.col("first_row")).drop("first_row"), _duplicate_issues(repeated)


def _homed_elsewhere_issues(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows that name a record received from its home node: only that node changes it."""
    return rows.select(
        pl.col("row"), pl.lit(None, pl.String).alias("field"), pl.lit(None, pl.String).alias("column"),
        pl.lit("homed_elsewhere").alias("code"), pl.lit("error").alias("severity"),
        pl.format("此记录归属节点 {}（由交换接收），只能由其归属节点报送或更正", "home_region").alias("message"),
    )  # fmt: skip


def _duplicate_issues(repeated: pl.DataFrame) -> pl.DataFrame:
    """Rows (with the row that stands in `first_row`) that repeat an earlier record of the file."""
    return repeated.select(
        pl.col("row"), pl.lit(None, pl.String).alias("field"), pl.lit(None, pl.String).alias("column"),
        pl.lit("duplicate_in_file").alias("code"), pl.lit("error").alias("severity"),
        pl.format("与本文件第 {} 行是同一条记录（决定文书号与行政相对人相同），请合并后重报", "first_row").alias("message"),
    )  # fmt: skip
