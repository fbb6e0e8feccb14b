"""Password hashing (argon2id) and the password policy (length, strength, context words)."""

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

from school_tracker.web.logging_setup import log_security_event

# Compared against when the e-mail is unknown, so both paths cost one argon2 verification.
_DUMMY_PASSWORD = "not-a-real-password-used-to-equalise-timing"  # noqa: S105
_PRODUCT_WORDS = ["school_tracker", "tracker", "kindness", "mutuality"]
# Words in many school and trust names. The distinctive words of a name are refused in a
# password ("Greenhill2026!" at Greenhill Academy); refusing these as well would turn away good
# passphrases ("school bus lantern") without making anyone's password harder to guess.
_GENERIC_NAME_WORDS = frozenset(
    {
        "academy",
        "catholic",
        "church",
        "college",
        "community",
        "england",
        "federation",
        "foundation",
        "grammar",
        "high",
        "infant",
        "infants",
        "junior",
        "juniors",
        "learning",
        "multi",
        "nursery",
        "partnership",
        "primary",
        "saint",
        "school",
        "schools",
        "secondary",
        "trust",
    }
)


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


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash of a throwaway password, made once per parameter set."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(_DUMMY_PASSWORD)


def _matches(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no usable stored hash, still spend the same time and say no."""
    hasher = _hasher()
    if len(password) > current_app.config["PASSWORD_MAX_LENGTH"]:
        return False  # refuse before hashing: a megabyte "password" is a denial of service
    if stored_hash is None or not stored_hash.startswith("$argon2"):
        # An unknown e-mail, or an account not activated yet (UNUSABLE_PASSWORD_HASH). One
        # verification against a cached dummy hash costs what a wrong password costs, so the
        # time taken does not tell which accounts exist (hashing afresh would cost double).
        dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        _matches(hasher, dummy, password)
        return False
    return _matches(hasher, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the configured parameters changed since this hash was made."""
    return _hasher().check_needs_rehash(stored_hash)


def check_password_policy(
    password: str,
    *,
    context_words: list[str],
    user_id: int | None = None,
    school_id: int | None = None,
) -> None:
    """Raise PasswordPolicyError unless the password is long, not common and not guessable.

    zxcvbn (Dropbox's estimator) carries lists of common passwords, names and keyboard runs,
    and takes the school, trust and person as extra words to count against the password.
    A refusal is a security event (R59: validation failure on a security-relevant field),
    logged with the account's ids, if known, and which rule refused it, never the password
    or zxcvbn's hint (which can quote part of it).
    """
    refusal = _policy_refusal(password, context_words)
    if refusal is not None:
        rule, message = refusal
        log_security_event(
            "password_refused",
            "failure",
            f"user {user_id if user_id is not None else '-'} rule={rule}",
            user_id=user_id,
            school_id=school_id,
        )
        raise PasswordPolicyError(message)


def _policy_refusal(password: str, context_words: list[str]) -> tuple[str, str] | None:
    """(rule, message to show) for a password the policy refuses, or None."""
    cfg = current_app.config
    minimum, maximum = cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        return "too_short", f"Use at least {minimum} characters."
    if len(password) > maximum:
        return "too_long", f"Use at most {maximum} characters."
    words = _context_terms([*context_words, *_PRODUCT_WORDS])
    for word in words:
        if len(word) >= 4 and word in password.lower():
            return (
                "context_word",
                "Don't build the password from your name, e-mail, school or this product.",
            )
    # zxcvbn refuses inputs over its own default of 72 characters; ours may be longer.
    result = zxcvbn(password, user_inputs=words, max_length=maximum)
    if result["score"] < cfg["PASSWORD_MIN_STRENGTH"]:
        hint = result["feedback"].get("warning") or "It would be easy to guess."
        return "too_weak", f"{hint} Try three or four unrelated words."
    return None


def _context_terms(values: list[str]) -> list[str]:
    """Each value in lower case, with its distinctive words ("Greenhill Academy": "greenhill")."""
    terms = set()
    for value in filter(None, values):
        lowered = value.lower()
        terms.add(lowered)
        terms.update(w for w in re.split(r"[\W_]+", lowered) if w not in _GENERIC_NAME_WORDS)
    return sorted(term for term in terms if term)


# Stored for accounts that have not set a password yet: no argon2 hash can ever equal it.
UNUSABLE_PASSWORD_HASH = "!unset"  # noqa: S105 - a marker, not a password
