"""Every field that picks pupils or staff is marked for the type-ahead picker (issue 13 item 5).

The pages are read as HTML: any <select> offering a pupil or a member of staff, and any list of
checkboxes naming one, must carry `data-picker` (static/js/pickers.js enhances it; without
JavaScript it stays the plain control)."""

from html.parser import HTMLParser

import pytest

from school_tracker.models import Role
from tests.factories.interventions import make_intervention
from tests.factories.risk import make_flag, seed_reference

PUPIL_MARK = "Pickerpupil"
STAFF_MARK = "Pickerstaff"


class Controls(HTMLParser):
    """The selects (with their options' text), checkboxes, labels and groups of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: list[tuple[dict, list[str]]] = []
        self.checkboxes: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self.groups: dict[str, dict] = {}
        self._select: tuple[dict, list[str]] | None = None
        self._label: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "select":
            self._select = (attributes, [])
            self.selects.append(self._select)
        elif tag in ("option", "label"):
            self._text = []
            self._label = attributes.get("for") if tag == "label" else None
        elif tag == "input" and attributes.get("type") == "checkbox":
            self.checkboxes[attributes.get("id", "")] = attributes
        elif tag in ("fieldset", "ul") and "id" in attributes:
            self.groups[attributes["id"]] = attributes

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._text).strip()
        if tag == "option" and self._select is not None:
            self._select[1].append(text)
        elif tag == "label" and self._label:
            self.labels[self._label] = text
        elif tag == "select":
            self._select = None


def _kind(text: str) -> str | None:
    return "pupil" if PUPIL_MARK in text else "staff" if STAFF_MARK in text else None


def unmarked_pickers(html: str) -> list[str]:
    """Each pupil or staff control on the page without the right data-picker, described."""
    page = Controls()
    page.feed(html)
    found, missing = 0, []
    for attributes, options in page.selects:
        kinds = {_kind(option) for option in options} - {None}
        for kind in kinds:
            found += 1
            if attributes.get("data-picker") != kind:
                missing.append(f"select {attributes.get('name')} ({kind})")
    for box_id, attributes in page.checkboxes.items():
        kind = _kind(page.labels.get(box_id, ""))
        group = page.groups.get(attributes.get("name", ""), {})
        if kind:
            found += 1
            if group.get("data-picker") != kind:
                missing.append(f"checkboxes {attributes.get('name')} ({kind})")
    assert found, "no pupil or staff control on the page"
    return sorted(set(missing))


@pytest.fixture
def marked_world(app, make_school, make_user, make_pupil):
    school = make_school()
    leader = make_user(Role.LEADER, school=school, full_name=f"Lena {STAFF_MARK}")
    colleague = make_user(Role.STAFF, school=school, full_name=f"Cole {STAFF_MARK}")
    pupils = [make_pupil(school, legal_surname=f"{PUPIL_MARK}{n}") for n in range(4)]
    seed_reference(app)
    group = make_intervention(app, school, leader, pupils[:2])
    flag = make_flag(app, pupils[0], leader, named=[colleague])
    return leader, pupils, group, flag


def test_every_pupil_and_staff_field_is_a_type_ahead_picker(client, auth, marked_world):
    leader, pupils, group, flag = marked_world
    auth.login(leader.email)
    pages = [
        "/mentoring/new",
        "/interventions/new",
        f"/interventions/{group}/pupils/new",
        f"/interventions/{group}/delivery",
        "/risk/new",
        f"/risk/pupils/{pupils[1].id}/new",
        f"/risk/{flag}/edit",
        f"/risk/{flag}",
        "/exclusions/new",
        "/families/new",
        "/agencies/new",
        "/learning/new",
        "/learning/new-for-staff",
    ]
    problems = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        missing = unmarked_pickers(response.get_data(as_text=True))
        if missing:
            problems[path] = missing
    assert problems == {}


def test_the_check_finds_an_unmarked_picker():
    """The walk above can fail: a plain select of pupils is reported."""
    html = f'<select name="pupil"><option value="1">{PUPIL_MARK}, Ann</option></select>'
    assert unmarked_pickers(html) == ["select pupil (pupil)"]
    marked = html.replace("<select ", '<select data-picker="pupil" ')
    assert unmarked_pickers(marked) == []
    boxes = (
        f'<fieldset id="staff"><input type="checkbox" id="staff-0" name="staff" value="3">'
        f'<label for="staff-0">{STAFF_MARK} Sam</label></fieldset>'
    )
    assert unmarked_pickers(boxes) == ["checkboxes staff (staff)"]
