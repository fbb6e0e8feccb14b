"""The admin's accounts page says when e-mail is off (issue 14 item 2)."""

from school_tracker.models import Role
from tests.conftest import make_config
from tests.factories.accounts import signed_in


def test_the_accounts_page_says_email_is_off_without_a_mail_server(
    database_url, make_app, school, make_user
):
    app = make_app(make_config(database_url, MAIL_SERVER=None))
    admin = make_user(Role.ADMIN, school=school)
    page = signed_in(app, admin).get("/admin/users").get_data(as_text=True)
    assert "E-mail is off" in page


def test_the_accounts_page_says_nothing_of_it_with_a_mail_server(app, school, make_user):
    admin = make_user(Role.ADMIN, school=school)
    page = signed_in(app, admin).get("/admin/users").get_data(as_text=True)
    assert "E-mail is off" not in page and "Accounts" in page
