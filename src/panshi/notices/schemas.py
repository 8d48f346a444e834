"""Notices as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class NoticeOut(BaseModel):
    id: int
    case_id: int | None
    event: str
    title: str
    body: str
    created_at: datetime
    read: bool


class NoticePage(BaseModel):
    """The signed-in caller's notices, unread first, then newest first."""

    items: list[NoticeOut]
    unread: int
    page: int
    pages: int
    total: int


class EmailIn(BaseModel):
    email: str = Field(
        default="", max_length=254, description="Address for notice emails; empty: no emails to this account"
    )


class EmailOut(BaseModel):
    email: str
    smtp_configured: bool = Field(description="Whether this platform sends email at all")
