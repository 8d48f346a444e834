"""Receiving a peer's batch: verified, applied once and only once, in order, with the cursor, logged.

Refusals (unknown or disabled node, bad hash or signature, a broken chain, a gap, a record homed
elsewhere) are answers, not exceptions: they are logged in the caller's transaction, which commits
the log and nothing else. Anything unexpected raises, and the caller's transaction rolls back whole,
cursor included, so the retry applies the batch exactly once.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange import messages, repository
from panshi.exchange.feed import FORMAT, batch_label, body_hash, parse_json
from panshi.exchange.homes import feed_taken_from, refusal
from panshi.exchange.models import ExchangeCursor, ExchangeLog, ExchangeNode
from panshi.exchange.nodes import RELATION_NAMES, own_node
from panshi.exchange.schemas import ReceiveOut, WireBatch
from panshi.exchange.signing import verify
from panshi.records import service as records
from panshi.subjects.service import subject_key_of_code

MOMENT_COLUMNS = ("received_at", "created_at")
# History events after which the stored data is replaced: their history row keeps what it replaced.
REPLACING_EVENTS = ("updated", "amended")


class Refused(PanshiError):
    code = "batch_refused"
    status_code = 422


def receive_batch(session: Session, wire: WireBatch, *, sender: str) -> ReceiveOut:
    """Apply one batch of `sender`'s feed if it is the next one, genuine and acceptable; else say why."""
    batch_id = batch_label(wire.origin, wire.feed, wire.seq)
    try:
        peer = _known_sender(session, wire, sender=sender)
        if wire.feed != feed_taken_from(peer.relation):
            raise Refused(f"批次 {batch_id} 不是本节点应从{RELATION_NAMES[peer.relation]}节点接收的变更流")
        _genuine(wire, peer)
        # The peer keeps its batches: one lost in a crash (with the cursor) is fetched again.
        repository.commit_without_waiting_for_disk(session)
        cursor = _cursor(session, peer.region_code)
        applied = cursor.applied_seq
        cursor.latest_seq = max(cursor.latest_seq, wire.seq)
        if wire.seq <= applied:
            if wire.seq == applied and wire.hash != cursor.applied_hash:
                raise Refused(f"批次 {batch_id} 与已应用的同序号批次摘要不同（对端的变更流被改写）")
            return _logged(session, wire, peer.region_code, "replay", "已应用过，忽略重复批次")
        if wire.seq > applied + 1:
            out = _logged(
                session, wire, peer.region_code, "gap", f"缺少批次 {applied + 1}–{wire.seq - 1}，请补取"
            )
            return out.model_copy(update={"missing_from": applied + 1, "missing_to": wire.seq - 1})
        if wire.prev_hash != cursor.applied_hash:
            raise Refused(f"批次 {batch_id} 的前序摘要与已应用的第 {applied} 批不衔接")
        body = _parsed(wire)
        with session.begin_nested():  # a refusal found while applying leaves nothing of the batch
            counts = _apply(session, body, peer)
            cursor.applied_seq, cursor.applied_hash, cursor.updated_at = wire.seq, wire.hash, utcnow()
            session.flush()
    except Refused as exc:
        return _logged(session, wire, sender, "refused", exc.message)
    except (records.HomeConflict, records.BadReplica) as exc:
        return _logged(session, wire, sender, "refused", exc.message)
    out = _logged(
        session, wire, peer.region_code, "applied", "", changes=len(body["events"]), applied=counts["events"]
    )
    return out.model_copy(update={k: counts[k] for k in ("new", "updated", "events")})


def _known_sender(session: Session, wire: WireBatch, *, sender: str) -> ExchangeNode:
    if wire.origin != sender:
        raise Refused(f"批次来源 {wire.origin} 与发送节点 {sender} 不符")
    peer = repository.node_by_region(session, sender)
    if peer is None or peer.relation == "self":
        raise Refused(f"未登记的节点 {sender}：拒收")
    if not peer.enabled:
        raise Refused(f"节点 {sender} 已停用：拒收")
    return peer


def _genuine(wire: WireBatch, peer: ExchangeNode) -> None:
    body = wire.body.encode()
    if body_hash(body) != wire.hash:
        raise Refused(
            f"批次 {batch_label(wire.origin, wire.feed, wire.seq)} 的内容与摘要不符（传输中被改动）"
        )
    if not verify(peer.public_key, body, wire.signature):
        raise Refused(
            f"批次 {batch_label(wire.origin, wire.feed, wire.seq)} 的签名无效（不是 {peer.region_code} 的登记密钥所签）"
        )


def _parsed(wire: WireBatch) -> dict[str, Any]:
    try:
        body = parse_json(wire.body, floats_only_in=_stored_documents)
    except ValueError:
        raise Refused("批次内容不是有效的 JSON") from None
    expected = {"format": FORMAT, "origin": wire.origin, "seq": wire.seq, "prev": wire.prev_hash}
    if not isinstance(body, dict) or any(body.get(k) != v for k, v in expected.items()):
        raise Refused("批次内容的格式、来源、序号或前序摘要与批次头不符")
    if body.get("feed", "up") != wire.feed:
        raise Refused("批次内容所属的变更流与批次头不符")
    return body


