"""The web application: JSON API under /api/v1, API docs at /docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.orm import Session

from panshi import __version__
from panshi.api.deps import read_session
from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings


def create_app() -> FastAPI:
    """Build the application (one per process)."""
    from panshi.ingest.routes import router as ingest_router
    from panshi.subjects.routes import router as subjects_router

    # FastAPIOffline serves the API docs' scripts and styles from the package: no CDN, ever.
    app = FastAPIOffline(
        title="磐石 Panshi 公共信用信息平台 API",
        version=__version__,
        description="Public credit information platform: ingest (数据归集), subjects (信用主体), records.",
    )
    app.include_router(ingest_router)
    app.include_router(subjects_router)

    @app.exception_handler(PanshiError)
    async def _panshi_error(_request: Request, exc: PanshiError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status_code)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(session: Annotated[Session, Depends(read_session)]) -> str:
        return _home_page(session)

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the node answers."""
        return {"status": "ok", "node": get_settings().node_name, "version": __version__}

    return app


def _home_page(session: Session) -> str:
    from html import escape

    from panshi.accounts.service import count_departments
    from panshi.records.service import count_records
    from panshi.subjects.service import count_subjects

    counts = {
        "信用主体": count_subjects(session),
        "信用记录": count_records(session),
        "数据来源单位": count_departments(session),
    }
    items = "".join(f"<li>{escape(k)}：<b>{v:,}</b></li>" for k, v in counts.items())
    name = escape(get_settings().node_name)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{name}</title></head>
<body style="font-family:sans-serif;max-width:48rem;margin:2rem auto">
<h1>磐石 · {name}</h1><ul>{items}</ul>
<p><a href="/docs">API 文档 (/docs)</a></p></body></html>"""
