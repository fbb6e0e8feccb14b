"""Who may reach what: deny by default, the role × page matrix, and school scoping."""

import re

import pytest

from school_tracker.models import Role
from school_tracker.permissions import PUBLIC_ENDPOINTS, allowed_roles_for

# Every page a person can open by GET, with the roles that may open it.
PAGES = {
    "/": set(Role),
    "/pupils/": {Role.STAFF, Role.LEADER, Role.ADMIN},
    "/admin/users": {Role.ADMIN},
    "/admin/users/new": {Role.ADMIN},
    "/audit/": {Role.ADMIN, Role.LEADER},
}


@pytest.mark.requirement("R17")
def test_every_endpoint_has_a_policy_or_is_public(app):
    with app.test_request_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if rule.endpoint not in PUBLIC_ENDPOINTS and allowed_roles_for(rule.endpoint) is None
        ]
    assert missing == []


@pytest.mark.requirement("R17")
def test_anonymous_requests_go_to_login(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


@pytest.mark.requirement("R18")
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", list(PAGES))
def test_role_page_matrix(login_as, client, make_school, role, path):
    login_as(role, school=make_school())
    response = client.get(path)
    expected = 200 if role in PAGES[path] else 403
    assert response.status_code == expected, (role, path)


@pytest.mark.requirement("R18")
@pytest.mark.parametrize("role", list(Role))
def test_navigation_shows_only_what_the_role_may_use(login_as, client, make_school, role):
    login_as(role, school=make_school())
    body = client.get("/").get_data(as_text=True)
    for path, roles in PAGES.items():
        if path == "/" or path.endswith("/new"):
            continue
        assert (f'href="{path}"' in body) == (role in roles), (role, path)


@pytest.mark.requirement("R24")
@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.TRUST_LEADER])
def test_governors_and_trust_leaders_get_no_pupil_page(
    login_as, client, make_school, make_pupil, role
):
    school = make_school()
    pupil = make_pupil(school)
    login_as(role, school=school)
    assert client.get(f"/pupils/{pupil.id}").status_code == 403
    assert client.get("/pupils/").status_code == 403


@pytest.mark.requirement("R19")
def test_another_schools_pupil_is_not_found(login_as, client, make_school, make_pupil):
    mine, theirs = make_school("mine"), make_school("theirs")
    own = make_pupil(mine)
    other = make_pupil(theirs, legal_surname="Colliding")
    login_as(Role.LEADER, school=mine)
    assert client.get(f"/pupils/{own.id}").status_code == 200
    assert client.get(f"/pupils/{other.id}").status_code == 404
    assert client.get("/pupils/999999").status_code == 404


@pytest.mark.requirement("R19")
def test_another_schools_users_cannot_be_managed(login_as, client, make_school, make_user):
    mine, theirs = make_school("mine"), make_school("theirs")
    victim = make_user(Role.STAFF, school=theirs)
    login_as(Role.ADMIN, school=mine)
    for action in ("deactivate", "end-sessions", "activation-code"):
        assert client.post(f"/admin/users/{victim.id}/{action}").status_code == 404
    assert client.post(f"/admin/users/{victim.id}/role", data={"role": "admin"}).status_code == 404
    body = client.get("/admin/users").get_data(as_text=True)
    assert victim.email not in body


@pytest.mark.requirement("R17")
def test_failing_policy_check_denies(app, login_as, client, monkeypatch):
    login_as(Role.LEADER)
    import school_tracker.permissions as permissions

    def broken(endpoint):
        raise RuntimeError("policy store unavailable")

    monkeypatch.setattr(permissions, "allowed_roles_for", broken)
    assert client.get("/pupils/").status_code == 403
