"""The one ``safe_next``: only a path on this site, in any encoding (issue 16)."""
from __future__ import annotations

import pytest

from grantflow.core.redirects import safe_next


@pytest.mark.parametrize("target, allowed", [
    ("/applications/", True),
    ("/admin/users?page=2", True),
    ("/", True),
    ("/admin/applications?q=des%20moines&state=IA", True),
    ("/reviews/ranking?round=3&next=%2Fadmin%2F", True),
    ("https://evil.example/", False),
    ("http://evil.example/applications/", False),
    ("HTTPS://evil.example/", False),
    ("//evil.example/", False),
    ("///evil.example/", False),
    ("/\\evil.example", False),
    ("\\\\evil.example", False),
    ("/\t/evil.example", False),
    ("/\n/evil.example", False),
    ("/\r/evil.example", False),
    ("/\x00/evil.example", False),
    ("/\x7f/evil.example", False),
    ("/\u2028/evil.example", False),
    ("/\u200b/evil.example", False),
    ("/%09/evil.example/", False),
    ("/%2F/evil.example", False),
    ("/%2f%2fevil.example", False),
    ("/%5Cevil.example", False),
    ("/%252F%252Fevil.example", False),
    ("/%25252F%25252Fevil.example", False),
    ("%2F%2Fevil.example", False),
    ("javascript:alert(1)", False),
    ("/javascript:alert(1)", True),  # a path on this site, not a scheme
    ("data:text/html,<script>", False),
    ("applications/", False),
    (" /applications/", False),
    ("/" + "a" * 3000, False),
    ("", False),
    (None, False),
])
def test_next_only_allows_same_site_paths(target, allowed):
    assert safe_next(target) == (target if allowed else None)
