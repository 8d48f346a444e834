"""HTTP between nodes: a peer pulls this node's feed, or pushes its own batches (signed requests only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from panshi.api.deps import MAX_ID
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.exchange import repository
from panshi.exchange.apply import receive_batch
from panshi.exchange.auth import NODE_HEADER, SIGNATURE_HEADER, TIME_HEADER, authenticate_peer
from panshi.exchange.feed import MAX_PAGE, feed_page, log_served, page_json, publish_pending
from panshi.exchange.homes import feed_read_by
from panshi.exchange.models import ExchangeNode
from panshi.exchange.schemas import FeedPage, PushOut, PushRequest

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange 节点交换"])


def _peer(request: Request, body: bytes, *, relations: tuple[str, ...]) -> ExchangeNode:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    with unit_of_work() as session:
        return authenticate_peer(
            session, node=request.headers.get(NODE_HEADER), moment=request.headers.get(TIME_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER), method=request.method, target=target, body=body,
            relations=relations,
        )  # fmt: skip


@router.get("/feed", response_model=FeedPage)
def feed(
    request: Request,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="上次已应用的批次序号")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> Response:
    """This node's signed change feed after a sequence number (registered peers, by node signature): a
    parent or an equal reads the records going up, a child the lists coming down (homes.py)."""
    peer = _peer(request, b"", relations=("parent", "peer", "child"))
    feed = feed_read_by(peer.relation)
    publish_pending(feed, ahead_of=after)
    with unit_of_work(write=True) as session:
        page = feed_page(session, after=after, limit=limit, feed=feed)
        log_served(session, peer_region=peer.region_code, page=page)
    # Serialised once, as built (a page holds megabytes of batch bodies: no second validation pass).
    return Response(content=page_json(page), media_type="application/json")


@router.post("/batches", response_model=PushOut)
async def push(request: Request) -> PushOut:
    """Receive batches of a peer's feed (push mode: it can reach us, we cannot reach it), applied in
    order, each once."""
    body = await request.body()
    return await run_in_threadpool(_push, request, body)


def _push(request: Request, body: bytes) -> PushOut:
    peer = _peer(request, body, relations=("child", "peer", "parent"))
    try:
        pushed = PushRequest.model_validate_json(body)
    except ValidationError as exc:
        raise PanshiError(f"推送内容格式有误：{exc.error_count()} 处错误", code="invalid_request") from None
    results = []
    for wire in sorted(pushed.batches, key=lambda b: b.seq):
        with unit_of_work(write=True) as session:
            results.append(receive_batch(session, wire, sender=peer.region_code))
    with unit_of_work() as session:
        cursor = repository.cursors(session).get(peer.region_code)
        applied = cursor.applied_seq if cursor else 0
    return PushOut(applied_seq=applied, results=results)
