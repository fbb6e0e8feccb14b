"""Double-submit protection for every signed-in form POST (R85).

Each rendered form carries a CSRF token, and forms built on `forms.OnceForm` also a nonce
made fresh at each render; a double-click or a browser resend repeats both exactly. The first
POST claims (user, endpoint, hash of path + token + nonce) inside the request's own transaction:
if the view saves, the claim commits with the record; if the view refuses or fails, it rolls
back with everything else, so the corrected form can be sent again. A second POST with the
same values finds the claim (or, racing, waits on the unique index and then fails) and is sent
back without saving anything.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from school_tracker.extensions import db
from school_tracker.forms import NONCE_FIELD
from school_tracker.models.submission import FormSubmission
from school_tracker.orm import utcnow

# Sign-in steps, searches and previews are safe to repeat; imports have their own once-only
# confirm; everything else that a signed-in person POSTs is claimed.
EXEMPT_PREFIXES = ("auth.", "account.", "static")
EXEMPT_ENDPOINTS = frozenset({"pupils.index", "imports.index", "imports.confirm"})


def _form_token() -> str | None:
    """The CSRF token as CSRFProtect finds it, including a prefixed form's own field.

    Pages with several forms (a risk flag's level, status and action forms) prefix each, so
    the token arrives as "action-csrf_token"; reading only "csrf_token" left those unclaimed.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    for key, value in request.form.items():
        if value and (key == field or key.endswith(f"-{field}")):
            return value
    return request.headers.get("X-CSRFToken")


def _submission_key() -> str | None:
    token = _form_token()
    if not token:
        return None
    # The token alone repeats for a second (and across every form on a page): the path tells
    # apart buttons for different records, the nonce two forms loaded in the same second.
    return "\n".join((request.path, token, request.form.get(NONCE_FIELD, "")))


def _exempt(endpoint: str | None) -> bool:
    return endpoint is None or endpoint in EXEMPT_ENDPOINTS or endpoint.startswith(EXEMPT_PREFIXES)


def _claim_submission() -> Response | None:
    if request.method != "POST" or _exempt(request.endpoint):
        return None
    if not current_user.is_authenticated or not (key := _submission_key()):
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()
    horizon = utcnow() - timedelta(seconds=current_app.config["WTF_CSRF_TIME_LIMIT"] or 3600)
    try:
        with db.session.begin_nested():
            # A token can't be replayed past its own lifetime, so older claims can go.
            db.session.execute(
                sa.delete(FormSubmission).where(
                    FormSubmission.user_id == current_user.id, FormSubmission.created_at < horizon
                )
            )
            db.session.add(
                FormSubmission(
                    user_id=current_user.id, endpoint=request.endpoint, token_hash=digest
                )
            )
    except IntegrityError:
        current_app.logger.info("repeated submission of %s refused", request.endpoint)
        flash("That was already saved; it has not been saved a second time.", "info")
        return redirect(request.referrer if _same_site(request.referrer) else url_for("main.home"))
    return None


def _same_site(url: str | None) -> bool:
    return url is not None and url.startswith(request.host_url)


def register_submissions(app: Flask) -> None:
    """Claim each form submission before the view runs (after the access policy)."""
    app.before_request(_claim_submission)
