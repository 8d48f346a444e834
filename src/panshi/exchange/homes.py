"""Home and flow (归属与流向, DESIGN §3.8): the one place that says which records each feed carries and
which records a node accepts from a peer.

Every record has one home node (`records.home_region`; NULL: this node). Changes are made at home only
and flow from there:

- **up** (县 → 市 → 省): a node's `up` feed carries the changes of records homed at it or anywhere in its
  area; its parent and its equals read it. Records homed above or beside it never go up again.
- **down** (省 → 市 → 县): a node's `down` feed carries the changes of the kinds that flow down
  (FLOWS_DOWN: list entries) homed anywhere but inside its area below it (`passes_down`): its own, those
  from above, an equal's (received by the peer feed) and whatever else came down to it; its children
  read it, so a county's checks answer with the city's, the province's and the recognised equals' lists
  (名单互认). A record homed below it came up from there and never goes back down. Measures and catalog
  versions travel beside them as messages (messages.py), like case requests between a record's home
  and the tier that decided its case.

- **peer** (平级 ↔ 平级): a node's `peer` feed carries what its `up` feed does, limited to the record types
  both sides agreed to share (`PANSHI_EXCHANGE_EQUAL_KINDS`, DESIGN §3.8); its equals read it. Lists
  received from an equal stand at the receiver (mutual recognition: its checks answer with them) and go
  on down its `down` feed; being homed outside its area, they never go up or back to an equal.

A receiver takes from a child or an equal only records homed in the sender's area; from its parent only
kinds that flow down that the parent's `down` feed carries (the parent vouches for them: signed batch),
never one homed in its own area; and never anything homed at itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session

from panshi.core.settings import get_settings
from panshi.exchange.nodes import RELATION_NAMES, area_prefix, contains
from panshi.records import service as records

Feed = Literal["up", "down", "peer"]
FEEDS: tuple[Feed, ...] = ("up", "down", "peer")
FLOWS_DOWN: tuple[str, ...] = ("list_entry",)  # catalog record types made above that apply below


def feed_read_by(relation: str) -> Feed:
    """The feed of ours that a peer of `relation` (to us) reads: our children `down`, equals `peer`, our
    parent `up`."""
    read: dict[str, Feed] = {"child": "down", "peer": "peer"}
    return read.get(relation, "up")


def feed_taken_from(relation: str) -> Feed:
    """The feed we read from a peer of `relation`: our parent's `down`, an equal's `peer`, a child's `up`."""
    taken: dict[str, Feed] = {"parent": "down", "peer": "peer"}
    return taken.get(relation, "up")


def equal_kinds() -> tuple[str, ...]:
    """The record types shared with equals (setting `exchange_equal_kinds`)."""
    return tuple(k.strip() for k in get_settings().exchange_equal_kinds.split(",") if k.strip())


def feed_changes(
    session: Session, feed: Feed, own: Any, *, after: int, upto: int, limit: int
) -> list[Mapping[str, Any]]:
    """The next changes that `own`'s `feed` carries after history row `after` (rows as
    records.changes_after gives them: the change, the record now, its owners' codes)."""
    if feed in ("up", "peer"):
        return records.changes_after(
            session, after=after, upto=upto, own_region=own.region_code,
            area_prefix=area_prefix(own.region_code, own.level), limit=limit,
            record_types=equal_kinds() if feed == "peer" else None,
        )  # fmt: skip
    return records.changes_passing_down(
        session, after=after, upto=upto, own_region=own.region_code,
        area_prefix=area_prefix(own.region_code, own.level), record_types=FLOWS_DOWN, limit=limit,
    )  # fmt: skip


def passes_down(region: str, level: str, home: str) -> bool:
    """Whether the `down` feed of the node at `region` carries a record (of a kind that flows down)
    homed at `home`: its own, or one homed outside its area (above it, at an equal, anything that came
    down to it) — never one homed inside its area below it, which came up from there."""
    return home == region or not contains(region, level, home)


def refusal(own: Any, peer: Any, *, home: str, record_type: str) -> str | None:
    """Why `own` must refuse a record homed at `home` sent by `peer`; None when it may take it."""
    relation = RELATION_NAMES[peer.relation]
    sender = f"{relation}节点 {peer.region_code}"
    if home == own.region_code or (peer.relation == "parent" and contains(own.region_code, own.level, home)):
        return f"{sender} 发来归属本辖区（{home}）的记录：拒收"
    if peer.relation == "parent":
        if record_type not in FLOWS_DOWN:
            return f"{sender} 下发了不属于下行范围的记录类型 {record_type}：拒收"
        if not passes_down(peer.region_code, peer.level, home):
            return f"{sender} 下发了归属其他节点（{home}）的记录：拒收"
        return None
    if not contains(peer.region_code, peer.level, home):
        return f"{sender} 发来归属其他节点（{home}）的记录：拒收"
    if peer.relation == "peer" and record_type not in equal_kinds():
        return (
            f"{sender} 发来了未约定共享的记录类型 {record_type}：拒收（约定共享：{'、'.join(equal_kinds())}）"
        )
    return None
