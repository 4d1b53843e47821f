"""Argon2id password hashing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.settings import get_settings

# Argon2's defaults everywhere but in the test suite, where hundreds of logins would otherwise
# spend minutes in deliberate slowness that the tests do not need.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if get_settings().environment == "test"
    else PasswordHasher()
)

# Verified against when the username is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for a real hash that matches: an empty hash (an invited user with no password yet) never does."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
