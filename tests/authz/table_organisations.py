"""Authorisation table: the organisation profile. Format: README.md.

Every applicant has a profile page (their own organisation's, or the form to
create one); staff and reviewers have none. An empty POST changes nothing of an
existing profile and comes back to it (302); an empty invitation re-shows its
errors (422, refused)."""

EVERYONE_200 = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
APPLICANTS_ONLY = {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403, "admin": 403}

ROUTES = {
    "organisations.profile": {**APPLICANTS_ONLY,
                              "post": {**APPLICANTS_ONLY, "applicant": 302, "other_applicant": 302}},
    "organisations.invite": {**APPLICANTS_ONLY, "applicant": 422, "other_applicant": 422},
    # the emailed link is the permission; an address without an account gets the new-account
    # form, whose empty POST re-shows its errors (422)
    "organisations.join": {**EVERYONE_200, "post": dict.fromkeys(EVERYONE_200, 422),
                           "args": {"token": lambda s: _invitation(s)}},
}


def _invitation(s):
    from grantflow.organisations.operations import invitation_token

    return invitation_token(s.organisation.id, "newcolleague@authz.example.gov", "New Colleague", s.applicant.id)
