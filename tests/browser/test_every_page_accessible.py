"""Every page of GrantFlow passes axe-core (WCAG 2.1 A and AA) for every role,
on the demo fund's data; forms announce their errors and work by keyboard.

The crawl runs once per module (the demo seeding takes ~20 s): one browser, one
signed-in context per person (the administrator, reviewers in each situation,
the applicant of an application in each workflow state, nobody), every URL of
``site_pages.targets`` that person may open. Every URL's status is checked; axe
(and ``page_checks``: ids, references, reflow at 320 px) runs on each HTML page,
on a page in at most STATES_PER_PAGE application states per role (EVERY_STATE
pages in all), and on the first error page of each status. Findings are
collected, so one run lists every failing page; the tests only read them.
A GET rule that nobody was shown and that is not in ``site_pages.SKIP`` fails
``test_every_get_route_is_visited``."""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Error as PlaywrightError

from grantflow.extensions import cache

from tests.browser import site_pages
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.page_checks import (
    VIEWPORT, axe_violations, error_problems, keyboard_problems, markup_problems, phone_problems, reflow_problems,
)

pytestmark = pytest.mark.browser

PASSWORD = "grantflow-demo"
ADMIN = "admin@demo.example.org"
#: a page (one variant of an endpoint) is checked with axe in this many application states per role;
#: the status codes of every state are still checked. Pages whose content is the workflow's state:
STATES_PER_PAGE = 4
EVERY_STATE = {"staff.application", "applications.detail", "core.fire_transition"}


@dataclass(frozen=True)
class Persona:
    role: str
    email: str | None
    label: str
    owns: frozenset = frozenset()  # owners (see site_pages.Target) whose pages this person opens
    sees_all: bool = False         # staff: every page, whoever owns it
    shared: bool = True            # pages not tied to an organisation or a reviewer


@dataclass
class Findings:
    visits: list = field(default_factory=list)          # (persona label, Target, status, content type)
    violations: list = field(default_factory=list)      # (persona label, Target, url, violation)
    server_errors: list = field(default_factory=list)   # text lines
    markup_problems: list = field(default_factory=list)  # text lines
    form_problems: list = field(default_factory=list)
    keyboard_problems: list = field(default_factory=list)
    people: list = field(default_factory=list)
    checked_per_page: defaultdict = field(default_factory=lambda: defaultdict(int))
    reflowed: set = field(default_factory=set)          # (role, endpoint) checked at 320 px
    reflow_problems: list = field(default_factory=list)
    phone_problems: list = field(default_factory=list)
    axe_pages: int = 0
    phone_pages: int = 0


def personas(samples: site_pages.Samples) -> list[Persona]:
    people = [Persona("anonymous", None, "anonymous"), Persona("admin", ADMIN, "admin", sees_all=True)]
    reviewers = []
    for _, reviewer_id, _ in samples.assignments:
        if reviewer_id not in reviewers:
            reviewers.append(reviewer_id)
    for index, reviewer_id in enumerate(reviewers):
        # the first reviewer also opens every other page (and is refused the staff ones)
        people.append(Persona("reviewer", samples.reviewer_emails[reviewer_id], f"reviewer {reviewer_id}",
                              owns=frozenset({("reviewer", reviewer_id)}), sees_all=index == 0,
                              shared=index == 0))
    for state, application_id in samples.applications.items():
        people.append(Persona("applicant", samples.leads[application_id], f"applicant ({state})",
                              owns=frozenset({("application", application_id)}),
                              shared=state in site_pages.APPLICANT_HOME_STATES))
    return people


def wants(persona: Persona, target: site_pages.Target) -> bool:
    if persona.sees_all:
        return True
    if target.owner is None:
        return persona.shared
    return target.owner in persona.owns


def new_page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, locale="en-US", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"


def check_page(page, findings: Findings, who: str, target: site_pages.Target, reflow: bool = False) -> None:
    findings.axe_pages += 1
    for attempt in range(3):
        try:
            violations, problems = axe_violations(page), markup_problems(page)
            phone_violations = []
            if reflow:
                findings.reflow_problems += [f"{page.url} ({who}): {element} is wider than 320 px"
                                             for element in reflow_problems(page)]
                sideways, phone_violations = phone_problems(page)
                findings.phone_pages += 1
                findings.phone_problems += [f"{page.url} ({who}): {problem}" for problem in sideways]
            break
        except PlaywrightError as exc:  # a page of work in progress reloads itself (Refresh header)
            if "context was destroyed" not in str(exc) or attempt == 2:
                raise
            page.wait_for_load_state()
    findings.violations += [(who, target, page.url, violation) for violation in violations]
    findings.violations += [(f"{who} at 390 px", target, page.url, violation) for violation in phone_violations]
    findings.markup_problems += [f"{page.url} ({who}): {problem}" for problem in problems]


