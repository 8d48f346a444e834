"""Pulling a peer's feed until caught up, and pushing ours to a peer that cannot reach us: httpx,
signed requests, each batch applied in its own unit of work."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field

import httpx
import orjson
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.exchange import repository
from panshi.exchange.apply import receive_batch
from panshi.exchange.auth import signed_headers
from panshi.exchange.feed import log_served, publish_pending, to_wire
from panshi.exchange.homes import feed_read_by
from panshi.exchange.nodes import own_signer, peer
from panshi.exchange.schemas import FeedPage, PushOut, PushRequest, WireBatch

FEED_PATH = "/api/v1/exchange/feed"
PUSH_PATH = "/api/v1/exchange/batches"
PAGE = 50
PUSH_PAGE = 10  # batches in one push request (each up to exchange_batch_changes changes)
# Pages in a row that brought nothing new before the pull gives up (a peer that keeps sending the wrong batches).
MAX_IDLE_PAGES = 3

Fetch = Callable[[int, int], FeedPage]  # (after, limit) -> a page of the peer's feed
Post = Callable[[list[WireBatch]], PushOut]  # batches of our feed -> what the peer made of them


class PullFailed(PanshiError):
    code = "pull_failed"
    status_code = 502


@dataclass
class PullResult:
    peer: str
    applied_seq: int
    latest_seq: int
    applied_batches: int = 0
    new: int = 0  # records new at the receiver
    updated: int = 0  # records replaced by a newer version
    refused: list[str] = field(default_factory=list)

    @property
    def lag(self) -> int:
        return max(self.latest_seq - self.applied_seq, 0)


def peer_client(peer_region: str, *, engine: Engine | None = None) -> httpx.Client:
    """An HTTP client for a registered peer's address (close it after use)."""
    with unit_of_work(engine) as session:
        base_url = peer(session, peer_region).base_url or ""
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(60.0, connect=10.0))


def _signed_call(
    peer_region: str, *, engine: Engine | None, client: httpx.Client | None
) -> Callable[[str, str, bytes], bytes]:
    """(method, target, body) -> the peer's answer body, each request signed by this node's key."""
    with unit_of_work(engine) as session:
        own, signer = own_signer(session)
        region = own.region_code
    http = client or peer_client(peer_region, engine=engine)

    def call(method: str, target: str, body: bytes) -> bytes:
        headers = signed_headers(signer, region, method=method, target=target, body=body)
        if body:
            headers["Content-Type"] = "application/json"
        try:
            response = http.request(method, target, headers=headers, content=body or None)
        except httpx.HTTPError as exc:
            raise PullFailed(f"无法连接节点 {peer_region}：{type(exc).__name__}") from None
        if response.status_code != 200:
            raise PullFailed(
                f"节点 {peer_region} 拒绝了请求（HTTP {response.status_code}）：{response.text[:300]}"
            )
        return response.content

    return call


def http_fetch(
    peer_region: str, *, engine: Engine | None = None, client: httpx.Client | None = None
) -> Fetch:
    """The fetch of a registered peer's feed over HTTP, each request signed by this node's key."""
    call = _signed_call(peer_region, engine=engine, client=client)

    def fetch(after: int, limit: int) -> FeedPage:
        answer = call("GET", f"{FEED_PATH}?after={after}&limit={limit}", b"")
        try:  # orjson reads a page of megabytes of batch bodies faster than pydantic's JSON mode
            return FeedPage.model_validate(orjson.loads(answer))
        except orjson.JSONDecodeError:
            raise PullFailed(f"节点 {peer_region} 的回答不是有效的 JSON") from None
        except ValidationError as exc:
            raise PullFailed(
                f"节点 {peer_region} 的回答不是有效的变更流页：{exc.error_count()} 处错误"
            ) from None

    return fetch


def http_post(peer_region: str, *, engine: Engine | None = None, client: httpx.Client | None = None) -> Post:
    """The push of batches of our feed to a registered peer over HTTP, signed by this node's key."""
    call = _signed_call(peer_region, engine=engine, client=client)

    def post(batches: list[WireBatch]) -> PushOut:
        answer = call("POST", PUSH_PATH, PushRequest(batches=batches).model_dump_json().encode())
        try:
            return PushOut.model_validate_json(answer)
        except ValidationError as exc:
            raise PullFailed(f"节点 {peer_region} 对推送的回答无效：{exc.error_count()} 处错误") from None

    return post