def _stored_documents(body: Any) -> list[Any]:
    """What a batch's body holds that is stored as JSON documents (records' data and values as
    submitted, source batches' columns): read exactly as sent; the rest is typed or checked."""
    return [
        *(r[k] for r in body["records"] for k in ("data", "submitted")),
        *(b[k] for b in body["batches"] for k in ("headers", "header_fields")),
        *(m["body"] for m in body.get("messages", [])),
    ]


def _cursor(session: Session, peer_region: str) -> ExchangeCursor:
    cursor = repository.cursor_for_update(session, peer_region)
    if cursor is None:
        cursor = ExchangeCursor(
            peer_region=peer_region, applied_seq=0, applied_hash="", latest_seq=0, updated_at=utcnow()
        )
        session.add(cursor)
        session.flush()
    return cursor


def _apply(session: Session, body: dict[str, Any], peer: ExchangeNode) -> dict[str, int]:
    own = own_node(session)
    try:
        states = [_state(s) for s in body["records"]]
        events = _events(body["events"])
        batches = [{**b, "received_at": _moment(b["received_at"])} for b in body["batches"]]
    except (KeyError, TypeError, ValueError, AttributeError, PanshiError) as exc:
        raise Refused(f"批次内容不完整或有误：{type(exc).__name__} {exc}") from None
    for home, record_type in dict.fromkeys((s["home_region"], s["record_type"]) for s in states):
        refused = refusal(own, peer, home=home, record_type=record_type)
        if refused:
            raise Refused(refused)
    counts = {"new": 0, "updated": 0, "events": 0}
    if states or events:
        counts = records.apply_replicated(
            session, records=states, events=events, batches=batches, own_region=own.region_code,
            seed=get_settings().secret_key,
        )  # fmt: skip
    try:  # after the records: a request may be about a record of this very batch
        counts["messages"] = messages.receive(session, body.get("messages", []), own=own, peer=peer)
    except messages.BadMessage as exc:
        raise Refused(f"批次中的消息有误：{exc}") from None
    return counts


# What a record carries: its replicated columns and its owners by their codes (feed.py writes them).
STATE_KEYS = (*records.REPLICATED_COLUMNS, *records.REPLICA_OWNER_COLUMNS)
_STATE_KEY_SET = frozenset(STATE_KEYS)


def _state(state: dict[str, Any]) -> dict[str, Any]:
    """A record as it travels, checked (the store reads its dates; its moments must say their zone),
    with the subject key this node gives it (set in place; the store reads only STATE_KEYS)."""
    missing = _STATE_KEY_SET - state.keys()
    if missing:
        raise KeyError(", ".join(sorted(missing)))
    for c in MOMENT_COLUMNS:
        _moment(state[c])
    if state["subject_kind"] == "natural_person":  # keyed by each node's own secret
        state["subject_key"] = _person_key(get_settings().secret_key, state["subject_id_number"] or "")
    if not state["subject_key"] or not state["department_uscc"]:
        raise ValueError("记录缺少主体或数据来源单位")
    return state


@lru_cache(maxsize=16_384)
def _person_key(secret: str, id_number: str) -> str:
    """A natural person's subject key here (`secret`, this node's, keys the cache: the key is made
    with it); checking and hashing an ID number costs more than the rest of its record."""
    return subject_key_of_code(id_number)


def _events(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    events = []
    for order, e in enumerate(raw):
        record_type, natural_key = e["record"]
        first = (record_type, natural_key) not in seen
        seen.add((record_type, natural_key))
        _moment(e["at"])
        events.append(
            {
                "ord": order, "record_type": record_type, "natural_key": natural_key, "version": int(e["version"]),
                "event": e["event"], "batch_id": e["batch_id"], "content_hash": e["content_hash"],
                "actor": e["actor"], "at": e["at"], "reason": e["reason"],
                "keeps_previous": first and e["event"] in REPLACING_EVENTS,
            }
        )  # fmt: skip
    return events


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"时间缺少时区：{text}")
    return moment


def _logged(
    session: Session, wire: WireBatch, peer_region: str, outcome: str, message: str, *, changes: int = 0,
    applied: int = 0,
) -> ReceiveOut:  # fmt: skip
    repository.add_log(
        session,
        ExchangeLog(
            batch_id=batch_label(wire.origin, wire.feed, wire.seq), peer_region=peer_region[:6], direction="in", seq=wire.seq,
            changes=changes, applied=applied, hash=wire.hash, at=utcnow(), outcome=outcome, error=message or None,
        ),
    )  # fmt: skip
    return ReceiveOut(
        batch_id=batch_label(wire.origin, wire.feed, wire.seq), seq=wire.seq, outcome=outcome, message=message
    )
