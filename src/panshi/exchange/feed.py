"""This node's change feeds: record changes published as ordered, hash-chained, signed batches.

The record_history rows are the source of truth: each published batch of a feed takes the next
changes (in history id order) that the feed carries (homes.py: `up`, records homed at this node or
below it; `down`, lists homed at it or above), with each record's state as it is when published, and is stored as the exact canonical bytes that were hashed and signed, so that every
fetch of a sequence number returns the same batch.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from panshi.accounts.service import departments_by_id
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange import repository
from panshi.exchange.homes import Feed, feed_changes
from panshi.exchange.models import ExchangeBatch, ExchangeLog
from panshi.exchange.nodes import own_signer
from panshi.exchange.schemas import FeedPage, WireBatch
from panshi.ingest.service import batch_columns
from panshi.records import service as records
from panshi.subjects.service import subjects_by_id

FORMAT = "panshi-feed/1"
MAX_PAGE = 100


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, UTF-8, no whitespace (the hash of a body is reproducible)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    ).encode()


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return _utc(value) or ""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def feed_horizon(session: Session) -> int:
    """Where the next publishing may read to (its own short unit of work: it waits for writers)."""
    return records.history_horizon(session)


def batch_label(origin: str, feed: str, seq: int) -> str:
    """How a batch is named in logs and messages: `220284:7` (up feed), `220000:down:3`."""
    return f"{origin}:{seq}" if feed == "up" else f"{origin}:{feed}:{seq}"


def publish(session: Session, *, upto: int, feed: Feed = "up", max_batches: int = 20) -> int:
    """Publish the changes up to history row `upto` not yet in `feed` as new batches; how many."""
    own, signer = own_signer(session)
    repository.lock_publisher(session)
    last = repository.last_published(session, feed)
    seq, prev, after = (last.seq, last.hash, last.last_history_id) if last else (0, "", 0)
    size = get_settings().exchange_batch_changes
    published = 0
    while published < max_batches:
        changes = feed_changes(session, feed, own, after=after, upto=upto, limit=size)
        if not changes:
            break
        seq += 1
        body = canonical_json(
            _body(session, origin=own.region_code, feed=feed, seq=seq, prev=prev, changes=changes)
        )
        digest = body_hash(body)
        first, after = changes[0][0].id, changes[-1][0].id
        session.add(
            ExchangeBatch(
                feed=feed, seq=seq, prev_hash=prev, hash=digest, signature=signer.sign(body), algorithm=signer.algorithm,
                first_history_id=first, last_history_id=after, changes=len(changes), body=zlib.compress(body, 6),
                created_at=utcnow(),
            )
        )  # fmt: skip
        session.flush()
        prev = digest
        published += 1
    return published


def _body(
    session: Session, *, origin: str, feed: Feed, seq: int, prev: str, changes: list[tuple[Any, Any]]
) -> dict[str, Any]:
    states: dict[int, dict[str, Any]] = {}
    events = []
    for history, record in changes:
        if record.id not in states:
            states[record.id] = {c: getattr(record, c) for c in records.REPLICATED_COLUMNS}
            states[record.id]["home_region"] = record.home_region or origin
        events.append(
            {
                "h": history.id, "record": [record.record_type, record.natural_key], "version": history.version,
                "event": history.event, "batch_id": history.batch_id, "content_hash": history.content_hash,
                "actor": history.actor, "at": _utc(history.at), "reason": history.reason,
            }
        )  # fmt: skip
    rows = [r for _, r in changes]
    owners = _owners(session, {r.id: r for r in rows}.values())
    for record_id, state in states.items():
        state.update(owners[record_id])
        state["received_at"], state["created_at"] = _utc(state["received_at"]), _utc(state["created_at"])
    body = {
        "format": FORMAT, "origin": origin, "seq": seq, "prev": prev, "records": list(states.values()),
        "events": events, "batches": _batches(session, states.values()),
    }  # fmt: skip
    if feed != "up":  # the up feed's bodies stay as the first version made them
        body["feed"] = feed
    return body


def _utc(moment: datetime | None) -> str | None:
    """A moment as UTC ISO text, the same from both engines (SQLite hands back naive UTC)."""
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _owners(session: Session, rows: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """Each record's subject and department, by what names them on every node (codes, not ids)."""
    rows = list(rows)
    subjects = subjects_by_id(session, {r.subject_id for r in rows})
    departments = departments_by_id(session, {r.department_id for r in rows})
    owners = {}
    for r in rows:
        s, d = subjects[r.subject_id], departments[r.department_id]
        person = (
            s.kind == "natural_person"
        )  # its key is a keyed hash of this node's: the receiver makes its own
        owners[r.id] = {
            "subject_key": None if person else s.subject_key, "subject_kind": s.kind, "subject_name": s.name,
            "subject_uscc": s.uscc, "subject_id_number": s.id_number, "subject_region": s.region_code,
            "department_name": d.name, "department_uscc": d.uscc,
        }  # fmt: skip
    return owners


def _batches(session: Session, states: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The source batches of the records (their columns as submitted), so provenance travels whole."""
    by_id: dict[str, dict[str, Any]] = {}
    for s in states:
        by_id.setdefault(
            s["batch_id"],
            {"id": s["batch_id"], "record_type": s["record_type"], "catalog_version": s["catalog_version"],
             "received_at": s["received_at"], "department_uscc": s["department_uscc"],
             "filename": f"交换自 {s['home_region']}"},
        )  # fmt: skip
    columns = batch_columns(session, by_id)
    for batch_id, batch in by_id.items():
        found = columns.get(batch_id)
        batch["headers"] = found.headers if found else []
        batch["header_fields"] = found.fields if found else None
    return [by_id[k] for k in sorted(by_id)]


def feed_page(session: Session, *, after: int, limit: int, feed: Feed = "up") -> FeedPage:
    """The published batches of `feed` after `after` (at most `limit`), as they travel."""
    own, _ = own_signer(session)
    batches = repository.published_after(session, feed, after=after, limit=min(limit, MAX_PAGE))
    return FeedPage(
        origin=own.region_code, feed=feed, latest_seq=repository.latest_seq(session, feed),
        batches=[to_wire(own.region_code, b) for b in batches],
    )  # fmt: skip


def publish_pending(feed: Feed, *, engine: Engine | None = None, max_batches: int = 20) -> int:
    """Publish what `feed` has not carried yet, up to the committed horizon (own units of work)."""
    with unit_of_work(engine, write=True) as session:  # short: it waits for the writers in progress
        horizon = feed_horizon(session)
    with unit_of_work(engine, write=True) as session:
        return publish(session, upto=horizon, feed=feed, max_batches=max_batches)


def to_wire(origin: str, batch: ExchangeBatch) -> WireBatch:
    return WireBatch(
        origin=origin, feed=batch.feed, seq=batch.seq, prev_hash=batch.prev_hash, hash=batch.hash, algorithm=batch.algorithm,
        signature=batch.signature, body=zlib.decompress(batch.body).decode(),
    )  # fmt: skip


def log_served(session: Session, *, peer_region: str, page: FeedPage, outcome: str = "served") -> None:
    """One log row per batch handed to a peer: `served` (it pulled) or `pushed`."""
    now = utcnow()
    for b in page.batches:
        repository.add_log(
            session,
            ExchangeLog(
                batch_id=batch_label(b.origin, b.feed, b.seq), peer_region=peer_region, direction="out", seq=b.seq,
                changes=0, applied=0, hash=b.hash, at=now, outcome=outcome, error=None,
            ),
        )  # fmt: skip
