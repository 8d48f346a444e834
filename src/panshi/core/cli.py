"""`panshi db ...`: migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from panshi.core import migrate
from panshi.core.settings import get_settings

app = typer.Typer(help="数据库 Database: migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Create or upgrade the database schema (Alembic) on SQLite or PostgreSQL."""
    migrate.upgrade(revision=revision)
    Console().print(f"database at revision [bold]{migrate.current()}[/] ({_safe_url()})")


@app.command("current")
def current() -> None:
    """Print the database's schema revision."""
    typer.echo(migrate.current() or "(empty database: run `panshi db upgrade`)")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