def goto(page, url: str) -> None:
    """``page.goto``, again if the page it leaves reloaded itself meanwhile (a job's or a letter
    batch's ``Refresh`` header firing during the navigation aborts it)."""
    for attempt in range(3):
        try:
            page.goto(url)
            return
        except PlaywrightError as exc:
            if "ERR_ABORTED" not in str(exc) or attempt == 2:
                raise


def crawl(browser, base_url: str, persona: Persona, found: list, findings: Findings) -> None:
    """Open every page the persona may see; axe on each HTML page (and on the
    first error page of each status, which is one template)."""
    page = new_page(browser, base_url)
    try:
        if persona.email:
            sign_in(page, persona.email)
        checked = findings.checked_per_page
        for target in found:
            if not wants(persona, target):
                continue
            response = page.request.get(target.url, max_redirects=0)
            content_type = response.headers.get("content-type", "")
            findings.visits.append((persona.label, target, response.status, content_type))
            if response.status >= 500:
                findings.server_errors.append(f"{target.url} ({persona.label}): HTTP {response.status}")
                continue
            if not content_type.startswith("text/html") or 300 <= response.status < 400:
                continue
            if response.status != 200:
                key, limit = (persona.role, response.status), 1  # an error page is one template
            else:
                key = (persona.role, target.endpoint, target.variant)
                limit = None if target.endpoint in EVERY_STATE else STATES_PER_PAGE
            if limit is not None and checked[key] >= limit:
                continue
            checked[key] += 1
            goto(page, target.url)
            reflow = (persona.role, target.endpoint) not in findings.reflowed
            findings.reflowed.add((persona.role, target.endpoint))
            check_page(page, findings, persona.label, target, reflow=reflow)
    finally:
        page.context.close()


def format_violations(violations: list) -> str:
    by_page = defaultdict(list)
    for who, target, url, violation in violations:
        by_page[(url, target.endpoint, target.note)].append((who, violation))
    lines = [f"{len(by_page)} page(s) with axe violations (WCAG 2.1 A/AA):"]
    for (url, endpoint, note), items in sorted(by_page.items()):
        people = sorted({who for who, _ in items})
        lines.append(f"\n{url}  [{endpoint}{', ' + note if note else ''}; seen by {', '.join(people)}]")
        reported = set()
        for _, violation in items:
            if violation["id"] in reported:
                continue
            reported.add(violation["id"])
            targets = ["".join(map(str, node["target"])) for node in violation["nodes"]]
            shown = ", ".join(targets[:6]) + (f" ... (+{len(targets) - 6})" if len(targets) > 6 else "")
            lines.append(f"  - {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}")
            lines.append(f"      at {shown}")
    return "\n".join(lines)


# --- forms: errors announced, keyboard only ------------------------------------------

@dataclass
class FormCase:
    name: str
    email: str | None
    url: str
    submit: str | re.Pattern      # the accessible name of the button that submits it
    prepare: object = None        # page -> None, run before the form is checked
    scope: str = "main form[method=post]"


def _answer_no_conflict(page) -> None:
    page.locator("input[name=has_conflict][value=no]").check()
    page.get_by_role("button", name="Confirm my answer").click()
    page.wait_for_load_state()


def _choose_a_bulk_move(page) -> None:
    page.locator("input[name=ids]").first.check()
    page.locator("#bulk-trigger").select_option("request_information")


def form_cases(samples: site_pages.Samples) -> list[FormCase]:
    applications = samples.applications
    undeclared = next((i, r) for i, r, note in samples.assignments if note.startswith("active, undeclared"))
    reviewer = samples.reviewer_emails[undeclared[1]]
    open_report = next(r for r, a, note in samples.reports if note.endswith(", open"))
    report_lead = samples.leads[samples.report_owner[open_report]]
    draft = applications["draft"]
    return [
        FormCase("register", None, "/register", "Create account"),
        FormCase("conflict of interest", reviewer, f"/reviews/assignments/{undeclared[0]}", "Confirm my answer"),
        FormCase("review", reviewer, f"/reviews/assignments/{undeclared[0]}", "Submit review",
                 prepare=_answer_no_conflict),
        FormCase("application page", samples.leads[draft], f"/applications/{draft}/pages/plan", "Save and continue",
                 scope="#page-form"),
        FormCase("award terms", ADMIN, f"/applications/{applications['reviews_complete']}/award",
                 "Record the terms and award"),
        FormCase("report page", report_lead, f"/reporting/reports/{open_report}/edit/progress", "Save and continue"),
        FormCase("sign in", None, "/login", "Sign in"),
        FormCase("invitation", ADMIN, "/admin/users/invite", "Send the invitation"),
        FormCase("workflow move with a required comment", ADMIN,
                 f"/applications/{applications['screening']}/transitions/request_information",
                 "Request more information"),
        FormCase("report due date", ADMIN, f"/reporting/reports/{open_report}/due-date", "Move the due date"),
        FormCase("bulk move with a required comment", ADMIN, "/admin/applications?state=screening", "Apply",
                 prepare=_choose_a_bulk_move, scope="form[aria-label='Bulk action']"),
        FormCase("adding a reviewer by hand", ADMIN, f"/reviews/admin/rounds/{samples.rounds[-1]}/assignments",
                 re.compile("^Add the chosen reviewer"), scope="form.add-reviewer"),
    ]


