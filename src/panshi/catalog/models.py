"""Catalog documents installed at this node beyond the package data: published here or received from above."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONText, UTCDateTime


class CatalogDocument(Base):
    """One version of the sanctions catalog (list types + measures) or of the record catalog (信用信息目录)."""

    __tablename__ = "catalog_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # sanctions | catalog
    version: Mapped[str] = mapped_column(String(32))
    files: Mapped[dict[str, str]] = mapped_column(JSONText)  # file name -> YAML text, as published
    sha256: Mapped[str] = mapped_column(String(64))  # of the files (documents.content_sha256)
    origin_region: Mapped[str | None] = mapped_column(
        String(6)
    )  # the publishing node; NULL: no exchange set up
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("kind", "version"),)
