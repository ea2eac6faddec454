"""Bad input gets a clear 400 or a form error, never a 500, and a refused
request stores nothing.

Every route that accepts POST is taken from ``app.url_map`` (a new route is
covered without touching this file) and posted generated bad values as the
person the authorisation table lets use it: NUL and control characters,
overlong text, numbers beyond range or precision, invalid dates, files where
text is expected, text where files are expected, and duplicated fields. The
field names are read from the route's own page when it has one."""
from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from grantflow.extensions import db
from tests.authz import tables
from tests.authz.scenario import Scenario
from tests.authz.test_routes import _rules_by_endpoint, _sign_in, _url

TABLE = tables.load()
#: who posts: the most privileged role the table lets through, else a visitor
PERSONAS = ("admin", "applicant", "reviewer", "other_applicant", "anonymous")
GENERIC_FIELDS = ("comment", "reason", "name", "email", "amount", "page", "id", "action", "next", "confirm")
#: a few per route in the suite; set GRANTFLOW_FUZZ_EXAMPLES=200 to search harder
EXAMPLES = int(os.environ.get("GRANTFLOW_FUZZ_EXAMPLES", 8))

BAD_NUMBERS = ("12345678901234567890", "1e30", "1e309", "-1e309", "NaN", "Infinity", "-0", "0x10",
               "99999999999999999999", "-99999999999999999999", "1.0000000000000000000001", "١٢٣")
BAD_DATES = ("2026-02-30", "0000-00-00", "99999-01-01", "2026-13-01", "1-1-1", "2026-02-29T25:61")
CONTROL = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127]))

texts = st.one_of(
    st.sampled_from(BAD_NUMBERS), st.sampled_from(BAD_DATES),
    st.text(alphabet=st.sampled_from(CONTROL + "ab\u200b\u202e\ufeff"), min_size=1, max_size=20),
    st.builds(lambda n, c: c * n, st.sampled_from([5_000, 100_001]), st.sampled_from(["x", "é", "\x00"])),
    st.just(""), st.just(" "),
)
files = st.builds(lambda body, name: (io.BytesIO(body), name),
                  st.sampled_from([b"", b"%PDF-1.7 not really", b"\x00" * 64, b"MZ\x90\x00"]),
                  st.sampled_from(["a.pdf", "../../etc/passwd", "x" * 300 + ".pdf", "nul\x00.pdf"]))
values = st.one_of(texts, texts, files, st.lists(texts, min_size=2, max_size=3))


def _persona(entry) -> str | None:
    statuses = entry.post if entry.post else entry.expected
    for role in PERSONAS:
        allowed = statuses[role]
        allowed = set(allowed) if isinstance(allowed, (tuple, set, list, frozenset)) else {allowed}
        if allowed & {200, 302} and (role != "anonymous" or 200 in allowed):
            return role
    return None


def _post_routes(app):
    found = []
    for endpoint, rule in sorted(_rules_by_endpoint(app).items()):
        entry = TABLE.entries.get(endpoint)
        if "POST" in rule.methods and entry is not None and _persona(entry) is not None:
            found.append(endpoint)
    return found


class _FormFields(HTMLParser):
    """The fields (with the values the page fills in) of the page's forms that post to ``path``."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.inside, self.fields, self.select, self.textarea = path, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.path).path
            self.inside = (a.get("method") or "get").lower() == "post" and action == self.path
        elif not self.inside or not a.get("name") or a["name"] == "csrf_token":
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a or a["name"] not in self.fields:
                self.fields[a["name"]] = a.get("value") or ("y" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and (self.select not in self.fields or "selected" in a):
            self.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag in ("select", "textarea"):
            self.select = self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def _valid_form(client, url: str, rule, entry, scenario) -> dict:
    """What the page itself would post (or the table's POST body): bad values go into it."""
    base = dict(scenario.resolve(entry.data) if callable(entry.data) else (entry.data or {}))
    if "GET" in rule.methods:
        page = client.get(url)
        if page.status_code == 200:
            parser = _FormFields(urlsplit(url).path)
            parser.feed(page.get_data(as_text=True))
            base = {**parser.fields, **base}
    return base


def _row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def pytest_generate_tests(metafunc):
    if "endpoint" in metafunc.fixturenames:
        from grantflow import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        metafunc.parametrize("endpoint", _post_routes(app))


def test_bad_values_never_give_a_server_error(app, client, endpoint):
    rule = _rules_by_endpoint(app)[endpoint]
    entry = TABLE.entries[endpoint]
    role = _persona(entry)
    scenario = Scenario(TABLE.builders)
    for name in entry.needs:
        getattr(scenario, name)
    url = _url(app, rule, entry, scenario)
    db.session.commit()
    _sign_in(client, scenario.user_for(role))
    base = _valid_form(client, url, rule, entry, scenario)
    names = sorted(set(base) | set(GENERIC_FIELDS))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=3))
    def post_bad_values(bad):
        form = {**base, **bad}
        before = _row_counts()
        response = client.post(url, data=form, content_type="multipart/form-data")
        assert response.status_code < 500, f"POST {url} as {role} with {form!r}: {response.status_code}"
        if response.status_code >= 400:
            assert _row_counts() == before, f"POST {url} as {role} was refused but stored rows"

    post_bad_values()


