"""Who may use which endpoint, and the school scope every query runs in. Deny by default.

The role matrix (R18) is the `@allow(...)` on each view, not a separate policy file:
a policy kept beside the code it guards cannot drift from it. tests/test_sec_access_matrix.py
reads these declarations back through the URL map and checks every (role, endpoint, method).
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from school_tracker.extensions import login_manager
from school_tracker.models import Role

# Reachable without signing in; everything else needs a session and an explicit policy.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.two_factor",
        "auth.activate",
        "auth.password_reset",
        "auth.password_reset_with_token",
        "main.healthz",
        "static",
        "bootstrap.static",
    }
)

# The role groups, named once: views' @allow(...) and services' own checks use these names, so a
# group cannot quietly differ between the page and the rule behind it.
# Who keep records about pupils; admins manage accounts, not pupils' records (R25).
STAFF_AND_LEADERS = frozenset({Role.STAFF, Role.LEADER})
STAFF_LEADERS_AND_ADMINS = frozenset({Role.STAFF, Role.LEADER, Role.ADMIN})
LEADERS_AND_GOVERNORS = frozenset({Role.LEADER, Role.GOVERNOR})
LEADERS_AND_ADMINS = frozenset({Role.LEADER, Role.ADMIN})
EVERYONE_IN_A_SCHOOL = frozenset({Role.STAFF, Role.LEADER, Role.GOVERNOR, Role.ADMIN})
EVERYONE = frozenset(Role)


View = TypeVar("View", bound=Callable[..., Any])


def allow(*roles: Role | Iterable[Role]) -> Callable[[View], View]:
    """Declare the roles that may call a view; a view without this is refused to everyone."""
    allowed: set[Role] = set()
    for item in roles:
        allowed.update([item] if isinstance(item, Role) else item)

    def decorate(view: View) -> View:
        # An attribute of the function, so functools.wraps carries it through later decorators.
        view.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def allowed_roles_for(endpoint: str) -> frozenset[Role] | None:
    """The declared roles of an endpoint, or None when it has no policy."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def can(endpoint: str) -> bool:
    """Whether the signed-in user may use an endpoint (for navigation; the server still checks)."""
    if not current_user.is_authenticated:
        return False
    try:
        roles = allowed_roles_for(endpoint)
    except Exception:  # noqa: BLE001 - fail closed, as the server-side check does
        return False
    return roles is not None and current_user.role in roles


def _enforce_policy() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        refusal: ResponseReturnValue = login_manager.unauthorized()  # the sign-in redirect
        return refusal
    try:
        roles = allowed_roles_for(endpoint)
        permitted = roles is not None and current_user.role in roles
    except Exception:  # noqa: BLE001 - a failing policy check must deny, never allow
        current_app.logger.exception("policy check failed for %s", endpoint)
        permitted = False
    if not permitted:
        # logging_setup._log_refusal writes the one structured line for the 403 (R59).
        abort(403)
    return None


def current_school_id() -> int:
    """The signed-in user's school, from the server; never from the request."""
    school_id: int | None = getattr(current_user, "school_id", None)
    if school_id is None:
        abort(403)
    return school_id


def register_policy(app: Flask) -> None:
    """Run the policy before every request."""
    app.before_request(_enforce_policy)
