"""Password hashing (argon2id) and the password policy (length, strength, context words)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

# Compared against when the e-mail is unknown, so both paths cost one argon2 verification.
_DUMMY_PASSWORD = "not-a-real-password-used-to-equalise-timing"  # noqa: S105
_PRODUCT_WORDS = ["school_tracker", "tracker", "kindness", "mutuality"]


class PasswordPolicyError(ValueError):
    """A password the policy refuses, with a message fit to show the person choosing it."""


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    defaults = PasswordHasher()
    return PasswordHasher(
        time_cost=cfg.get("ARGON2_TIME_COST", defaults.time_cost),
        memory_cost=cfg.get("ARGON2_MEMORY_COST", defaults.memory_cost),
        parallelism=cfg.get("ARGON2_PARALLELISM", defaults.parallelism),
    )


def hash_password(password: str) -> str:
    """An argon2id hash with the configured parameters."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, still spend the same time and say no."""
    hasher = _hasher()
    if len(password) > current_app.config["PASSWORD_MAX_LENGTH"]:
        return False  # refuse before hashing: a megabyte "password" is a denial of service
    if stored_hash is None:
        hasher.verify(hasher.hash(_DUMMY_PASSWORD), _DUMMY_PASSWORD)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the configured parameters changed since this hash was made."""
    return _hasher().check_needs_rehash(stored_hash)


def check_password_policy(password: str, *, context_words: list[str]) -> None:
    """Raise PasswordPolicyError unless the password is long, not common and not guessable.

    zxcvbn (Dropbox's estimator) carries lists of common passwords, names and keyboard runs,
    and takes the school, trust and person as extra words to count against the password.
    """
    cfg = current_app.config
    minimum, maximum = cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        raise PasswordPolicyError(f"Use at least {minimum} characters.")
    if len(password) > maximum:
        raise PasswordPolicyError(f"Use at most {maximum} characters.")
    words = [w for w in context_words if w] + _PRODUCT_WORDS
    for word in words:
        if len(word) >= 4 and word.lower() in password.lower():
            raise PasswordPolicyError(
                "Don't build the password from your name, e-mail, school or this product."
            )
    result = zxcvbn(password, user_inputs=words)
    if result["score"] < cfg["PASSWORD_MIN_STRENGTH"]:
        hint = result["feedback"].get("warning") or "It would be easy to guess."
        raise PasswordPolicyError(f"{hint} Try three or four unrelated words.")


# Stored for accounts that have not set a password yet: no argon2 hash can ever equal it.
UNUSABLE_PASSWORD_HASH = "!unset"  # noqa: S105 - a marker, not a password
