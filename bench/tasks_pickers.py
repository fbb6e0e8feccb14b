"""Choosing people as a person would, whichever control the page has: a native select or list
of boxes, or the type-ahead picker (accessible-autocomplete) that enhances them.

With a picker, the count is: a click into it (unless the focus is there already), the letters
typed (at least `least`, then one more at a time until the wanted name is suggested), the arrow
presses down to it, and Enter.
"""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.tasks_driver import CountingPage

# A staff picker filters its own options at once; a pupil picker's lookup is waited for (the
# response to exactly what was typed), so a name not among its answers costs no waiting.
SHOW_MS = 2_000
LOOKUP_MS = 10_000
KIND = """box => {
    const picker = box.closest('.picker'), after = picker && picker.nextElementSibling
    const host = after && after.dataset.picker ? after : picker && picker.closest('[data-picker]')
    return host ? host.dataset.picker : null
}"""


def picker_for(scope: Any, label: str) -> Any | None:
    """The type-ahead box a label names, or None (a plain <select> is a combobox too, so only
    a text input counts)."""
    box = scope.get_by_role("combobox", name=label, exact=True).and_(scope.locator("input"))
    return box if box.count() else None


def _suggested(page: Any, box: Any, wanted: str, answered: bool) -> int | None:
    """Where `wanted` is among the box's suggestions (0 is the first), or None if it is not."""
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    option = listbox.get_by_role("option").filter(has_text=wanted)
    try:  # the menu draws a moment after its options arrive
        option.first.wait_for(state="visible", timeout=SHOW_MS if answered else 300)
    except PlaywrightTimeout:
        return None
    texts: list[str] = listbox.get_by_role("option").all_inner_texts()
    return next((i for i, text in enumerate(texts) if wanted in text), None)


def _type_and_wait(driver: CountingPage, char: str, asked: str) -> None:
    """Type a character into a pupil picker and wait for the lookup of what the box now says."""

    def answers(response: Any) -> bool:
        url = urlsplit(response.url)
        return url.path.endswith("/pupils/lookup") and parse_qs(url.query).get("q") == [asked]

    with driver.page.expect_response(answers, timeout=LOOKUP_MS):
        driver.keys(char)


def pick(driver: CountingPage, box: Any, wanted: str, typed: str, least: int = 3) -> None:
    """Type into a picker until `wanted` is suggested, arrow down to it and press Enter (a
    click into it first unless it has the focus, as a picker for several keeps it)."""
    if not box.evaluate("b => b === document.activeElement"):
        driver.reach(box)
    looks_up = box.evaluate(KIND) == "pupil"
    position = None
    for count, char in enumerate(typed, start=1):
        if count < min(least, len(typed)):
            driver.keys(char)
            continue
        if looks_up:
            _type_and_wait(driver, char, typed[:count])
        else:
            driver.keys(char)
        position = _suggested(driver.page, box, wanted, answered=looks_up)
        if position is not None:
            break
    if position is None:
        raise RuntimeError(f"the picker never suggested {wanted!r} for {typed!r}")
    driver.keys("ArrowDown", position + 1)
    driver.keys("Enter")


def choose(driver: CountingPage, label: str, wanted: str, typed: str, option: str = "") -> None:
    """A single choice: through the picker if the field has one (typing `typed`, looking for
    `wanted`), else the native select's `option` (or `wanted`)."""
    page = driver.page
    box = picker_for(page, label)
    if box is None:
        driver.select(page.get_by_label(label, exact=True), option or wanted)
        return
    pick(driver, box, wanted, typed)
    # A single picker shows the name it took; one for several lists it under "Chosen".
    chosen = box.locator("xpath=ancestor::div[contains(@class, 'picker')][1]")
    if wanted not in box.input_value() and not chosen.get_by_text(wanted).count():
        raise RuntimeError(f"the picker for {label!r} did not take {wanted!r}")


def choose_each(driver: CountingPage, group: str, names: list[str]) -> None:
    """Several people from a list of boxes (`group` is its legend): ticked, or picked one by
    one by typing each name in the picker that replaced the boxes."""
    fieldset = driver.page.get_by_role("group", name=group)
    box = fieldset.get_by_role("combobox").and_(fieldset.locator("input"))
    if not box.count():
        for name in names:
            driver.tick(fieldset.get_by_label(name, exact=True))
        return
    for name in names:
        pick(driver, box, name, name)
    chosen = fieldset.get_by_text(re.compile(rf"Chosen \({len(names)}\)"))
    chosen.wait_for()
