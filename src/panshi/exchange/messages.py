"""Messages the feeds carry beside record changes (DESIGN §3.8): a case decision about a record homed at
another node travels there as a request and its answer comes back; catalog documents flow down.

A message names its target node (a region code), or none: a document for every node below its origin.
Each node a message reaches delivers it when it is the target (a document: at every node) and carries
it on in one of its own feeds when it is not the last stop: `down` when the target is inside its area
(its children read that feed; each keeps only what is for its own area), else `up` (its parent reads it).
What arrives from a parent for another part of the tree, or from an equal for somewhere else, is not
kept. A message is kept once (its uid): a second copy on another path is ignored.

Delivering runs the kind's handler within a savepoint: what it refuses (a typed PanshiError) leaves
nothing behind and is noted on the message (outcome `failed`), never refusing the batch it came in:
a batch cannot be changed once published, and the rest of it must still apply.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from panshi.core.errors import PanshiError
from panshi.core.timeutil import utcnow
from panshi.exchange import repository
from panshi.exchange.homes import Feed
from panshi.exchange.models import ExchangeMessage, ExchangeNode
from panshi.exchange.nodes import contains, own_node

KINDS = ("case_request", "case_reply", "document")
KIND_NAMES = {"case_request": "案件办理请求", "case_reply": "案件办理答复", "document": "目录文件"}
# How many messages one batch carries at most (they are few: case decisions and catalog versions).
PER_BATCH = 200
_REGION = re.compile(r"^\d{6}$")


class BadMessage(ValueError):
    """A message in a batch that is not well formed: the batch is refused."""


def post(session: Session, *, kind: str, target: str | None, body: dict[str, Any]) -> ExchangeMessage:
    """A new message from this node to `target` (None: every node below), in the feed that carries it
    (published with the next batch of that feed)."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    own = own_node(session)
    if target == own.region_code:
        raise ValueError("a message to this node itself")
    message = ExchangeMessage(
        uid=f"{own.region_code}-{uuid.uuid4().hex}", kind=kind, origin_region=own.region_code,
        target_region=target, feed=route(own, target), body=body, received_from=None, created_at=utcnow(),
    )  # fmt: skip
    repository.add_message(session, message)
    return message


def reaches(own: ExchangeNode, target: str) -> bool:
    """Whether a message from `own` can reach `target` by the tiers: up to the node whose area holds
    it, then down — so only inside `own`'s province (the top tier). A node of another province (an
    equal whose lists were recognised, 名单互认) is not reached: no feed carries a message to it."""
    return contains(own.region_code, "province", target)


def route(own: ExchangeNode, target: str | None) -> Feed | None:
    """The feed of `own` that carries a message for `target` on; None when it stops here."""
    if target is None:
        return "down"
    if target == own.region_code:
        return None
    return "down" if contains(own.region_code, own.level, target) else "up"


def to_wire(message: ExchangeMessage) -> dict[str, Any]:
    """A message as a batch carries it."""
    return {
        "uid": message.uid, "kind": message.kind, "origin": message.origin_region,
        "target": message.target_region, "body": message.body,
    }  # fmt: skip


def receive(session: Session, raw: Sequence[Any], *, own: ExchangeNode, peer: ExchangeNode) -> int:
    """Keep, deliver and carry on the messages of a batch from `peer`; how many were kept."""
    kept = 0
    for wire in (_checked(m) for m in raw):
        if repository.message_by_uid(session, wire["uid"]) is not None:
            continue
        target = wire["target"]
        if target is None:  # a document: from the parent only, delivered here and carried further down
            if peer.relation != "parent":
                continue
            deliver, feed = True, route(own, None)
        elif target == own.region_code:
            deliver, feed = True, None
        elif contains(own.region_code, own.level, target) or peer.relation == "child":
            deliver, feed = False, route(own, target)  # down into its area, or up from a child
        else:
            continue  # for another part of the tree
        message = ExchangeMessage(
            uid=wire["uid"], kind=wire["kind"], origin_region=wire["origin"], target_region=target, feed=feed,
            body=wire["body"], received_from=peer.region_code, created_at=utcnow(),
        )  # fmt: skip
        repository.add_message(session, message)
        kept += 1
        if deliver:
            _deliver(session, message)
    return kept


def _checked(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise BadMessage("消息不是对象")
    uid, kind, origin, target, body = (raw.get(k) for k in ("uid", "kind", "origin", "target", "body"))
    if not isinstance(uid, str) or not 8 <= len(uid) <= 40:
        raise BadMessage(f"消息编号有误：{uid!r}")
    if kind not in KINDS:
        raise BadMessage(f"未知的消息类别：{kind!r}")
    if not isinstance(origin, str) or not _REGION.match(origin):
        raise BadMessage(f"消息来源节点有误：{origin!r}")
    if target is not None and (not isinstance(target, str) or not _REGION.match(target)):
        raise BadMessage(f"消息目标节点有误：{target!r}")
    if (target is None) != (kind == "document"):
        raise BadMessage(f"{KIND_NAMES[kind]}的目标节点有误：{target!r}")
    if not isinstance(body, dict):
        raise BadMessage("消息内容不是对象")
    return {"uid": uid, "kind": kind, "origin": origin, "target": target, "body": body}


def _deliver(session: Session, message: ExchangeMessage) -> None:
    """Run the kind's handler (a savepoint: a refusal leaves nothing of it) and note its outcome."""
    try:
        with session.begin_nested():
            message.note = _handle(session, message)[:2000]
            message.outcome = "handled"
            session.flush()
    except PanshiError as exc:
        message.outcome, message.note = "failed", exc.message[:2000]
        if message.kind == "case_request":  # the deciding node hears why, and its case goes back
            _answer(session, message, {"outcome": "refused", "message": exc.message})
    session.flush()


def _handle(session: Session, message: ExchangeMessage) -> str:
    from panshi.cases import service as cases  # cases post requests through this module

    if message.kind == "case_request":
        reply = cases.answer_home_request(session, message.body, origin=message.origin_region)
        _answer(session, message, reply)
        return str(reply["message"])
    if message.kind == "case_reply":
        return cases.take_home_reply(session, message.body, origin=message.origin_region)
    from panshi.catalog import documents

    return documents.receive(session, message.body, origin=message.origin_region)


def _answer(session: Session, request: ExchangeMessage, reply: dict[str, Any]) -> None:
    post(session, kind="case_reply", target=request.origin_region, body={**reply, "request": request.uid})
