"""Running the Alembic migrations that build both engines."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from panshi.core import db


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "panshi:migrations")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the database of `engine` (default: the configured one) to `revision`."""
    engine = engine or db.get_engine()
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(engine: Engine | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with (engine or db.get_engine()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
