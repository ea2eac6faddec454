"""The one check behind every ``next=`` and Back link: only a path on this site.

Browsers are generous readers of a Location header: they drop tabs and newlines
anywhere (``/\\t/evil.example`` becomes ``//evil.example``), treat a backslash as
a slash, and read ``//host`` as another site. A target is accepted only if it,
and every percent-decoded form of it, is a plain absolute path: so an encoded
trick that some later hop decodes is refused too."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

#: nested encodings deeper than this are refused rather than unwrapped
MAX_DECODINGS = 3
MAX_LENGTH = 2000


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    # control and format characters (tab, newline, NUL, DEL, U+2028, zero-width...)
    # and any whitespace but the plain space
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or (ch.isspace() and ch != " ")
           for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (the caller's default)."""
    if not target or len(target) > MAX_LENGTH:
        return None
    candidate = target
    for _ in range(MAX_DECODINGS + 1):
        if not _is_local_path(candidate):
            return None
        decoded = unquote(candidate)
        if decoded == candidate:
            return target
        candidate = decoded
    return None
