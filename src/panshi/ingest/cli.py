"""`panshi ingest FILE --type T`: an operator import of a department file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.ingest.receipts import ReceiptTimes, parse_received_at
from panshi.ingest.schemas import BatchResult
from panshi.ingest.service import Submitter, ingest_file


def ingest(
    file: Path = typer.Argument(..., help="CSV (UTF-8/GBK), XLSX, JSON or NDJSON file"),
    record_type: str = typer.Option(
        ...,
        "--type",
        "-t",
        help="admin_penalty (行政处罚) | admin_license (行政许可) | list_entry (名单) | credit_commitment (信用承诺)",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables"),
    received_at_column: str | None = typer.Option(
        None,
        "--received-at-column",
        help="Historical migration (存量数据迁移): the column holding each row's "
        "receipt time on the old platform (ISO date or date-time; Asia/Shanghai without an offset)",
    ),  # fmt: skip
    received_at: str | None = typer.Option(
        None,
        "--received-at",
        help="Historical migration: one receipt time for the whole file (or for rows "
        "whose --received-at-column cell is blank)",
    ),  # fmt: skip
) -> None:
    """Import a file of records; bad rows come back with row, field and reason (exit 0), unreadable files exit 2."""
    err = Console(stderr=True)
    try:
        receipts = _receipts(received_at_column, received_at)
        if as_json or not sys.stderr.isatty():
            result = _run(file, record_type, None, receipts)
        else:
            with Progress(
                TextColumn("[bold]导入 {task.description}"), BarColumn(), TextColumn("{task.completed:,} 行"),
                TimeElapsedColumn(), console=err, transient=True,
            ) as bar:  # fmt: skip
                task = bar.add_task(file.name, total=None)
                result = _run(file, record_type, lambda n: bar.advance(task, n), receipts)
    except PanshiError as exc:
        if as_json:
            typer.echo(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
        else:
            err.print(f"[red]无法导入[/] {file}: {exc.message}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(result.model_dump_json())
    else:
        _print(result)


def _receipts(column: str | None, at: str | None) -> ReceiptTimes | None:
    """The migration's statement of receipt times, if the options make one."""
    if column is None and at is None:
        return None
    return ReceiptTimes(column=column or None, at=parse_received_at(at) if at is not None else None)


def _run(file: Path, record_type: str, progress: object, receipts: ReceiptTimes | None) -> BatchResult:
    submitter = Submitter(channel="cli", actor="cli:operator", operator=True)
    with unit_of_work(write=True) as session:
        return ingest_file(
            session, path=file, record_type=record_type, submitter=submitter,
            progress=progress, receipts=receipts,  # type: ignore[arg-type]
        )  # fmt: skip


def _print(result: BatchResult) -> None:
    console = Console()
    console.print(
        f"批次 [bold]{result.batch_id}[/] ({result.type}, {result.format}, {result.encoding or '-'}): "
        f"收到 {result.received:,} 行 · 新增 {result.accepted:,} · 更新 {result.updated:,} · "
        f"未变 {result.unchanged:,} · [red]拒收 {result.rejected:,}[/] · 提示 {result.warnings:,}"
    )
    if result.migration_note:
        console.print(result.migration_note, markup=False, highlight=False)
    if result.errors:
        table = Table("行 row", "字段 field", "代码 code", "说明 message", title="拒收的行 Rejected rows")
        for issue in result.errors[:50]:
            table.add_row(str(issue.row), issue.column or issue.field or "", issue.code, issue.message)
        console.print(table)
        if len(result.errors) > 50 or result.errors_truncated:
            console.print(f"… 完整报告：panshi batch errors {result.batch_id} > errors.csv")


batch_app = typer.Typer(help="报送批次 Batches.", no_args_is_help=True)


@batch_app.command("errors")
def batch_errors(batch_id: str = typer.Argument(..., help="Batch id printed by `panshi ingest`")) -> None:
    """Print a batch's row-by-row error report as CSV."""
    import csv

    from panshi.ingest.service import error_report_rows

    writer = csv.writer(sys.stdout)
    with unit_of_work() as session:
        for row in error_report_rows(session, batch_id):
            writer.writerow(row)
