"""Peers authenticate their requests with their node key: a signature over method, path and query,
time and body hash. A time further than exchange_clock_skew_seconds from ours is refused."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy.orm import Session

from panshi.core.errors import NotAuthenticated, NotAuthorised
from panshi.core.settings import get_settings
from panshi.exchange import repository
from panshi.exchange.models import ExchangeNode
from panshi.exchange.signing import Signer, verify

NODE_HEADER = "X-Panshi-Node"
TIME_HEADER = "X-Panshi-Time"
SIGNATURE_HEADER = "X-Panshi-Signature"


def request_message(method: str, target: str, moment: str, body: bytes) -> bytes:
    """What a request signature covers; `target` is the path with its query string."""
    return "\n".join((method.upper(), target, moment, hashlib.sha256(body).hexdigest())).encode()


def signed_headers(
    signer: Signer, region: str, *, method: str, target: str, body: bytes = b""
) -> dict[str, str]:
    moment = str(int(time.time()))
    signature = signer.sign(request_message(method, target, moment, body))
    return {NODE_HEADER: region, TIME_HEADER: moment, SIGNATURE_HEADER: signature}


def authenticate_peer(
    session: Session,
    *,
    node: str | None,
    moment: str | None,
    signature: str | None,
    method: str,
    target: str,
    body: bytes,
    relations: tuple[str, ...],
) -> ExchangeNode:
    """The registered, enabled peer that signed this request, of one of `relations`; else refused."""
    if not node or not moment or not signature:
        raise NotAuthenticated("此接口仅限已登记的对端节点调用（请求须带节点签名）")
    peer = repository.node_by_region(session, node.strip()[:6])
    if peer is None or peer.relation == "self" or not peer.enabled:
        raise NotAuthorised(f"节点 {node[:6]!r} 未登记或已停用")
    try:
        skew = abs(time.time() - int(moment))
    except ValueError:
        raise NotAuthenticated("请求时间须为 Unix 秒数") from None
    if skew > get_settings().exchange_clock_skew_seconds:
        raise NotAuthenticated(f"请求时间与本节点相差 {int(skew)} 秒，超出允许范围；请校准时钟")
    if not verify(peer.public_key, request_message(method, target, moment, body), signature):
        raise NotAuthenticated(f"节点 {peer.region_code} 的请求签名无效")
    if peer.relation not in relations:
        raise NotAuthorised(f"{peer.region_code} 作为本节点的 {peer.relation} 不能调用此接口")
    return peer
