"""SQL of the catalog domain: the installed catalog documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from panshi.catalog.models import CatalogDocument

DOCUMENTS = CatalogDocument.__table__


def installed(session: Session) -> list[CatalogDocument]:
    """Every installed document, in the order of installation."""
    return list(session.scalars(select(CatalogDocument).order_by(CatalogDocument.id)))


def add(
    session: Session,
    *,
    kind: str,
    version: str,
    files: dict[str, str],
    sha256: str,
    origin_region: str | None,
    installed_at: datetime,
) -> CatalogDocument:
    document = CatalogDocument(
        kind=kind, version=version, files=files, sha256=sha256, origin_region=origin_region,
        installed_at=installed_at,
    )  # fmt: skip
    session.add(document)
    session.flush()
    return document


def fingerprints(connection: Connection) -> list[tuple[int, str, str, str]]:
    """(id, kind, version, sha256) of every installed document: what a process compares to see a change."""
    c = DOCUMENTS.c
    rows = connection.execute(select(c.id, c.kind, c.version, c.sha256).order_by(c.id))
    return [(r.id, r.kind, r.version, r.sha256) for r in rows]


def files_of(connection: Connection, ids: list[int]) -> dict[int, dict[str, str]]:
    c = DOCUMENTS.c
    return {r.id: r.files for r in connection.execute(select(c.id, c.files).where(c.id.in_(ids)))}
