"""Three linked nodes on one machine — county 磐石市, city 吉林市, province 吉林省 — each its own database,
node key and `panshi serve` process on a loopback port: what `panshi demo --tiers` runs, and what the
three-tier test starts."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from panshi.core import db as core_db
from panshi.core import migrate
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.exchange.nodes import add_peer, init_node


@dataclass(frozen=True)
class Tier:
    key: str  # county | city | province: the node's directory under the root
    region: str
    name: str


TIERS = (
    Tier("county", "220284", "磐石市公共信用信息平台"),
    Tier("city", "220200", "吉林市公共信用信息平台"),
    Tier("province", "220000", "吉林省公共信用信息平台"),
)
LINKS = (("county", "city"), ("city", "province"))  # (child, parent)
START_TIMEOUT_S = 60.0


@dataclass
class TierNode:
    """One node of the three: where its files live, its database, its port, its settings."""

    tier: Tier
    directory: Path
    port: int
    database_url: str
    settings: dict[str, str] = field(default_factory=dict)  # more PANSHI_* settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The PANSHI_* settings of this node (nothing of the caller's own PANSHI_* leaks in)."""
        return {
            "PANSHI_DATABASE_URL": self.database_url,
            "PANSHI_NODE_KEY_DIR": str(self.directory / "node"),
            "PANSHI_NODE_REGION_CODE": self.tier.region,
            "PANSHI_NODE_NAME": self.tier.name,
            "PANSHI_EVIDENCE_DIR": str(self.directory / "evidence"),
            "PANSHI_PUBLIC_BASE_URL": self.url,
            "PANSHI_SECRET_KEY": _secret(self.directory),
            **self.settings,
        }

    def process_env(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if not k.startswith("PANSHI_")} | self.environment()


def _secret(directory: Path) -> str:
    """Each node's own secret key (kept in its directory, 0600), made once."""
    path = directory / "secret.key"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def plan(
    root: Path, *, ports: dict[str, int], database_urls: dict[str, str] | None = None, **settings: str
) -> dict[str, TierNode]:
    """The three nodes under `root/{county,city,province}` (SQLite files there unless `database_urls`
    says otherwise), with extra PANSHI_* `settings` for all three."""
    nodes = {}
    for tier in TIERS:
        directory = root / tier.key
        directory.mkdir(parents=True, exist_ok=True)
        url = (database_urls or {}).get(tier.key) or f"sqlite:///{directory / 'panshi.sqlite3'}"
        nodes[tier.key] = TierNode(tier, directory, ports[tier.key], url, dict(settings))
    return nodes


@contextmanager
def as_node(node: TierNode) -> Iterator[Engine]:
    """This process acting as `node` for a while: its settings and its (migrated) database."""
    saved = dict(os.environ)
    os.environ.update(node.environment())
    get_settings.cache_clear()
    core_db.get_engine.cache_clear()
    engine = core_db.get_engine()
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        core_db.get_engine.cache_clear()


def link_all(nodes: dict[str, TierNode]) -> dict[str, str]:
    """Set each node up (again: changes nothing) and register each pair both ways; the public keys."""
    keys = {}
    for key, node in nodes.items():
        with as_node(node) as engine, unit_of_work(engine, write=True) as session:
            keys[key] = init_node(session, region=node.tier.region, name=node.tier.name).node.public_key
    for child, parent in LINKS:
        for here, there, relation in ((child, parent, "parent"), (parent, child, "child")):
            with as_node(nodes[here]) as engine, unit_of_work(engine, write=True) as session:
                other = nodes[there]
                add_peer(session, region=other.tier.region, relation=relation, url=other.url,
                         public_key=keys[there], name=other.tier.name)  # fmt: skip
    return keys


def start(node: TierNode) -> subprocess.Popen[bytes]:
    """`panshi serve` of the node, its output in `serve.log` of its directory; waits until it answers."""
    log = node.directory / "serve.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "panshi.cli", "serve", "--host", "127.0.0.1", "--port", str(node.port)],
            env=node.process_env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: _healthy(node, process), timeout=START_TIMEOUT_S, what=f"{node.tier.name} 启动")
    except BaseException:  # a server that never answered is not left running
        stop(process, kill=True)
        raise
    return process


