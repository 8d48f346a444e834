"""The operator and department console (管理控制台), sign-in and subject self-service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
