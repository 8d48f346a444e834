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
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange import messages, repository
from panshi.exchange.homes import Feed, feed_changes
from panshi.exchange.models import ExchangeBatch, ExchangeLog
from panshi.exchange.nodes import own_signer
from panshi.exchange.schemas import FeedPage, WireBatch
from panshi.ingest.service import batch_columns
from panshi.records import service as records

FORMAT = "panshi-feed/1"
MAX_PAGE = 100
# A feed page stops adding batches past this many bytes of bodies (a page has at least one batch).
PAGE_BYTES = 16 * 1024 * 1024
# What one request publishes at most, in changes (a peer asking publishes the next ones as it goes).
PUBLISH_CHANGES = 20_000


def canonical_json(value: Any, *, float_free_but: Iterable[Any] | None = None) -> bytes:
    """Deterministic JSON: sorted keys, UTF-8, no whitespace (the hash of a body is reproducible).

    orjson writes it; a value holding a float goes through the standard library instead, whose float
    text (`1e-05`, `1e+16`, `NaN`) orjson does not reproduce: the bytes are those of
    `stdlib_canonical_json` for every value (tests/exchange/test_canonical.py). A caller that knows
    the only parts of `value` that may hold a float (JSON documents amid typed columns) names them in
    `float_free_but`, and only those are searched."""
    if _holds_float(value if float_free_but is None else list(float_free_but)):
        return stdlib_canonical_json(value)
    try:
        return orjson.dumps(value, default=_plain, option=_ORJSON_OPTIONS)
    except TypeError:  # an integer beyond 64 bits, a lone surrogate: the standard library's answer
        return stdlib_canonical_json(value)


def parse_json(text: str | bytes, *, floats_only_in: Callable[[Any], list[Any]] | None = None) -> Any:
    """JSON text as the standard library reads it, by orjson where that gives the same values: where
    orjson reads no float. It reads an integer beyond 64 bits as a float, and refuses what the
    standard library takes (NaN): those texts, and any holding a float, are read again by the standard
    library. A caller that needs the standard library's values only in some parts (the documents it
    stores) names them by `floats_only_in` (given what orjson read): only those are searched (all of
    it if they cannot be found)."""
    raw = text.encode() if isinstance(text, str) else text
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)
    searched = value
    if floats_only_in is not None:
        with suppress(KeyError, IndexError, TypeError, AttributeError):
            searched = floats_only_in(value)
    return json.loads(raw) if _holds_float(searched) else value


def stdlib_canonical_json(value: Any) -> bytes:
    """The canonical form as the standard library writes it (the reference canonical_json keeps)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    ).encode()


_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


_PLAIN_TYPES = frozenset({str, int, bool, type(None), date, datetime})


def _holds_float(value: Any) -> bool:
    """Whether a float is anywhere in `value` (the types of a container's items are taken at C speed)."""
    stack = [value]
    while stack:
        item = stack.pop()
        items = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list | tuple) else (item,)
        )
        kinds = set(map(type, items))
        if kinds <= _PLAIN_TYPES:
            continue
        for kind in kinds - _PLAIN_TYPES:
            if issubclass(kind, float):
                return True
        stack.extend(v for v in items if isinstance(v, dict | list | tuple))
    return False


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


def publish(
    session: Session, *, upto: int, feed: Feed = "up", max_batches: int = 20, messages_upto: int | None = None
) -> int:
    """Publish the changes up to history row `upto` not yet in `feed`, and the messages it carries on up
    to `messages_upto` (default: what is committed now), as new batches; how many."""
    own, signer = own_signer(session)
    repository.lock_publisher(session)
    if messages_upto is None:
        messages_upto = repository.message_horizon(session)
    last = repository.last_published(session, feed)
    seq, prev, after = (last.seq, last.hash, last.last_history_id) if last else (0, "", 0)
    messages_after = last.last_message_id if last else 0
    size = get_settings().exchange_batch_changes
    scanned = repository.scanned_upto(session, feed, after=after)
    published = 0
    while published < max_batches:
        changes = feed_changes(session, feed, own, after=scanned, upto=upto, limit=size)
        if not changes:
            scanned = max(scanned, upto)
        carried = repository.messages_to_carry(
            session, feed, after=messages_after, upto=messages_upto, limit=messages.PER_BATCH
        )
        if not changes and not carried:
            repository.mark_scanned(session, feed, after=after, upto=scanned)
            break
        seq += 1
        body = _canonical_body(
            session, origin=own.region_code, feed=feed, seq=seq, prev=prev, changes=changes,
            messages=[messages.to_wire(m) for m in carried],
        )  # fmt: skip
        digest = body_hash(body)
        first, after = (changes[0]["h_id"], changes[-1]["h_id"]) if changes else (scanned, scanned)
        scanned = after
        messages_after = carried[-1].id if carried else messages_after
        session.add(
            ExchangeBatch(
                feed=feed, seq=seq, prev_hash=prev, hash=digest, signature=signer.sign(body), algorithm=signer.algorithm,
                first_history_id=first, last_history_id=after, last_message_id=messages_after, changes=len(changes),
                body=zlib.compress(body, 1), created_at=utcnow(),
            )
        )  # fmt: skip
        session.flush()
        prev = digest
        published += 1
    return published


