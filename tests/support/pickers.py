"""Choosing in a type-ahead picker (static/js/pickers.js) from a browser test."""

TYPE_AHEAD = "input.autocomplete__input"


def pick(page, label: str, typed: str, option: str) -> None:
    """Type into the picker named `label` (a field's label, or the legend of a checkbox list)
    and choose the suggestion `option`, as a person would.

    The box is found by its class as well as its name: until the page's script has run, the
    plain <select> carries the same label (and, when required, the same combobox role)."""
    box = (
        page.get_by_label(label, exact=True)
        .and_(page.locator(TYPE_AHEAD))
        .or_(page.get_by_role("group", name=label, exact=True).locator(TYPE_AHEAD))
    )
    box.fill(typed)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.get_by_role("option", name=option, exact=True).click()
