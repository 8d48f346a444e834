"""Node identity (region, level, signing key) and the registry of peers: parent, children, equals."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from panshi.core.errors import NotFound, PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange import repository
from panshi.exchange.models import ExchangeNode
from panshi.exchange.signing import BadKey, Signer, check_public_key, scheme
from panshi.identifiers.regions import region_name

Level = Literal["county", "city", "province"]
Relation = Literal["parent", "child", "peer"]
LEVELS: tuple[Level, ...] = ("county", "city", "province")
LEVEL_NAMES = {"county": "县级", "city": "市级", "province": "省级"}
RELATION_NAMES = {"self": "本节点", "parent": "上级", "child": "下级", "peer": "平级"}
# Who connects to a peer: pull, each side pulls the other's feed; push, we pull its feed and push ours
# (it cannot reach us); wait, we never connect (it pushes its feed to us and pulls ours).
LINKS = {"pull": "双方互拉", "push": "本节点推送并拉取", "wait": "等待对端推送与拉取"}
_PREFIX = {"province": 2, "city": 4, "county": 6}  # digits of the region code a level's area shares
_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}


class NotInitialised(PanshiError):
    code = "node_not_initialised"
    status_code = 503


class BadPeer(PanshiError):
    code = "bad_peer"
    status_code = 422


@dataclass(frozen=True)
class NodeInit:
    node: ExchangeNode
    created: bool  # False: the node was set up already and nothing changed
    rotated: bool
    warnings: tuple[str, ...]


def level_of(region: str) -> Level:
    """The level a GB/T 2260 code names by its shape: 省 (xx0000), 市 (xxxx00), else 县."""
    if region.endswith("0000"):
        return "province"
    return "city" if region.endswith("00") else "county"


def area_prefix(region: str, level: str) -> str:
    """The leading digits every region inside the node's area shares (22 for 吉林省, 2202 for 吉林市)."""
    return region[: _PREFIX[level]]


def contains(outer_region: str, outer_level: str, inner_region: str) -> bool:
    """Whether `inner_region` lies in the area of the node at `outer_region` (itself included)."""
    return inner_region.startswith(area_prefix(outer_region, outer_level))


def _checked_region(region: str, level: str | None) -> tuple[str, Level, list[str]]:
    region = region.strip()
    if len(region) != 6 or not region.isdigit():
        raise BadPeer(f"行政区划代码须为 6 位数字：{region!r}", code="bad_region")
    warnings = [] if region_name(region) else [f"行政区划代码 {region} 不在 GB/T 2260 代码表中，请核对"]
    if level is None:
        return region, level_of(region), warnings
    if level not in LEVELS:
        raise BadPeer(f"节点层级须为 {'、'.join(LEVELS)} 之一：{level!r}", code="bad_level")
    return region, level, warnings  # type: ignore[return-value]  # checked just above


def key_path(region: str) -> Path:
    """The private key file of the node at `region` (under the setting node_key_dir)."""
    return get_settings().node_key_dir / f"node-{region}.key"


