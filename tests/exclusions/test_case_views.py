"""Reinstatement pages, the graduated-response pack and the letters: who may have them, what
they hold, and what a bad form does (nothing)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.exclusions import pack, reinstatement, services
from school_tracker.extensions import db
from school_tracker.models import (
    Agency,
    AgencyInvolvement,
    AuditEntry,
    CarerRelationship,
    ExclusionFollowUp,
    ExclusionKind,
    ParentConversation,
    Pupil,
    ReinstatementReview,
    ReviewDecision,
    ReviewTrigger,
    Role,
    School,
    User,
)
from tests.conftest import AuthActions
from tests.factories.interventions import make_conversation, make_intervention
from tests.factories.mentoring import log, make_pairing
from tests.factories.risk import make_flag, reason_id, seed_reference
from tests.support.published import pdf_text

TODAY = school_today()
START = TODAY - timedelta(days=45)


@pytest.fixture
def case(app, make_school, make_user, make_pupil):
    seed_reference(app)
    school = make_school()
    other = make_school(slug="hill", name="Hill School")
    with app.app_context():
        db.session.get_one(School, school.id).head_teacher = "Dr Ruth Headley"
        db.session.commit()
    world = {
        "school": school,
        "leader": make_user(Role.LEADER, school=school, full_name="Lena Leader"),
        "staff": make_user(Role.STAFF, school=school),
        "panel": make_user(Role.GOVERNOR, school=school, full_name="Pat Panel"),
        "governor": make_user(Role.GOVERNOR, school=school, full_name="Gus Governor"),
        "other_leader": make_user(Role.LEADER, school=other),
        "other_governor": make_user(Role.GOVERNOR, school=other),
        "pupil": make_pupil(school, legal_surname="Achterberg", legal_forename="Mila"),
    }
    with app.app_context():
        exclusion = services.record_exclusion(
            db.session.get_one(Pupil, world["pupil"].id),
            services.ExclusionData(
                kind=ExclusionKind.PERMANENT,
                start_date=START,
                sessions=None,
                reason_ids=[reason_id("PA")],
            ),
            by=db.session.get_one(User, world["leader"].id),
        )
        db.session.commit()
        world["exclusion_id"] = exclusion.id
    return world


def _client(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def _arrange(app, case) -> int:
    with app.app_context():
        review = reinstatement.arrange_review(
            db.session.get_one(services.Exclusion, case["exclusion_id"]),
            reinstatement.ReviewData(
                trigger=ReviewTrigger.PERMANENT,
                board_notified_on=START,
                meeting_on=START + timedelta(days=10),
                panel_ids=[case["panel"].id],
                representations="We ask for a managed move.",
            ),
            by=db.session.get_one(User, case["leader"].id),
        )
        db.session.commit()
        return review.id


def _decide(app, case, review_id: int, decided_on: date) -> None:
    with app.app_context():
        reinstatement.record_decision(
            db.session.get_one(ReinstatementReview, review_id),
            reinstatement.DecisionData(ReviewDecision.UPHOLD, "Persistent", decided_on, None),
            by=db.session.get_one(User, case["leader"].id),
            expected_version=None,
        )
        db.session.commit()


@pytest.mark.requirement("R24")
def test_only_the_panel_gets_the_pack_and_only_while_it_is_open(app, case):
    review_id = _arrange(app, case)
    url = f"/exclusions/reinstatement/{review_id}/pack.pdf"
    panel = _client(app, case["panel"])
    panels_page = panel.get("/exclusions/panels").get_data(as_text=True)
    assert f"Case {review_id}" in panels_page and "Achterberg" not in panels_page
    response = panel.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Achterberg" in pdf_text(response.get_data())
    # Nothing else named: the review page, the exclusion and the pupil stay closed to them.
    for other in (
        f"/exclusions/reinstatement/{review_id}",
        f"/exclusions/{case['exclusion_id']}",
        f"/exclusions/{case['exclusion_id']}/letter.pdf",
        f"/pupils/{case['pupil'].id}",
    ):
        assert panel.get(other).status_code == 403, other
    assert _client(app, case["governor"]).get(url).status_code == 403
    assert _client(app, case["staff"]).get(url).status_code == 403
    assert _client(app, case["other_governor"]).get(url).status_code == 404
    assert _client(app, case["other_leader"]).get(url).status_code == 404
    assert _client(app, case["leader"]).get(url).status_code == 200
    _decide(app, case, review_id, TODAY - timedelta(days=30))
    assert panel.get(url).status_code == 200
    with app.app_context():  # a day later: the 30 days are over
        db.session.get_one(ReinstatementReview, review_id).decided_on = TODAY - timedelta(days=31)
        db.session.commit()
    assert panel.get(url).status_code == 403
    with app.app_context():
        downloads = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity_type == pack.ENTITY)
        ).all()
        assert [(e.actor_id, e.pupil_id) for e in downloads] == [
            (case["panel"].id, case["pupil"].id),
            (case["leader"].id, case["pupil"].id),
            (case["panel"].id, case["pupil"].id),
        ]
    access = _client(app, case["leader"]).get(f"/pupils/{case['pupil'].id}/access")
    body = access.get_data(as_text=True)
    assert "graduated response pack" in body and "Pat Panel" in body


def test_the_pack_gathers_every_kind_in_date_order_from_this_school_only(app, case):
    school, leader, pupil = case["school"], case["leader"], case["pupil"]
    make_intervention(app, school, leader, [pupil], start_date=START - timedelta(days=60))
    pairing_id = make_pairing(app, pupil, leader, starts_on=START - timedelta(days=50))
    log(app, pairing_id, leader, START - timedelta(days=45), activities="Talked about football")
    make_flag(app, pupil, leader, raised_on=START - timedelta(days=40))
    make_conversation(app, school, leader, pupil, held_on=START - timedelta(days=30))
    with app.app_context():
        services.record_exclusion(
            db.session.get_one(Pupil, pupil.id),
            services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=START - timedelta(days=20),
                sessions=4,
                reason_ids=[reason_id("VA")],
            ),
            by=db.session.get_one(User, leader.id),
        )
        camhs = db.session.scalar(
            sa.select(Agency).where(Agency.school_id == school.id, Agency.code == "camhs")
        )
        db.session.add(
            AgencyInvolvement(
                school_id=school.id,
                pupil_id=pupil.id,
                agency_id=camhs.id,
                referred_on=START - timedelta(days=35),
                referred_by_id=leader.id,
                professional_role="Clinical psychologist",
                next_step="Assessment appointment",
            )
        )
        # From the pupil's earlier school (a move within the trust): it must not cross.
        db.session.add(
            ParentConversation(
                school_id=case["other_leader"].school_id,
                pupil_id=pupil.id,
                carer_name="Elsewhere Carer",
                carer_relationship=CarerRelationship.FATHER,
                led_by_id=case["other_leader"].id,
                held_on=START - timedelta(days=25),
            )
        )
        db.session.commit()
    make_conversation(app, school, leader, pupil, held_on=START + timedelta(days=1))  # after
    review_id = _arrange(app, case)
    with app.app_context():
        entries = pack.pack_entries(db.session.get_one(ReinstatementReview, review_id))
        kinds = [entry.kind for entry in entries]
        assert kinds == [
            "Intervention",
            "Mentoring",
            "Agency involvement",
            "Risk flag",
            "Agency involvement",
            "Parent conversation",
            "Earlier suspension",
        ]
        assert [entry.on for entry in entries] == sorted(entry.on for entry in entries)
        text = " ".join(" ".join(entry.lines) for entry in entries)
        assert "Talked about football" in text
        assert "Reading age up by six months" in text  # the intended outcome
        assert "Next step: Assessment appointment" in text  # the agency involvement record
        assert "Elsewhere Carer" not in " ".join(e.title for e in entries)
    pdf = pdf_text(_client(app, leader).get(f"/exclusions/reinstatement/{review_id}/pack.pdf").data)
    for expected in (
        "Intervention",
        "Mentoring",
        "Risk flag",
        "Agency involvement",
        "Parent conversation",
        "Earlier suspension",
        "We ask for a managed move",
    ):
        assert expected in pdf, expected
    assert "Early Help worker assigned" not in pdf  # the leaders-only agency notes stay out


def test_letters_carry_what_the_guidance_asks(app, case, make_pupil):
    leader = _client(app, case["leader"])
    permanent = pdf_text(leader.get(f"/exclusions/{case['exclusion_id']}/letter.pdf").data)
    for part in (
        "Oakfield Primary",
        "Dr Ruth Headley",
        "Mila Achterberg",
        "permanently",
        "Physical assault against an adult",
        "right to make representations",
        "chair of governors",
        "15 school days",
        "sixth school day",
        "independent review panel",
        "public place",
    ):
        assert part in permanent.replace("\n", " "), part
    with app.app_context():
        suspension = services.record_exclusion(
            db.session.get_one(Pupil, case["pupil"].id),
            services.ExclusionData(
                kind=ExclusionKind.SUSPENSION,
                start_date=START - timedelta(days=30),
                sessions=3,
                reason_ids=[reason_id("VA")],
            ),
            by=db.session.get_one(User, case["leader"].id),
        )
        db.session.commit()
        suspension_id = suspension.id
    text = pdf_text(leader.get(f"/exclusions/{suspension_id}/letter.pdf").data).replace("\n", " ")
    assert "1.5 school days (3 sessions)" in text and "Verbal abuse" in text
    assert "right to make representations" in text and "independent review" not in text
    assert "shorter than six school days" in text
    assert (
        _client(app, case["staff"]).get(f"/exclusions/{suspension_id}/letter.pdf").status_code
        == 403
    )
    assert (
        _client(app, case["other_leader"])
        .get(f"/exclusions/{suspension_id}/letter.pdf")
        .status_code
        == 404
    )


def test_a_bad_follow_up_form_says_why_and_saves_nothing(app, case):
    leader = _client(app, case["leader"])
    url = f"/exclusions/{case['exclusion_id']}/follow-up"
    page = leader.get(url)
    assert page.status_code == 200
    response = leader.post(url, data={"provider": "Oak PRU", "provision_from": ""})
    assert response.status_code == 200
    assert "Give the date the education starts." in response.get_data(as_text=True)
    response = leader.post(url, data={"provision_from": "31/02/2026"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ExclusionFollowUp.id))) == 0
    response = leader.post(
        url, data={"provider": "Oak PRU", "provision_from": (START + timedelta(7)).isoformat()}
    )
    assert response.status_code == 302
    detail = leader.get(f"/exclusions/{case['exclusion_id']}").get_data(as_text=True)
    assert "Oak PRU" in detail and "sixth school day" in detail


def test_a_leader_arranges_the_meeting_and_records_the_decision_by_form(app, case):
    leader = _client(app, case["leader"])
    detail = leader.get(f"/exclusions/{case['exclusion_id']}").get_data(as_text=True)
    assert "the governing board must consider reinstatement" in detail
    url = f"/exclusions/{case['exclusion_id']}/reinstatement/new"
    form = leader.get(url).get_data(as_text=True)
    assert "Pat Panel" in form and "Hill" not in form
    refused = leader.post(
        url, data={"trigger": "permanent", "board_notified_on": START.isoformat()}
    )
    assert "Name at least one governor on the panel." in refused.get_data(as_text=True)
    saved = leader.post(
        url,
        data={
            "trigger": "permanent",
            "board_notified_on": START.isoformat(),
            "meeting_on": (START + timedelta(days=5)).isoformat(),
            "panel": [str(case["panel"].id)],
        },
    )
    assert saved.status_code == 302
    review_url = saved.headers["Location"]
    page = leader.get(review_url).get_data(as_text=True)
    assert "Governors consider reinstatement" in page and "Pat Panel" in page
    with app.app_context():
        version = db.session.scalar(sa.select(ReinstatementReview.version_id))
    decided = leader.post(
        f"{review_url}/decision",
        data={
            "version": version,
            "decision": "uphold",
            "reasons": "The behaviour was serious.",
            "decided_on": TODAY.isoformat(),
            "notified_on": TODAY.isoformat(),
        },
    )
    assert decided.status_code == 302
    page = leader.get(review_url).get_data(as_text=True)
    assert "Do not reinstate" in page and "independent review" in page


def test_a_governor_taken_off_the_panel_loses_the_pack(app, case):
    review_id = _arrange(app, case)
    url = f"/exclusions/reinstatement/{review_id}/pack.pdf"
    assert _client(app, case["panel"]).get(url).status_code == 200
    leader = _client(app, case["leader"])
    edit = f"/exclusions/reinstatement/{review_id}/edit"
    assert "Gus Governor" in leader.get(edit).get_data(as_text=True)
    with app.app_context():
        version = db.session.get_one(ReinstatementReview, review_id).version_id
    form = {
        "version": version,
        "trigger": "permanent",
        "board_notified_on": START.isoformat(),
        "meeting_on": (START + timedelta(days=3)).isoformat(),
        "panel": [str(case["governor"].id)],
        "representations": "We ask for a managed move.",
    }
    assert leader.post(edit, data=form).status_code == 302
    assert _client(app, case["panel"]).get(url).status_code == 403
    assert _client(app, case["governor"]).get(url).status_code == 200
    stale = leader.post(edit, data=form)  # the same version again: someone saved since
    assert stale.status_code == 409
