"""Seed the demo fund through the same operations the web UI uses.

Every application reaches its stage by real moves (submit, screen, assign,
review, award, accept, report, pay, close), so the demo's audit trails,
timelines, letters and dashboards are what a real fund would see.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..applications.models import Application
from ..applications.operations import start_application, submit_application, withdraw_application
from ..awards.letters import send_award_letter
from ..awards.operations import (
    AwardTerms, accept_award_offer, award_for, can_be_awarded, default_tranches, record_award_terms,
)
from ..core import formdefs, outbox
from ..core.db import history_clock, utcnow
from ..core.workflow import meaning
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from ..reporting import closeout as closeout_ops
from ..reporting.filing import store_answers, submit_report
from ..reporting.operations import accept_report, reports_for
from ..reporting.payments import record_disbursement
from ..reporting.schedule import add_months
from ..reviews.assigning import assign_reviewers
from ..reviews.models import ReviewAssignment
from ..reviews.operations import declare_conflict, profile_for, update_profile
from ..reviews.scoring import ReviewInput, save_review
from ..users.models import User
from . import answers as demo_answers, new_process
from .mentors import seed_mentors
from .new_process import new_process_round
from .places import GOVERNMENTS
from .projects import PROJECTS
from .walk import make_staff_move, staff_move, until_decidable

FUND_SLUG = "local-to-global"
DEMO_PASSWORD = "grantflow-demo"

#: where each demo application's story ends, in the order of ``places.GOVERNMENTS``. The
#: demo's own words (never a workflow's state names): each is reached by the moves the
#: round's workflow declares into a stage (``walk.py``), so any workflow version will do.
#:   unsubmitted, pulled (withdrawn by the applicant), received, checking (screening),
#:   asked_for_more (back to the applicant), screened_out, reviewing, panel_finished
#:   (reviews in, no decision), reserve (the waiting list), turned_down, selected (award
#:   terms recorded), offered, funded, final_filed, closing, completed
PILOT_ENDS = ["completed", "completed", "closing", "final_filed", "funded", "funded", "funded",
              "offered", "offered", "selected", "turned_down", "turned_down", "reserve",
              "reserve", "panel_finished"]
OPEN_ENDS = ["reviewing", "reviewing", "reviewing", "reviewing", "checking", "checking",
             "asked_for_more", "screened_out", "received", "received", "pulled", "unsubmitted", "unsubmitted",
             "unsubmitted", "panel_finished", "panel_finished"]

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


def _facts(org: Organisation, project: tuple, lead: User, rng: random.Random, start: date) -> dict:
    """The demo project's facts, which the form's examples (``example:``) take: any
    form version is filled from its own questions (``answers.py``)."""
    title, themes, country, city, dollars = project
    end = add_months(start, rng.choice([12, 18])) - timedelta(days=1)
    cents = dollars * 100
    return {
        "title": title, "title_lower": title.lower(), "themes": themes, "partner_country": country,
        "partner_city": city, "organisation": org.name, "start": start.isoformat(), "end": end.isoformat(),
        "today": utcnow().date().isoformat(), "cents": cents, "travel_cents": cents * 40 // 100,
        "rest_cents": cents - cents * 40 // 100, "lead": lead.name,
        "lead_job": lead.job_title or "Director of International Affairs", "lead_mail": lead.email,
        "lead_tel": f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}",
        "representative": f"{rng.choice(['Mayor', 'County Executive', 'Governor', 'Chair'])} "
                          f"{rng.choice(['Alex Romero', 'Jamie Chen', 'Robin Okafor', 'Sam Whitehorse'])}",
        "college": f"{org.name.replace('City of ', '').replace('County', '').strip()} Community College",
        "jobs": rng.randint(5, 60), "investment": rng.randint(1, 40) * 50_000, "hosted": rng.randint(1, 4),
        "sent": rng.randint(1, 3), "events": rng.randint(2, 12), "partnerships": rng.randint(1, 3),
        "engaged": rng.randint(100, 5000),
    }


def start_demo_application(round_: Round, org: Organisation, lead: User, project: tuple, rng: random.Random,
                           start: date, ctx: dict) -> Application:
    """A draft of ``round_``'s form filled from its examples; remembers the partner place for the stories."""
    facts = _facts(org, project, lead, rng, start)
    application = start_application(round_, org, lead, demo_answers.from_examples(round_.application_form(), facts))
    ctx["places"][application.id] = (facts["partner_city"], facts["partner_country"])
    ctx["lead_of"][application.id] = lead
    return application


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