def _canonical_body(
    session: Session,
    *,
    origin: str,
    feed: Feed,
    seq: int,
    prev: str,
    changes: list[Mapping[str, Any]],
    messages: list[dict[str, Any]],
) -> bytes:
    """A batch's body as canonical JSON. The records' documents come as JSON text: read by orjson;
    where one holds a float (or what orjson reads as one: an integer beyond 64 bits) they are read
    again by the standard library, whose values and float text the body then has."""
    content = _body(
        session, origin=origin, feed=feed, seq=seq, prev=prev, changes=changes, read=_read_document
    )
    if messages:
        content["messages"] = messages
    documents = [d for state in content["records"] for d in (state["data"], state["submitted"])]
    if not _holds_float(documents):
        return canonical_json(content, float_free_but=[content["batches"], messages])
    content = _body(session, origin=origin, feed=feed, seq=seq, prev=prev, changes=changes, read=json.loads)
    if messages:
        content["messages"] = messages
    return stdlib_canonical_json(content)


def _read_document(text: str) -> Any:
    """A stored JSON document by orjson (the standard library for what orjson refuses: NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _body(
    session: Session,
    *,
    origin: str,
    feed: Feed,
    seq: int,
    prev: str,
    changes: list[Mapping[str, Any]],
    read: Callable[[str], Any],
) -> dict[str, Any]:
    """A batch's body: each record's state once (with its owners' codes: a natural person's key is a
    keyed hash of this node's, the receiver makes its own; its JSON documents read by `read`), each
    change as an event."""
    states: dict[int, dict[str, Any]] = {}
    events = []
    for row in changes:
        if row["record_id"] not in states:
            if row["subject_kind"] is None or row["department_name"] is None:  # never publish half a record
                raise RuntimeError(f"record {row['record_id']} has no stored subject or department")
            state = {c: row[c] for c in _STATE_COLUMNS}
            state["data"], state["submitted"] = read(state["data"]), read(state["submitted"])
            state["home_region"] = row["home_region"] or origin
            if row["subject_kind"] == "natural_person":
                state["subject_key"] = None
            state["received_at"], state["created_at"] = _utc(row["received_at"]), _utc(row["created_at"])
            states[row["record_id"]] = state
        events.append(
            {
                "h": row["h_id"], "record": [row["record_type"], row["natural_key"]], "version": row["h_version"],
                "event": row["h_event"], "batch_id": row["h_batch_id"], "content_hash": row["h_content_hash"],
                "actor": row["h_actor"], "at": _utc(row["h_at"]), "reason": row["h_reason"],
            }
        )  # fmt: skip
    body = {
        "format": FORMAT, "origin": origin, "seq": seq, "prev": prev, "records": list(states.values()),
        "events": events, "batches": _batches(session, states.values()),
    }  # fmt: skip
    if feed != "up":  # the up feed's bodies stay as the first version made them
        body["feed"] = feed
    return body


# What travels of a record: its replicated columns and its owners by the codes every node knows.
_STATE_COLUMNS = (*records.REPLICATED_COLUMNS, *records.REPLICA_OWNER_COLUMNS)


def _utc(moment: datetime | None) -> str | None:
    """A moment as UTC ISO text, the same from both engines (SQLite hands back naive UTC)."""
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


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
    wires: list[WireBatch] = []
    size = 0
    for batch in repository.published_after(session, feed, after=after, limit=min(limit, MAX_PAGE)):
        if wires and size >= PAGE_BYTES:
            break
        wires.append(to_wire(own.region_code, batch))
        size += len(wires[-1].body)
    return FeedPage(
        origin=own.region_code, feed=feed, latest_seq=repository.latest_seq(session, feed), batches=wires
    )


def publish_pending(
    feed: Feed, *, engine: Engine | None = None, max_batches: int | None = None, ahead_of: int | None = None
) -> int:
    """Publish what `feed` has not carried yet, up to the committed horizon (own units of work), at
    most `max_batches` batches (by default about PUBLISH_CHANGES changes, whatever the batch size).
    With `ahead_of` (the sequence a peer asks after) only what is missing for that many to be
    published after it: a peer pulling a backlog has each request publish about what the one before
    took, so the publishing of the next pages goes on while it applies this one, never all at first."""
    if max_batches is None:
        max_batches = max(1, PUBLISH_CHANGES // get_settings().exchange_batch_changes)
    if ahead_of is not None:
        with unit_of_work(engine) as session:
            max_batches -= repository.latest_seq(session, feed) - ahead_of
        if max_batches <= 0:
            return 0
    with unit_of_work(engine, write=True) as session:  # short: it waits for the writers in progress
        horizon = feed_horizon(session)
        messages_horizon = repository.message_horizon(session)
    with unit_of_work(engine, write=True) as session:
        return publish(
            session, upto=horizon, feed=feed, max_batches=max_batches, messages_upto=messages_horizon
        )


def page_json(page: FeedPage) -> bytes:
    """A feed page as it is sent: written once by orjson (megabytes of batch bodies, each a JSON
    string; pydantic's writer takes several times as long, and validating again is not needed)."""
    return orjson.dumps(page.model_dump())


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
