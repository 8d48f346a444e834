"""Web plumbing shared by the portal, the console and the API: templates, cookies, CSRF, rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from panshi.core.errors import CsrfRejected, RateLimited
from panshi.core.settings import get_settings
from panshi.core.timeutil import to_shanghai

SESSION_COOKIE = "panshi_session"
CSRF_COOKIE = "panshi_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Pages the API docs own use inline scripts of their own; every other page runs no inline code.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


# --- CSRF: a per-browser random seed in a cookie; forms carry HMAC(secret, seed) -----------------


def csrf_seed(request: Request) -> str:
    """This browser's CSRF seed (set as a cookie by the middleware when it had none)."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) > 100:
        seed = secrets.token_urlsafe(32)
    request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    """The token every form of this browser must carry."""
    return _sign(csrf_seed(request))


def _sign(seed: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"csrf|{seed}".encode(), hashlib.sha256).hexdigest()


async def csrf_guard(request: Request) -> None:
    """Refuse an unsafe request made without a bearer token unless it carries this browser's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # systems with tokens: no ambient credential a third-party page could ride on
    if request.url.path.startswith("/api/") and SESSION_COOKIE not in request.cookies:
        return  # an API call with no credential at all is refused as anonymous (401) by the route
    seed = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not seed or not given or not hmac.compare_digest(_sign(seed), given):
        raise CsrfRejected("请求缺少有效的 CSRF 令牌：请刷新页面后重新提交表单")


# --- rate limits ---------------------------------------------------------------------------------

_storage = MemoryStorage()
_limiter = MovingWindowRateLimiter(_storage)


def rate_limit(request: Request, *, bucket: str, rule: str) -> None:
    """Count one request of the caller's address against `rule` (e.g. "60/minute"); 429 past it."""
    item = parse(rule)
    address = request.client.host if request.client else "unknown"
    if not _limiter.hit(item, bucket, address):
        reset, _remaining = _limiter.get_window_stats(item, bucket, address)
        wait = max(1, int(reset - datetime.now().timestamp()) + 1)
        raise RateLimited(f"请求过于频繁，请 {wait} 秒后再试", retry_after=wait)


def reset_rate_limits() -> None:
    """Forget every count (tests)."""
    _storage.reset()


# --- templates -----------------------------------------------------------------------------------


@cache
def templates() -> Jinja2Templates:
    directory = resources.files("panshi").joinpath("templates")
    env = Jinja2Templates(directory=str(directory))
    env.env.filters["cn_time"] = _cn_time
    env.env.filters["cn_date"] = _cn_date
    env.env.globals["node_name"] = lambda: get_settings().node_name
    return env


def render(
    request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Any:
    """A page; every page gets the caller and this browser's CSRF token."""
    context.setdefault("who", getattr(request.state, "who", None))
    context["csrf_token"] = csrf_token(request)
    return templates().TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def _cn_time(moment: datetime | None) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _cn_date(day: date | None) -> str:
    return day.isoformat() if day else ""


def combined(*parts: APIRouter) -> APIRouter:
    """One router of several: a domain's JSON API and its pages, included by the application together."""
    router = APIRouter()
    for part in parts:
        router.include_router(part)
    return router
