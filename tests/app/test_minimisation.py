"""Minimisation in titles, URLs, browser storage and notifications (R72)."""

import re

import pytest
import sqlalchemy as sa

from school_tracker import ROOT
from school_tracker.extensions import db
from school_tracker.models import ParentConversation
from tests.factories.accounts import signed_in

# R72: minimisation in titles, URLs, browser storage and notifications --------------------------


@pytest.mark.requirement("R72")
def test_r72_no_pupil_data_in_titles_or_links(app, export_world):
    mentee = export_world.mentee
    with app.app_context():
        conversation = db.session.scalar(sa.select(ParentConversation.id))
        pairing = export_world.ids["staff_pairing"]
    leader = signed_in(app, export_world.leader)
    pages = [
        f"/pupils/{mentee.id}",
        f"/pupils/{mentee.id}/access",
        f"/risk/{export_world.ids['flag']}",
        f"/families/{conversation}",
        f"/mentoring/{pairing}",
        f"/interventions/{export_world.ids['group']}",
        f"/reports/pupils/{mentee.id}/transfer",
        "/pupils/",
    ]
    markers = (mentee.legal_surname, mentee.legal_forename, mentee.upn, "2018-03-01", "01/03/2018")
    for path in pages:
        response = leader.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert mentee.legal_surname in page or path.endswith(("/access", "/transfer"))
        [title] = re.findall(r"<title>(.*?)</title>", page, re.S)
        links = re.findall(r'(?:href|action|src)="([^"]*)"', page)
        for marker in markers:
            assert marker not in title, (path, title)
            assert not [link for link in links if marker in link], (path, marker)


@pytest.mark.requirement("R72")
def test_r72_no_browser_storage_and_mail_only_from_the_mail_package():
    """Only school_tracker/mail/ sends e-mail: the content-free messages tests/mail/ scans."""
    sources = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/**/*.js")]
    for path in sources:
        text = path.read_text()
        assert "localStorage" not in text and "sessionStorage" not in text, path
    mailer = ROOT / "school_tracker" / "mail"
    for path in ROOT.glob("school_tracker/**/*.py"):
        if mailer in path.parents:
            continue
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(smtplib|flask_mail|email\.mime)", text, re.M), (
            path
        )
