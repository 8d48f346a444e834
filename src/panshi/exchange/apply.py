"""Receiving a peer's batch: verified, applied once and only once, in order, with the cursor, logged.

Refusals (unknown or disabled node, bad hash or signature, a broken chain, a gap, a record homed
elsewhere) are answers, not exceptions: they are logged in the caller's transaction, which commits
the log and nothing else. Anything unexpected raises, and the caller's transaction rolls back whole,
cursor included, so the retry applies the batch exactly once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange import repository
from panshi.exchange.feed import FORMAT, batch_label, body_hash, parse_json
from panshi.exchange.homes import feed_taken_from, refusal
from panshi.exchange.models import ExchangeCursor, ExchangeLog, ExchangeNode
from panshi.exchange.nodes import RELATION_NAMES, own_node
from panshi.exchange.schemas import ReceiveOut, WireBatch
from panshi.exchange.signing import verify
from panshi.records import service as records
from panshi.subjects.service import subject_key_of_code

DATE_COLUMNS = (
    "decision_date",
    "publicity_start",
    "publicity_end",
    "publicity_minimum_end",
    "publicity_closed_on",
)
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
    except records.HomeConflict as exc:
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
        body = parse_json(wire.body)
    except ValueError:
        raise Refused("批次内容不是有效的 JSON") from None
    expected = {"format": FORMAT, "origin": wire.origin, "seq": wire.seq, "prev": wire.prev_hash}
    if not isinstance(body, dict) or any(body.get(k) != v for k, v in expected.items()):
        raise Refused("批次内容的格式、来源、序号或前序摘要与批次头不符")
    if body.get("feed", "up") != wire.feed:
        raise Refused("批次内容所属的变更流与批次头不符")
    return body


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
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused(f"批次内容不完整或有误：{type(exc).__name__} {exc}") from None
    for state in states:
        refused = refusal(own, peer, home=state["home_region"], record_type=state["record_type"])
        if refused:
            raise Refused(refused)
    return records.apply_replicated(
        session, records=states, events=events, batches=batches, own_region=own.region_code,
        seed=get_settings().secret_key,
    )  # fmt: skip


def _state(raw: dict[str, Any]) -> dict[str, Any]:
    state = {c: raw[c] for c in records.REPLICATED_COLUMNS}
    for c in DATE_COLUMNS:
        if c in state and state[c] is not None:
            state[c] = date.fromisoformat(state[c])
    for c in MOMENT_COLUMNS:
        state[c] = _moment(state[c])
    owner = {k: raw[k] for k in ("subject_kind", "subject_name", "subject_uscc", "subject_id_number",
                                 "subject_region", "department_name", "department_uscc")}  # fmt: skip
    key = raw["subject_key"]
    if owner["subject_kind"] == "natural_person":  # keyed by each node's own secret
        key = subject_key_of_code(owner["subject_id_number"] or "")
    if not key or not owner["department_uscc"]:
        raise ValueError("记录缺少主体或数据来源单位")
    return {**state, **owner, "subject_key": key}


def _events(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    events = []
    for order, e in enumerate(raw):
        record_type, natural_key = e["record"]
        first = (record_type, natural_key) not in seen
        seen.add((record_type, natural_key))
        events.append(
            {
                "ord": order, "record_type": record_type, "natural_key": natural_key, "version": int(e["version"]),
                "event": e["event"], "batch_id": e["batch_id"], "content_hash": e["content_hash"],
                "actor": e["actor"], "at": _moment(e["at"]), "reason": e["reason"],
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
