"""`panshi evaluate`: grade the population (resumable, with a progress bar) or one subject."""

from __future__ import annotations

import getpass
from datetime import date

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from panshi.core.errors import PanshiError


def evaluate(
    model: str | None = typer.Option(
        None, "--model", help="模型版本（如 2026.1）或模型（如 enterprise-2026.1）；默认最新版本"
    ),
    subject: str | None = typer.Option(None, "--subject", help="只重新评价这一主体（任一代码）"),
    as_of: str | None = typer.Option(None, "--as-of", help="评价日 YYYY-MM-DD（默认今天；续跑沿用原评价日）"),
    chunk: int = typer.Option(2000, "--chunk", min=1, max=20_000, help="每批主体数"),
    abandon: bool = typer.Option(False, "--abandon", help="放弃未完成的评价任务，重新开始"),
    changed: bool = typer.Option(
        False, "--changed", help="只重新评价记录有变动（或尚无评价结果）的主体，评价日为今天"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """公共信用综合评价: grade every subject (set-based, resumable), or re-grade one with --subject."""
    day = date.fromisoformat(as_of) if as_of else None
    try:
        if subject:
            _one(subject, model=model, as_of=day, as_json=as_json)
        elif changed:
            if day is not None:
                raise PanshiError("--changed 按今天重新评价，不能与 --as-of 同用", code="bad_option")
            _changed(model=model, chunk=chunk, as_json=as_json)
        else:
            _all(model=model, as_of=day, chunk=chunk, abandon=abandon, as_json=as_json)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None


def _one(code: str, *, model: str | None, as_of: date | None, as_json: bool) -> None:
    from panshi.core.db import unit_of_work
    from panshi.evaluation.service import evaluate_subject

    with unit_of_work(write=True) as session:
        out = evaluate_subject(session, code=code, model=model, as_of=as_of)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    console = Console()
    console.print(f"[bold]{out.subject_name}[/] {out.subject_code} · {out.model} · 评价日 {out.as_of}")
    console.print(
        f"得分 [bold]{out.score}[/]（基础分 {out.base_score}）  等级 [bold]{out.grade} {out.grade_label}[/]"
    )
    table = Table("维度", "指标", "得分", "记录")
    for d in out.dimensions or []:
        table.add_row(f"[bold]{d.name}[/]", "", f"{d.points:g}", "")
        for i in d.indicators:
            shown = ", ".join(f"#{r.id}({r.points:g})" for r in i.records[:8]) + (
                " …" if len(i.records) > 8 else ""
            )
            table.add_row("", i.name, f"{i.points:g}", shown)
    console.print(table)


def _all(*, model: str | None, as_of: date | None, chunk: int, abandon: bool, as_json: bool) -> None:
    from panshi.evaluation.runs import Claim, run

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=as_json) as progress:  # fmt: skip
        task = progress.add_task("评价", total=None)

        def started(held: Claim) -> None:
            verb = "续跑" if held.resumed else "评价"
            progress.update(
                task, description=f"{verb}任务 {held.run_id}", total=held.total, completed=held.done
            )

        def advanced(held: Claim) -> None:
            progress.update(task, completed=held.done)

        out = run(model=model, as_of=as_of, chunk_size=chunk, abandon=abandon, actor=f"cli:{getpass.getuser()}",
                  on_start=started, after_chunk=advanced)  # fmt: skip
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    Console().print(
        f"评价任务 {out.id}{'（续跑）' if out.resumed else ''}：{', '.join(out.models)} · 评价日 {out.as_of} · "
        f"{out.done} 个主体 · {out.status}"
    )


def _changed(*, model: str | None, chunk: int, as_json: bool) -> None:
    from panshi.evaluation.runs import regrade_changed

    out = regrade_changed(model=model, chunk_size=chunk, actor=f"cli:{getpass.getuser()}")
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    Console().print(f"按记录变动重新评价了 {out.done} 个主体（任务 {out.id}，评价日 {out.as_of}）")
