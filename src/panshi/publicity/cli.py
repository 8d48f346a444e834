"""`panshi publicity`: the publicity job (run) and the window backfill (recompute)."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from panshi.core.errors import PanshiError

publicity_app = typer.Typer(
    help="公示期：到期撤下（run）与按规则重算公示期（recompute）", no_args_is_help=True
)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PanshiError(f"日期 {text!r} 应为 YYYY-MM-DD", code="bad_date") from None


@publicity_app.command("run")
def run(
    on: str | None = typer.Option(None, "--on", help="按此日期判断（YYYY-MM-DD，默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """公示期届满的记录撤下公示（幂等：重复运行不再变更；中断后重跑即完成）。"""
    from panshi.publicity.jobs import run_expiry

    try:
        out = run_expiry(on=_day(on))
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    typer.echo(f"{out.on}：{out.expired} 条记录公示期届满，已撤下公示；尚余 {out.remaining} 条")


@publicity_app.command("recompute")
def recompute(
    rule: str | None = typer.Option(
        None,
        "--rule",
        help="只重算由此规则计算的记录（如 national-2023.1；* 为全部）；默认：尚未按规则计算的记录",
    ),
    chunk: int = typer.Option(5000, "--chunk", min=100, max=50_000, help="每批记录数"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """按公示规则重算公示期（幂等，分批提交，可中断后续跑）；公示期有变的记录各记一条历史事件。"""
    from panshi.publicity.jobs import recompute as run_recompute

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=as_json) as progress:  # fmt: skip
        task = progress.add_task("重算公示期", total=None)
        try:
            out = run_recompute(
                rule=rule, chunk=chunk, on_start=lambda total: progress.update(task, total=total),
                after_chunk=lambda done: progress.update(task, completed=done),
            )  # fmt: skip
        except PanshiError as exc:
            console.print(f"[red]{exc.message}[/]")
            raise typer.Exit(1) from None
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    typer.echo(
        f"检查 {out.examined} 条记录：公示期改变 {out.changed} 条（各记历史事件），仅规则名改变 {out.relabelled} 条"
    )
