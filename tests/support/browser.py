"""Helpers for browser tests: serve the app on a loopback port and drive Debian's Chromium."""

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> str:
    """Chromium's path; in CI a missing browser is a failure, locally a visible skip."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: CI must install Debian's chromium")
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")


def _read_whole(file, buffer_size: int = 8192) -> list[bytes]:
    with file:
        return [file.read()]


def _static_files_read_whole(app):
    """The app with every sent file read at once and closed. The development server skips a
    response's close() when the browser drops the connection mid-file (a page closed while a
    script loads), leaving the file open: an unraisable ResourceWarning in whichever test runs
    next. Static files are small; the production server is not this one."""

    def wsgi(environ, start_response):
        environ["wsgi.file_wrapper"] = _read_whole
        return app(environ, start_response)

    return wsgi


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve the app from a background thread on a free loopback port."""
    server = make_server("127.0.0.1", 0, _static_files_read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def browser_page(**context_options) -> Iterator:
    """A fresh Chromium page (Playwright for Python, never a downloaded browser); options go to
    the browser context, e.g. `java_script_enabled=False`."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = browser.new_context(**context_options).new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


def open_menu(page, name: str) -> None:
    """Open a navigation menu as a person would, once the page (and Bootstrap's script, which
    makes the menu open) has loaded: a click before then would do nothing."""
    page.wait_for_load_state("load")
    toggle = page.get_by_role("button", name=name)
    toggle.click()
    page.wait_for_function(
        "name => [...document.querySelectorAll('[data-bs-toggle=dropdown]')]"
        ".some(b => b.textContent.trim() === name && b.getAttribute('aria-expanded') === 'true')",
        arg=name,
    )


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form as a person would (the test accounts' password)."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