#: how good each pilot proposal is by where its story ends (mean rubric score out of 5): funded
#: ones rank above the waiting list, which ranks above the turned down, as a panel would decide
QUALITY = {"completed": 4.5, "closing": 4.5, "final_filed": 4.4, "funded": 4.4, "offered": 4.3, "selected": 4.3,
           "reserve": 3.4, "panel_finished": 3.2, "turned_down": 2.2, "reviewing": 3.6}
#: the pilot's budget: the funding line falls just below the funded applications
PILOT_BUDGET_CENTS = 125_000_000
#: stories the grantees tell in their reports (one per grant, each in its own words)
STORIES = [
    "A local manufacturer signed its first export order with a buyer from {city} after our delegation, "
    "adding eight jobs.",
    "Two schools now run a weekly video class with {city}; forty students visited in the spring.",
    "Our emergency managers used the plan drafted with {city} during the August floods.",
    "A {country} company opened its first US office downtown, citing the partnership.",
    "Newcomer families from {country} now get help in their language at the city's welcome desk.",
    "The joint heat-safety campaign with {city} reached 12,000 residents in two languages.",
    "Nurses trained with colleagues in {city} started a shared telehealth clinic.",
    "Local artists from {city} and our city opened a joint exhibition that drew 3,000 visitors.",
    "A cooperation agreement with {city} was signed in public at the council meeting.",
    "Three small businesses found suppliers in {country} through the trade desk.",
]


def _review(application: Application, quality: float, rng: random.Random, at, when: datetime, *,
            how_many: int | None = None) -> None:
    """Reviewers declare no conflict and submit, a day apart; ``how_many``
    leaves the rest not started."""
    assignments = db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id).order_by(ReviewAssignment.id)).all()
    for index, assignment in enumerate([a for a in assignments if a.is_active][:how_many]):
        reviewer = assignment.reviewer
        at(when + timedelta(days=index, hours=rng.randint(1, 8)))
        declare_conflict(assignment, reviewer, has_conflict=False, reason="")
        at(when + timedelta(days=index, hours=rng.randint(9, 20)))
        scores, comments = {}, {}
        leniency = ((reviewer.id % 3) - 1) * 0.3  # some reviewers are harsher than others
        for criterion in ("clarity", "benefit", "partnerships", "feasibility", "success"):
            score = max(1, min(5, round(quality + leniency + rng.uniform(-0.45, 0.45))))
            scores[criterion] = score
            if score < 3:
                comments[criterion] = "The plan needs more detail on who does what and when."
        recommendation = "fund" if quality >= 4 else "fund_with_conditions" if quality >= 3 else "do_not_fund"
        overall = ("A clear proposal with committed partners." if quality >= 4 else
                   "Promising, but the partners' roles are thin." if quality >= 3 else
                   "The activities do not yet add up to a partnership.")
        save_review(assignment, reviewer, ReviewInput(scores=scores, comments=comments,
                                                      recommendation=recommendation, overall_comment=overall),
                    submit=True)


