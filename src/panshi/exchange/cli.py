"""`panshi node init|show|add-peer|peers|log`, `panshi sync` and `panshi export national`."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

node_app = typer.Typer(help="本节点与对端节点 Node identity and peers (three tiers).", no_args_is_help=True)
export_app = typer.Typer(help="数据导出 Exports.", no_args_is_help=True)


def _fail(exc: PanshiError) -> None:
    Console(stderr=True).print(f"[red]{exc.message}[/]")
    raise typer.Exit(1)


@node_app.command("init")
def node_init(
    region: str | None = typer.Option(
        None, "--region", help="本节点行政区划代码（默认 PANSHI_NODE_REGION_CODE）"
    ),
    name: str | None = typer.Option(None, "--name", help="本节点名称（默认 PANSHI_NODE_NAME）"),
    level: str | None = typer.Option(None, "--level", help="county|city|province（默认由区划代码推断）"),
    rotate: bool = typer.Option(False, "--rotate", help="生成新签名密钥，替换现有密钥"),
) -> None:
    """Set this node up: region, level and a signing key pair (again: changes nothing without --rotate)."""
    from panshi.core.settings import get_settings
    from panshi.exchange.nodes import init_node, key_path

    settings = get_settings()
    try:
        with unit_of_work(write=True) as session:
            done = init_node(session, region=region or settings.node_region_code,
                             name=name or (None if region else settings.node_name), level=level, rotate=rotate)  # fmt: skip
            node = done.node
            public_key, path = node.public_key, key_path(node.region_code)
    except PanshiError as exc:
        _fail(exc)
    console = Console()
    for warning in done.warnings:
        console.print(f"[yellow]{warning}[/]")
    state = (
        "已初始化"
        if done.created
        else "已更换密钥"
        if done.rotated
        else "已初始化过，未作改动（更换密钥请加 --rotate）"
    )
    console.print(f"{node.name}（{node.region_code}，{node.level}）{state}")
    console.print(f"私钥文件：{path}（仅本机保存，权限 0600）")
    console.print(f"公钥（告知对端节点）：{public_key}")


@node_app.command("show")
def node_show(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
    """This node's identity and the public key to give to a peer."""
    from panshi.exchange.nodes import own_node
    from panshi.exchange.schemas import NodeOut

    try:
        with unit_of_work() as session:
            out = NodeOut.model_validate(own_node(session))
    except PanshiError as exc:
        _fail(exc)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    typer.echo(f"{out.name}  区划 {out.region_code}  层级 {out.level}  算法 {out.algorithm}")
    typer.echo(f"公钥：{out.public_key}")
    typer.echo(f"对端登记命令：panshi node add-peer {out.region_code} --relation <parent|child|peer> "
               f"--url <本节点地址> --public-key {out.public_key}")  # fmt: skip


@node_app.command("add-peer")
def node_add_peer(
    region: str = typer.Argument(..., help="对端节点的行政区划代码"),
    relation: str = typer.Option(..., "--relation", help="parent（上级）| child（下级）| peer（平级）"),
    url: str = typer.Option(..., "--url", help="对端节点地址，如 https://credit.jl.gov.cn"),
    public_key: str = typer.Option(..., "--public-key", help="对端 panshi node show 给出的公钥"),
    name: str | None = typer.Option(None, "--name", help="对端名称（默认区划名称）"),
    level: str | None = typer.Option(None, "--level", help="county|city|province（默认由区划代码推断）"),
    link: str = typer.Option(
        "pull",
        "--link",
        help="pull（双方互拉）| push（对端连不到本节点：本节点推送并拉取）| wait（本节点连不到对端）",
    ),
) -> None:
    """Register a peer node (again: updates its address and key)."""
    from panshi.exchange.nodes import RELATION_NAMES, add_peer

    try:
        with unit_of_work(write=True) as session:
            peer = add_peer(session, region=region, relation=relation, url=url, public_key=public_key,
                            name=name, level=level, link=link)  # fmt: skip
            shown = f"{peer.name}（{peer.region_code}）已登记为{RELATION_NAMES[peer.relation]}节点：{peer.base_url}"
    except PanshiError as exc:
        _fail(exc)
    typer.echo(shown)


