"""Authorisation table: awards and letters. Format: README.md.

Staff pages are for administrators only (403 for everyone else). The award
offer, its letter and the acceptance are for the applicant organisation's
members and staff: another organisation gets 404 (its existence is not
disclosed), a reviewer 403."""
from grantflow.awards.models import LetterBatch
from grantflow.extensions import db

from tests import factories_awards as fa


def _batch(s):
    batch = LetterBatch(round=s.round, created_by=s.admin)
    db.session.add(batch)
    db.session.flush()
    fa.create_letter_directly(s.offered, failed=True).batch = batch
    return batch


SCENARIO = {
    # the scenario's application, in the state each page needs
    "awardable": lambda s: _set_state(s.application, "reviews_complete"),
    "awarded": lambda s: fa.create_award_directly(s.application, state="awarded").application,
    "offered": lambda s: fa.create_award_directly(s.application, state="award_offered").application,
    "sent_letter": lambda s: fa.create_letter_directly(s.offered),
    "failed_letter": lambda s: fa.create_letter_directly(s.offered, failed=True),
    "letter_batch": _batch,
}


def _set_state(application, state):
    application.state = state
    return application


ADMIN_ONLY = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
ADMIN_ONLY_REDIRECT = {**ADMIN_ONLY, "admin": 302}
#: the applicant organisation and staff; another organisation never learns it exists
APPLICANT_AND_STAFF = {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 403, "admin": 200}

ROUTES = {
    "awards.new_award": {**ADMIN_ONLY, "args": {"application_id": "awardable.id"},
                         "post": {**ADMIN_ONLY, "admin": 422}},  # an empty POST: the form, refused
    "awards.index": ADMIN_ONLY,
    "awards.manage": {**ADMIN_ONLY, "args": {"application_id": "offered.id"}},
    "awards.send_letter": {**ADMIN_ONLY_REDIRECT, "args": {"application_id": "awarded.id"}},
    "awards.preview_letter": {**ADMIN_ONLY, "args": {"application_id": "awarded.id", "kind": lambda s: "award"}},
    "awards.render_letter": {**ADMIN_ONLY_REDIRECT, "args": {"application_id": "offered.id"},
                             "data": {"kind": "award"}},
    "awards.retry_letter": {**ADMIN_ONLY_REDIRECT, "args": {"letter_id": "failed_letter.id"}},
    "awards.round_letters": {**ADMIN_ONLY, "needs": ["offered"], "post": ADMIN_ONLY_REDIRECT},
    "awards.batch": {**ADMIN_ONLY, "args": {"batch_id": "letter_batch.id"}},
    "awards.retry_batch": {**ADMIN_ONLY_REDIRECT, "args": {"batch_id": "letter_batch.id"}},
    "awards.download_letter": {**APPLICANT_AND_STAFF, "args": {"letter_id": "sent_letter.id"}},
    "awards.offer": {**APPLICANT_AND_STAFF, "args": {"application_id": "offered.id"}},
    "awards.application_letters": {**APPLICANT_AND_STAFF, "needs": ["sent_letter"]},
    # only the applicant may accept or decline: staff are refused by the workflow (403)
    "awards.accept": {**APPLICANT_AND_STAFF, "admin": 403, "applicant": 302,
                      "args": {"application_id": "offered.id"}, "data": {"typed_name": "Owner Applicant"}},
    "awards.refuse_offer": {**APPLICANT_AND_STAFF, "admin": 403, "args": {"application_id": "offered.id"},
                             "post": {**APPLICANT_AND_STAFF, "applicant": 422, "admin": 403}},
}