def pull_from(
    peer_region: str,
    *,
    fetch: Fetch | None = None,
    engine: Engine | None = None,
    prefetch: bool | None = None,
) -> PullResult:
    """Pull a peer's feed until caught up, each batch in its own unit of work (a stop between two
    loses nothing: the next pull resumes from the cursor). Batches that arrive out of order are
    refused as gaps and fetched again; duplicates are no-ops. With `prefetch` (the default over HTTP,
    when no `fetch` is given) the next page is asked for, in a thread, while this one is applied (the
    peer publishes it meanwhile); a page asked for ahead is used only when it starts where the
    applying ended, else it is asked for again: what is applied, and in what order, is the same."""
    with unit_of_work(engine) as session:
        peer(session, peer_region)
        cursor = repository.cursors(session).get(peer_region)
        applied = cursor.applied_seq if cursor else 0
    result = PullResult(peer=peer_region, applied_seq=applied, latest_seq=cursor.latest_seq if cursor else 0)
    if prefetch is None:
        prefetch = fetch is None
    fetch = fetch or http_fetch(peer_region, engine=engine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-prefetch") as ahead:
        _pull(peer_region, fetch, result, engine=engine, ahead=ahead if prefetch else None)
    return result


def _pull(
    peer_region: str,
    fetch: Fetch,
    result: PullResult,
    *,
    engine: Engine | None,
    ahead: ThreadPoolExecutor | None,
) -> None:
    idle = 0
    prefetched: tuple[int, Future[FeedPage]] | None = None
    while True:
        if prefetched is not None and prefetched[0] == result.applied_seq:
            page = prefetched[1].result()
        else:
            _discard(prefetched)  # one request at a time: the page asked for ahead is done first
            page = fetch(result.applied_seq, PAGE)
        prefetched = None
        result.latest_seq = max(result.latest_seq, page.latest_seq)
        before = result.applied_seq
        if ahead is not None and page.batches and page.batches[-1].seq > before:
            after = page.batches[-1].seq  # where we will be if the whole page applies
            prefetched = (after, ahead.submit(fetch, after, PAGE))
        for wire in page.batches:
            with unit_of_work(engine, write=True) as session:
                out = receive_batch(session, wire, sender=peer_region)
            if out.outcome == "applied":
                result.applied_seq, result.applied_batches = wire.seq, result.applied_batches + 1
                result.new, result.updated = result.new + out.new, result.updated + out.updated
            elif out.outcome == "refused":
                result.refused.append(f"{out.batch_id}：{out.message}")
        if result.refused:
            _discard(prefetched)
            return  # a refused batch will be refused again: an operator must look (exchange log)
        if not any(b.seq > before for b in page.batches):
            _discard(prefetched)
            return  # nothing new offered: caught up (the peer publishes as it is asked)
        idle = 0 if result.applied_seq > before else idle + 1
        if idle >= MAX_IDLE_PAGES:
            _discard(prefetched)
            raise PullFailed(
                f"节点 {peer_region} 连续 {idle} 次未送来下一批（第 {result.applied_seq + 1} 批）"
            )


def _discard(prefetched: tuple[int, Future[FeedPage]] | None) -> None:
    """Wait for a page asked for ahead that will not be used (its error, if any, is not ours)."""
    if prefetched is not None:
        with suppress(Exception):  # the page is dropped either way
            prefetched[1].result()


def push_to(peer_region: str, *, post: Post | None = None, engine: Engine | None = None) -> PullResult:
    """Publish and push the feed the peer reads from us until it has applied all of it (push mode, for
    a peer that cannot reach us). The peer says where it is, so nothing is kept here: a push cut off
    half way resumes from the peer's cursor. The result's counts are the peer's."""
    with unit_of_work(engine) as session:
        feed = feed_read_by(peer(session, peer_region).relation)
    while publish_pending(feed, engine=engine):
        pass
    post = post or http_post(peer_region, engine=engine)
    answer = post([])
    with unit_of_work(engine) as session:
        latest = repository.latest_seq(session, feed)
    result = PullResult(peer=peer_region, applied_seq=answer.applied_seq, latest_seq=latest)
    idle = 0
    while result.applied_seq < latest:
        with unit_of_work(engine, write=True) as session:
            own, _ = own_signer(session)
            stored = repository.published_after(session, feed, after=result.applied_seq, limit=PUSH_PAGE)
            batches = [to_wire(own.region_code, b) for b in stored]
        answer = post(batches)
        with unit_of_work(engine, write=True) as session:
            page = FeedPage(origin=batches[0].origin, feed=feed, latest_seq=latest, batches=batches)
            log_served(session, peer_region=peer_region, page=page, outcome="pushed")
        for out in answer.results:
            if out.outcome == "applied":
                result.applied_batches, result.new = result.applied_batches + 1, result.new + out.new
                result.updated += out.updated
            elif out.outcome == "refused":
                result.refused.append(f"{out.batch_id}：{out.message}")
        before, result.applied_seq = result.applied_seq, answer.applied_seq
        if result.refused:
            return result
        idle = 0 if result.applied_seq > before else idle + 1
        if idle >= MAX_IDLE_PAGES:
            raise PullFailed(f"节点 {peer_region} 连续 {idle} 次未应用推送的第 {result.applied_seq + 1} 批")
    return result
