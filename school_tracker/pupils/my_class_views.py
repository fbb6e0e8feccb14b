"""`/pupils/my-class`: a tutor's or class teacher's own pupils at a glance (issue 13 item 6)."""

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.permissions import STAFF_AND_LEADERS, allow
from school_tracker.pupils.my_class import my_class
from school_tracker.pupils.views import bp


@bp.route("/my-class")
@allow(STAFF_AND_LEADERS)
def my_class_page() -> ResponseReturnValue:
    """The pupils of the registration groups the signed-in person is assigned to."""
    found = my_class(current_user)
    # Rendered before the commit, which would expire the loaded rows and reload each pupil.
    page = render_template("pupils/my_class.html", found=found)
    if found.pupils:
        # Special-category details of many pupils at once: who looked is audited, by count.
        record_audit(current_user, "view", "my_class", changes={"pupils": len(found.pupils)})
        db.session.commit()
    return page
