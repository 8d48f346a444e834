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
    report_rate_limit: str = Field(
        default="10/minute",
        description="Public credit report PDFs and report verifications per client address (PDFs cost CPU)",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address the public reaches this platform at: report QR codes lead to its /reports/verify",
    )
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
    evaluation_regrade_minutes: float = Field(
        default=5,
        ge=0,
        description="How often `panshi serve` re-grades subjects whose records changed; 0: never",
    )
    node_key_dir: Path = Field(
        default=Path("var/node"),
        description="Directory of this node's private signing key (file mode 0600; never in the database)",
    )
    signing_algorithm: str = Field(default="ed25519", description="Signature algorithm of a new node key")
    exchange_batch_changes: int = Field(
        default=1000, ge=1, le=50_000, description="History rows (changes) per published exchange batch"
    )
    exchange_clock_skew_seconds: int = Field(
        default=600, ge=30, description="How far a peer's signed request time may differ from ours"
    )
    exchange_sync_seconds: float = Field(
        default=10, ge=0, description="How often `panshi serve` exchanges with its peers; 0: never"
    )
    exchange_equal_kinds: str = Field(
        default="admin_penalty,admin_license,list_entry",
        description="Record types shared with equals (平级节点), comma-separated: the catalog kinds both sides "
        "agreed to exchange (e.g. the 东北四省 shared 征集目录); the same list at both ends",
    )
    # Objections and repair: evidence files, and notices by email.
    evidence_dir: Path = Field(
        default=Path("var/evidence"), description="Where evidence files are kept (outside any web root)"
    )
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest evidence file")
    smtp_host: str = Field(default="", description="SMTP server for notice emails; empty: no email")
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = Field(default="", description="Sender address of notice emails")
    notice_email_seconds: float = Field(default=60, description="How often the notice email outbox is sent")
    publicity_job_hours: float = Field(
        default=24, ge=0, description="How often `panshi serve` ends windows past their end; 0: never"
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
