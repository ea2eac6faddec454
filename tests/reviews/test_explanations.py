"""Every way a round can leave places empty is explained by its cause, with
the applications, the reviewers left to them and what would fill the places;
a partial assignment is only a preview until someone accepts it."""
from __future__ import annotations

import pytest

from grantflow.reviews.assigning import assign_reviewers
from tests import factories_reviews as fr

CLIMATE = "Climate action and the clean-energy transition"


def _capacity(f, round_):
    apps = [fr.create_in_review(round_) for _ in range(2)]
    fr.create_reviewer(name="Ben Best", cap=1)
    return apps


def _state(f, round_):
    apps = [fr.create_in_review(round_, state="AK") for _ in range(3)]
    fr.create_in_review(round_, state="TX")
    fr.create_reviewer(name="Ann Able", states=["AK"], cap=10)
    fr.create_reviewer(name="Ben Best", cap=1)
    return apps


def _declared_organisation(f, round_):
    apps = [fr.create_in_review(round_) for _ in range(2)]
    other = [fr.create_in_review(round_) for _ in range(2)]
    fr.create_reviewer(name="Ann Able", organisations=[a.organisation for a in apps], cap=10)
    fr.create_reviewer(name="Ben Best", organisations=[a.organisation for a in other], cap=1)
    return apps


def _own_organisation(f, round_):
    organisation = f.create_organisation(state="IA")
    apps = [fr.create_in_review(round_, organisation=organisation) for _ in range(2)]
    fr.create_reviewer(name="Ann Able", organisation=organisation, cap=10)
    fr.create_reviewer(name="Ben Best", cap=1)
    return apps


def _earlier(f, round_):
    app = fr.create_in_review(round_)
    fr.create_assignment(app, fr.create_reviewer(name="Ann Able", cap=10), coi="conflict", status="recused")
    fr.create_assignment(fr.create_in_review(round_), fr.create_reviewer(name="Ben Best", cap=1))
    return [app]


CAUSES = [  # (builder, start of the explanation, the fix it proposes)
    (_capacity, "Total capacity is short: the reviewers have 1 free place for 2 places needed, 1 too few.",
     "Raise the reviewers' caps by at least 1 in total, or add reviewers with at least 1 place."),
    (_state, f"Conflicts declared with Alaska leave 2 applications from Alaska on {CLIMATE} with only 1 eligible "
             "reviewer (Ben Best), whose places are all taken: 2 places stay empty",
     f"raise the caps of the reviewers named by at least 2 in total, or add 1 reviewer with expertise in {CLIMATE} "
     "and no conflict with Alaska (together at least 2 places)."),
    (_declared_organisation, "Conflicts declared with the applicant organizations leave 1 application from Iowa "
                             f"on {CLIMATE} with only 1 eligible reviewer (Ben Best), whose places are all taken: "
                             "1 place stays empty",
     "no tie to the applicant organizations (together at least 1 place)."),
    (_own_organisation, f"Reviewers' own organizations leave 1 application from Iowa on {CLIMATE} with only 1 "
                        "eligible reviewer (Ben Best), whose places are all taken: 1 place stays empty",
     "add 1 reviewer with expertise in"),
    (_earlier, "Earlier assignments (a reviewer who reviewed, recused from or declined an application is not "
               f"assigned it again) leave 1 application from Iowa on {CLIMATE} with only 1 eligible reviewer "
               "(Ben Best), whose places are all taken: 1 place stays empty",
     "raise the caps of the reviewers named by at least 1 in total"),
]


@pytest.mark.parametrize("build,cause,fix", CAUSES, ids=[c[0].__name__.strip("_") for c in CAUSES])
def test_each_cause_is_named_with_its_fix(f, build, cause, fix):
    round_ = f.create_round(reviews_per_application=1)
    short = build(f, round_)
    report = assign_reviewers(round_, None, dry_run=True)
    assert not report.is_complete
    (message,) = report.explanations
    assert message.startswith(cause)
    assert fix in message
    assigned = {a for a, _, _ in report.pairs}
    for application in short:
        assert (application.reference in message) == (application.id not in assigned)


def test_too_few_reviewers_for_a_panel(f):
    round_ = f.create_round(reviews_per_application=3)
    application = fr.create_in_review(round_, themes=["climate", "democracy"])
    fr.create_reviewer(name="Ann Able")
    fr.create_reviewer(name="Ben Best")
    (message,) = assign_reviewers(round_, None, dry_run=True).explanations
    assert message.startswith("Too few reviewers: 1 application from Iowa on ")
    assert ("has only 2 eligible reviewers (Ann Able and Ben Best), and a reviewer reviews an application once: "
            f"1 place stays empty ({application.reference}). To fill them, add 1 reviewer with expertise in") in message


def test_only_themes_every_short_application_has_are_named(f):
    round_ = f.create_round(reviews_per_application=1)
    fr.create_in_review(round_, themes=["climate"], state="AK")
    fr.create_in_review(round_, themes=["democracy"], state="AK")
    fr.create_reviewer(name="Ann Able", states=["AK"])
    (message,) = assign_reviewers(round_, None, dry_run=True).explanations
    assert message.startswith("Conflicts declared with Alaska leave 2 applications from Alaska with no eligible "
                              "reviewer: 2 places stay empty")
    assert (f"add 1 reviewer with expertise in {CLIMATE} or Democratic institutions and elections and no conflict "
            "with Alaska (together at least 2 places).") in message


def test_header_and_preview_count_the_same_places(f, client, login_as):
    round_ = f.create_round(reviews_per_application=2)
    fr.create_in_review(round_)
    done = f.create_application(round_, state="reviews_complete")
    fr.create_assignment(done, fr.create_reviewer(name="Ann Able"))
    fr.create_reviewer(name="Ben Best")
    login_as(f.create_user("admin"))
    html = client.post(f"/reviews/admin/rounds/{round_.id}/assign", data={"action": "preview"}).get_data(as_text=True)
    assert "1 application in review still needs 2 reviewer places." in html
    assert ("Would fill 2 of 2 reviewer places on the 1 application short of reviewers (1 in review;" in html), \
        html[html.find("Preview"):][:400]
