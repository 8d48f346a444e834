"""Settings read from the environment (PANSHI_*)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Platform settings; every field can be set as PANSHI_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PANSHI_", env_file=None)

    database_url: str = Field(
        default="sqlite:///var/panshi.sqlite3",
        description="SQLAlchemy URL; SQLite file under ./var/ by default, postgresql+psycopg://... in production",
    )
    node_region_code: str = "220284"
    node_name: str = "磐石市公共信用信息平台"
    secret_key: str = Field(
        default="dev-insecure-change-me",
        description="Key for keyed hashes of personal identifiers; set a long random value in production",
    )
    max_upload_bytes: int = 512 * 1024 * 1024
    ingest_chunk_rows: int = 20_000  # rows validated at a time: bounds memory (~0.8 GiB peak)
    session_hours: int = Field(default=8, description="How long a web sign-in lasts")
    cookie_secure: bool = Field(
        default=False,
        description="Send cookies over HTTPS only; set true wherever the platform is behind TLS",
    )
    search_rate_limit: str = Field(
        default="60/minute", description="Public searches per client address (a `limits` rate string)"
    )
    sign_in_rate_limit: str = Field(default="10/minute", description="Sign-in attempts per client address")
    server_threads: int = Field(
        default=16, ge=1, description="Threads per server process that run requests (their database work)"
    )
    db_pool_size: int = Field(
        default=16, ge=1, description="PostgreSQL connections each process keeps open (match server_threads)"
    )
    db_max_overflow: int = Field(
        default=4, ge=0, description="Connections opened beyond db_pool_size when all are busy, closed after"
    )
    calendar_dir: Path | None = Field(
        default=None,
        description="Extra working-day calendar files (cn-YYYY.yaml), for a year declared after this release",
    )
    db_pool_pre_ping: bool = Field(
        default=True, description="Test a pooled connection before each use (survives a database restart)"
    )


@cache
def get_settings() -> Settings:
    return Settings()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for other engines and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url in (prefix, prefix + ":memory:"):
        return None
    return Path(url[len(prefix) :])
