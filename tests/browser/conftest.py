"""Browser tests: Debian chromium driven by Playwright against pytest-django's live server.

One browser per pytest session (so per xdist worker), one fresh context and page per test. The
database is shared with the live-server thread, hence ``transactional_db``. Screenshots go to
``var/screenshots/`` for a human to look at; nothing asserts on pixels.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls here
# ("you cannot call this from an async context") although they are plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SIFA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 860}
MOBILE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (install the Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, committed_db) -> Iterator[object]:
    """A fresh context (no cookies) at desktop size, Chinese locale, pointed at the live server."""
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", base_url=live_server.url, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def users(committed_db):
    """The small real-looking tree (东湖区/西湖区/浔阳区 …) with one user per role."""
    from sifa.platform.testing.tree import build_tree, default_users

    tree = build_tree()
    return {"tree": tree, **default_users(tree)}


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot for review (not asserted)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def log_in(page, username: str) -> None:
    from sifa.platform.testing.tree import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
