"""The demo school has a teacher for every registration group, and the demo sign-ins a class."""

from datetime import date

import sqlalchemy as sa

from school_tracker.demo.school import DEMO_PASSWORD, seed_demo
from school_tracker.extensions import db
from school_tracker.models import Pupil, RegistrationGroupStaff, User

TODAY = date(2026, 11, 22)


def test_every_demo_group_has_a_teacher_and_the_staff_sign_in_has_3a(app):
    with app.app_context():
        seed_demo(today=TODAY)
        db.session.commit()
        groups = set(
            db.session.scalars(
                sa.select(Pupil.registration_group).where(Pupil.leaving_date.is_(None))
            )
        )
        assigned = db.session.execute(
            sa.select(RegistrationGroupStaff.registration_group, User.email).join(
                User, User.id == RegistrationGroupStaff.user_id
            )
        ).all()
        assert {group for group, _ in assigned} == groups and len(groups) == 14
        assert ("3A", "staff@demo.school") in assigned
        assert ("6A", "leader@demo.school") in assigned
    client = app.test_client()
    client.post("/login", data={"email": "staff@demo.school", "password": DEMO_PASSWORD})
    body = client.get("/pupils/my-class").get_data(as_text=True)
    assert "<h2" in body and ">3A <" in body and 'id="no-class"' not in body
