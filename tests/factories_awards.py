"""Factories for awards and letters: terms, awarded applications, offers."""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from grantflow.awards import letters as letter_ops
from grantflow.awards import operations
from grantflow.awards.operations import AwardTerms, TrancheTerms
from grantflow.core import outbox
from grantflow.extensions import db
from tests import factories as f

PERIOD_START = date(2026, 7, 1)
PERIOD_END = date(2027, 6, 30)
CONDITIONS = ("Acknowledge the Office of City and State Diplomacy in public materials.\n\n"
              "Share the project's results with the Local-to-Global practitioners' network.")


def terms(amount_cents: int = 7_500_000, *, co_funders=(("Heartland Community Foundation", 1_500_000),),
          tranches=None, **overrides) -> AwardTerms:
    tranches = tranches if tranches is not None else (TrancheTerms("First payment", "acceptance", Decimal(50)),
                            TrancheTerms("Second payment", "interim_report", Decimal(40)),
                            TrancheTerms("Final payment", "final_report", Decimal(10)))
    values = dict(amount_cents=amount_cents, period_start=PERIOD_START, period_end=PERIOD_END,
                  conditions=CONDITIONS, co_funders=tuple(co_funders), tranches=tuple(tranches))
    values.update(overrides)
    return AwardTerms(**values)


def create_admin():
    return f.create_user("admin", name="Morgan Admin")


def create_applicant_pair(organisation=None):
    """An organisation with a member who applied (the letter's recipient)."""
    organisation = organisation or f.create_organisation(
        name="City of Des Moines", address="400 Robert D. Ray Drive\nDes Moines, IA 50309")
    applicant = f.create_applicant(organisation, name="Dana Whitfield")
    return organisation, applicant


def create_awarded_application(*, admin=None, state: str = "reviews_complete", amount_requested_cents=8_000_000,
                               award_terms: AwardTerms | None = None, **application_kwargs):
    """An application awarded through ``record_award_terms`` (so the workflow ran)."""
    admin = admin or create_admin()
    organisation, applicant = create_applicant_pair(application_kwargs.pop("organisation", None))
    application = f.create_application(organisation=organisation, state=state, created_by=applicant,
                                       amount_requested_cents=amount_requested_cents,
                                       answers={"representative_name": "Mayor Alex Romero",
                                                "representative_title": "Mayor"},
                                       **application_kwargs)
    award = operations.record_award_terms(application, admin, award_terms or terms())
    return application, award, applicant, admin


def create_offered_application(**kwargs):
    """Awarded, award letter rendered in-process and the offer made."""
    application, award, applicant, admin = create_awarded_application(**kwargs)
    outbox.commit()
    letter = letter_ops.send_award_letter(application, admin)
    outbox.commit()
    db.session.refresh(letter)
    db.session.refresh(application)
    assert letter.status == "ready", letter.error
    return application, award, applicant, admin, letter


def copy_letter_templates(app, destination: Path) -> Path:
    """A private copy of templates/letters that a test may break."""
    source = Path(app.config["TEMPLATES_DIR"]) / "letters"
    shutil.copytree(source, destination)
    return destination


def create_award_directly(application, *, state: str = "award_offered", amount_cents: int = 5_000_000):
    """An award row without running the workflow (for tables of permissions)."""
    from grantflow.awards.models import Award, AwardFundingSource, PaymentTranche

    application.state = state
    award = Award(application=application, award_number=f"OCSD-L2G-2026-{application.id:04d}",
                  amount_cents=amount_cents, period_start=PERIOD_START, period_end=PERIOD_END,
                  conditions=CONDITIONS)
    award.funding_sources = [AwardFundingSource(position=0, name=application.round.fund.name, is_fund=True,
                                                amount_cents=amount_cents)]
    award.tranches = [PaymentTranche(sequence=1, label="First payment", release_on="acceptance",
                                     percent=Decimal(50), amount_cents=amount_cents // 2),
                      PaymentTranche(sequence=2, label="Final payment", release_on="final_report",
                                     percent=Decimal(50), amount_cents=amount_cents - amount_cents // 2)]
    db.session.add(award)
    db.session.flush()
    return award


FAKE_PDF = b"%PDF-1.4\n% a stand-in letter for permission tests\n%%EOF\n"


def create_letter_directly(application, *, kind: str = "award", sent: bool = True, failed: bool = False):
    """A letter row (and its file, unless failed) without rendering anything."""
    import hashlib

    from grantflow.awards.letters import RENDER_TASK
    from grantflow.awards.models import Letter
    from grantflow.core import storage
    from grantflow.core.db import utcnow
    from grantflow.core.models import BackgroundJob

    version = 1 + len([x for x in application.letters if x.kind == kind])
    letter = Letter(application=application, kind=kind, version=version, template_name=kind)
    db.session.add(letter)
    db.session.flush()
    letter.job = BackgroundJob(task=RENDER_TASK, args={"letter_id": letter.id},
                               status="failed" if failed else "done",
                               error="PdfTemplateError: letter.html (line 3): boom" if failed else None)
    if not failed:
        key = f"{application.id}/{kind}-v{version}.pdf"
        storage.area("letters").put_bytes(key, FAKE_PDF)
        letter.file_path, letter.size_bytes = key, len(FAKE_PDF)
        letter.sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
        letter.rendered_at = utcnow()
        letter.sent_at = utcnow() if sent else None
    db.session.flush()
    return letter
