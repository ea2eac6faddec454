"""What a person's name may hold when someone else types it (an invitation):
the name is emailed to its owner, so it must not be able to carry a phishing
line such as "Your account is locked, call 555-0100 or visit evil.example".

Letters of any script with their accents, spaces, apostrophes, hyphens and
periods ("María José O'Neil-Ng Jr."), at most MAX_LENGTH characters."""
from __future__ import annotations

import unicodedata

MAX_LENGTH = 100
PUNCTUATION = frozenset(" '’‘-‐.")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a person's name, or None."""
    name = (name or "").strip()
    if not name:
        return "Enter the person's name."
    if len(name) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if "  " in name or not any(ch.isalpha() for ch in name):
        return "Enter a name made of letters."
    for ch in name:
        if ch in PUNCTUATION or ch.isalpha() or unicodedata.category(ch).startswith("M"):
            continue
        return ("A name may hold letters, spaces, apostrophes, hyphens and periods only "
                f"(not “{ch if ch.isprintable() else 'a control character'}”).")
    return None
