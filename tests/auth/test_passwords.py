"""The password policy (ASVS 6.2): length, common passwords and context words."""

import pytest

from school_tracker.auth.passwords import PasswordPolicyError, check_password_policy

CONTEXT = ["Oakfield Primary", "oakfield", "Jo Smith", "jo.smith@oakfield.example"]


@pytest.mark.requirement("R2", "R3")
@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwertyuiop12",
        "Oakfield2026!",
        "Smith1234567",
        "kindness-tracker",
        "aaaaaaaaaaaa",
        "x" * 11,
        "y" * 129,
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password):
    with app.app_context(), pytest.raises(PasswordPolicyError) as error:
        check_password_policy(password, context_words=CONTEXT)
    assert str(error.value)


@pytest.mark.requirement("R2")
@pytest.mark.parametrize(
    "password",
    [
        "violet harbour engine 42",
        "🌻 sunflower maths ladder 🌻",
        "marble-otter-lantern-9",
        "x7#Lq!v9Zr2@pW4" + "m" * 49,
    ],
)
def test_strong_passwords_pass_including_spaces_and_emoji(app, password):
    with app.app_context():
        check_password_policy(password, context_words=CONTEXT)
