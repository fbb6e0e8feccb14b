"""The demo school comes with alerts, each to someone who may see what it points at."""

import sqlalchemy as sa

from school_tracker.alerts.targets import may_see_record
from school_tracker.demo.school import seed_demo
from school_tracker.extensions import db
from school_tracker.models import Alert, User


def test_the_demo_staff_member_has_alerts_and_every_alert_opens_for_its_recipient(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        alerts = list(db.session.scalars(sa.select(Alert)))
        staff = db.session.scalar(sa.select(User).where(User.email == "staff@demo.school"))
        assert any(alert.recipient_id == staff.id for alert in alerts)
        for alert in alerts:
            assert alert.record_type is not None
            assert may_see_record(alert.recipient, alert.record_type, alert.record_id), alert.id
