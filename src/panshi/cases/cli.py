"""`panshi cases overdue` and `panshi cases show ID` for operators."""

from __future__ import annotations

import getpass
import json

import typer
from rich.console import Console
from rich.table import Table

from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

cases_app = typer.Typer(help="异议与信用修复 Objections and credit repair.", no_args_is_help=True)


def _operator() -> Principal:
    return Principal(role=Role.operator, actor=f"cli:{getpass.getuser()}", display_name="命令行运维")


@cases_app.command("overdue")
def overdue(as_json: bool = typer.Option(False, "--json", help="Print the cases as JSON")) -> None:
    """Open cases past their deadline (and those whose deadline the working-day calendar cannot give)."""
    from panshi.cases.workflow import overdue_cases

    with unit_of_work() as session:
        found = overdue_cases(session)
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("没有逾期的异议或修复申请。")
        return
    table = Table("编号", "类别", "状态", "主体", "来源单位", "期限", "待办")
    for c in found:
        due = c.due_on.isoformat() if c.due_on else "日历未载入，期限未定"
        table.add_row(str(c.id), c.kind_label, c.state_label, c.subject_name, c.department_name, due,
                      c.waiting_for or "")  # fmt: skip
    Console().print(table)


@cases_app.command("show")
def show(case_id: int = typer.Argument(..., help="案件编号")) -> None:
    """A case with its events, as JSON."""
    from panshi.cases.workflow import get_case

    try:
        with unit_of_work() as session:
            out = get_case(session, who=_operator(), case_id=case_id)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    typer.echo(out.model_dump_json(indent=2))
