"""Signing in and out: the cookie, one message for every failure, CSRF, sessions, redirects, rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from console.helpers import PASSWORD, World, csrf, follow, post_form, sign_in, signed_in
from panshi.accounts.models import User, WebSession
from panshi.api.web import SESSION_COOKIE
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings

Browser = Callable[..., TestClient]
ALERT = re.compile(r'<p class="flash-error" role="alert">(.*?)</p>')


def _sessions() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(WebSession)) or 0


def test_sign_in_sets_a_hardened_cookie_and_lands_by_role(world: World, new_browser: Browser) -> None:
    operator = new_browser()
    response = sign_in(operator, "op-user")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie and "samesite=lax" in cookie
    assert f"max-age={get_settings().session_hours * 3600}" in cookie and "secure" not in cookie
    page = operator.get("/console")
    assert page.status_code == 200 and "运营人员甲" in page.text and "数据质量" in page.text

    subject = new_browser()
    assert sign_in(subject, "firm").headers["location"] == "/me"
    with unit_of_work() as session:
        assert session.scalar(select(User.last_login_at).where(User.username == "firm")) is not None


def test_secure_cookie_when_configured(
    world: World, new_browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANSHI_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    client = new_browser(base_url="https://testserver")  # Secure cookies come back over HTTPS only
    response = sign_in(client, "op-user")
    assert response.status_code == 303 and "; secure" in response.headers["set-cookie"].lower()
    assert client.get("/console").status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_message(world: World, new_browser: Browser) -> None:
    client = new_browser()
    wrong_password = sign_in(client, "op-user", "not-the-password")
    unknown_user = sign_in(client, "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    messages = [ALERT.findall(r.text) for r in (wrong_password, unknown_user)]
    assert messages[0] == messages[1] == ["用户名或密码错误，或账号已停用"]
    assert SESSION_COOKIE not in client.cookies and _sessions() == 0
    assert client.get("/console").status_code == 303


def test_forms_without_a_valid_csrf_token_are_refused(world: World, new_browser: Browser) -> None:
    client = new_browser()
    csrf(client)  # the browser has its CSRF cookie; the form still has to carry the token
    form = {"username": "op-user", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 403
    assert client.post("/login", data={**form, "csrf_token": "0" * 64}).status_code == 403
    assert _sessions() == 0

    operator = signed_in(new_browser, "op-user")
    new_account = {"username": "sneaky", "password": PASSWORD, "role": "operator"}
    refused = operator.post("/console/accounts", data={**new_account, "csrf_token": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert operator.post("/logout", data={}).status_code == 403
    other_browser_token = csrf(new_browser())  # valid, but for another browser's cookie
    assert (
        operator.post(
            "/console/accounts", data={**new_account, "csrf_token": other_browser_token}
        ).status_code
        == 403
    )
    with unit_of_work() as session:
        assert session.scalar(select(User).where(User.username == "sneaky")) is None
    assert operator.get("/console").status_code == 200  # still signed in


@pytest.mark.parametrize("cookie", ["garbage", "ps_" + "A" * 43, "x" * 500])
def test_unknown_or_tampered_session_cookie_is_anonymous(
    world: World, new_browser: Browser, cookie: str
) -> None:
    client = new_browser()
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get("/console")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fconsole"


def test_a_changed_real_cookie_is_anonymous(world: World, new_browser: Browser) -> None:
    client = signed_in(new_browser, "op-user")
    real = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, real[:-1] + ("A" if real[-1] != "A" else "B"))
    assert client.get("/console").status_code == 303


def test_logout_ends_the_session_on_the_server(world: World, new_browser: Browser) -> None:
    client = signed_in(new_browser, "op-user")
    old_cookie = client.cookies[SESSION_COOKIE]
    assert _sessions() == 1
    response = post_form(client, "/logout", form_page="/console")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (
        f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
        and "max-age=0" in response.headers["set-cookie"].lower()
    )
    assert _sessions() == 0
    thief = new_browser()  # someone who kept a copy of the cookie
    thief.cookies.set(SESSION_COOKIE, old_cookie)
    assert thief.get("/console").status_code == 303
    assert client.get("/console").status_code == 303


@pytest.mark.parametrize(
    "next_url", ["https://evil.example", "//evil.example/console", "/\\evil.example", "https:/evil.example",
                 "/login?next=https://evil.example", " /console"],
)  # fmt: skip
def test_next_never_leaves_the_site(world: World, new_browser: Browser, next_url: str) -> None:
    client = new_browser()
    form = client.get("/login", params={"next": next_url})
    assert "evil" not in form.text
    response = sign_in(client, "op-user", next=next_url)
    assert response.headers["location"] == "/console"


def test_anonymous_visit_goes_to_sign_in_and_comes_back(world: World, new_browser: Browser) -> None:
    client = new_browser()
    response = client.get("/console/query-log", params={"purpose": "核查"})
    target = "/console/query-log?purpose=%E6%A0%B8%E6%9F%A5"
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/login?next={quote(target, safe='')}"
    )
    form = follow(client, response)
    assert f'name="next" value="{target}"' in form.text
    back = sign_in(client, "op-user", next=target)
    assert back.headers["location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(
    ("username", "path"),
    [("firm", "/console"), ("firm", "/console/subjects"), ("gov-b", "/console/upload"),
     ("dept-a", "/console/accounts"), ("dept-a", "/console/query-log"), ("op-user", "/me")],
)  # fmt: skip
def test_signed_in_users_of_other_roles_are_refused(
    world: World, new_browser: Browser, username: str, path: str
) -> None:
    client = signed_in(new_browser, username)
    response = client.get(path)
    assert response.status_code == 403 and "无权访问" in response.text


def test_sign_in_attempts_are_rate_limited(
    world: World, new_browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANSHI_SIGN_IN_RATE_LIMIT", "3/minute")
    get_settings.cache_clear()
    client = new_browser()
    for _ in range(3):
        assert sign_in(client, "op-user", "wrong-password").status_code == 401
    limited = sign_in(client, "op-user")  # even the right password: the address must wait
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "请求过于频繁" in limited.text and SESSION_COOKIE not in client.cookies