@node_app.command("enable")
def node_enable(region: str, enabled: bool = typer.Option(True, "--enabled/--disabled")) -> None:
    """Enable (or with --disabled stop) exchange with a peer."""
    from panshi.exchange.nodes import set_enabled

    try:
        with unit_of_work(write=True) as session:
            set_enabled(session, region=region, enabled=enabled)
    except PanshiError as exc:
        _fail(exc)
    typer.echo(f"{region} {'已启用' if enabled else '已停用'}")


@node_app.command("peers")
def node_peers(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
    """The registered peers with how far behind their feed this node is (lag)."""
    from panshi.exchange.nodes import LEVEL_NAMES, RELATION_NAMES
    from panshi.exchange.status import peer_statuses

    with unit_of_work() as session:
        statuses = peer_statuses(session)
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in statuses], ensure_ascii=False, indent=2))
        return
    table = Table("区划", "名称", "关系", "层级", "地址", "连接", "启用", "已应用", "对端最新", "滞后")
    for s in statuses:
        n = s.node
        table.add_row(n.region_code, n.name, RELATION_NAMES[n.relation], LEVEL_NAMES.get(n.level, n.level),
                      n.base_url or "", n.link, "是" if n.enabled else "否", str(s.applied_seq), str(s.latest_seq), str(s.lag))  # fmt: skip
    Console().print(table)


@node_app.command("log")
def node_log(
    peer: str | None = typer.Option(None, "--peer", help="只看这一对端节点"),
    limit: int = typer.Option(30, "--limit", min=1, max=1000),
) -> None:
    """The exchange log, newest first: batches served, applied, replayed, refused."""
    from panshi.core.timeutil import to_shanghai
    from panshi.exchange.repository import log_entries

    with unit_of_work() as session:
        entries = log_entries(session, peer_region=peer, limit=limit)
        rows = [(to_shanghai(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.direction, e.peer_region or "", e.batch_id,
                 e.outcome, str(e.applied), (e.error or "")[:120]) for e in entries]  # fmt: skip
    table = Table("时间", "方向", "对端", "批次", "结果", "应用条数", "说明")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def sync(peer: str | None = typer.Option(None, "--peer", help="只与这一对端节点交换（区划代码）")) -> None:
    """Exchange once with every enabled peer (or one) until caught up: pull the feed it offers us (a
    child's or an equal's records, the parent's lists) and push ours where the link is `push`."""
    from panshi.exchange.sync import sync_peers

    results = sync_peers(only=peer)
    if not results:
        typer.echo("没有可连接的对端节点（panshi node init，panshi node add-peer 登记）")
        return
    errors = Console(stderr=True)
    for r in results:
        if r.error:
            errors.print(f"[red]{r.peer}：{r.error}[/]")
        for verb, result in (("拉取", r.pulled), ("推送", r.pushed)):
            if result is None:
                continue
            typer.echo(f"{r.peer} {verb}：应用 {result.applied_batches} 批（新增 {result.new}、更新 {result.updated} 条），"
                       f"已到第 {result.applied_seq} 批，最新 {result.latest_seq}")  # fmt: skip
            for refusal in result.refused:
                errors.print(f"[red]拒收 {refusal}[/]")
    if any(r.failed for r in results):
        raise typer.Exit(1)


@export_app.command("national")
def export_national(
    output: Path = typer.Option(..., "-o", "--output", help="输出目录"),
    since_last: bool = typer.Option(False, "--since-last", help="导出上次 --since-last 导出以来变更的记录"),
    date_from: str | None = typer.Option(None, "--from", help="接收日期起 YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="接收日期止 YYYY-MM-DD"),
    file_format: str = typer.Option("csv", "--format", help="csv（UTF-8 带 BOM）或 xlsx"),
) -> None:
    """全国双公示导出: penalties and licenses in the national column codes, with a manifest."""
    from panshi.exchange.export import export_national as run

    try:
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
    except ValueError:
        _fail(PanshiError("日期须为 YYYY-MM-DD"))
    try:
        with unit_of_work(write=True) as session:
            export = run(session, directory=output, file_format=file_format, since_last=since_last,  # type: ignore[arg-type]
                         received_from=start, received_to=end, actor=f"cli:{getpass.getuser()}")  # fmt: skip
            manifest = export.manifest
    except PanshiError as exc:
        _fail(exc)
    for f in manifest["files"]:
        typer.echo(f"{f['name']}：{f['rows']} 条  sha256 {f['sha256']}")
    typer.echo(f"清单：{output / manifest['manifest_file']}")
