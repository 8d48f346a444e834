"""`panshi report CODE [--full --purpose P] -o FILE.pdf [--html]` for operators."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

import typer
from rich.console import Console

from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError


def report(
    code: str = typer.Argument(..., help="统一社会信用代码、旧代码、身份证号码（完整版）或主体的公开编号"),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the PDF (e.g. report.pdf)"),
    full: bool = typer.Option(
        False, "--full", help="The full version (完整版); needs --purpose, and is logged"
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="查询事由 of a full report, written to the query log"
    ),
    html: bool = typer.Option(
        False, "--html", help="Also write the report's HTML beside the PDF (FILE.html)"
    ),
) -> None:
    """Issue a numbered credit report (信用报告) of a subject as an operator: public version, or full."""
    from panshi.reports.service import issue

    who = Principal(role=Role.operator, actor=f"cli:{getpass.getuser()}", display_name="命令行运维")
    err = Console(stderr=True)
    if output.is_dir() or not output.parent.is_dir():
        err.print(f"[red]无法写入 {output}：请给出已存在的目录中的文件名[/]")
        raise typer.Exit(1)
    html_path = output.with_suffix(".html")
    written: list[tuple[Path, Path]] = []
    try:
        with unit_of_work(write=True) as session:
            issued = issue(session, who=who, code=code, version="full" if full else "public", purpose=purpose,
                           channel="cli")  # fmt: skip
            # Written beside their targets before the commit, renamed into place after it: a failure
            # leaves neither a report row without its file nor a file of a report never recorded.
            written.append((_temporary(output, issued.pdf), output))
            if html:
                written.append((_temporary(html_path, issued.html.encode()), html_path))
    except (PanshiError, OSError) as exc:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        err.print(f"[red]{exc.message if isinstance(exc, PanshiError) else exc}[/]")
        raise typer.Exit(1) from None
    for temporary, target in written:
        os.replace(temporary, target)
    console = Console()
    console.print(
        f"[bold]{issued.content.subject.name}[/]  信用报告（{issued.content.version_label}）→ {output}"
    )
    if html:
        console.print(f"HTML → {html_path}")
    console.print(f"报告编号 {issued.number}  验证码 {issued.verification_code}")
    console.print(f"核验 {issued.verify_url}")
    console.print(f"sha256 {issued.pdf_sha256}")


def _temporary(target: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)
