"""Whole-school and trust-wide named exports show on each pupil's "who has accessed" page (R62)."""

import io
import re

import pytest

from school_tracker.extensions import db
from school_tracker.models import Role, School
from school_tracker.reports.named.export import export_named_records
from tests.conftest import PASSWORD

TERM = "autumn-2026"


# --- R62: whole-school exports on each pupil's "who has accessed" page -------------------------


def _access_rows(client, pupil_id: int) -> list[str]:
    page = client.get(f"/pupils/{pupil_id}/access")
    assert page.status_code == 200
    return re.findall(r"<tr>(.*?)</tr>", page.get_data(as_text=True), re.S)


def _leader_client(app, school, make_user, name: str):
    leader = make_user(Role.LEADER, school=school, full_name=name)
    client = app.test_client()
    assert client.post("/login", data={"email": leader.email, "password": PASSWORD}).status_code
    return client


@pytest.mark.requirement("R62")
def test_r62_a_whole_school_named_export_shows_on_each_pupils_access_page(
    app, make_school, make_user, make_pupil
):
    school, other = make_school(), make_school("riverside", "Riverside Academy")
    pupils = [make_pupil(school) for _ in range(2)]
    stranger = make_pupil(other)
    ours = _leader_client(app, school, make_user, "Lena Leader")
    theirs = _leader_client(app, other, make_user, "Rita Riverside")
    assert ours.get(f"/reports/named.xlsx?term={TERM}").status_code == 200
    assert theirs.get(f"/reports/named.xlsx?term={TERM}").status_code == 200
    later = make_pupil(school)  # added after the export, so it cannot have named them
    for pupil in pupils:
        [row] = [r for r in _access_rows(ours, pupil.id) if "Whole-school export" in r]
        assert "Lena Leader" in row and ">export<" in row
    assert not [r for r in _access_rows(ours, later.id) if "export" in r]
    [row] = [r for r in _access_rows(theirs, stranger.id) if "Whole-school export" in r]
    assert "Rita Riverside" in row  # and never Oakfield's export


@pytest.mark.requirement("R62")
def test_r62_a_trust_wide_export_shows_for_pupils_of_the_schools_it_covered(
    app, make_school, make_user, make_pupil
):
    school, sister = make_school(), make_school("riverside", "Riverside Academy")
    outside = make_school("hilltop", "Hilltop School")
    pupil, outsider = make_pupil(school), make_pupil(outside)
    with app.app_context():
        covered = [db.session.get(School, s.id) for s in (school, sister)]
        export_named_records(covered, TERM, False, by=None, out=io.BytesIO())
        db.session.commit()
    rows = _access_rows(_leader_client(app, school, make_user, "Lena Leader"), pupil.id)
    assert len([r for r in rows if "Trust-wide export" in r]) == 1
    rows = _access_rows(_leader_client(app, outside, make_user, "Hal Hilltop"), outsider.id)
    assert not [r for r in rows if "export" in r]
