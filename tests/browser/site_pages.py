"""Every page of GrantFlow, for the accessibility crawl.

``seed_site(app)`` seeds the demo fund (``grantflow.demo.seed``: 31 applications
moved through the real operations) plus what the demo lacks and a page needs:
an uploaded file, a pending invitation, a portfolio export, a round of letters
still rendering. ``sample_site(app)`` then picks ids from
that data (an application in every workflow state, a report in every state, ...)
and ``targets(app, samples)`` fills every GET rule of the URL map with them.

A rule whose arguments no filler knows gets no URL, so a route added later
fails the crawl's coverage test instead of escaping it."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

#: GET rules the crawl never visits, with the reason
SKIP = {
    "static": "stylesheets and scripts, not pages",
    "catalog.open_data": "a permanent redirect from the former open-data pages to the catalog (tests/catalog)",
    "catalog.open_data_360": "a permanent redirect from the former open-data file to the catalog's (tests/catalog)",
    "users.two_factor_sign_in": "shown only after a right password of an account with two-step sign-in: "
                                "tests/browser/test_two_factor.py audits it (axe and keyboard)",
    **{f"api.{name}": "JSON, not a page: tests/api checks it (schemathesis against the OpenAPI document)"
       for name in ("openapi", "funds", "fund", "rounds", "round_", "grants", "admin_applications",
                    "admin_application", "admin_awards", "admin_payments", "admin_reports", "my_applications",
                    "my_application")},
}

#: the order applications are sampled in: the most different pages first, so
#: that a crawl checking a few states of a page sees its different shapes
STATE_ORDER = ("draft", "in_review", "active", "closed", "award_offered", "more_info_requested", "awarded",
               "reviews_complete", "final_report_submitted", "closeout", "declined", "waitlisted", "submitted",
               "screening", "ineligible", "withdrawn")
#: applicants of an application in one of these states also visit the pages
#: shared by every applicant (their lists, the organisation page, the open rounds)
APPLICANT_HOME_STATES = ("draft", "more_info_requested", "award_offered", "active", "closed")
#: the application pages of these states are visited page by page (form pages)
FORM_PAGE_STATES = ("draft", "more_info_requested", "in_review")

# the smallest file the upload check accepts as a PDF
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass(frozen=True)
class Target:
    endpoint: str
    url: str
    #: who may see it beyond staff: ("application", id), ("reviewer", user id) or None (anyone signed in)
    owner: tuple | None = None
    note: str = ""
    #: what makes it a different page of its endpoint beyond the application's state (a form page, a
    #: report's situation...): the crawl may check a page in a few states only, but every variant
    variant: str = ""


@dataclass
class Samples:
    applications: dict[str, int] = field(default_factory=dict)          # state -> id
    leads: dict[int, str] = field(default_factory=dict)                  # application id -> email
    form_pages: dict[int, list[str]] = field(default_factory=dict)       # application id -> page ids
    triggers: dict[int, list[str]] = field(default_factory=dict)         # application id -> triggers
    rounds: list[int] = field(default_factory=list)
    reports: list[tuple[int, int, str]] = field(default_factory=list)     # (report, application, note)
    report_pages: dict[int, list[str]] = field(default_factory=dict)     # report id -> page ids
    report_owner: dict[int, int] = field(default_factory=dict)           # report id -> application id
    letters: list[tuple[int, int, str]] = field(default_factory=list)     # (letter, application, kind)
    batches: list[int] = field(default_factory=list)
    export_jobs: list[int] = field(default_factory=list)
    bulk_jobs: list[int] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)
    reviewers: list[int] = field(default_factory=list)                   # user ids
    reviewer_emails: dict[int, str] = field(default_factory=dict)
    assignments: list[tuple[int, int, str]] = field(default_factory=list)  # (assignment, reviewer, note)
    attachments: list[tuple[int, int]] = field(default_factory=list)      # (attachment, application)
    workflows: list[tuple[str, int]] = field(default_factory=list)
    fund_slugs: list[str] = field(default_factory=list)
    funds: list[int] = field(default_factory=list)
    published: list[int] = field(default_factory=list)                   # application ids in the catalog
    reset_token: str = ""
    invite_token: str = ""
    registration_token: str = ""
    colleague_token: str = ""
    mentor_matches: list[tuple[int, str]] = field(default_factory=list)  # (match, status)
    webhook_deliveries: list[tuple[int, int, str]] = field(default_factory=list)  # (endpoint, delivery, status)


def seed_site(app) -> None:
    """The demo fund plus the few things it has no example of."""
    from grantflow.applications.models import Application
    from grantflow.applications.uploads import store_upload
    from grantflow.awards.letters import start_round_letters
    from grantflow.core import jobs, outbox
    from grantflow.core.models import BackgroundJob
    from grantflow.demo.seed import seed_demo
    from grantflow.extensions import db
    from grantflow.funds.models import Round
    from grantflow.portfolio.tasks import EXPORT_TASK
    from grantflow.staff.tasks import BULK_TASK
    from grantflow.users.models import User
    from grantflow.users.operations import invite_user

    with app.app_context():
        seed_demo()
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.example.org"))
        # an applicant's detailed budget on an application under review (staff and reviewers list it)
        application = db.session.scalars(select(Application).where(Application.state == "in_review")
                                         .order_by(Application.id)).first()
        lead = db.session.scalars(select(User).where(User.organisation_id == application.organisation_id)).first()
        upload = FileStorage(stream=io.BytesIO(TINY_PDF), filename="detailed-budget.pdf",
                             content_type="application/pdf")
        attachment = store_upload(application, "budget_document", upload, lead)
        application.answers = {**application.answers, "budget_document": attachment.id}
        _vary_reviews()
        invite_user(admin, name="Ines Invited", email="invited@demo.example.org", roles=["reviewer"])
        pilot = db.session.scalars(select(Round).order_by(Round.opens_at)).first()
        # letters requested but not rendered yet: the batch page as it looks while it works
        start_round_letters(pilot, admin, send=False, dispatch=False)
        outbox.commit()
        jobs.enqueue(EXPORT_TASK, actor=admin, format="csv", filters={}, staff=True)
        outbox.commit()  # the export runs in-process after the commit (no REDIS_URL)
        # and one still waiting for a worker, whose page follows its progress
        db.session.add(BackgroundJob(task=EXPORT_TASK, args={"format": "xlsx", "filters": {}, "staff": True},
                                     created_by_id=admin.id))
        # a large bulk action's page: one finished with a refusal, one part-way through
        refused = [{"id": application.id, "reference": application.reference, "title": application.title,
                    "reason": "This cannot be done while the application is “In review”."}]
        bulk_args = {"trigger": "start_screening", "label": "Start screening", "application_ids": [application.id]}
        db.session.add_all([
            BackgroundJob(task=BULK_TASK, args=bulk_args, status="done", created_by_id=admin.id,
                          progress_done=1, progress_total=1,
                          result={"label": "Start screening", "total": 1, "done": 0, "refused_total": 1,
                                  "refused": refused}),
            BackgroundJob(task=BULK_TASK, args=bulk_args, status="running", created_by_id=admin.id,
                          progress_done=0, progress_total=1)])
        outbox.commit()
        _webhook_log(admin)


def _webhook_log(admin) -> None:
    """A webhook endpoint with a delivered and a failed delivery (written
    directly: the crawl must send nothing anywhere)."""
    from grantflow.core import outbox
    from grantflow.extensions import db
    from grantflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint(url="https://finance.example.org/hooks/grantflow-deliveries-endpoint-with-a-long-path",
                               description="Finance system", events=["application.decided", "grant.closed"],
                               secret="whsec_" + "x" * 43, created_by_id=admin.id)
    body = '{"data": {"application": {"id": 1}}, "event": "grant.closed", "id": "evt_1"}'
    delivered = WebhookDelivery(endpoint=endpoint, event="grant.closed", body=body, status="delivered")
    failed = WebhookDelivery(endpoint=endpoint, event="application.decided", body=body, status="failed")
    db.session.add_all([
        WebhookAttempt(delivery=delivered, response_status=200, duration_ms=84, response_excerpt="ok"),
        WebhookAttempt(delivery=failed, response_status=503, duration_ms=5003,
                       error="The receiver answered HTTP 503.", response_excerpt="Service Unavailable"),
        WebhookAttempt(delivery=failed, duration_ms=5000,
                       error="No answer: ReadTimeoutError: HTTPConnectionPool(host='203.0.113.9', port=443): "
                             "Read timed out. (read timeout=5.0)")])
    outbox.commit()


def _vary_reviews() -> None:
    """Reviewers of the demo either submit or have not started: add a conflict,
    a declined assignment and a draft review (one assignment stays undeclared)."""
    from grantflow.extensions import db
    from grantflow.reviews.models import ReviewAssignment
    from grantflow.reviews.operations import decline_assignment, declare_conflict
    from grantflow.reviews.scoring import ReviewInput, save_review

    waiting = db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.coi_status == "undeclared", ReviewAssignment.status == "active")
        .order_by(ReviewAssignment.id)).all()
    conflicted, declined, drafting = waiting[:3]
    declare_conflict(conflicted, conflicted.reviewer, has_conflict=True,
                     reason="My sister chairs one of the applicant's community partners.")
    decline_assignment(declined, declined.reviewer, reason="I am traveling for the whole review period.")
    declare_conflict(drafting, drafting.reviewer, has_conflict=False, reason="")
    save_review(drafting, drafting.reviewer, ReviewInput(scores={"clarity": 4}, comments={}, recommendation=None,
                                                         overall_comment=""), submit=False)


def sample_site(app) -> Samples:
    """Ids that show each page in its different situations."""
    from grantflow.applications.models import Application, Attachment
    from grantflow.awards.models import Letter, LetterBatch
    from grantflow.catalog.queries import published_application_ids
    from grantflow.core import formdefs
    from grantflow.core.models import BackgroundJob, OutboxEmail
    from grantflow.core.workflow import definitions, get_definition
    from grantflow.extensions import db
    from grantflow.funds.models import Fund, Round
    from grantflow.portfolio.tasks import EXPORT_TASK
    from grantflow.reporting.filing import definition_for as report_definition
    from grantflow.staff.tasks import BULK_TASK
    from grantflow.reporting.models import Report
    from grantflow.reviews.models import ReviewAssignment
    from grantflow.users.models import User
    from grantflow.core.db import utcnow
    from grantflow.organisations.operations import invitation_token
    from grantflow.users.models import PendingRegistration
    from grantflow.users.tokens import make_invite_token, make_registration_token, make_reset_token

    s = Samples()
    with app.app_context():
        rank = {state: index for index, state in enumerate(STATE_ORDER)}
        applications = db.session.scalars(select(Application).order_by(Application.id)).all()
        for application in sorted(applications, key=lambda a: rank.get(a.state, len(rank))):
            if application.state in s.applications:
                continue
            s.applications[application.state] = application.id
            lead = db.session.scalars(select(User).where(User.organisation_id == application.organisation_id)
                                      .order_by(User.id)).first()
            s.leads[application.id] = lead.email
            workflow = get_definition(application.workflow_key, application.workflow_version)
            s.triggers[application.id] = sorted({t.trigger for t in workflow.transitions_from(application.state)})
            if application.state in FORM_PAGE_STATES:
                s.form_pages[application.id] = [page.id for page in formdefs.definition_for(application).pages]
        s.rounds = list(db.session.scalars(select(Round.id).order_by(Round.id)))
        seen = set()
        for report in db.session.scalars(select(Report).order_by(Report.id)):
            situation = (report.state, report.kind)
            if situation in seen:
                continue
            seen.add(situation)
            s.reports.append((report.id, report.application_id, f"{report.kind} report, {report.state}"))
            s.report_owner[report.id] = report.application_id
            if report.state in ("open", "submitted"):
                s.report_pages[report.id] = [page.id for page in report_definition(report).pages]
        seen = set()
        for letter in db.session.scalars(select(Letter).where(Letter.file_path.is_not(None)).order_by(Letter.id)):
            if letter.kind not in seen:
                seen.add(letter.kind)
                s.letters.append((letter.id, letter.application_id, letter.kind))
        s.batches = list(db.session.scalars(select(LetterBatch.id)))
        s.export_jobs = list(db.session.scalars(select(BackgroundJob.id).where(BackgroundJob.task == EXPORT_TASK)))
        s.bulk_jobs = list(db.session.scalars(select(BackgroundJob.id).where(BackgroundJob.task == BULK_TASK)))
        seen = set()
        for email in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)):
            if email.template not in seen and len(seen) < 3:
                seen.add(email.template)
                s.emails.append(email.id)
        reviewers = db.session.scalars(select(User).where(User.email.like("reviewer%@demo.example.org"))
                                       .order_by(User.id)).all()
        s.reviewers = [r.id for r in reviewers[:2]]
        s.reviewer_emails = {r.id: r.email for r in reviewers}
        seen = set()
        for assignment in db.session.scalars(select(ReviewAssignment).order_by(ReviewAssignment.id)):
            review = assignment.review.status if assignment.review else "not started"
            situation = (assignment.status, assignment.coi_status, review)
            if situation not in seen:
                seen.add(situation)
                s.assignments.append((assignment.id, assignment.reviewer_id, ", ".join(situation)))
        s.attachments = [(a.id, a.application_id) for a in db.session.scalars(select(Attachment))]
        s.workflows = [d.ident for d in definitions()]
        s.fund_slugs = list(db.session.scalars(select(Fund.slug)))
        s.mentor_matches = _mentor_matches()
        s.funds = list(db.session.scalars(select(Fund.id)))
        s.published = published_application_ids()  # the demo publishes its rounds
        from grantflow.webhooks.models import WebhookDelivery

        s.webhook_deliveries = [(d.endpoint_id, d.id, d.status) for d in db.session.scalars(
            select(WebhookDelivery).order_by(WebhookDelivery.id))]
        applicant = db.session.scalar(select(User).where(User.email == s.leads[s.applications["draft"]]))
        s.reset_token = make_reset_token(applicant)
        s.invite_token = make_invite_token(
            db.session.scalar(select(User).where(User.email == "invited@demo.example.org")))
        db.session.rollback()  # opening a report form records its version: not wanted here
        pending = PendingRegistration(email="confirming@demo.example.org", name="Casey Confirm",
                                      password_hash="x", created_at=utcnow())
        db.session.add(pending)
        db.session.flush()
        s.registration_token = make_registration_token(pending)
        # a pending registration is no account: committing it changes nothing the audit checks
        s.colleague_token = invitation_token(applicant.organisation_id, "colleague@demo.example.org",
                                             "Colleague Person", applicant.id)
        db.session.commit()
    return s


def _mentor_matches() -> list[tuple[int, str]]:
    """One mentoring match in each status the demo has (introduced, proposed)."""
    from grantflow.extensions import db
    from grantflow.mentoring.models import MentorMatch

    found = {}
    for match_id, status in db.session.execute(select(MentorMatch.id, MentorMatch.status).order_by(MentorMatch.id)):
        found.setdefault(status, match_id)
    return [(match_id, status) for status, match_id in found.items()]


def _application_pages(s: Samples):
    for state, app_id in s.applications.items():
        yield {"application_id": app_id}, ("application", app_id), state


# argument names of a rule -> (values, owner, note) for each URL to visit
FILLERS = {
    frozenset(): lambda s: [({}, None, "")],
    frozenset({"application_id"}): lambda s: list(_application_pages(s)),
    frozenset({"application_id", "page_id"}): lambda s: [
        ({"application_id": a, "page_id": p}, ("application", a), f"page {p}")
        for a, pages in s.form_pages.items() for p in pages],
    frozenset({"application_id", "trigger"}): lambda s: [
        ({"application_id": a, "trigger": t}, ("application", a), t)
        for a, triggers in s.triggers.items() for t in triggers],
    frozenset({"round_id"}): lambda s: [({"round_id": r}, None, "") for r in s.rounds],
    frozenset({"report_id"}): lambda s: [({"report_id": r}, ("application", a), note) for r, a, note in s.reports],
    frozenset({"report_id", "page_id"}): lambda s: [
        ({"report_id": r, "page_id": p}, ("application", s.report_owner[r]), f"page {p}")
        for r, pages in s.report_pages.items() for p in pages],
    frozenset({"letter_id"}): lambda s: [({"letter_id": i}, ("application", a), k) for i, a, k in s.letters],
    frozenset({"batch_id"}): lambda s: [({"batch_id": b}, None, "") for b in s.batches],
    frozenset({"job_id"}): lambda s: [({"job_id": j}, None, "") for j in s.export_jobs],
    frozenset({"email_id"}): lambda s: [({"email_id": e}, None, "") for e in s.emails],
    frozenset({"user_id"}): lambda s: [({"user_id": u}, None, "") for u in s.reviewers],
    frozenset({"assignment_id"}): lambda s: [
        ({"assignment_id": i}, ("reviewer", r), note) for i, r, note in s.assignments],
    frozenset({"attachment_id"}): lambda s: [({"attachment_id": i}, ("application", a), "") for i, a in s.attachments],
    frozenset({"key", "version"}): lambda s: [({"key": k, "version": v}, None, "") for k, v in s.workflows],
    frozenset({"slug"}): lambda s: [({"slug": slug}, None, "") for slug in s.fund_slugs],
    # a fund's settings and its new-round form (staff pages)
    frozenset({"fund_id"}): lambda s: [({"fund_id": f}, None, "") for f in s.funds],
    frozenset({"endpoint_id"}): lambda s: [({"endpoint_id": e}, None, "") for e in
                                           sorted({e for e, _, _ in s.webhook_deliveries})],
    frozenset({"endpoint_id", "delivery_id"}): lambda s: [
        ({"endpoint_id": e, "delivery_id": d}, None, status) for e, d, status in s.webhook_deliveries],
}
# fillers whose note is the application's state (the other notes name a variant)
STATE_NOTES = {frozenset({"application_id"})}
# rules whose arguments mean something only to them
ENDPOINT_FILLERS = {
    "users.reset_password": lambda s: [({"token": s.reset_token}, None, "")],
    "users.accept_invitation": lambda s: [({"token": s.invite_token}, None, "")],
    "users.confirm_registration": lambda s: [({"token": s.registration_token}, None, "")],
    "organisations.join": lambda s: [({"token": s.colleague_token}, None, "")],
    "mentoring.match": lambda s: [({"match_id": m}, None, status) for m, status in s.mentor_matches],
    "staff.bulk_job": lambda s: [({"job_id": j}, None, "") for j in s.bulk_jobs],
    # the public catalog: a few of its projects (one template), the downloads in each format
    "catalog.project": lambda s: [({"application_id": a}, None, "") for a in s.published[:3]],
    "catalog.download": lambda s: [({"slug": slug, "extension": ext}, None, ext)
                                   for slug in s.fund_slugs for ext in ("json", "xlsx")],
    "awards.preview_letter": lambda s: [({"application_id": s.applications["awarded"], "kind": "award"},
                                         ("application", s.applications["awarded"]), "a PDF")],
}


def get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def targets(app, s: Samples) -> list[Target]:
    """Every URL to visit: each GET rule (but SKIP) filled with every sample that fits."""
    found = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIP:
                continue
            filler = ENDPOINT_FILLERS.get(rule.endpoint) or FILLERS.get(frozenset(rule.arguments))
            variant_is_note = filler is not None and frozenset(rule.arguments) not in STATE_NOTES
            for arguments, owner, note in (filler(s) if filler else []):
                found.append(Target(rule.endpoint, url_for(rule.endpoint, **arguments), owner, note,
                                    variant=note if variant_is_note else ""))
    return found
