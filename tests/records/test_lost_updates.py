"""A save based on a read from before another person's commit is refused with 409 (R81)."""

import pytest

from school_tracker.extensions import db
from school_tracker.forms import EmptyForm
from school_tracker.interventions import services as intervention_services
from school_tracker.models import Intervention, Role, User
from school_tracker.records.versions import StaleRecordError
from school_tracker.records.web import save_or_refuse
from tests.factories.interventions import make_intervention, plan, type_id

# --- R81: no lost updates ---------------------------------------------------------------------


@pytest.mark.requirement("R81")
def test_r81_a_save_based_on_a_read_before_anothers_commit_is_409(
    app, make_school, make_user, make_pupil
):
    """B read version N before A's commit, so B's own version check passes; the version
    column still refuses B's UPDATE (the Read Committed lost update) and A's values stay."""
    school = make_school()
    staff = make_user(Role.STAFF, school=school)
    ident = make_intervention(app, school, staff, [make_pupil(school)])
    kind = type_id(app, school)
    with app.app_context():  # B's request
        stale = db.session.get(Intervention, ident)
        loaded_at = stale.version_id
        db.session.expunge(stale)
        db.session.rollback()  # B's read is over (SQLite would otherwise hold the write lock)
        with app.app_context():  # A's request saves first
            record = db.session.get(Intervention, ident)
            intervention_services.update_intervention(
                record,
                plan(kind, staff.id, cost_pence=11_100),
                by=db.session.get(User, staff.id),
                expected_version=loaded_at,
            )
            db.session.commit()
        db.session.add(stale)
        with app.test_request_context(method="POST"):
            form = EmptyForm(meta={"csrf": False})

            def b_saves():
                intervention_services.update_intervention(
                    stale,
                    plan(kind, staff.id, cost_pence=22_200),
                    by=db.session.get(User, staff.id),
                    expected_version=loaded_at,
                )

            with pytest.raises(StaleRecordError) as refused:
                save_or_refuse(form, b_saves, f"/interventions/{ident}")
    assert refused.value.code == 409
    with app.app_context():
        saved = db.session.get(Intervention, ident)
        assert (saved.cost_pence, saved.version_id) == (11_100, loaded_at + 1)