def _write_key(path: Path, pem: bytes) -> None:
    """Write a private key readable by its owner only (0600), atomically: a crash leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".key.new")
    if temporary.exists():
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)


def _load_signer(path: Path, algorithm: str) -> Signer:
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise NotInitialised(
            f"节点私钥文件 {path} 不存在；如密钥已丢失，请运行 panshi node init --rotate 并把新公钥告知对端节点",
            code="node_key_missing",
        ) from None
    return scheme(algorithm).load(pem)


def init_node(
    session: Session, *, region: str, name: str | None, level: str | None = None, rotate: bool = False
) -> NodeInit:
    """Set this node up (region, level, key pair); again: nothing changes unless `rotate` makes a new key."""
    region, node_level, warnings = _checked_region(region, level)
    own = repository.own_node(session)
    if own is not None and own.region_code != region:
        raise PanshiError(
            f"本节点已初始化为 {own.region_code}（{own.name}），不能改为 {region}", code="node_region_fixed"
        )
    path = key_path(region)
    now = utcnow()
    if own is not None and not rotate:
        _load_signer(path, own.algorithm)  # the key must still be there
        return NodeInit(own, created=False, rotated=False, warnings=tuple(warnings))
    algorithm = get_settings().signing_algorithm
    if path.exists() and not rotate:  # a key kept from an earlier database: keep using it
        warnings.append(f"沿用已有私钥文件 {path}")
    else:
        if path.exists():
            retired = path.with_name(f"{path.name}.retired-{now:%Y%m%dT%H%M%S}")
            os.replace(path, retired)
            warnings.append(f"原私钥已移至 {retired}；请把新公钥告知所有对端节点")
        _write_key(path, scheme(algorithm).generate())
    signer = _load_signer(path, algorithm)
    if own is None:
        own = ExchangeNode(
            region_code=region, level=node_level, name=(name or region_name(region) or region)[:200],
            relation="self", base_url=None, algorithm=algorithm, public_key=signer.public_key(), enabled=True,
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(own)
        session.flush()
        return NodeInit(own, created=True, rotated=False, warnings=tuple(warnings))
    own.public_key, own.algorithm, own.updated_at = signer.public_key(), algorithm, now
    if name:
        own.name = name[:200]
    session.flush()
    return NodeInit(own, created=False, rotated=True, warnings=tuple(warnings))


def own_node(session: Session) -> ExchangeNode:
    """This node, or a clear error saying how to set it up."""
    own = repository.own_node(session)
    if own is None:
        raise NotInitialised("本节点尚未初始化：请先运行 panshi node init --region <行政区划代码>")
    return own


def own_signer(session: Session) -> tuple[ExchangeNode, Signer]:
    """This node and its private key, which must match the public key registered for it."""
    own = own_node(session)
    signer = _load_signer(key_path(own.region_code), own.algorithm)
    if signer.public_key() != own.public_key:
        raise NotInitialised(
            "节点私钥文件与数据库中登记的公钥不一致；请检查 node_key_dir 设置，或运行 panshi node init --rotate",
            code="node_key_mismatch",
        )
    return own, signer


def add_peer(
    session: Session,
    *,
    region: str,
    relation: str,
    url: str,
    public_key: str,
    name: str | None = None,
    level: str | None = None,
    link: str = "pull",
) -> ExchangeNode:
    """Register a peer node (or update its address and key): a child must lie inside our area, a
    parent above us, an equal beside us; its public key must be well-formed. `link` says who connects
    (LINKS)."""
    own = own_node(session)
    if link not in LINKS:
        raise BadPeer(f"连接方式须为 {'、'.join(LINKS)} 之一：{link!r}", code="bad_link")
    region, peer_level, _ = _checked_region(region, level)
    if region == own.region_code:
        raise BadPeer("不能把本节点登记为对端节点")
    if relation not in ("parent", "child", "peer"):
        raise BadPeer(
            f"关系须为 parent（上级）、child（下级）或 peer（平级）：{relation!r}", code="bad_relation"
        )
    _check_relation(own, region, peer_level, relation)
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise BadPeer(f"节点地址须以 http:// 或 https:// 开头：{url!r}", code="bad_url")
    try:
        key = check_public_key(public_key)
    except BadKey as exc:
        raise BadPeer(f"对端公钥无效：{exc.message}", code="bad_key") from None
    now = utcnow()
    peer = repository.node_by_region(session, region)
    if peer is None:
        peer = ExchangeNode(region_code=region, created_at=now, enabled=True)
        session.add(peer)
    peer.level, peer.relation, peer.base_url, peer.public_key = peer_level, relation, url, key
    peer.link = link
    peer.algorithm, peer.updated_at = key.partition(":")[0], now
    peer.name = (name or region_name(region) or region)[:200]
    session.flush()
    return peer


def _check_relation(own: ExchangeNode, region: str, peer_level: str, relation: str) -> None:
    below, above = _RANK[peer_level] < _RANK[own.level], _RANK[peer_level] > _RANK[own.level]
    if relation == "child" and not (contains(own.region_code, own.level, region) and below):
        raise BadPeer(f"{region} 不在本节点（{own.region_code}）辖区内的下一级，不能登记为下级节点")
    if relation == "parent" and not (contains(region, peer_level, own.region_code) and above):
        raise BadPeer(f"{region} 不是本节点（{own.region_code}）的上级区划，不能登记为上级节点")
    if relation == "peer" and (
        contains(region, peer_level, own.region_code) or contains(own.region_code, own.level, region)
    ):
        raise BadPeer(f"{region} 与本节点（{own.region_code}）是上下级关系，不能登记为平级节点")


def set_enabled(session: Session, *, region: str, enabled: bool) -> ExchangeNode:
    """Enable or disable exchange with a registered peer."""
    peer = repository.node_by_region(session, region)
    if peer is None or peer.relation == "self":
        raise NotFound(f"未登记区划代码为 {region} 的对端节点")
    peer.enabled, peer.updated_at = enabled, utcnow()
    session.flush()
    return peer


def peers(session: Session) -> list[ExchangeNode]:
    """The registered peers, parent first, then children and equals, by region."""
    return repository.peers(session)


def peer(session: Session, region: str) -> ExchangeNode:
    found = repository.node_by_region(session, region)
    if found is None or found.relation == "self":
        raise NotFound(f"未登记区划代码为 {region} 的对端节点")
    return found
