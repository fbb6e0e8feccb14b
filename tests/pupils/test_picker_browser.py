"""In Chromium: the type-ahead pickers, with the keyboard alone, and the same form without
JavaScript (issue 13 item 5). SCREENSHOT_DIR keeps PNGs of each state."""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from school_tracker import ROOT
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.models import Intervention, InterventionParticipant, Role, YearGroup
from tests.conftest import PASSWORD
from tests.factories.interventions import seed_catalogue
from tests.support.accessibility import AXE, axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser
TODAY = school_today()
VENDOR = ROOT / "static" / "vendor" / "accessible-autocomplete" / "accessible-autocomplete.min.js"
# Names that share letters, so typing three of them must narrow the list.
ROLL = [
    ("Samuel", "Sam", "Jones", "7B"),
    ("Samira", None, "Khan", "7B"),
    ("Ada", None, "Lovelace", "7B"),
    ("Ben", None, "Samson", "8A"),
    ("Cara", None, "Brown", "8A"),
]


@pytest.fixture
def roll_and_teacher(app, make_school, make_user, make_pupil):
    school = make_school()
    teacher = make_user(Role.STAFF, school=school, full_name="Tess Teacher")
    make_user(Role.STAFF, school=school, full_name="Theo Assistant")
    pupils = {
        surname: make_pupil(
            school,
            legal_forename=legal,
            preferred_forename=preferred,
            legal_surname=surname,
            registration_group=group,
            year_group=YearGroup.Y7 if group == "7B" else YearGroup.Y8,
        )
        for legal, preferred, surname, group in ROLL
    }
    seed_catalogue(app, school)
    return teacher, pupils


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(
            path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), full_page=True
        )


def _focused(page, what: str):
    """The focused element's attribute, or its text for "textContent"."""
    if what == "textContent":
        return page.evaluate("document.activeElement.textContent.trim()")
    return page.evaluate(f"document.activeElement.getAttribute('{what}')")


def _participants(app) -> list[str]:
    with app.app_context():
        from school_tracker.models import Pupil

        names = db.session.scalars(
            sa.select(Pupil.legal_surname)
            .join(InterventionParticipant, InterventionParticipant.pupil_id == Pupil.id)
            .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
            .order_by(Pupil.legal_surname)
        ).all()
        db.session.remove()
    return list(names)


def _fill_the_rest(page, start) -> None:
    """The plan's other required fields (the pickers are what this test is about)."""
    page.get_by_label("Type").select_option(label="Nurture group")
    page.get_by_label("Group", exact=True).check()
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Review date").fill((start + timedelta(days=42)).isoformat())


