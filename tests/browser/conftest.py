"""Shared fixtures for the browser tests (Playwright + Debian's Chromium + axe-core).

- `page`: a fresh Playwright page (French locale) in a shared headless Chromium; the
  console errors it logs (CSP violations included) are in `page.console_errors`.
- `live_server` (pytest-django): the platform served on a real port, transactional
  database (tests/conftest.py reloads the territories and nomenclatures after flushes).
- `login(page, live_server, email)`: signs the browser in as that existing user.
- the live server answers one page request at a time (see _OneRequestAtATimeServer).
- `axe_check(page, label="")`: fails with a readable list when axe-core finds a
  "serious" or "critical" violation.

Every test here is skipped, with the reason, when /usr/bin/chromium is absent
(`apt-get install chromium chromium-driver`).
"""

import os
import re
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Debian's Chromium; TPJ_CHROMIUM points elsewhere (or at nothing, to check the skip).
CHROMIUM = Path(os.environ.get("TPJ_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=fr-FR",  # the file pickers and date fields as a French browser draws them
]
BLOCKING_IMPACTS = ("serious", "critical")

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# the test itself (factories, assertions) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one page request at a time (static files in parallel).

    On SQLite the test database lives in memory, one connection shared by every server
    thread: two requests at once (a page and its htmx or map fetch, or the next page) fail
    with "database table is locked". Browsers still load the static files in parallel.
    """

    def set_app(self, application):
        from django.conf import settings

        lock, static = threading.Lock(), settings.STATIC_URL

        def serialised(environ, start_response):
            if environ.get("PATH_INFO", "").startswith(static):
                return application(environ, start_response)
            with lock:
                return application(environ, start_response)

        super().set_app(serialised)


LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects
def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ is a browser test, and skipped without Chromium."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} absent : installez chromium et chromium-driver (apt-get) pour les tests navigateur"
    )
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Map tiles and anything else off this machine are refused, as on a ministry network that
    # blocks the tile server: the pages must work without them.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def _sign_in(page, live_server, email):
    from django.conf import settings
    from django.test import Client

    from tpj.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email.lower()), backend="tpj.accounts.backends.EmailBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
        ]
    )


@pytest.fixture
def login():
    """`login(page, live_server, email)`: the browser is then signed in as that user."""
    return _sign_in


def format_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(
                f"    {' '.join(node['target'][:1]) if isinstance(node['target'], list) else node['target']}: "
                f"{node.get('failureSummary', '').splitlines()[-1].strip() if node.get('failureSummary') else ''}"
            )
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


def _axe_check(page, label=""):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core: {len(blocking)} violation(s) graves sur {label or page.url} :\n{format_violations(blocking)}"
    return results


@pytest.fixture
def axe_check():
    """`axe_check(page, label="")`: no serious or critical axe-core violation on the page."""
    return _axe_check