def _healthy(node: TierNode, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        tail = (node.directory / "serve.log").read_text(errors="replace")[-2000:]
        raise PanshiError(f"{node.tier.name} 的服务进程已退出（{process.returncode}）：\n{tail}")
    try:
        return httpx.get(f"{node.url}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.1) -> None:
    """Poll `condition` until it holds; a clear error naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise PanshiError(f"等待超时（{timeout:.0f} 秒）：{what}")
        time.sleep(every)


def stop(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    """End a node's server: SIGTERM (or SIGKILL, as a crash would) and wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- `panshi demo --tiers` -----------------------------------------------------------------------------

DEMO_ROOT = Path("var/tiers")
LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级"}


def run_demo(*, base_port: int, subjects: int, records: int, serve: bool, say: Callable[[str], None]) -> None:
    """Three linked nodes under var/tiers/ with the demo county's data at the county, served on
    base_port, +1, +2 until Ctrl+C; what to look at is printed."""
    from panshi.demo.service import load_demo

    nodes = plan(DEMO_ROOT, ports={t.key: base_port + i for i, t in enumerate(TIERS)})
    with as_node(nodes["county"]):
        load_demo(subjects=subjects, records=records)
    operators = {key: _demo_operator(nodes[key]) for key in ("city", "province")}
    link_all(nodes)
    if not serve:
        _guide(nodes, operators, say)
        return
    processes: dict[str, subprocess.Popen[bytes]] = {}
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the three servers too, as Ctrl+C does
    try:
        for key, node in nodes.items():
            say(f"启动{LEVEL_LABELS[key]}节点 {node.tier.name}（{node.url}）…")
            processes[key] = start(node)
        _guide(nodes, operators, say)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        say("有节点进程已退出，见其 serve.log；正在停止其余节点")
    except KeyboardInterrupt:
        say("正在停止三个节点…")
    finally:
        for process in processes.values():
            stop(process)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _demo_operator(node: TierNode) -> str:
    """An operator account `demo-operator` at a node (once); its line in the node's accounts.txt."""
    from panshi.accounts.service import add_user, list_users

    path = node.directory / "accounts.txt"
    with as_node(node) as engine, unit_of_work(engine, write=True) as session:
        if "demo-operator" in {u.username for u in list_users(session)} and path.exists():
            return path.read_text(encoding="utf-8").strip()
        password = secrets.token_urlsafe(9)
        add_user(session, username="demo-operator", password=password, role="operator",
                 display_name=f"{node.tier.name}演示运营人员")  # fmt: skip
    line = f"demo-operator  {password}  operator  {node.tier.name}"
    path.write_text(line + "\n", encoding="utf-8")
    path.chmod(0o600)
    return line


def _guide(nodes: dict[str, TierNode], operators: dict[str, str], say: Callable[[str], None]) -> None:
    say("")
    say("三级节点（县 → 市 → 省），每个节点一个数据库、一把节点密钥、一个服务进程：")
    for key, node in nodes.items():
        say(
            f"  {LEVEL_LABELS[key]}  {node.tier.name}（{node.tier.region}）  {node.url}/  日志 {node.directory / 'serve.log'}"
        )
    say("")
    say("看记录逐级上行：用运营人员账号登录各节点，打开 /console/exchange（交换日志与各对端滞后）。")
    say("  县级账号见 var/demo/accounts.txt（demo-operator）；市级、省级：")
    for key, line in operators.items():
        say(f"    {LEVEL_LABELS[key]}：{line}")
    say(
        "  县级的演示数据在启动后约 10 秒内开始上行；在县级 /console 导入一个文件，它会出现在市级、再到省级。"
    )
    say("  在省级导入名单（list_entry），它会下发到市级和县级，县级核查（/api/v1/checks）即可查到。")
    say("命令行（以市级为例）：")
    city = nodes["city"]
    say(
        f"  PANSHI_DATABASE_URL={city.database_url} PANSHI_NODE_KEY_DIR={city.directory / 'node'} panshi node peers"
    )
    say("按 Ctrl+C 停止三个节点；删除 var/tiers/ 可重新开始。")
