"""Browser fixtures: a live Panshi server on the demo county and Debian's Chromium driven by Playwright.

Chromium is the system one (`apt-get install chromium`, done by `scripts/setup test`); Playwright
never downloads a browser. Without Chromium the browser tests skip with a message — except under
CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_ROOT / "var" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
START_TIMEOUT_S = 60
DEMO_SUBJECTS = 300
DEMO_RECORDS = 3000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ carries the `browser` marker (`-m "not browser"` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    """A running `panshi serve` on its own SQLite database loaded with the demo county."""

    url: str  # http://127.0.0.1:PORT, no trailing slash
    env: dict[str, str]  # the server's environment: PANSHI_DATABASE_URL, PANSHI_SECRET_KEY, ...
    cwd: Path  # the server's working directory (its var/ lives here)

    def panshi(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `panshi ARGS` against the server's database; fail the test with its output on error."""
        result = subprocess.run(
            [_panshi_command(), *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"`panshi {' '.join(args)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}",
                pytrace=False,
            )
        return result


def _panshi_command() -> str:
    """The `panshi` script of the interpreter running the tests (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("panshi")
    if beside.exists():
        return str(beside)
    found = shutil.which("panshi")
    if found is None:
        pytest.fail("the `panshi` command is not installed (run scripts/setup test)", pytrace=False)
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"`panshi serve` exited {server.returncode}:\n{log.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        time.sleep(0.2)
    pytest.fail(
        f"`panshi serve` did not answer {url}/api/v1/health within {START_TIMEOUT_S} s:\n"
        f"{log.read_text(errors='replace')}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`panshi serve` on a free 127.0.0.1 port over a fresh SQLite database holding the demo county."""
    cwd = tmp_path_factory.mktemp("live")
    # The parent's PANSHI_* settings (a developer's database, secure cookies...) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANSHI_")}
    env |= {
        "PANSHI_DATABASE_URL": f"sqlite:///{cwd / 'panshi.sqlite3'}",
        "PANSHI_SECRET_KEY": "browser-tests-secret-key-not-for-production",
        # One browser, one client address, many pages: the per-address limits are for real clients.
        "PANSHI_SEARCH_RATE_LIMIT": "10000/minute",
        "PANSHI_SIGN_IN_RATE_LIMIT": "10000/minute",
    }
    demo = subprocess.run(
        [
            _panshi_command(),
            "demo",
            "--subjects",
            str(DEMO_SUBJECTS),
            "--records",
            str(DEMO_RECORDS),
            "--no-serve",
        ],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if demo.returncode != 0:
        pytest.fail(f"`panshi demo` exited {demo.returncode}:\n{demo.stdout}\n{demo.stderr}", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = cwd / "serve.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [_panshi_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, server, log)
        yield LiveServer(url=url, env=env, cwd=cwd)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium; skipped without it, failed without it under CI=true."""
    path = _chromium_path()
    if not os.access(path, os.X_OK):
        message = f"Chromium not found at {path} (install it with scripts/setup test)"
        if IN_CI:
            pytest.fail(message + " — CI=true requires Chromium", pytrace=False)
        pytest.skip(message + " — browser tests skipped")
    # Playwright's default chromium_sandbox=False passes --no-sandbox, which Chromium needs as root.
    browser = playwright.chromium.launch(executable_path=path, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) speaking Simplified Chinese, with relative URLs on the server."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab of `context`: `page.goto("/")` opens the live server's home page."""
    return context.new_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """`screenshot(page, name)` saves a full-page PNG as var/screenshots/NAME.png and returns its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
