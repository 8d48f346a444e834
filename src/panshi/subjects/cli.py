"""`panshi subject show CODE`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.subjects import service

app = typer.Typer(help="信用主体 Credit subjects.", no_args_is_help=True)


@app.command("show")
def show(
    code: str = typer.Argument(..., help="USCC, old code (注册号/组织机构代码), ID number or opaque id"),
    as_json: bool = typer.Option(False, "--json", help="Print the credit file as JSON"),
) -> None:
    """Show a subject's full credit file: codes, records, status and provenance."""
    try:
        with unit_of_work() as session:
            file = service.credit_file(session, code)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(file.model_dump_json(indent=2))
        return
    console = Console()
    s = file.subject
    console.print(f"[bold]{s.name}[/]  {s.kind}  {s.uscc or s.id_number or ''}  {s.region_name or ''}")
    for c in s.codes:
        console.print(f"  {c.code_type}: {c.code}")
    table = Table("类别", "决定日期", "文书号", "状态", "版本", "来源单位", "批次")
    for r in file.records:
        table.add_row(
            r.record_type_label, str(r.decision_date or ""), str(r.data.get("decision_number", "")), r.status,
            str(r.version), r.provenance.department_name, r.provenance.batch_id[:8],
        )  # fmt: skip
    console.print(table)