def check_form(browser, base_url: str, case: FormCase, findings: Findings) -> None:
    page = new_page(browser, base_url)
    try:
        if case.email:
            sign_in(page, case.email)
        page.goto(case.url)
        if case.prepare:
            case.prepare(page)
        for problem in keyboard_problems(page, case.scope):
            findings.keyboard_problems.append(f"{case.name} ({page.url}): {problem}")
        form = page.locator(case.scope).first
        fields = form.locator(":is(input[type=text], input[type=email], input[type=number], "
                              "input[type=tel], input[type=date], input[type=password], textarea)")
        for index in range(fields.count()):
            if fields.nth(index).is_visible() and fields.nth(index).is_editable():
                fields.nth(index).fill("")
        # submitted from the keyboard: focus on the button, Enter
        form.get_by_role("button", name=case.submit, exact=True).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        target = site_pages.Target("", page.url, note=f"{case.name}, errors shown")
        check_page(page, findings, f"{case.name} form", target)
        for problem in error_problems(page):
            findings.form_problems.append(f"{case.name} ({page.url}): {problem}")
    finally:
        page.context.close()


# --- the crawl, once per module ----------------------------------------------------

@pytest.fixture(scope="module")
def site(live_server, browser):
    """Seed, then visit everything; the tests below read the findings. (The live
    database is emptied after the first test, when the crawl is long over.)"""
    errors_before = len(live_server.errors.records)
    site_pages.seed_site(live_server.app)
    with live_server.app.app_context():
        cache.clear()  # the seed wrote rows around the operations: no figures kept from earlier tests
    samples = site_pages.sample_site(live_server.app)
    found = site_pages.targets(live_server.app, samples)
    findings = Findings(people=personas(samples))
    for persona in findings.people:
        crawl(browser, live_server.url, persona, found, findings)
    for case in form_cases(samples):
        check_form(browser, live_server.url, case, findings)
    formatter = logging.Formatter()
    findings.server_errors += [formatter.format(r) for r in live_server.errors.records[errors_before:]]
    return findings


def test_no_page_fails_on_the_server(site):
    assert not site.server_errors, "\n\n".join(site.server_errors)


def test_every_get_route_is_visited(site, live_server):
    """A route without a visit (and not in site_pages.SKIP) would escape the audit:
    fill its arguments in site_pages.FILLERS, or skip it there with the reason."""
    statuses = defaultdict(set)
    for who, target, status, content_type in site.visits:
        statuses[target.endpoint].add(status)
    shown = {endpoint for endpoint, seen in statuses.items() if 200 in seen}
    missing = site_pages.get_endpoints(live_server.app) - shown - set(site_pages.SKIP)
    details = [f"{endpoint}: " + (f"answered {sorted(statuses[endpoint])} to everyone" if endpoint in statuses
                                  else "no URL (its arguments are not in site_pages.FILLERS)")
               for endpoint in sorted(missing)]
    assert not missing, "GET routes never shown by the crawl:\n" + "\n".join(details)
    roles_with_pages = {p.role for p in site.people
                        for who, target, status, content_type in site.visits
                        if who == p.label and status == 200 and content_type.startswith("text/html")}
    assert roles_with_pages == {"anonymous", "admin", "reviewer", "applicant"}


def test_every_page_passes_axe(site):
    assert site.axe_pages > 100, f"only {site.axe_pages} pages were checked"
    assert not site.violations, format_violations(site.violations)


def test_ids_and_references_are_sound(site):
    assert not site.markup_problems, "\n".join(sorted(set(site.markup_problems)))


def test_pages_reflow_at_320_css_pixels(site):
    assert not site.reflow_problems, "\n".join(site.reflow_problems)


def test_no_page_scrolls_sideways_on_a_phone(site):
    """Every page of the site map, once per role, at 390 CSS px: scrollWidth <= innerWidth
    (and axe at that width, in test_every_page_passes_axe)."""
    assert site.phone_pages > 50, f"only {site.phone_pages} pages were checked at 390 px"
    assert not site.phone_problems, "\n".join(site.phone_problems)


def test_form_errors_are_linked_and_announced(site):
    assert not site.form_problems, "\n".join(site.form_problems)


def test_forms_work_by_keyboard_with_a_visible_focus(site):
    assert not site.keyboard_problems, "\n".join(site.keyboard_problems)
