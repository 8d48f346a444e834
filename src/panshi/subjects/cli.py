"""`panshi subject show CODE`: a subject's full credit file, read through the access layer and logged."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table

from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

app = typer.Typer(help="信用主体 Credit subjects.", no_args_is_help=True)


@app.command("show")
def show(
    code: str = typer.Argument(..., help="USCC, old code (注册号/组织机构代码), ID number or opaque id"),
    purpose: str = typer.Option("运维核查（命令行）", "--purpose", help="查询事由, written to the query log"),
    as_json: bool = typer.Option(False, "--json", help="Print the credit file as JSON"),
) -> None:
    """Show a subject's full credit file (codes, records, provenance) as an operator; the read is logged."""
    from panshi.access.service import credit_file

    who = Principal(role=Role.operator, actor=f"cli:{getpass.getuser()}", display_name="命令行运维")
    try:
        with unit_of_work(write=True) as session:
            file = credit_file(session, who=who, code=code, purpose=purpose, channel="cli")
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(file.model_dump_json(indent=2))
        return
    console = Console()
    s = file.subject
    console.print(f"[bold]{s.name}[/]  {s.kind_label}  {s.uscc or s.id_number or ''}  {s.region_name or ''}")
    for code_type, value in s.other_codes.items():
        console.print(f"  {code_type}: {value}")
    table = Table("类别", "决定日期", "文书号", "状态", "公示至", "来源单位", "批次")
    for r in file.records:
        batch = r.provenance.batch_id[:8] if r.provenance else ""
        table.add_row(
            r.record_type_label, str(r.decision_date or ""), str(r.value("decision_number") or ""), r.status,
            str(r.publicity_end or "—"), r.department_name, batch,
        )  # fmt: skip
    console.print(table)
