"""axe-core on every page type, as each role that can open it: no serious or critical issues."""

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories import dashboard as dashboard_fixture
from tests.support.accessibility import AXE, axe_violations
from tests.support.browser import browser_page, live_server

pytestmark = pytest.mark.browser

# (role, path template); {pupil} is replaced by a pupil of the signed-in user's school.
PAGES = [
    (None, "/login"),
    (None, "/activate"),
    (Role.STAFF, "/"),
    (Role.STAFF, "/pupils/"),
    (Role.STAFF, "/pupils/{pupil}"),
    (Role.STAFF, "/account/"),
    (Role.STAFF, "/account/two-factor"),
    (Role.STAFF, "/no-such-page"),
    (Role.LEADER, "/"),
    (Role.LEADER, "/audit/"),
    (Role.LEADER, "/pupils/{pupil}/access"),
    (Role.ADMIN, "/admin/users"),
    (Role.ADMIN, "/admin/users/new"),
    (Role.ADMIN, "/admin/terms"),
    (Role.ADMIN, "/admin/terms/autumn-2026"),
    (Role.LEADER, "/dashboard/?term=autumn-2026"),
    (Role.LEADER, "/dashboard/pupils?figure=reached:any&term=autumn-2026"),
    (Role.LEADER, "/reports/"),
    (Role.GOVERNOR, "/"),
    (Role.GOVERNOR, "/dashboard/?term=autumn-2026"),
    (Role.GOVERNOR, "/reports/"),
    (Role.TRUST_LEADER, "/dashboard/trust?term=autumn-2026"),
]


def test_axe_is_installed():
    assert AXE.exists(), "run `npm ci` (make test does) to install axe-core"


def test_every_page_type_passes_axe(app, make_school, make_user, make_pupil):
    school = make_school()
    pupil = make_pupil(school, legal_surname="Okafor")
    users = {role: make_user(role, school=school) for role in Role}
    with app.app_context():
        dashboard_fixture.build(school, make_school("other"), users[Role.STAFF], make_pupil)
    failures = {}
    with live_server(app) as base, browser_page() as page:
        current = None
        for role, template in PAGES:
            if role != current:
                page.context.clear_cookies()
                if role is not None:
                    page.goto(f"{base}/login")
                    page.get_by_label("E-mail").fill(users[role].email)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(f"{base}/")
                current = role
            page.goto(base + template.format(pupil=pupil.id))
            problems = axe_violations(page)
            if problems:
                failures[f"{role.value if role else 'anonymous'} {template}"] = problems
    assert failures == {}


def test_sign_in_form_works_by_keyboard_alone(app, make_school, make_user):
    user = make_user(Role.STAFF, school=make_school())
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        active = "document.activeElement.name || document.activeElement.textContent.trim()"
        assert page.evaluate(active) == "email"  # focus starts in the first field
        page.keyboard.type(user.email)
        page.keyboard.press("Tab")
        assert page.evaluate(active) == "password"
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        assert page.evaluate(active) == "submit"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/")
        page.keyboard.press("Tab")  # the first stop on every page skips to the content
        assert page.evaluate(active) == "Skip to main content"
