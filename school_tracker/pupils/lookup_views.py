"""`GET /pupils/lookup?q=…`: the JSON every type-ahead pupil picker asks (issue 13 item 5).

Answers `[{"id": 12, "label": "Sam Jones (7B)"}, …]`, at most 20, from the signed-in user's
school only. `include_left=1` adds pupils who have left; `groups=1` puts whole registration
groups first, as `{"group": "7B", "label": "Whole group 7B (28 pupils)", "ids": […],
"pupils": [{"id": …, "label": …}, …]}`. Fewer than two characters find nothing.
"""

from typing import Any

from flask import abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.extensions import limiter
from school_tracker.permissions import STAFF_LEADERS_AND_ADMINS, allow, current_school_id
from school_tracker.pupils.lookup import GroupMatch, PupilMatch, picker_matches
from school_tracker.pupils.views import bp

FLAGS = {None: False, "0": False, "1": True}


def _single_arg(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400)
    return values[0] if values else None


def _flag(name: str) -> bool:
    value = _single_arg(name)
    if value not in FLAGS:
        abort(400)
    return FLAGS[value]


def _as_json(match: PupilMatch | GroupMatch) -> dict[str, Any]:
    if isinstance(match, GroupMatch):
        pupils = [{"id": pupil.id, "label": pupil.label} for pupil in match.pupils]
        ids = [pupil.id for pupil in match.pupils]
        return {"group": match.group, "label": match.label, "ids": ids, "pupils": pupils}
    return {"id": match.id, "label": match.label}


def _lookup_limit() -> str:
    limit: str = current_app.config["LOOKUP_LIMIT"]
    return limit


def _user_key() -> str:
    return f"lookup:{current_user.id}"


@bp.route("/lookup")
@allow(STAFF_LEADERS_AND_ADMINS)
# A request per keystroke, so far above the search limit; it still stops a script walking the
# roll two letters at a time (R77).
@limiter.limit(_lookup_limit, key_func=_user_key)
def lookup() -> ResponseReturnValue:
    """The pupils (and, if asked, whole groups) a picker offers for what was typed."""
    text = _single_arg("q") or ""
    include_left, with_groups = _flag("include_left"), _flag("groups")
    matches = picker_matches(
        current_school_id(), text, include_left=include_left, with_groups=with_groups
    )
    response = jsonify([_as_json(match) for match in matches])
    response.headers["Cache-Control"] = "no-store"  # pupils' names
    return response
