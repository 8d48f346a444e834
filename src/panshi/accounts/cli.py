"""`panshi department add`, `panshi token add` and `panshi account add`."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from panshi.accounts import service
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

department_app = typer.Typer(help="数据来源单位 Departments.", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌 API tokens.", no_args_is_help=True)
account_app = typer.Typer(help="登录账号 Web sign-in accounts.", no_args_is_help=True)


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


@account_app.command("add")
def add_account(
    username: str = typer.Option(..., "--username", help="Sign-in name: 3-64 letters, digits or _ . @ -"),
    role: str = typer.Option(..., "--role", help="operator | department | government | subject"),
    name: str = typer.Option("", "--name", help="Display name (显示名), e.g. 张三 or 市场监管局数据报送员"),
    department: str | None = typer.Option(
        None, "--department", help="USCC of the user's department (department and government users)"
    ),
    subject: str | None = typer.Option(
        None, "--subject", help="USCC or ID number of the user's own subject (subject users)"
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of standard input"
    ),
) -> None:
    """Create a web account; the password is prompted for twice (hidden) or read from standard input."""
    err = Console(stderr=True)
    password = _read_password(password_stdin)
    try:
        with unit_of_work(write=True) as session:
            department_id = service.department_by_uscc(session, department).id if department else None
            user = service.add_user(
                session, username=username, password=password, role=role, display_name=name,
                department_id=department_id, subject_code=subject,
            )  # fmt: skip
            summary = f"account {user.id} {user.username} ({user.role})"
    except PanshiError as exc:
        err.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    err.print(f"{summary} created; sign in at /login")


def _read_password(from_stdin: bool) -> str:
    """The new password: never a command-line argument, which would end up in the shell's history."""
    if from_stdin:
        given = sys.stdin.readline().rstrip("\r\n")
        if not given:
            Console(stderr=True).print("[red]--password-stdin: standard input held no password[/]")
            raise typer.Exit(2)
        return given
    prompted: str = typer.prompt("Password 密码", hide_input=True, confirmation_prompt=True, err=True)
    return prompted
