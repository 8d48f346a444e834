"""Console test helpers: a browser's forms (with their CSRF token), signing in, redirects."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from factories import make_uscc

PASSWORD = "correct-horse-battery"
OTHER_DEPT_NAME = "磐石市税务局"
SUBJECT_USCC = make_uscc(1001)  # penalty_row(1)'s subject
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class World:
    department_a: int
    department_b: int
    users: dict[str, int]  # username -> id


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the form on `path` (the GET also sets this browser's CSRF cookie)."""
    page = client.get(path, follow_redirects=True)  # a signed-in browser is sent on from /login
    assert page.status_code == 200, page.text[:300]
    found = CSRF_INPUT.search(page.text)
    assert found, f"no csrf_token field on {path}"
    return found.group(1)


def post_form(
    client: TestClient,
    path: str,
    data: dict[str, str] | None = None,
    *,
    form_page: str = "/login",
    **kwargs: Any,
) -> httpx.Response:
    """Post a form the way a browser does: with the token of a form this browser was given."""
    return client.post(path, data={"csrf_token": csrf(client, form_page), **(data or {})}, **kwargs)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next: str = "") -> httpx.Response:
    return post_form(client, "/login", {"username": username, "password": password, "next": next})


def signed_in(new_browser: Callable[[], TestClient], username: str) -> TestClient:
    """A new browser signed in as `username`."""
    client = new_browser()
    response = sign_in(client, username)
    assert response.status_code == 303, response.text[:300]
    return client


def follow(client: TestClient, response: httpx.Response) -> httpx.Response:
    """GET the page a 303 redirect points to."""
    assert response.status_code == 303, response.text[:300]
    return client.get(response.headers["location"])
