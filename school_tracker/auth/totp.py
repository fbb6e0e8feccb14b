"""Time-based one-time passwords (RFC 6238) with pyotp: encrypted seeds, single-use codes."""

import base64
import hashlib
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from school_tracker.models import User

ISSUER = "Kindness & Mutuality Tracker"
STEP_SECONDS = 30


def _fernet(secret_key: str) -> Fernet:
    # A separate key for seeds, derived from SECRET_KEY, so the session-signing key is never
    # used directly as an encryption key.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"school_tracker-totp", info=b"totp-seed"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_secret() -> str:
    """A fresh 160-bit base32 seed from the OS CSPRNG."""
    return pyotp.random_base32(length=32)


def encrypt_secret(secret: str) -> str:
    """The seed encrypted for storage."""
    return _fernet(current_app.config["SECRET_KEY"]).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The stored seed, trying the current key, then any SECRET_KEY_FALLBACKS."""
    keys = [
        current_app.config["SECRET_KEY"],
        *(current_app.config.get("SECRET_KEY_FALLBACKS") or []),
    ]
    for key in keys:
        try:
            return _fernet(key).decrypt(token.encode()).decode()
        except InvalidToken:
            continue
    raise InvalidToken("no configured key decrypts this seed")


def matching_step(secret: str, code: str, *, after_step: int | None) -> int | None:
    """The time step whose code matches (±1 step of drift), if later than `after_step`."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now_step = int(time.time()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if after_step is not None and step <= after_step:
            continue  # a code is good once: replaying it, or an older one, fails
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify_user_code(user: User, code: str) -> bool:
    """Check a user's code and burn its time step."""
    if user.totp_secret_encrypted is None:
        return False
    step = matching_step(
        decrypt_secret(user.totp_secret_encrypted), code, after_step=user.totp_last_step
    )
    if step is None:
        return False
    user.totp_last_step = step
    return True


def provisioning_qr(secret: str, email: str) -> str:
    """A data: URI of the enrolment QR code (SVG), for an authenticator app to scan."""
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def fingerprint(secret: str) -> str:
    """A short id for a pending seed, so a stale enrolment form can't confirm another seed."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]
