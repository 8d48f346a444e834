"""`panshi department add` and `panshi token add`."""

from __future__ import annotations

import typer
from rich.console import Console

from panshi.accounts import service
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

department_app = typer.Typer(help="数据来源单位 Departments.", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌 API tokens.", no_args_is_help=True)


@department_app.command("add")
def add_department(
    name: str = typer.Option(..., "--name", help="Department name, e.g. 磐石市市场监督管理局"),
    code: str = typer.Option(..., "--code", help="The department's unified social credit code"),
) -> None:
    """Register a department and print its API token (shown once)."""
    try:
        with unit_of_work(write=True) as session:
            department, token = service.add_department(session, name=name, uscc=code)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    Console(stderr=True).print(
        f"department {department.id} {department.name} ({department.uscc}); API token:"
    )
    typer.echo(token)


@token_app.command("add")
def add_token(
    role: str = typer.Option("operator", "--role", help="operator | department"),
    label: str = typer.Option("", "--label", help="What the token is for"),
) -> None:
    """Issue an operator API token (shown once)."""
    try:
        with unit_of_work(write=True) as session:
            token = service.issue_token(session, role=role, label=label)
    except PanshiError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    typer.echo(token)
