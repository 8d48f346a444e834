"""The exchange on the wire: signed batches and feed pages (pydantic), and nodes as shown."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class WireBatch(BaseModel):
    """One batch as it travels: `body` is the canonical JSON text that `hash` and `signature` cover."""

    model_config = ConfigDict(extra="forbid")
    origin: str = Field(pattern=r"^\d{6}$")
    feed: str = Field(default="up", pattern=r"^(up|down|peer)$")  # homes.py: which of the origin's feeds
    seq: int = Field(ge=1)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    algorithm: str = Field(max_length=16)
    signature: str = Field(max_length=200)
    body: str


class FeedPage(BaseModel):
    """A page of a node's feed after a sequence number, and the newest sequence it has published."""

    model_config = ConfigDict(extra="forbid")
    origin: str
    feed: str = "up"
    latest_seq: int
    batches: list[WireBatch]


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batches: list[WireBatch] = Field(max_length=1000)


class ReceiveOut(BaseModel):
    """What became of one received batch."""

    batch_id: str
    seq: int
    outcome: str  # applied | replay | gap | refused
    message: str = ""
    missing_from: int | None = None
    missing_to: int | None = None
    new: int = 0
    updated: int = 0
    events: int = 0


class PushOut(BaseModel):
    applied_seq: int
    results: list[ReceiveOut]


class NodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    region_code: str
    level: str
    name: str
    relation: str
    base_url: str | None
    algorithm: str
    public_key: str
    enabled: bool
    link: str
    updated_at: datetime


class PeerStatus(BaseModel):
    """A peer and how far behind its feed this node is (its latest sequence seen minus ours applied)."""

    node: NodeOut
    applied_seq: int
    latest_seq: int
    lag: int
    last_sync_at: datetime | None