def _award(application: Application, admin: User, period_start: date, months: int) -> None:
    terms = AwardTerms(
        amount_cents=application.amount_requested_cents, period_start=period_start,
        period_end=add_months(period_start, months) - timedelta(days=1),
        conditions="Share the cooperation agreement with the Office within 30 days of signature.\n\n"
                   "Acknowledge the Office of City and State Diplomacy in public materials about the project.",
        tranches=tuple(default_tranches(application.round.fund)))
    record_award_terms(application, admin, terms)  # also fires the workflow's ``award``


def _story(application: Application, ctx: dict, final: bool) -> str:
    city, country = ctx["places"].get(application.id, ("our partner city", "abroad"))
    text = STORIES[application.id % len(STORIES)].format(city=city, country=country)
    return text if final else "Early days: " + text[0].lower() + text[1:]


def _file_report(report, lead: User, rng: random.Random, ctx: dict, *, final: bool) -> None:
    """The report form filled from its examples, against the targets the application
    set, with this grant's own story (each found by its role, whatever it is called)."""
    targets = formdefs.answer(report.application, "targets") or {}
    share = 1.0 if final else 0.5
    spent = award_for(report.application).amount_cents if final else 1_500_000
    facts = {"achieved": {key: int(value * share * rng.uniform(0.8, 1.3)) for key, value in targets.items()},
             "award_total": spent, "travel": spent * 40 // 100, "rest": spent - spent * 40 // 100}
    form = formdefs.load_form("reports", report.form_key, report.form_version)
    answers = demo_answers.from_examples(form, facts)
    story = form.role_field("story")
    if story is not None:
        answers[story.id] = _story(report.application, ctx, final)
    store_answers(report, answers)
    submit_report(report, lead)


def _pay_due_tranches(application: Application, admin: User) -> None:
    award = award_for(application)
    for tranche in award.tranches:
        if tranche.status == "due":
            record_disbursement(tranche, admin, amount_cents=tranche.amount_cents, paid_on=utcnow().date(),
                                reference=f"ASAP-{award.award_number}-{tranche.sequence}")


def _advance(application: Application, end: str, ctx: dict, submitted: datetime, screened: datetime) -> None:
    """Move one application from its draft towards ``end`` through the real operations,
    as far as screening; the ones sent to the panel wait in ``ctx["to_review"]``."""
    admin, lead, at = ctx["admin"], ctx["lead"], ctx["at"]
    if end == "unsubmitted":
        return
    if end == "pulled":
        at(submitted)
        withdraw_application(application, lead, reason="We will apply next round with a larger coalition.")
        return
    at(submitted)
    submit_application(application, lead)
    if end == "received":
        return
    at(screened)
    make_staff_move(application, admin, into="checking", editable=False)
    if end == "checking":
        return
    at(screened + timedelta(hours=2))
    if end == "asked_for_more":
        make_staff_move(application, admin, into="checking", editable=True,
                        comment="Please add a letter of support from your community partner.")
        return
    if end == "screened_out":
        make_staff_move(application, admin, into="unsuccessful",
                        comment="Special districts are not eligible: the applicant must be a general-purpose "
                                "government.")
        return
    make_staff_move(application, admin, into="reviewing")
    ctx["to_review"].append((application, end))


def _may_wait_list(application) -> bool:
    return staff_move(application, into="deciding", decided=True) is not None


def _after_review(application: Application, end: str, ctx: dict, decided: datetime) -> None:
    """Decide, offer, accept, report, pay and close, each at its own believable
    moment: every date is before today and follows the one before."""
    admin, lead, rng, at, now = ctx["admin"], ctx["lead_of"][application.id], ctx["rng"], ctx["at"], ctx["now"]
    if end == "reviewing":
        return
    if meaning.is_in(application, "reviewing"):  # closes itself once the last review is in
        at(decided - timedelta(days=3))
        meaning.fire_move(application, admin, into="deciding", role="admin")
    if end == "panel_finished":
        return
    at(decided)
    if end == "deliberating":  # the new process's step before a decision (an interview)
        make_staff_move(application, admin, into="deciding", decided=False,
                        comment="The panel invites you to a 30-minute interview about your partnership.")
        return
    if end == "turned_down":
        make_staff_move(application, admin, into="unsuccessful", comment="Ranked below the funding line by the panel.")
        return
    if end == "reserve":
        until_decidable(application, admin, _may_wait_list)
        make_staff_move(application, admin, into="deciding", decided=True,
                        comment="Ranked below the funding line by the panel.")
        return
    if end in ("selected", "offered"):
        # a late award: money came back from a grant that spent less, and the next in the ranking is funded
        at(now - timedelta(days=12 if end == "selected" else 20))
        period_start, months = (now + timedelta(days=40)).date(), 12
    else:
        period_start, months = (decided + timedelta(days=25)).date(), 18 if end == "funded" else 12
    until_decidable(application, admin, can_be_awarded)
    _award(application, admin, period_start, months)
    if end == "selected":
        return
    at(utcnow() + timedelta(days=2))
    send_award_letter(application, admin)
    outbox.commit()  # the letter renders after the commit and makes the offer
    db.session.refresh(application)
    if end == "offered":
        return
    at(utcnow() + timedelta(days=6, hours=3))
    accept_award_offer(application, lead, typed_name=lead.name, ip_address="127.0.0.1")
    at(utcnow() + timedelta(days=9))
    _pay_due_tranches(application, admin)
    reports = sorted(reports_for(application), key=lambda r: r.due_on)
    for report in [r for r in reports if not r.is_final and r.due_on + timedelta(days=10) <= now.date()]:
        at(datetime.combine(report.due_on - timedelta(days=rng.randint(2, 9)), time(15), timezone.utc))
        _file_report(report, lead, rng, ctx, final=False)
        at(utcnow() + timedelta(days=5))
        accept_report(report, admin, comment="Thank you: a clear account of these months.")
        at(utcnow() + timedelta(days=4))
        _pay_due_tranches(application, admin)
    if end == "funded":
        return
    final = next(r for r in reports if r.is_final)
    award_end = award_for(application).period_end
    days_after_end = {"completed": 25, "closing": 70, "final_filed": 95}[end]
    at(datetime.combine(award_end + timedelta(days=days_after_end), time(16), timezone.utc))
    _file_report(final, lead, rng, ctx, final=True)
    if end == "final_filed":
        return
    at(utcnow() + timedelta(days=8))
    accept_report(final, admin, comment="Final report accepted.")  # also starts the closeout
    at(utcnow() + timedelta(days=4))
    _pay_due_tranches(application, admin)
    at(utcnow() + timedelta(days=1))
    closeout_ops.accept_financial_report(application, admin, comment="Reconciled with the ASAP drawdowns.")
    if end == "closing":
        return
    at(utcnow() + timedelta(days=6))
    closeout_ops.close_grant(application, admin, comment="All reports in and payments reconciled.")


def _round(fund: Fund, name: str, opens: datetime, closes: datetime, review_due: datetime, budget: int) -> Round:
    """A round on the fund's first process (workflow and form version 1)."""
    return Round(fund=fund, name=name, opens_at=opens, closes_at=closes, budget_cents=budget,
                 workflow_key="local_to_global", workflow_version=1, form_key="local_to_global", form_version=1,
                 rubric_key="local_to_global", review_due_at=review_due, settings={"timezone": "America/New_York"})


def seed_demo(*, seed: int = 2026) -> list[DemoLogin]:
    """Create the demo fund once; a second run changes nothing. The pilot round
    ran about a year and a half ago, the open round is taking applications now;
    every move is made at its own moment in that story (``history_clock``)."""
    if is_seeded():
        return demo_logins()
    with history_clock() as at:
        return _seed(seed, at)


def _seed(seed: int, at) -> list[DemoLogin]:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    pilot_opens = now - timedelta(days=600)
    open_opens = now - timedelta(days=45)
    at(pilot_opens - timedelta(days=30))
    admin = _user("admin@demo.example.org", "Morgan Ellis", ["admin"], title="Program Officer")
    for name, email, themes in REVIEWERS:
        reviewer = _user(email, name, ["reviewer"], title="Panel reviewer")
        profile_for(reviewer)
        update_profile(reviewer, admin, expertise_themes=themes, conflicted_states=[],
                       conflicted_organisation_ids=[], max_applications_per_round=12)
    fund = Fund(slug=FUND_SLUG, name="Local-to-Global Engagement Fund", funder_name="Office of City and State Diplomacy",
                funder_address="U.S. Department of State\n2201 C Street NW\nWashington, DC 20520",
                description="Competitive grants that help US city, county, state, tribal and territorial "
                            "governments build their capacity for international engagement.",
                settings={"open_data": True})  # its rounds publish their funded projects (the public catalog)
    db.session.add(fund)
    pilot = _round(fund, f"{pilot_opens.year} pilot round", pilot_opens, pilot_opens + timedelta(days=40),
                   pilot_opens + timedelta(days=75), PILOT_BUDGET_CENTS)
    open_round = _round(fund, f"{now.year if now.month < 10 else now.year + 1} round", open_opens,
                        now + timedelta(days=45), now + timedelta(days=75), 250_000_000)
    new_round = new_process_round(fund, now)
    db.session.add_all([pilot, open_round, new_round])
    db.session.flush()

    ctx = {"admin": admin, "rng": rng, "now": now, "at": at, "to_review": [], "lead_of": {}, "places": {}}
    pilot_count = len(PILOT_ENDS)
    plan = [(pilot, PILOT_ENDS, GOVERNMENTS[:pilot_count], PROJECTS[:pilot_count]),
            (open_round, OPEN_ENDS, GOVERNMENTS[pilot_count:], PROJECTS[pilot_count:]),
            (new_round, new_process.ENDS, new_process.GOVERNMENTS, new_process.PROJECTS)]
    for round_, ends, places, projects in plan:
        for position, (end, place, project) in enumerate(zip(ends, places, projects)):
            started = round_.opens_at + timedelta(days=1 + position * 2, hours=rng.randint(8, 17))
            at(started - timedelta(days=3))
            org, lead = _organisation(place, rng)
            ctx["lead"] = lead
            begins = (pilot_opens + timedelta(days=110) if round_ is pilot
                             else now + timedelta(days=75 if round_ is open_round else 90)).date()
            at(started)
            application = start_demo_application(round_, org, lead, project, rng, begins, ctx)
            screened = (round_.closes_at + timedelta(days=2, hours=position) if round_ is pilot
                        else now - timedelta(days=8, hours=-position))
            _advance(application, end, ctx, started + timedelta(days=4, hours=rng.randint(1, 6)), screened)
            outbox.commit()

    for round_, when in ((pilot, pilot.closes_at + timedelta(days=6)), (open_round, now - timedelta(days=5)),
                         (new_round, now - timedelta(days=5))):
        at(when)
        assign_reviewers(round_, admin, notify=False)
    outbox.commit()
    for index, (application, end) in enumerate(ctx["to_review"]):
        pilot_side = application.round_id == pilot.id
        quality = QUALITY.get(end, 3.5) + rng.uniform(-0.15, 0.15)
        _review(application, quality, rng, at,
                pilot.closes_at + timedelta(days=8 + index % 10) if pilot_side else now - timedelta(days=4),
                how_many=(index % 3) if end == "reviewing" else None)
    outbox.commit()
    for index, (application, end) in enumerate(ctx["to_review"]):
        db.session.refresh(application)
        decided = (pilot.review_due_at + timedelta(days=7, hours=index) if application.round_id == pilot.id
                   else now - timedelta(hours=20 - index % 20))
        _after_review(application, end, ctx, decided)
        outbox.commit()
    seed_mentors(at, now, admin)
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
