"""Seed the demo fund through the same operations the web UI uses.

Every application reaches its stage by real moves (submit, screen, assign,
review, award, accept, report, pay, close), so the demo's audit trails,
timelines, letters and dashboards are what a real fund would see.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..applications.models import Application
from ..applications.operations import start_application, submit_application, withdraw_application
from ..awards.letters import send_award_letter
from ..awards.operations import AwardTerms, accept_award, award_for, default_tranches, record_award_terms
from ..core import outbox
from ..core.db import utcnow
from ..core.workflow import fire
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from ..reporting import closeout as closeout_ops
from ..reporting.filing import store_answers, submit_report
from ..reporting.operations import accept_report, reports_for
from ..reporting.payments import record_disbursement
from ..reviews.assigning import assign_reviewers
from ..reviews.models import ReviewAssignment
from ..reviews.operations import declare_conflict, profile_for, update_profile
from ..reviews.scoring import ReviewInput, save_review
from ..users.models import User
from .places import GOVERNMENTS
from .projects import PROJECTS

FUND_SLUG = "local-to-global"
DEMO_PASSWORD = "grantflow-demo"

#: the stage each demo application ends in, in the order of ``places.GOVERNMENTS``
PILOT_STAGES = ["closed", "closed", "closeout", "final_report_submitted", "active", "active", "active",
                "award_offered", "award_offered", "awarded", "declined", "declined", "waitlisted",
                "waitlisted", "reviews_complete"]
OPEN_STAGES = ["in_review", "in_review", "in_review", "in_review", "screening", "screening",
               "more_info_requested", "ineligible", "submitted", "submitted", "withdrawn", "draft", "draft",
               "draft", "reviews_complete", "reviews_complete"]

REVIEWERS = [
    ("Priya Raman", "reviewer1@demo.example.org", ["climate", "disaster_resilience", "sdgs"]),
    ("Tomás Herrera", "reviewer2@demo.example.org", ["trade_investment", "cross_border", "smart_infrastructure"]),
    ("Grace Oyelaran", "reviewer3@demo.example.org", ["migration", "inclusive_cities", "gender_equity"]),
    ("Henrik Lund", "reviewer4@demo.example.org", ["climate", "smart_infrastructure", "cybersecurity"]),
    ("Mele Tupou", "reviewer5@demo.example.org", ["exchange", "public_health", "democracy"]),
    ("Jordan Blackfeather", "reviewer6@demo.example.org", ["exchange", "sdgs", "cross_border"]),
]


@dataclass
class DemoLogin:
    role: str
    email: str
    name: str
    note: str


def is_seeded() -> bool:
    return db.session.scalar(select(Fund.id).where(Fund.slug == FUND_SLUG)) is not None


def _user(email: str, name: str, roles: list[str], organisation=None, title: str | None = None) -> User:
    user = User(email=email, name=name, organisation=organisation, job_title=title)
    user.set_password(DEMO_PASSWORD)
    for role in roles:
        user.grant_role(role)
    db.session.add(user)
    db.session.flush()
    return user


def _answers(org: Organisation, project: tuple, lead: User, rng: random.Random, start: date) -> dict:
    title, themes, country, city, dollars = project
    end = start + timedelta(days=rng.choice([364, 547, 729]))
    cents = dollars * 100
    travel = cents * 40 // 100
    return {
        "lead_name": lead.name, "lead_title": lead.job_title or "Director of International Affairs",
        "lead_email": lead.email, "lead_phone": f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}",
        "representative_name": f"{rng.choice(['Mayor', 'County Executive', 'Governor', 'Chair'])} "
                               f"{rng.choice(['Alex Romero', 'Jamie Chen', 'Robin Okafor', 'Sam Whitehorse'])}",
        "representative_title": "Chief executive",
        "title": title,
        "project_summary": f"{org.name} will work with {city}, {country} on {title.lower()}.",
        "themes": themes,
        "partner_places": [{"country": country, "city": city}],
        "project_start": start.isoformat(), "project_end": end.isoformat(),
        "what": f"Build a lasting partnership with {city} through delegations, joint workshops and a "
                "shared action plan that local businesses and residents help shape.",
        "how": "Months 1-3: convene partners and agree goals. Months 4-9: exchange delegations and run "
               "joint workshops. Months 10-12: publish the action plan and sign a cooperation agreement.",
        "why": "Residents gain jobs, investment and new skills; the city gains a network it can call on "
               "for trade, resilience and cultural exchange for years to come.",
        "success_definition": "A signed cooperation agreement, two delegations each way and measurable "
                              "new investment within eighteen months.",
        "metric_targets": {"jobs_created": rng.randint(5, 60), "investment_usd": rng.randint(1, 40) * 50_000,
                           "delegations_hosted": rng.randint(1, 4), "delegations_sent": rng.randint(1, 3),
                           "events_held": rng.randint(2, 12), "partnerships_signed": rng.randint(1, 3),
                           "residents_engaged": rng.randint(100, 5000)},
        "measurement": "The international affairs office tracks each figure quarterly with its partners.",
        "has_partners": True,
        "partners": [{"name": f"{org.name.replace('City of ', '').replace('County', '').strip()} Community College",
                      "type": "academic", "role": "Hosts workshops and trains participants."},
                     {"name": "Regional Chamber of Commerce", "type": "business",
                      "role": "Recruits companies for the trade delegations."}],
        "amount_requested": cents,
        "budget_lines": [{"category": "travel", "description": "Delegations each way", "amount": travel},
                         {"category": "personnel", "description": "Project coordinator (part time)",
                          "amount": cents - travel}],
        "has_match": False,
        "certifier_name": lead.name, "certified_on": date.today().isoformat(),
    }


def _organisation(row, rng: random.Random) -> tuple[Organisation, User]:
    name, kind, state, population, uei, ein = row
    org = Organisation(name=name, applicant_type=kind, state=state, population=population, uei=uei, ein=ein)
    db.session.add(org)
    db.session.flush()
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
    first = rng.choice(["Dana", "Luis", "Keiko", "Amara", "Noah", "Rosa", "Imani", "Eli", "Tess", "Omar"])
    last = rng.choice(["Whitfield", "Navarro", "Sato", "Mensah", "Kowalski", "Begay", "Ortiz", "Hale"])
    lead = _user(f"{slug}@demo.example.org", f"{first} {last}", ["applicant"], org,
                 "Director of International Affairs")
    return org, lead


def _review(application: Application, quality: float, rng: random.Random, *, how_many: int | None = None) -> None:
    """Reviewers declare no conflict and submit; ``how_many`` leaves the rest not started."""
    assignments = db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id).order_by(ReviewAssignment.id)).all()
    for assignment in [a for a in assignments if a.is_active][:how_many]:
        reviewer = assignment.reviewer
        declare_conflict(assignment, reviewer, has_conflict=False, reason="")
        scores, comments = {}, {}
        leniency = (reviewer.id % 3) - 1  # some reviewers are harsher than others
        for criterion in ("clarity", "benefit", "partnerships", "feasibility", "success"):
            score = max(1, min(5, round(quality + leniency * 0.5 + rng.uniform(-0.8, 0.8))))
            scores[criterion] = score
            if score < 3:
                comments[criterion] = "The plan needs more detail on who does what and when."
        recommendation = "fund" if quality >= 3.8 else "fund_with_conditions" if quality >= 3 else "do_not_fund"
        save_review(assignment, reviewer, ReviewInput(scores=scores, comments=comments,
                                                      recommendation=recommendation,
                                                      overall_comment="A clear proposal with committed partners."),
                    submit=True)


def _award(application: Application, admin: User, period_start: date) -> None:
    months = 12 if application.amount_requested_cents < 10_000_000 else 18
    terms = AwardTerms(
        amount_cents=application.amount_requested_cents, period_start=period_start,
        period_end=period_start + timedelta(days=30 * months),
        conditions="Share the cooperation agreement with the Office within 30 days of signature.",
        tranches=tuple(default_tranches(application.round.fund)))
    record_award_terms(application, admin, terms)  # also fires the workflow's ``award``


def _file_report(report, lead: User, rng: random.Random, *, final: bool) -> None:
    targets = report.application.answers.get("metric_targets", {})
    share = 1.0 if final else 0.5
    answers = {
        "narrative": "We hosted our partner delegation, ran two joint workshops and agreed the action plan.",
        "challenges": "Visa timing delayed one visit by a month.", "next_steps": "Sign the agreement.",
        "metrics": {key: int(value * share * rng.uniform(0.8, 1.3)) for key, value in targets.items()},
        "spending": [{"category": "travel", "amount": 1_500_000, "description": "Delegation travel"}],
        "success_story": "A local manufacturer signed its first export order after meeting buyers on our "
                         "delegation, adding eight jobs on the east side.",
        "story_consent": True,
    }
    if final:
        award = award_for(report.application)
        travel = award.amount_cents * 40 // 100
        answers.update({"lessons": "Start visa paperwork early.", "sustainability": "The city budget now "
                        "funds the coordinator.", "total_spent": award.amount_cents, "unspent": 0,
                        "spending": [{"category": "travel", "amount": travel, "description": "Delegations"},
                                     {"category": "personnel", "amount": award.amount_cents - travel,
                                      "description": "Project coordinator"}]})
    store_answers(report, answers)
    submit_report(report, lead)


def _pay_due_tranches(application: Application, admin: User, paid_on: date) -> None:
    award = award_for(application)
    for tranche in award.tranches:
        if tranche.status == "due":
            record_disbursement(tranche, admin, amount_cents=tranche.amount_cents, paid_on=paid_on,
                                reference=f"ASAP-{award.award_number}-{tranche.sequence}")


def _advance(application: Application, stage: str, ctx: dict) -> None:
    """Move one application from draft to ``stage`` through the real operations."""
    admin, lead, rng = ctx["admin"], ctx["lead"], ctx["rng"]
    if stage == "draft":
        return
    if stage == "withdrawn":
        withdraw_application(application, lead, reason="We will apply next round with a larger coalition.")
        return
    submit_application(application, lead)
    if stage == "submitted":
        return
    fire(application, "start_screening", admin)
    if stage == "screening":
        return
    if stage == "more_info_requested":
        fire(application, "request_information", admin,
             comment="Please add a letter of support from your community partner.")
        return
    if stage == "ineligible":
        fire(application, "mark_ineligible", admin,
             comment="Special districts are not eligible: the applicant must be a general-purpose government.")
        return
    fire(application, "send_to_review", admin)
    ctx["to_review"].append((application, stage))


def _after_review(application: Application, stage: str, ctx: dict) -> None:
    admin, lead, rng, today = ctx["admin"], ctx["lead_of"][application.id], ctx["rng"], ctx["today"]
    if stage in ("in_review",):
        return
    if application.state == "in_review":  # closes itself once the last review is in
        fire(application, "complete_reviews", admin)
    if stage == "reviews_complete":
        return
    if stage in ("declined", "waitlisted"):
        fire(application, "decline" if stage == "declined" else "waitlist", admin)
        return
    closing = stage in ("closeout", "closed")
    period_start = today - timedelta(days=560 if closing else 250)
    _award(application, admin, period_start)
    if stage == "awarded":
        return
    send_award_letter(application, admin)
    outbox.commit()  # the letter renders after the commit and makes the offer
    db.session.refresh(application)
    if stage == "award_offered":
        return
    accept_award(application, lead, typed_name=lead.name, ip_address="127.0.0.1")
    _pay_due_tranches(application, admin, period_start + timedelta(days=10))
    reports = sorted(reports_for(application), key=lambda r: r.due_on)
    interim = [r for r in reports if not r.is_final and r.due_on <= today]
    for report in interim:
        _file_report(report, lead, rng, final=False)
        accept_report(report, admin, comment="Thank you: a clear account of the first months.")
    _pay_due_tranches(application, admin, min(today, period_start + timedelta(days=200)))
    if stage == "active":
        return
    final = next(r for r in reports if r.is_final)
    _file_report(final, lead, rng, final=True)
    if stage == "final_report_submitted":
        return
    accept_report(final, admin, comment="Final report accepted.")  # also starts the closeout
    _pay_due_tranches(application, admin, today - timedelta(days=5))
    closeout_ops.accept_financial_report(application, admin, comment="Reconciled with the ASAP drawdowns.")
    if stage == "closeout":
        return
    closeout_ops.close_grant(application, admin, comment="All reports in and payments reconciled.")


def seed_demo(*, seed: int = 2026) -> list[DemoLogin]:
    """Create the demo fund once; a second run changes nothing."""
    if is_seeded():
        return demo_logins()
    rng = random.Random(seed)
    now = utcnow()
    today = now.date()
    admin = _user("admin@demo.example.org", "Morgan Ellis", ["admin"], title="Program Officer")
    for name, email, themes in REVIEWERS:
        reviewer = _user(email, name, ["reviewer"], title="Panel reviewer")
        profile_for(reviewer)
        update_profile(reviewer, admin, expertise_themes=themes, conflicted_states=[],
                       conflicted_organisation_ids=[], max_applications_per_round=12)
    fund = Fund(slug=FUND_SLUG, name="Local-to-Global Engagement Fund", funder_name="Office of City and State Diplomacy",
                funder_address="U.S. Department of State\n2201 C Street NW\nWashington, DC 20520",
                description="Competitive grants that help US city, county, state, tribal and territorial "
                            "governments build their capacity for international engagement.")
    db.session.add(fund)
    pilot = Round(fund=fund, name="2025 pilot round", opens_at=now - timedelta(days=60),
                  closes_at=now + timedelta(days=1), budget_cents=150_000_000, workflow_key="local_to_global",
                  workflow_version=1, form_key="local_to_global", rubric_key="local_to_global",
                  review_due_at=now + timedelta(days=30))
    open_round = Round(fund=fund, name="2026 round", opens_at=now - timedelta(days=30),
                       closes_at=now + timedelta(days=60), budget_cents=250_000_000,
                       workflow_key="local_to_global", workflow_version=1, form_key="local_to_global",
                       rubric_key="local_to_global", review_due_at=now + timedelta(days=90))
    db.session.add_all([pilot, open_round])
    db.session.flush()

    ctx = {"admin": admin, "rng": rng, "today": today, "to_review": [], "lead_of": {}}
    plan = [(pilot, stage) for stage in PILOT_STAGES] + [(open_round, stage) for stage in OPEN_STAGES]
    for (round_, stage), place, project in zip(plan, GOVERNMENTS, PROJECTS):
        org, lead = _organisation(place, rng)
        ctx["lead"] = lead
        start = today + timedelta(days=60) if round_ is open_round else today - timedelta(days=250)
        answers = _answers(org, project, lead, rng, max(start, today + timedelta(days=1)))
        application = start_application(round_, org, lead, answers)
        ctx["lead_of"][application.id] = lead
        _advance(application, stage, ctx)
    outbox.commit()

    for round_ in (pilot, open_round):
        assign_reviewers(round_, admin, notify=False)
    outbox.commit()
    for index, (application, stage) in enumerate(ctx["to_review"]):
        _review(application, quality=2.4 + (index * 0.37) % 2.4, rng=rng,
                how_many=(index % 3) if stage == "in_review" else None)
    outbox.commit()
    for application, stage in ctx["to_review"]:
        db.session.refresh(application)
        _after_review(application, stage, ctx)
        outbox.commit()
    # the pilot round has closed: its dates move to the past now that every move is made
    pilot.opens_at, pilot.closes_at = now - timedelta(days=400), now - timedelta(days=300)
    pilot.review_due_at = now - timedelta(days=280)
    outbox.commit()
    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    applicant = db.session.scalar(select(User).join(Organisation).where(Organisation.name == GOVERNMENTS[0][0]))
    second = db.session.scalar(select(User).join(Organisation).where(Organisation.name == GOVERNMENTS[-4][0]))
    logins = [DemoLogin("admin", "admin@demo.example.org", "Morgan Ellis", "fund administrator")]
    logins += [DemoLogin("reviewer", email, name, "panel reviewer") for name, email, _ in REVIEWERS[:2]]
    if applicant is not None:
        logins.append(DemoLogin("applicant", applicant.email, applicant.name,
                                f"{GOVERNMENTS[0][0]}: a closed grant"))
    if second is not None:
        logins.append(DemoLogin("applicant", second.email, second.name, f"{GOVERNMENTS[-4][0]}: a draft"))
    return logins
