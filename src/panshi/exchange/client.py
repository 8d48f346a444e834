"""Pulling a peer's feed until caught up (and pushing ours to a parent): httpx, signed requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import Engine

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.exchange import repository
from panshi.exchange.apply import receive_batch
from panshi.exchange.auth import signed_headers
from panshi.exchange.nodes import own_signer, peer
from panshi.exchange.schemas import FeedPage

FEED_PATH = "/api/v1/exchange/feed"
PAGE = 50
# Pages in a row that brought nothing new before the pull gives up (a peer that keeps sending the wrong batches).
MAX_IDLE_PAGES = 3

Fetch = Callable[[int, int], FeedPage]  # (after, limit) -> a page of the peer's feed


class PullFailed(PanshiError):
    code = "pull_failed"
    status_code = 502


@dataclass
class PullResult:
    peer: str
    applied_seq: int
    latest_seq: int
    applied_batches: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def lag(self) -> int:
        return max(self.latest_seq - self.applied_seq, 0)


def http_fetch(
    peer_region: str, *, engine: Engine | None = None, client: httpx.Client | None = None
) -> Fetch:
    """The fetch of a registered peer's feed over HTTP, each request signed by this node's key."""
    with unit_of_work(engine) as session:
        own, signer = own_signer(session)
        base_url = peer(session, peer_region).base_url or ""
        region = own.region_code
    http = client or httpx.Client(base_url=base_url, timeout=httpx.Timeout(60.0, connect=10.0))

    def fetch(after: int, limit: int) -> FeedPage:
        target = f"{FEED_PATH}?after={after}&limit={limit}"
        headers = signed_headers(signer, region, method="GET", target=target)
        try:
            response = http.get(target, headers=headers)
        except httpx.HTTPError as exc:
            raise PullFailed(f"无法连接节点 {peer_region}：{type(exc).__name__}") from None
        if response.status_code != 200:
            raise PullFailed(
                f"节点 {peer_region} 拒绝了请求（HTTP {response.status_code}）：{response.text[:300]}"
            )
        return FeedPage.model_validate_json(response.content)

    return fetch


def pull_from(peer_region: str, *, fetch: Fetch | None = None, engine: Engine | None = None) -> PullResult:
    """Pull a peer's feed until caught up, each batch in its own unit of work (a stop between two
    loses nothing: the next pull resumes from the cursor). Batches that arrive out of order are
    refused as gaps and fetched again; duplicates are no-ops."""
    fetch = fetch or http_fetch(peer_region, engine=engine)
    with unit_of_work(engine) as session:
        peer(session, peer_region)
        cursor = repository.cursors(session).get(peer_region)
        applied = cursor.applied_seq if cursor else 0
    result = PullResult(peer=peer_region, applied_seq=applied, latest_seq=cursor.latest_seq if cursor else 0)
    idle = 0
    while True:
        page = fetch(result.applied_seq, PAGE)
        result.latest_seq = max(result.latest_seq, page.latest_seq)
        before = result.applied_seq
        for wire in page.batches:
            with unit_of_work(engine, write=True) as session:
                out = receive_batch(session, wire, sender=peer_region)
            if out.outcome == "applied":
                result.applied_seq, result.applied_batches = wire.seq, result.applied_batches + 1
            elif out.outcome == "refused":
                result.refused.append(f"{out.batch_id}：{out.message}")
        if result.refused:
            return result  # a refused batch will be refused again: an operator must look (exchange log)
        if not any(b.seq > before for b in page.batches):
            return result  # nothing new offered: caught up (the peer publishes as it is asked)
        idle = 0 if result.applied_seq > before else idle + 1
        if idle >= MAX_IDLE_PAGES:
            raise PullFailed(
                f"节点 {peer_region} 连续 {idle} 次未送来下一批（第 {result.applied_seq + 1} 批）"
            )
