"""All SQL of the exchange: nodes, the published feed, cursors, the log, national exports."""

from __future__ import annotations

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.exchange.models import (
    ExchangeBatch,
    ExchangeCursor,
    ExchangeFeedMark,
    ExchangeLog,
    ExchangeMessage,
    ExchangeNode,
    NationalExport,
)

# One publisher at a time appends to the feed (PostgreSQL; SQLite has a single writer anyway).
PUBLISH_LOCK = 7_310_009


def own_node(session: Session) -> ExchangeNode | None:
    return session.scalar(select(ExchangeNode).where(ExchangeNode.relation == "self"))


def node_by_region(session: Session, region: str) -> ExchangeNode | None:
    return session.scalar(select(ExchangeNode).where(ExchangeNode.region_code == region))


def peers(session: Session) -> list[ExchangeNode]:
    order = case({"parent": 0, "child": 1, "peer": 2}, value=ExchangeNode.relation, else_=3)
    query = (
        select(ExchangeNode).where(ExchangeNode.relation != "self").order_by(order, ExchangeNode.region_code)
    )
    return list(session.scalars(query))


def lock_publisher(session: Session) -> None:
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PUBLISH_LOCK})


def last_published(session: Session, feed: str) -> ExchangeBatch | None:
    query = select(ExchangeBatch).where(ExchangeBatch.feed == feed).order_by(ExchangeBatch.seq.desc())
    return session.scalar(query.limit(1))


def latest_seq(session: Session, feed: str) -> int:
    query = select(func.coalesce(func.max(ExchangeBatch.seq), 0)).where(ExchangeBatch.feed == feed)
    return int(session.scalar(query) or 0)


def published_after(session: Session, feed: str, *, after: int, limit: int) -> list[ExchangeBatch]:
    query = (
        select(ExchangeBatch)
        .where(ExchangeBatch.feed == feed, ExchangeBatch.seq > after)
        .order_by(ExchangeBatch.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def scanned_upto(session: Session, feed: str, *, after: int) -> int:
    """Where `feed` reads on from after its last batch's cursor `after` (exchange_feed_marks)."""
    mark = session.get(ExchangeFeedMark, feed)
    return mark.scanned_upto if mark is not None and mark.after_history_id == after else after


def mark_scanned(session: Session, feed: str, *, after: int, upto: int) -> None:
    """`feed` holds nothing in history (after, upto]: the next publishing starts at `upto`."""
    mark = session.get(ExchangeFeedMark, feed)
    if mark is None:
        session.add(ExchangeFeedMark(feed=feed, after_history_id=after, scanned_upto=upto))
    elif (mark.after_history_id, mark.scanned_upto) != (after, upto):
        mark.after_history_id, mark.scanned_upto = after, upto
    session.flush()


def add_message(session: Session, message: ExchangeMessage) -> None:
    session.add(message)
    session.flush()


def message_by_uid(session: Session, uid: str) -> ExchangeMessage | None:
    return session.scalar(select(ExchangeMessage).where(ExchangeMessage.uid == uid))


def messages_to_carry(
    session: Session, feed: str, *, after: int, upto: int, limit: int
) -> list[ExchangeMessage]:
    """The messages `feed` carries on after message `after`, up to `upto`, in order."""
    query = (
        select(ExchangeMessage)
        .where(ExchangeMessage.feed == feed, ExchangeMessage.id > after, ExchangeMessage.id <= upto)
        .order_by(ExchangeMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def message_horizon(session: Session) -> int:
    """The newest message below which none can still appear (as records' history_horizon: SHARE mode
    waits for the writers in progress on PostgreSQL)."""
    if is_postgres(session):
        session.execute(text("SET LOCAL lock_timeout = 5000"))
        session.execute(text("LOCK TABLE exchange_messages IN SHARE MODE"))
    return int(session.scalar(select(func.coalesce(func.max(ExchangeMessage.id), 0))) or 0)


def messages(session: Session, *, limit: int) -> list[ExchangeMessage]:
    """The newest messages made or received here (the console's list)."""
    return list(session.scalars(select(ExchangeMessage).order_by(ExchangeMessage.id.desc()).limit(limit)))


def cursor_for_update(session: Session, peer_region: str) -> ExchangeCursor | None:
    return session.get(ExchangeCursor, peer_region, with_for_update=True)


def commit_without_waiting_for_disk(session: Session) -> None:
    """This transaction's commit does not wait for its WAL to reach the disk (PostgreSQL). Only for
    work that is fetched again if lost: a crash in the next moment can undo the commit, but never
    part of it (a batch goes with the cursor that says it was applied)."""
    if is_postgres(session):
        session.execute(text("SET LOCAL synchronous_commit = off"))


def cursors(session: Session) -> dict[str, ExchangeCursor]:
    return {c.peer_region: c for c in session.scalars(select(ExchangeCursor))}


def add_log(session: Session, entry: ExchangeLog) -> None:
    session.add(entry)
    session.flush()


def log_entries(session: Session, *, peer_region: str | None, limit: int) -> list[ExchangeLog]:
    query = select(ExchangeLog).order_by(ExchangeLog.id.desc()).limit(limit)
    if peer_region:
        query = query.where(ExchangeLog.peer_region == peer_region)
    return list(session.scalars(query))


def last_since_last_export(session: Session) -> NationalExport | None:
    query = (
        select(NationalExport)
        .where(NationalExport.mode == "since_last")
        .order_by(NationalExport.upto_history_id.desc(), NationalExport.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def lock_exports(session: Session) -> None:
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PUBLISH_LOCK + 1})
