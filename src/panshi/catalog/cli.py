"""`panshi catalog publish FILE...` and `panshi catalog versions` for operators."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

catalog_app = typer.Typer(
    help="目录文档 Catalog documents: publish a measures or record catalog version; it flows down.",
    no_args_is_help=True,
)


@catalog_app.command("publish")
def publish(
    files: list[Path] = typer.Argument(
        ...,
        help="catalog-<版本>.yaml，和/或 list-types-<版本>.yaml 与 measures-<版本>.yaml",
        show_default=False,
    ),
) -> None:
    """Validate and install new catalog versions here, and send them down to the nodes below."""
    from panshi.catalog import documents

    try:
        found = documents.documents_from_files(files)
        with unit_of_work(write=True) as session:
            done = documents.publish(session, documents=found)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    typer.echo(done.summary())
    if done.posted:
        typer.echo("已交给节点交换，下级节点同步时安装。")
    elif done.installed:
        typer.echo("本节点未初始化节点交换（panshi node init），文档只在本节点生效。")


@catalog_app.command("versions")
def versions() -> None:
    """Print the versions of the list types and measures and of the record catalog: packaged and installed."""
    from panshi.catalog import documents
    from panshi.catalog import service as record_catalogs
    from panshi.sanctions import catalog as sanctions_catalogs

    with unit_of_work() as session:
        rows = {(d.kind, d.version): d for d in documents.installed_documents(session)}
    for kind, package, available, current in (
        (documents.SANCTIONS, sanctions_catalogs.package_versions(), sanctions_catalogs.available_versions(),
         sanctions_catalogs.load().version),
        (documents.CATALOG, record_catalogs.package_versions(), record_catalogs.available_versions(),
         record_catalogs.load_catalog().version),
    ):  # fmt: skip
        for version in available:
            row = rows.get((kind, version))
            source = "随软件发布" if row is None else f"安装自 {row.origin_region or '本节点'}"
            if row is not None and version in package:
                source += "（与软件同号，以安装的为准）"
            when = f"{row.installed_at:%Y-%m-%d %H:%M} UTC\tsha256 {row.sha256[:16]}" if row else ""
            current_mark = "现行" if version == current else "-"
            typer.echo(f"{documents.KIND_LABELS[kind]}\t{version}\t{current_mark}\t{source}\t{when}".rstrip())
