"""Every route against every role: a matrix generated from the application's own route table.

POLICY is the specification: which roles each route admits. The test fails when a route exists that
POLICY does not classify (a new route must declare who may call it), and calls every route as every
role: admitted roles must not be refused (401/403, or a redirect to the sign-in page), the others
must be. Deny by default: nothing is admitted unless POLICY says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.api.web import reset_rate_limits
from panshi.core.db import unit_of_work

ROLES = ("public", "operator", "department", "government", "subject")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES) - {"public"}
STAFF = frozenset({"operator", "department"})
OPERATOR = frozenset({"operator"})
CHECKERS = frozenset({"operator", "department", "government"})
SUBJECT = frozenset({"subject"})
CONSOLE = frozenset({"operator", "department", "government"})
NOBODY: frozenset[str] = frozenset()
APPLICANTS = frozenset({"subject", "operator"})
CONCERNED = frozenset({"subject", "operator", "department"})

# (method, path) -> roles admitted. Routes of the API docs are public by design.
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/docs/oauth2-redirect"): EVERYONE,
    ("GET", "/redoc"): EVERYONE,
    ("GET", "/api/v1/health"): EVERYONE,
    # access layer (each caller gets its view)
    ("GET", "/api/v1/search"): EVERYONE,
    ("GET", "/api/v1/subjects/{code}"): EVERYONE,
    ("GET", "/api/v1/records/{record_id}"): EVERYONE,
    ("GET", "/api/v1/publicity"): EVERYONE,
    ("GET", "/api/v1/departments"): EVERYONE,
    ("GET", "/api/v1/departments/{department_id}"): EVERYONE,
    ("GET", "/api/v1/me"): SUBJECT,
    ("GET", "/api/v1/me/query-log"): SUBJECT,
    ("GET", "/api/v1/whoami"): EVERYONE,
    # query log, accounts, tokens
    ("GET", "/api/v1/query-log"): OPERATOR,
    ("GET", "/api/v1/accounts"): OPERATOR,
    ("POST", "/api/v1/accounts"): OPERATOR,
    ("POST", "/api/v1/accounts/{user_id}/disable"): OPERATOR,
    ("POST", "/api/v1/accounts/{user_id}/enable"): OPERATOR,
    ("GET", "/api/v1/tokens"): OPERATOR,
    ("POST", "/api/v1/tokens"): OPERATOR,
    ("DELETE", "/api/v1/tokens/{token_id}"): OPERATOR,
    # ingest
    ("POST", "/api/v1/batches"): STAFF,  # an operator's import or migration; a department its own rows
    ("GET", "/api/v1/batches"): STAFF,
    ("GET", "/api/v1/batches/{batch_id}"): STAFF,
    ("GET", "/api/v1/batches/{batch_id}/errors.csv"): STAFF,
    ("GET", "/api/v1/quality"): STAFF,
    # joint rewards and punishments: checks, feedback, lists (public), entries (operators), console pages
    ("POST", "/api/v1/checks"): CHECKERS,
    ("POST", "/api/v1/checks/batch"): CHECKERS,
    ("GET", "/api/v1/checks/{check_id}"): CHECKERS,
    ("POST", "/api/v1/checks/{check_id}/feedback"): CHECKERS,
    ("GET", "/api/v1/checks/stats"): OPERATOR,
    ("GET", "/api/v1/checks/pending-feedback"): OPERATOR,
    ("GET", "/api/v1/lists"): EVERYONE,
    ("GET", "/api/v1/lists/types"): EVERYONE,
    ("GET", "/api/v1/lists/scenarios"): EVERYONE,
    ("GET", "/api/v1/lists/measures"): EVERYONE,
    ("GET", "/api/v1/lists/entries"): OPERATOR,
    ("GET", "/api/v1/lists/entries/{record_id}/history"): OPERATOR,
    ("POST", "/api/v1/lists/entries/{record_id}/extend"): OPERATOR,
    ("POST", "/api/v1/lists/entries/{record_id}/remove"): OPERATOR,
    ("GET", "/lists"): EVERYONE,
    ("GET", "/console/sanctions"): OPERATOR,
    ("GET", "/console/sanctions/catalog"): OPERATOR,
    ("GET", "/console/sanctions/entries"): OPERATOR,
    ("GET", "/console/sanctions/entries/{record_id}"): OPERATOR,
    ("POST", "/console/sanctions/entries/{record_id}/extend"): OPERATOR,
    ("POST", "/console/sanctions/entries/{record_id}/remove"): OPERATOR,
    ("GET", "/console/sanctions/stats"): OPERATOR,
    ("GET", "/console/sanctions/pending"): OPERATOR,
    ("GET", "/console/sanctions/checks/{check_id}"): OPERATOR,
    # exchange between nodes: registered peers only, by node signature (no role, no token admits)
    ("GET", "/api/v1/exchange/feed"): NOBODY,
    ("POST", "/api/v1/exchange/batches"): NOBODY,
    ("GET", "/console/exchange"): OPERATOR,
    # evaluation: the caller's view of a result (the grade alone to the public where the model allows)
    ("GET", "/api/v1/subjects/{code}/evaluation"): EVERYONE,
    # credit reports: the public version to anyone (full: the subject itself, staff with a purpose); verification
    ("GET", "/api/v1/subjects/{code}/report.pdf"): EVERYONE,
    ("POST", "/api/v1/reports/verify"): EVERYONE,
    ("GET", "/subjects/{code}/report"): EVERYONE,
    ("GET", "/reports/report.css"): EVERYONE,
    ("GET", "/reports/verify"): EVERYONE,
    ("POST", "/reports/verify"): EVERYONE,
    # objections and repair: applicants (the subject, or operators for it); those a case concerns
    ("POST", "/api/v1/objections"): APPLICANTS,
    ("POST", "/api/v1/repairs"): APPLICANTS,
    ("GET", "/api/v1/cases"): CONCERNED,
    ("GET", "/api/v1/cases/queue"): STAFF,
    ("GET", "/api/v1/cases/{case_id}"): CONCERNED,
    ("POST", "/api/v1/cases/{case_id}/decision"): STAFF,
    ("POST", "/api/v1/evidence"): APPLICANTS,
    ("GET", "/api/v1/evidence/{evidence_id}"): CONCERNED,
    # publicity: timeliness (及时率), operators all departments, a department user its own
    ("GET", "/api/v1/timeliness"): STAFF,
    ("GET", "/console/timeliness"): STAFF,
    # notices: every signed-in caller reads its own
    ("GET", "/api/v1/notices"): SIGNED_IN,
    ("POST", "/api/v1/notices/{notice_id}/read"): SIGNED_IN,
    ("GET", "/api/v1/notices/email"): SIGNED_IN,
    ("PUT", "/api/v1/notices/email"): SIGNED_IN,
    # public portal
    ("GET", "/"): EVERYONE,
    ("GET", "/search"): EVERYONE,
    ("GET", "/subjects/{code}"): EVERYONE,
    ("GET", "/records/{record_id}"): EVERYONE,
    ("GET", "/publicity"): EVERYONE,
    ("GET", "/departments"): EVERYONE,
    ("GET", "/departments/{department_id}"): EVERYONE,
    # sign-in, console, self-service
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/console"): CONSOLE,
    ("GET", "/console/subjects"): CONSOLE,
    ("POST", "/console/subjects"): CONSOLE,
    ("GET", "/console/subjects/{code}"): CONSOLE,
    ("GET", "/console/upload"): STAFF,
    ("POST", "/console/upload"): STAFF,
    ("GET", "/console/batches/{batch_id}"): STAFF,
    ("GET", "/console/batches/{batch_id}/errors.csv"): STAFF,
    ("GET", "/console/query-log"): OPERATOR,
    ("GET", "/console/accounts"): OPERATOR,
    ("POST", "/console/accounts"): OPERATOR,
    ("POST", "/console/accounts/{user_id}/disable"): OPERATOR,
    ("POST", "/console/accounts/{user_id}/enable"): OPERATOR,
    ("POST", "/console/tokens"): OPERATOR,
    ("POST", "/console/tokens/{token_id}/revoke"): OPERATOR,
    ("GET", "/me"): SUBJECT,
    ("GET", "/me/cases"): SUBJECT,
    ("GET", "/api/v1/me/checks"): SUBJECT,
    ("GET", "/console/cases"): STAFF,
    ("GET", "/cases/new/{kind}"): APPLICANTS,
    ("POST", "/cases/new/{kind}"): APPLICANTS,
    ("GET", "/cases/{case_id}"): CONCERNED,
    ("POST", "/cases/{case_id}"): STAFF,
    ("GET", "/notices"): frozenset({"operator", "department", "subject"}),
    ("POST", "/notices/{notice_id}/read"): frozenset({"operator", "department", "subject"}),
    ("POST", "/notices/email"): frozenset({"operator", "department", "subject"}),
}


def app_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the application answers, routers included (HEAD is GET's twin)."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif isinstance(route, APIRoute) or hasattr(route, "methods"):
                found.extend((m, route.path) for m in sorted(route.methods or ()) if m != "HEAD")

    walk(app.routes)
    return found


def test_every_route_is_classified() -> None:
    unclassified = sorted(set(app_routes(create_app())) - set(POLICY))
    assert not unclassified, f"routes without an access policy (add them to POLICY): {unclassified}"


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A department with a record, and a token of every role."""
    reset_rate_limits()
    row = penalty_row(1)
    with unit_of_work(write=True) as session:
        a, dept_token = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        b, _ = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "department": dept_token,
            "government": accounts.issue_token(session, role="government", department_id=b.id),
            "subject": accounts.issue_token(session, role="subject", subject_code=make_uscc(1001)),
        }
        user = accounts.add_user(session, username="someone", password="a-long-password", role="operator")
        ids = {"department_id": a.id, "user_id": user.id}
    result = ingest(write_csv(tmp_path / "p.csv", [row]))
    values = {"code": make_uscc(1001), "record_id": "1", "kind": "objection", "batch_id": result.batch_id, "token_id": "999999",
              **{k: str(v) for k, v in ids.items()}}  # fmt: skip
    with TestClient(create_app(), follow_redirects=False) as client:
        yield {"client": client, "tokens": tokens, "values": values}
    reset_rate_limits()


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303, 307) and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_route(world: dict[str, Any], role: str) -> None:
    client: TestClient = world["client"]
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if role != "public" else {}
    # The public posts web forms with a valid CSRF token, so that what refuses it is the role rule.
    login_page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page)
    assert csrf is not None
    form = {"csrf_token": csrf.group(1)} if role == "public" else None
    wrong: list[str] = []
    for method, path in sorted(POLICY):
        data = form if method == "POST" and not path.startswith("/api/") else None
        response = client.request(method, _url(path, world["values"]), headers=headers, data=data)
        admitted = role in POLICY[(method, path)]
        if admitted == _refused(response):
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
    assert not wrong, f"{role} treated wrongly by:\n" + "\n".join(wrong)
