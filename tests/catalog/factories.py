"""Catalog test data: grants with places abroad, partners and the personal answers
(contact, signatory) a public page must never show."""
from __future__ import annotations

from grantflow.extensions import db
from tests import factories as f
from tests.factories_portfolio import create_case, create_report

PERSONAL = {"contact_name": "Zelda Secretperson", "contact_email": "zelda.secret@leak.example.org",
            "contact_phone": "515-555-0199", "signatory": "Mayor Quentin Hidden",
            "signatory_title": "Mayor of Secrets"}


def grant(round_, *, title: str, state: str = "active", accepted: bool = True, awarded: int | None = 4_000_000,
          org=None, country: str = "Portugal", city: str = "Porto", partner: str = "Porto Harbor Institute",
          themes=("climate",), targets=None):
    """An application of ``round_`` (form v1) with answers of every kind; ``accepted``
    gives its award an acceptance record (a payment made on acceptance)."""
    application = create_case(round_, state=state, awarded=awarded, paid=(1_000_000,) if accepted and awarded else (),
                              themes=themes, organisation=org, title=title, targets=targets)
    application.answers = {**application.answers, **PERSONAL,
                           "partner_places": [{"country": country, "city": city}],
                           "partners": [{"name": partner, "type": "academic", "role": f"{title} partner's role"}]}
    if targets:
        application.answers["metric_targets"] = targets
    db.session.flush()
    return application


def published_world():
    """One publishing fund with an accepted grant, and next to it everything that must stay private."""
    fund = f.create_fund(slug="l2g", settings={"open_data": True}, funder_identifier="US-GOV-OCSD")
    published = f.create_round(fund, name="Spring 2025")
    private_round = f.create_round(fund, name="Private round", settings={"open_data": False})
    other_fund = f.create_fund(slug="quiet-fund")
    quiet = f.create_round(other_fund, name="Quiet round")
    iowa = f.create_organisation(name="City of Des Moines", state="IA", applicant_type="C")
    texas = f.create_organisation(name="El Paso County", state="TX", applicant_type="B")
    visible = grant(published, title="Visible harbor partnership", org=iowa, targets={"jobs_created": 20},
                    themes=("climate", "trade_investment"))
    create_report(visible, {"jobs_created": 9}, story="Forty residents joined a trade mission.", consent=True)
    create_report(visible, {"jobs_created": 12}, story="UNCONSENTED-STORY-SECRET", consent=False)
    second = grant(published, title="Border trade corridor", org=texas, state="closed", country="Mexico",
                   city="Ciudad Juárez", partner="Juárez Trade Council", themes=("cross_border",))
    hidden = {
        "offered": grant(published, title="OFFERED-SECRET-TITLE", state="award_offered", accepted=False,
                         country="Offerlandia", partner="Offered Partner Org",
                         org=f.create_organisation(name="Offeredville Town", state="OH")),
        "letter pending": grant(published, title="PENDING-LETTER-SECRET", state="awarded", accepted=False,
                                country="Pendingstan", partner="Pending Partner Org",
                                org=f.create_organisation(name="Pendington City", state="OR")),
        "offer declined": grant(published, title="DECLINED-SECRET-TITLE", state="offer_declined", accepted=False,
                                country="Declinia", partner="Declined Partner Org",
                                org=f.create_organisation(name="Declineburg", state="DE")),
        "not funded": grant(published, title="REJECTED-SECRET-TITLE", state="declined", awarded=None,
                            country="Rejectia", partner="Rejected Partner Org",
                            org=f.create_organisation(name="Rejectville", state="RI")),
        "draft": grant(published, title="DRAFT-SECRET-TITLE", state="draft", awarded=None,
                       country="Draftonia", partner="Draft Partner Org",
                       org=f.create_organisation(name="Draftsville", state="DC")),
        "funded without acceptance record": grant(
            published, title="NO-ACCEPTANCE-SECRET", state="active", accepted=False, country="Unrecordia",
            partner="Unrecorded Partner Org", org=f.create_organisation(name="Unrecorded City", state="UT")),
        "round that does not publish": grant(private_round, title="PRIVATE-ROUND-SECRET", country="Privatia",
                                             partner="Private Partner Org",
                                             org=f.create_organisation(name="Hiddenburg", state="VT")),
        "fund that does not publish": grant(quiet, title="QUIET-FUND-SECRET", country="Quietland",
                                            partner="Quiet Partner Org",
                                            org=f.create_organisation(name="Quietown", state="WY")),
    }
    for org in {iowa, texas}:
        f.create_applicant(org, name=f"Applicant Person {org.id}", email=f"person{org.id}@city.example.gov")
    db.session.commit()
    return {"fund": fund, "round": published, "visible": visible, "second": second, "hidden": hidden,
            "quiet_fund": other_fund}
