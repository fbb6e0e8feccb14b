"""A Playwright page that counts what a person would do: page loads, submissions, keys, clicks.

Page loads and submissions are counted from the browser's own traffic (every main-frame
document that arrives, every POST that leaves); keystrokes and clicks are counted by the
helpers below, which drive the page by its labels and roles as a person would. The model:

- typing text is one click to reach the field and one keystroke per character;
- a date is typed as its eight digits (dd mm yyyy), the way Chromium's date field takes it;
- a short select (at most SHORT_SELECT options) is two clicks, open and pick; a long one is a
  click, the fewest letters of the option's label that jump to it (a native select's
  type-ahead), any arrow presses past earlier options with the same label, and Enter;
- ticking a box, choosing a radio button or pressing a button or link is one click, and so is
  opening a task's first page (from a link or the menu on whatever page the person was on).
"""

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHORT_SELECT = 20


@dataclass
class Tally:
    """What one way of doing a task cost."""

    page_loads: int = 0
    submissions: int = 0
    keystrokes: int = 0
    clicks: int = 0
    background_requests: int = 0  # fetches a page makes by itself (the picker's lookups)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "page_loads": self.page_loads,
            "submissions": self.submissions,
            "keystrokes": self.keystrokes,
            "clicks": self.clicks,
            "background_requests": self.background_requests,
            "wall_seconds": round(self.seconds, 2),
            **({"notes": self.notes} if self.notes else {}),
        }


def keys_to_choose(labels: list[str], index: int) -> tuple[str, int]:
    """The letters to type in a native select to land on option `index`, and the arrow presses
    after them (a select's type-ahead jumps to the first option starting with what was typed)."""
    target = labels[index]
    for length in range(1, len(target) + 1):
        prefix = target[:length].casefold()
        first = next(i for i, label in enumerate(labels) if label.casefold().startswith(prefix))
        if first == index:
            return target[:length], 0
    first = next(i for i, label in enumerate(labels) if label.casefold() == target.casefold())
    return target, index - first


class CountingPage:
    """Wraps a Playwright page; `tally()` starts a fresh count for one way of doing a task."""

    def __init__(self, page: Any, base_url: str):
        self.page = page
        self.base_url = base_url
        self.current = Tally()
        page.on("response", self._on_response)
        page.on("request", self._on_request)

    def _on_response(self, response: Any) -> None:
        request = response.request
        if (
            request.resource_type == "document"
            and request.frame == self.page.main_frame
            and not 300 <= response.status < 400
        ):
            self.current.page_loads += 1

    def _on_request(self, request: Any) -> None:
        if request.resource_type == "document" and request.method == "POST":
            self.current.submissions += 1
        elif request.resource_type in ("fetch", "xhr"):
            self.current.background_requests += 1

    @contextmanager
    def tally(self) -> Iterator[Tally]:
        """Count everything done inside the block, and its wall time."""
        self.current = Tally()
        started = time.perf_counter()
        try:
            yield self.current
        finally:
            self.page.wait_for_load_state("load")
            self.current.seconds = time.perf_counter() - started

    # Navigation ------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        """Open a page from a link or the menu elsewhere: one click, one page load."""
        self.current.clicks += 1
        self.page.goto(self.base_url + path)

    def click(self, target: Any) -> None:
        """Click a button or link and wait for whatever page it leads to."""
        self.current.clicks += 1
        target.click()
        self.page.wait_for_load_state("load")

    def keys(self, key: str, times: int = 1) -> None:
        """Press a key on whatever has the focus (a picker's options move the focus)."""
        for _ in range(times):
            self.current.keystrokes += 1
            if len(key) == 1:  # a character (press knows only the keyboard's own keys: no ñ)
                self.page.keyboard.type(key)
            else:
                self.page.keyboard.press(key)

    # Fields ----------------------------------------------------------------------------------

    def type(self, field: Any, text: str) -> None:
        """Reach a text field and type into it (replacing what it held)."""
        self.current.clicks += 1
        self.current.keystrokes += len(text)
        field.fill(text)

    def reach(self, field: Any) -> None:
        """Click into a field before typing into it key by key (`keys`)."""
        self.current.clicks += 1
        field.click()

    def type_date(self, field: Any, day: date) -> None:
        self.current.clicks += 1
        self.current.keystrokes += 8
        field.fill(day.isoformat())

    def select(self, select: Any, label: str) -> None:
        """Pick an option of a native select by its visible label."""
        labels: list[str] = select.evaluate("s => Array.from(s.options, o => o.text.trim())")
        index = labels.index(label)
        if len(labels) <= SHORT_SELECT:
            self.current.clicks += 2
        else:
            letters, arrows = keys_to_choose(labels, index)
            self.current.clicks += 1
            self.current.keystrokes += len(letters) + arrows + 1
        select.select_option(index=index)

    def tick(self, box: Any) -> None:
        """Tick a checkbox or choose a radio button (one click, only if it needs one)."""
        if not box.is_checked():
            self.current.clicks += 1
            box.check()

    def untick(self, box: Any) -> None:
        if box.is_checked():
            self.current.clicks += 1
            box.uncheck()


def chromium_path() -> str:
    """Debian's Chromium (never a downloaded browser); the bench stops if it is missing."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not found:
        raise SystemExit(f"the task benchmark needs Debian's chromium at {CHROMIUM}")
    return found


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve the app from a background thread on a free loopback port (its request log off:
    the bench prints its own)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def signed_in_page(base_url: str, email: str, password: str) -> Iterator[CountingPage]:
    """Chromium signed in as `email` (the sign-in itself is not counted)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(locale="en-GB")
            page.set_default_timeout(20_000)
            page.goto(base_url + "/login")
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("load")
            if "/login" in page.url:
                raise RuntimeError(f"could not sign in as {email} in the browser")
            yield CountingPage(page, base_url)
        finally:
            browser.close()
