"""`panshi id check VALUES...`: identify and validate codes from the command line."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from panshi.identifiers.identify import identify
from panshi.identifiers.results import IdCheck

app = typer.Typer(
    help="代码校验 Identifier checks (统一社会信用代码, 身份证号码, 注册号...).", no_args_is_help=True
)


@app.callback()
def main() -> None:
    """代码校验 Identifier checks."""  # a callback keeps `check` a sub-command when used alone


def _issues_text(check: IdCheck) -> str:
    lines = [f"[red]错误：{escape(issue.message)}[/]" for issue in check.errors]
    lines += [f"[yellow]警告：{escape(issue.message)}[/]" for issue in check.warnings]
    return "\n".join(lines)


def _table(checks: list[IdCheck]) -> Table:
    # The code is never cut short; the messages fold into whatever width is left.
    table = Table(show_lines=True)
    table.add_column("代码（规范形式）", no_wrap=True)
    table.add_column("类型", overflow="fold")
    table.add_column("有效", no_wrap=True)
    table.add_column("错误与警告", overflow="fold", ratio=1)
    for check in checks:
        verdict = "[green]是[/]" if check.valid else "[red]否[/]"
        table.add_row(escape(check.normal), check.kind_label, verdict, _issues_text(check))
    return table


@app.command("check")
def check(
    values: list[str] = typer.Argument(
        ..., help="Codes to check; the kind of each is guessed from its shape"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table"),
) -> None:
    """Identify and validate each code; exit 1 if any is invalid (warnings do not count)."""
    checks = [identify(value) for value in values]
    if as_json:
        typer.echo(json.dumps([c.to_dict() for c in checks], ensure_ascii=False, indent=2))
    else:
        Console().print(_table(checks))
    if not all(c.valid for c in checks):
        raise typer.Exit(1)
