"""What every console page shares: who may open it, the units of work, and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import caller, require
from panshi.core.errors import NotAuthenticated

# Who may open which part of the console; `require` (the API's rule) decides, this only names the sets.
CONSOLE = (Role.operator, Role.department, Role.government)
STAFF = (Role.operator, Role.department)
OPERATOR = (Role.operator,)
SUBJECT = (Role.subject,)


CHANNEL_LABELS = {"web": "网页上传", "api": "接口", "cli": "命令行", "migration": "存量数据迁移"}

LOGIN_PATH = "/login"
_MAX_NEXT = 2000


def page(*roles: Role) -> Callable[..., Principal]:
    """`require(*roles)` for HTML pages: an anonymous visitor is sent to the sign-in page instead of a 401;
    a signed-in user of another role still gets 403."""
    check = require(*roles)

    def dependency(request: Request, who: Annotated[Principal, Depends(caller)]) -> Principal:
        try:
            return check(who)
        except NotAuthenticated:
            raise HTTPException(status_code=303, headers={"Location": sign_in_url(request)}) from None

    dependency.__name__ = "page_" + "_".join(r.value for r in roles)
    return dependency


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back here afterwards (GET pages only: a form post cannot be replayed)."""
    if request.method != "GET":
        return LOGIN_PATH
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN_PATH}?next={quote(here, safe='')}"


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a sign-in never sends anyone to another site."""
    if not target or len(target) > _MAX_NEXT:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith((LOGIN_PATH, "/logout")):
        return None
    return target


def home_of(who: Principal) -> str:
    """Where a user lands after signing in: subjects on their own file, everyone else on the console."""
    return "/me" if who.role is Role.subject else "/console"


def form_int(value: str | None) -> int | None:
    """An optional whole number from a form field ("" is none)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def record_type_labels() -> dict[str, str]:
    """Record types by key, with their catalog labels (行政处罚, 行政许可...)."""
    from panshi.catalog.service import load_catalog

    return {key: record_type.label for key, record_type in load_catalog().record_types.items()}


def field_labels(record_type: str) -> dict[str, str]:
    """A record type's fields by name, with their catalog labels."""
    from panshi.catalog.service import load_catalog

    found = load_catalog().record_types.get(record_type)
    return {spec.name: spec.label for spec in found.fields} if found else {}


def pager_links(
    path: str, current: int, total: int, *, param: str = "page", anchor: str = "", **query: str | None
) -> dict[str, str | None]:
    """The previous and next links of a paged list (console/_pager.html), keeping the other `query` values."""
    extra = "".join(f"&{k}={quote(v, safe='')}" for k, v in query.items() if v)

    def link(page: int) -> str:
        return f"{path}?{param}={page}{extra}{anchor}"

    return {
        "previous": link(current - 1) if current > 1 else None,
        "next": link(current + 1) if current < total else None,
    }
