"""Password hashing with argon2-cffi (a well-kept library; no hand-rolled crypto)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A password made up for someone (invitation, admin reset) works this long, once, then must change.
ONE_TIME_VALIDITY = timedelta(hours=72)

# One lane (parallelism=1) instead of argon2-cffi's default four: on this app's 2-core servers four
# lanes took the second core from the event loop for no gain (a verification took 151 ms with one
# lane, 166 ms with four); memory (64 MiB) and passes (3) stay at the library's defaults. Hashes
# made with other parameters still verify, and are replaced at the next sign-in.
_hasher = PasswordHasher(parallelism=1)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2's work grows with the input: no megabyte passwords
# The password of every account `nlc seed-demo` creates; never accepted as a chosen password.
DEMO_PASSWORD = "demo-password"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Made with other parameters than today's: hash the password again once it is known right."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A real argon2 hash of a random secret, made once per process: verifying a password for an
    unknown email against it costs as much as for a known one, and never succeeds."""
    return hash_password(secrets.token_urlsafe(32))


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password must have at most {MAX_PASSWORD_LENGTH} characters"
    if password == DEMO_PASSWORD:
        return "the demo password cannot be used"
    if email and password.strip().lower() == normalize_email(email):
        return "the password cannot be the email address"
    return None


def normalize_email(email: str) -> str:
    return email.strip().lower()
