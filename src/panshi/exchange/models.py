"""Node identity and peers, the published feed (outbox), cursors, the exchange log, national exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONText, UTCDateTime


class ExchangeNode(Base):
    """This node (relation `self`) or a registered peer: parent, child or an equal (`peer`)."""

    __tablename__ = "exchange_nodes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(6), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # county | city | province
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(8))  # self | parent | child | peer
    base_url: Mapped[str | None] = mapped_column(String(500))
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(200))  # "<algorithm>:<base64>", as given to peers
    enabled: Mapped[bool] = mapped_column(default=True)
    # Who connects: pull (each side pulls the other's feed), push (we pull its feed and push ours: it
    # cannot reach us), wait (we never connect: it pushes its feed to us and pulls ours).
    link: Mapped[str] = mapped_column(String(8), default="pull")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExchangeBatch(Base):
    """One published batch of one of this node's feeds (up or down): exactly the bytes that were hashed
    and signed."""

    __tablename__ = "exchange_batches"

    feed: Mapped[str] = mapped_column(String(4), primary_key=True, default="up")  # up | down (homes.py)
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))  # "" for the first batch
    hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical body
    signature: Mapped[str] = mapped_column(String(200))  # base64
    algorithm: Mapped[str] = mapped_column(String(16))
    first_history_id: Mapped[int] = mapped_column(BigId)
    last_history_id: Mapped[int] = mapped_column(BigId)  # the feed's cursor into record_history
    last_message_id: Mapped[int] = mapped_column(BigId, default=0)  # its cursor into exchange_messages
    changes: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib of the canonical JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExchangeFeedMark(Base):
    """How far a feed's history was read past its last batch (`after_history_id`, that batch's cursor)
    with nothing found for it: the next publishing reads on from `scanned_upto`. The down feed of a node
    whose records are nearly all of kinds that stay (penalties, licenses) would otherwise read the same
    history again at every request of a child."""

    __tablename__ = "exchange_feed_marks"

    feed: Mapped[str] = mapped_column(String(4), primary_key=True)
    after_history_id: Mapped[int] = mapped_column(BigId)
    scanned_upto: Mapped[int] = mapped_column(BigId)


class ExchangeMessage(Base):
    """A message the feeds carry beside record changes (messages.py): a case decision travelling to a
    record's home node as a request (`case_request`), the home's answer (`case_reply`), a catalog
    document flowing down (`document`). Made here (`received_from` NULL) or received from a peer;
    `feed` is the feed of ours that carries it on (NULL: it stops here)."""

    __tablename__ = "exchange_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)  # "<origin region>-<id at the origin>"
    kind: Mapped[str] = mapped_column(String(16))
    origin_region: Mapped[str] = mapped_column(String(6))
    target_region: Mapped[str | None] = mapped_column(String(6))  # NULL: every node below the origin
    feed: Mapped[str | None] = mapped_column(String(4))  # up | down | NULL
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    received_from: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Delivered here: handled | failed, with what the handler said.
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_exchange_messages_feed_id", "feed", "id"),)


class ExchangeCursor(Base):
    """How far this node has applied a peer's feed, and the peer's latest sequence seen (its lag)."""

    __tablename__ = "exchange_cursors"

    peer_region: Mapped[str] = mapped_column(String(6), primary_key=True)
    applied_seq: Mapped[int] = mapped_column(BigId)
    applied_hash: Mapped[str] = mapped_column(String(64))
    latest_seq: Mapped[int] = mapped_column(BigId)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExchangeLog(Base):
    """One batch served, pushed, applied, replayed or refused, on either side."""

    __tablename__ = "exchange_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(40))  # "<origin region>:<seq>"
    peer_region: Mapped[str | None] = mapped_column(String(6))
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    seq: Mapped[int | None] = mapped_column(BigId)
    changes: Mapped[int]
    applied: Mapped[int]
    hash: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # served | applied | replay | refused | gap
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_exchange_log_peer_at", "peer_region", "at"),)


class NationalExport(Base):
    """One national 双公示 export: its range (history cursor or received dates), files and manifest."""

    __tablename__ = "national_exports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mode: Mapped[str] = mapped_column(String(16))  # since_last | range
    after_history_id: Mapped[int] = mapped_column(BigId)
    upto_history_id: Mapped[int] = mapped_column(BigId)  # the cursor a --since-last export moves to
    received_from: Mapped[date | None] = mapped_column(Date)
    received_to: Mapped[date | None] = mapped_column(Date)
    file_format: Mapped[str] = mapped_column(String(8))
    directory: Mapped[str] = mapped_column(String(1000))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSONText)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
