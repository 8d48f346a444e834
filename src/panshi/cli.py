"""The `panshi` command."""

from __future__ import annotations

from typing import Any

import typer

from panshi.accounts.cli import account_app, department_app, token_app
from panshi.cases.cli import cases_app
from panshi.catalog.cli import catalog_app
from panshi.core.cli import app as db_app
from panshi.evaluation.cli import evaluate
from panshi.exchange.cli import export_app, node_app, sync
from panshi.identifiers.cli import app as id_app
from panshi.ingest.cli import batch_app, ingest
from panshi.publicity.cli import publicity_app
from panshi.reports.cli import report
from panshi.sanctions.cli import check, lists_app
from panshi.subjects.cli import app as subject_app

app = typer.Typer(
    help="磐石 Panshi — 公共信用信息平台 (public credit information platform).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(id_app, name="id")
app.add_typer(department_app, name="department")
app.add_typer(token_app, name="token")
app.add_typer(account_app, name="account")
app.add_typer(subject_app, name="subject")
app.add_typer(batch_app, name="batch")
app.command("ingest")(ingest)
app.command("check")(check)
app.command("evaluate")(evaluate)
app.command("report")(report)
app.add_typer(lists_app, name="lists")
app.add_typer(catalog_app, name="catalog")
app.add_typer(node_app, name="node")
app.command("sync")(sync)
app.add_typer(export_app, name="export")
app.add_typer(cases_app, name="cases")
app.add_typer(publicity_app, name="publicity")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", help="Port to listen on"),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Server processes; each has PANSHI_SERVER_THREADS threads and its own pool",
    ),
) -> None:
    """Serve an existing database (upgrading its schema first)."""
    from panshi.core import migrate

    migrate.upgrade()
    _serve(host, port, workers=workers)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    subjects: int = typer.Option(3000, "--subjects", help="How many credit subjects to generate"),
    records: int = typer.Option(30000, "--records", help="How many licenses and penalties to generate"),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve the platform when loaded"),
    tiers: bool = typer.Option(
        False, "--tiers", help="Three linked nodes (county, city, province) under var/tiers/ on PORT, +1, +2"
    ),
) -> None:
    """Load a realistic county (磐石市) into the database and serve it on http://HOST:PORT."""
    from panshi.demo.service import load_demo

    if tiers:
        from panshi.exchange.tiers import run_demo

        run_demo(base_port=port, subjects=subjects, records=records, serve=serve_after, say=typer.echo)
        return

    load_demo(subjects=subjects, records=records)
    if serve_after:
        _serve(host, port)


def _serve(host: str, port: int, *, workers: int = 1) -> None:
    import logging

    import uvicorn

    from panshi.core import scheduler

    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # what scheduled work did
    logging.getLogger("panshi").setLevel(logging.INFO)
    # Scheduled work (publicity ends, re-grading, ...) runs once, in this process, not in each worker.
    stop = scheduler.start(scheduler.scheduled_tasks())
    typer.echo(f"Panshi on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    # No access log: query strings can hold personal data (an ID number typed into the search box).
    uvicorn.run(
        "panshi.cli:_served_app", factory=True, host=host, port=port, workers=workers,
        log_level="info", access_log=False,
    )  # fmt: skip
    if stop is not None:
        stop.set()


def _served_app() -> Any:
    """The application as `panshi serve` runs it, built in each server process (inside its event loop)."""
    import gc

    from anyio.to_thread import current_default_thread_limiter

    from panshi.api.app import create_app
    from panshi.api.web import templates
    from panshi.catalog.service import load_catalog
    from panshi.core.settings import get_settings

    current_default_thread_limiter().total_tokens = get_settings().server_threads
    application = create_app()
    load_catalog()
    templates()
    # What is built at start lives as long as the process: kept out of the garbage collector's
    # generations, it is not scanned again and again under load (a tenth of a credit file's CPU).
    gc.collect()
    gc.freeze()
    return application


if __name__ == "__main__":
    app()
