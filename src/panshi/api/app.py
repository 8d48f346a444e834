"""The web application: public portal, console, JSON API under /api/v1, API docs at /docs."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from panshi import __version__
from panshi.api.web import CSP, CSRF_COOKIE, SECURITY_HEADERS, csrf_guard, render
from panshi.core.errors import PanshiError, RateLimited
from panshi.core.settings import get_settings

DOCS_PATHS = ("/docs", "/redoc", "/openapi.json", "/static-offline-docs")


def create_app() -> FastAPI:
    """Build the application (one per process)."""
    from panshi.access.routes import router as access_router
    from panshi.accounts.routes import router as accounts_router
    from panshi.audit.routes import router as audit_router
    from panshi.cases.routes import router as cases_router
    from panshi.console.routes import router as console_router
    from panshi.evaluation.routes import router as evaluation_router
    from panshi.exchange.routes import router as exchange_router
    from panshi.exchange.web import router as exchange_web_router
    from panshi.ingest.routes import quality_router
    from panshi.ingest.routes import router as ingest_router
    from panshi.notices.routes import router as notices_router
    from panshi.portal.routes import router as portal_router
    from panshi.publicity.routes import routers as publicity_router
    from panshi.reports.routes import router as reports_router
    from panshi.sanctions.fastpath import CheckFastPath
    from panshi.sanctions.routes import routers as sanctions_router

    # FastAPIOffline serves the API docs' scripts and styles from the package: no CDN, ever.
    # Every unsafe request made without a bearer token must carry the browser's CSRF token.
    app = FastAPIOffline(
        title="磐石 Panshi 公共信用信息平台 API",
        version=__version__,
        description=(
            "Public credit information platform. Every endpoint answers with the view the caller's role "
            "allows: anonymous callers get the public view (社会公开). Systems authenticate with "
            "`Authorization: Bearer <token>`; non-public data needs a stated `purpose` and is logged (查询登记)."
        ),
        dependencies=[Depends(csrf_guard)],
    )
    for router in (
        access_router,
        accounts_router,
        audit_router,
        ingest_router,
        quality_router,
        sanctions_router,
        evaluation_router,
        exchange_router,
        exchange_web_router,
        cases_router,
        publicity_router,
        notices_router,
    ):
        app.include_router(router)
    app.include_router(reports_router)  # before the portal: /subjects/{code}/report
    app.include_router(portal_router)
    app.include_router(console_router)
    app.mount(
        "/static", StaticFiles(directory=str(resources.files("panshi").joinpath("static"))), name="static"
    )

    app.add_middleware(CheckFastPath)  # systems' single checks skip the router (sanctions/fastpath.py)
    app.add_middleware(PageHeaders)

    @app.exception_handler(PanshiError)
    async def _panshi_error(request: Request, exc: PanshiError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if _wants_html(request):
            return render(request, "error.html", status_code=exc.status_code, error=exc, headers=headers)
        return JSONResponse(
            {"error": exc.code, "message": exc.message}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "；".join(_problem(e) for e in exc.errors())
        error = PanshiError(f"请求参数有误：{problems}", code="invalid_request")
        if _wants_html(request):
            return render(request, "error.html", status_code=422, error=error)
        return JSONResponse(
            {"error": error.code, "message": error.message, "detail": exc.errors()}, status_code=422
        )

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the node answers."""
        return {"status": "ok", "node": get_settings().node_name, "version": __version__}

    return app


# Pydantic's error types in words a clerk reads; anything else keeps pydantic's own message.
_PROBLEMS = {
    "missing": "必须填写",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_type": "须为日期（YYYY-MM-DD）",
    "less_than_equal": "数值过大",
    "greater_than_equal": "数值过小",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "json_invalid": "不是有效的 JSON",
}


def _problem(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"][1:]) or "请求"
    return f"{where}：{_PROBLEMS.get(error['type'], error['msg'])}"


class PageHeaders:
    """Security headers on every response, and this browser's CSRF cookie when a page minted it.

    Pure ASGI (not BaseHTTPMiddleware, which costs a task and a stream per request on the hot path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not docs:
                    headers.setdefault("Content-Security-Policy", CSP)
                seed = scope.get("state", {}).get("csrf_seed")
                if seed and Request(scope).cookies.get(CSRF_COOKIE) != seed:
                    cookie = Response()
                    cookie.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="lax",
                                      secure=get_settings().cookie_secure)  # fmt: skip
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")