def test_keyboard_only_picks_several_pupils_removes_one_and_adds_a_group(app, roll_and_teacher):
    """Type three letters, arrow down, Enter; again; remove one; add the whole of 8A; submit.
    Focus never leaves the keyboard, and axe finds nothing serious on the enhanced form."""
    assert VENDOR.exists(), "run `make assets` (make test and make run do) to copy the component"
    teacher, pupils = roll_and_teacher
    console: list[str] = []
    with live_server(app) as base, browser_page() as page:
        # CSP refusals and script errors reach the console; a missing file is a failed response
        # (the browser's own favicon.ico request is the one 404 every page has).
        page.on(
            "console",
            lambda message: (
                console.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                console.append(f"{response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.set_viewport_size({"width": 1280, "height": 1000})
        _sign_in(page, base, teacher.email)
        page.goto(f"{base}/interventions/new")
        # The plain select's "Hold Ctrl" line goes with it: the picker keeps earlier choices.
        assert page.get_by_text("Hold Ctrl").count() == 0
        _fill_the_rest(page, TODAY - timedelta(days=1))
        # From the field before it, Tab reaches the picker: its label names it.
        page.get_by_label("Group", exact=True).focus()
        page.keyboard.press("Tab")
        assert _focused(page, "aria-labelledby") is None and _focused(page, "id") == "pupil_ids"
        page.keyboard.type("sam")
        options = page.locator("#pupil_ids__listbox").get_by_role("option")
        options.filter(has_text="Ben Samson (8A)").wait_for()
        # Sam Jones (preferred name), Samira Khan and Ben Samson; never Ada or Cara.
        assert options.count() == 3
        _shot(page, "picker-suggestions")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        chosen = page.get_by_role("list", name="Chosen (1)")
        chosen.locator(".picker__name", has_text="Sam Jones (7B), legal forename Samuel").wait_for()
        assert page.evaluate("document.activeElement.id") == "pupil_ids"  # ready for the next
        page.keyboard.type("sam")  # Sam Jones, already chosen, is not offered again
        options.filter(has_text="Ben Samson (8A)").wait_for()
        assert options.all_inner_texts() == ["Samira Khan (7B)", "Ben Samson (8A)"]
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.get_by_role("list", name="Chosen (2)").wait_for()
        # Tab goes from the box to the first Remove button (Sam Jones's).
        page.keyboard.press("Tab")
        assert _focused(page, "textContent") == "Remove Sam Jones (7B), legal forename Samuel"
        page.keyboard.press("Enter")
        page.get_by_role("list", name="Chosen (1)").wait_for()
        assert page.get_by_role("status").filter(has_text="Removed Sam Jones").count() == 1
        assert _focused(page, "textContent") == "Remove Samira Khan (7B)"  # the next button
        page.keyboard.press("Shift+Tab")  # back to the box
        assert _focused(page, "id") == "pupil_ids"
        page.keyboard.type("8A")
        group = page.get_by_role("option", name="Whole group 8A (2 pupils)")
        group.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.get_by_role("list", name="Chosen (3)").wait_for()
        page.get_by_role("status").filter(has_text="Added 2 pupils from 8A.").wait_for()
        _shot(page, "picker-chosen")
        problems = axe_violations(page) if AXE.exists() else ["axe-core missing: run npm ci"]
        # The hidden select is what the form sends.
        sent = page.eval_on_selector_all(
            "#pupil_ids-options option:checked", "nodes => nodes.map(n => n.textContent)"
        )
        assert sorted(sent) == [
            "Brown, Cara (Year 8)",
            "Khan, Samira (Year 7)",
            "Samson, Ben (Year 8)",
        ]
        for _ in range(40):  # Tab on through the form to its button
            page.keyboard.press("Tab")
            if _focused(page, "value") == "Save intervention":  # an <input type="submit">
                break
        assert _focused(page, "value") == "Save intervention"
        page.keyboard.press("Enter")
        page.get_by_text("Intervention planned.").wait_for()
    assert problems == []
    assert _participants(app) == ["Brown", "Khan", "Samson"]
    assert console == []  # no CSP refusals, no script errors


def test_single_pickers_set_their_select_and_clearing_clears_it(app, roll_and_teacher):
    """The mentee (looked up) and staff mentor (the select's own options) pickers."""
    assert VENDOR.exists(), "run `make assets` (make test and make run do) to copy the component"
    teacher, pupils = roll_and_teacher
    with live_server(app) as base, browser_page() as page:
        _sign_in(page, base, teacher.email)
        page.goto(f"{base}/mentoring/new")
        mentee = page.get_by_role("combobox", name="Mentee (pupil)")
        mentee.focus()
        page.keyboard.type("lov")
        page.get_by_role("option", name="Ada Lovelace (7B)").wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.eval_on_selector("#mentee-options", "s => s.value") == str(
            pupils["Lovelace"].id
        )
        mentor = page.get_by_role("combobox", name="Staff mentor")
        mentor.focus()
        page.keyboard.type("theo")
        page.get_by_role("option", name="Theo Assistant").wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        chosen = page.eval_on_selector("#mentor_user-options", "s => s.selectedOptions[0].text")
        assert chosen == "Theo Assistant"
        _shot(page, "picker-single")
        problems = axe_violations(page) if AXE.exists() else ["axe-core missing: run npm ci"]
        # Text that names no one must not leave the earlier pupil chosen.
        mentee.fill("nobody at all")
        page.keyboard.press("Tab")
        expect(page.locator("#mentee-options")).to_have_value("")
    assert problems == []


def test_without_javascript_the_plain_select_still_submits(app, roll_and_teacher):
    """No script runs: the page shows the plain multi-select, and choosing in it works."""
    teacher, pupils = roll_and_teacher
    with live_server(app) as base, browser_page(java_script_enabled=False) as page:
        _sign_in(page, base, teacher.email)
        page.goto(f"{base}/interventions/new")
        assert page.get_by_role("combobox", name="Pupils taking part").count() == 0
        assert page.get_by_text("Hold Ctrl (or Cmd) to choose more than one.").is_visible()
        _fill_the_rest(page, TODAY - timedelta(days=1))
        page.get_by_label("Pupils taking part").select_option(
            label=["Jones, Sam (Year 7)", "Lovelace, Ada (Year 7)"]
        )
        _shot(page, "picker-no-js")
        page.get_by_role("button", name="Save intervention").click()
        page.get_by_text("Intervention planned.").wait_for()
    assert _participants(app) == ["Jones", "Lovelace"]
