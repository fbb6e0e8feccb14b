"""The audit log needs a fresh sign-in (R15)."""

import pytest

from school_tracker.models import Role
from tests.conftest import PASSWORD
from tests.factories.accounts import age_sign_in, sent_to_confirm


@pytest.mark.requirement("R15")
@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER])
def test_r15_the_audit_log_needs_a_fresh_sign_in(client, login_as, role):
    login_as(role)
    assert client.get("/audit/").status_code == 200
    age_sign_in(client)
    assert sent_to_confirm(client.get("/audit/"))
    client.post("/account/confirm", data={"current": PASSWORD})
    assert client.get("/audit/").status_code == 200