HUGE = "99999999999999999999"
#: fit the URL's digits but not PostgreSQL's integer, the type of every id column
BEYOND_INTEGER = str(2**31)
BEYOND_BIGINT_MINUS = str(2**63 - 1)


@pytest.mark.parametrize("role, path, expected", [
    ("anonymous", f"/applications/{HUGE}", {302, 404}),
    ("admin", f"/applications/{HUGE}", {404}),
    ("admin", f"/admin/awards/{HUGE}", {404}),
    ("admin", f"/letters/{HUGE}/download", {404}),
    ("admin", f"/admin/portfolio/exports/{HUGE}", {404}),
    ("anonymous", f"/catalog/?page={HUGE}", {404}),
    ("anonymous", "/catalog/?page=%C2%B2", {404}),
    ("anonymous", f"/catalog/projects/{HUGE}", {404}),
    ("admin", f"/admin/users?page={HUGE}", {404}),
    ("admin", f"/admin/applications?page={HUGE}&round={HUGE}", {200}),
    ("admin", f"/reviews/admin/rounds/{{round_id}}/assignments?page={HUGE}", {404}),
    ("admin", f"/applications/{BEYOND_INTEGER}", {404}),
    ("admin", f"/admin/applications/{BEYOND_BIGINT_MINUS}", {404}),
    ("admin", f"/admin/rounds/{BEYOND_INTEGER}", {404}),
    ("applicant", f"/applications/{BEYOND_INTEGER}", {404}),
    ("anonymous", f"/catalog/projects/{BEYOND_INTEGER}", {404}),
    ("admin", f"/admin/applications?round={BEYOND_INTEGER}", {200}),
])
def test_ids_and_page_numbers_beyond_range_are_not_found(client, role, path, expected):
    from tests.authz.test_routes import _sign_in

    scenario = Scenario(TABLE.builders)
    scenario.fund.settings = {**(scenario.fund.settings or {}), "open_data": True}
    db.session.commit()
    _sign_in(client, scenario.user_for(role))
    response = client.get(path.format(slug=scenario.fund.slug, round_id=scenario.round.id))
    assert response.status_code in expected


def _shipped_application_forms():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "forms" / "applications"
    return sorted((path.name.split(".")[0], int(path.name.split(".v")[1].split(".")[0]))
                  for path in folder.glob("*.v*.yaml"))


@pytest.mark.parametrize("form_key, version", _shipped_application_forms())
def test_file_parts_inside_repeated_groups_give_a_form_error(client, form_key, version):
    """Every field of every item of every repeated group of the shipped
    application forms: a file part where text is expected, and text where a file
    is expected, re-show the page with its errors (a file under a text field is
    dropped, never stored) instead of a server error."""
    from grantflow.applications.models import Attachment
    from grantflow.core import formdefs
    from tests import factories
    from tests.conftest import login

    applicant = factories.create_applicant()
    round_ = factories.create_round(form_key=form_key, form_version=version)
    application = factories.create_application(round_, applicant.organisation, state="draft", form_version=version)
    db.session.commit()
    login(client, applicant)
    definition = formdefs.definition_for(application)
    checked = 0
    for page in definition.pages:
        for group in (f for f in page.fields if f.is_group and f.repeat):
            for inner in group.fields:
                key = f"{group.id}-0-{inner.id}"
                wrong = "not a file" if inner.type == "file" else (io.BytesIO(b"%PDF-1.7 x"), "a.pdf")
                response = client.post(f"/applications/{application.id}/pages/{page.id}",
                                       data={key: wrong, "_action": "continue"}, content_type="multipart/form-data")
                assert response.status_code == 200, (page.id, key, response.status_code)
                assert "error-summary" in response.get_data(as_text=True), (page.id, key)
                checked += 1
    assert checked, f"{form_key} v{version} has no repeated group to check"
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
