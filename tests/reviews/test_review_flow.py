"""Writing a review: drafts, submission rules, the last review closing the
reviews, editing until the deadline, never seeing others' scores first, the
queue, blind review and the rubric version kept with each review."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from grantflow.core import outbox
from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.reviews import rubrics
from grantflow.reviews.models import Review
from tests import factories_reviews as fr
from tests.querycount import count_queries

CRITERIA = ("clarity", "benefit", "partnerships", "feasibility", "success")


def full_review(**overrides):
    data = {f"score_{c}": "4" for c in CRITERIA}
    data.update(recommendation="fund", overall_comment="Strong local partners.", action="submit")
    data.update(overrides)
    return data


def _assigned(f, k=1, **round_kwargs):
    round_ = f.create_round(reviews_per_application=k, **round_kwargs)
    application = fr.create_in_review(round_)
    reviewer = fr.create_reviewer()
    return application, fr.create_assignment(application, reviewer), reviewer


def test_a_draft_keeps_partial_scores(f, client, login_as):
    application, assignment, reviewer = _assigned(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}",
                           data={"score_clarity": "2", "comment_clarity": "", "action": "save"})
    assert response.status_code == 302
    db.session.expire_all()
    review = assignment.review
    assert (review.status, review.scores, review.weighted_score) == ("draft", {"clarity": 2}, None)
    assert (review.rubric_key, review.rubric_version) == ("local_to_global", 1)
    assert "Draft" in client.get("/reviews/").get_data(as_text=True)
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert '<input checked id="score_clarity-1" name="score_clarity" type="radio" value="2">' in page
    # the progress and running total are on the page without JavaScript (static/js/review.js updates them)
    assert "1 of 5 criteria scored" in page and "<strong class=\"progress-total\">5.0</strong> of 100" in page
    assert "js/review.js" in page


@pytest.mark.parametrize("overrides,field,message", [
    ({"score_benefit": ""}, "score_benefit", "Choose a score."),
    ({"score_success": "2"}, "comment_success", "Explain a score below 3 in a comment."),
    ({"recommendation": ""}, "recommendation", "Choose a recommendation."),
    ({"score_clarity": "9"}, "score_clarity", "Choose one of the levels of the scale."),
])
def test_submission_needs_every_score_and_the_required_comments(f, client, login_as, overrides, field, message):
    application, assignment, reviewer = _assigned(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}", data=full_review(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert "Strong local partners." in html  # nothing typed is lost
    db.session.expire_all()
    assert assignment.review is None and application.state == "in_review"


def test_a_low_score_with_a_comment_is_accepted(f, client, login_as):
    _, assignment, reviewer = _assigned(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}",
                           data=full_review(score_success="2", comment_success="No baseline for the metrics."))
    assert response.status_code == 302
    db.session.expire_all()
    # four criteria at 4 (0.75 of their 20 points) and one at 2 (0.25 of 20): 60 + 5
    assert assignment.review.weighted_score == 65.0
    assert assignment.review.comments == {"success": "No baseline for the metrics."}


def test_the_last_review_closes_the_reviews_as_the_system(f, client, login_as):
    application, first, first_reviewer = _assigned(f, k=2)
    second_reviewer = fr.create_reviewer()
    second = fr.create_assignment(application, second_reviewer)
    login_as(first_reviewer)
    assert client.post(f"/reviews/assignments/{first.id}", data=full_review()).status_code == 302
    db.session.expire_all()
    assert application.state == "in_review"
    login_as(second_reviewer)
    assert client.post(f"/reviews/assignments/{second.id}", data=full_review()).status_code == 302
    db.session.expire_all()
    assert application.state == "reviews_complete"
    move = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.complete_reviews"))
    assert move.actor_id is None and move.application_id == application.id


def test_submitted_reviews_can_be_edited_until_the_deadline(f, client, login_as):
    application, assignment, reviewer = _assigned(f, k=2, review_due_at=utcnow() + timedelta(days=3))
    login_as(reviewer)
    client.post(f"/reviews/assignments/{assignment.id}", data=full_review())
    response = client.post(f"/reviews/assignments/{assignment.id}",
                           data=full_review(score_clarity="5", action="save"))
    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.review.status == "submitted" and assignment.review.scores["clarity"] == 5
    # an edit must stay complete
    response = client.post(f"/reviews/assignments/{assignment.id}", data=full_review(score_clarity="", action="save"))
    assert response.status_code == 422
    # after the deadline the review is read-only
    application.round.review_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "The review deadline passed" in page and "Save changes" not in page
    response = client.post(f"/reviews/assignments/{assignment.id}", data=full_review(score_clarity="1", action="save"))
    assert response.status_code == 422
    db.session.expire_all()
    assert assignment.review.scores["clarity"] == 5


def test_other_scores_are_hidden_until_one_submits(f, client, login_as):
    application, assignment, reviewer = _assigned(f, k=3)
    other = fr.create_assignment(application, fr.create_reviewer())
    fr.create_review(other, scores={c: 1 for c in CRITERIA},
                     comments={c: "Weak" for c in CRITERIA}, recommendation="do_not_fund")
    db.session.get(Review, other.review.id).overall_comment = "UNIQUE-OTHER-COMMENT"
    login_as(reviewer)
    client.post(f"/reviews/assignments/{assignment.id}", data={"score_clarity": "3", "action": "save"})
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "UNIQUE-OTHER-COMMENT" not in html and "Do not fund" not in html.split("Your recommendation")[0]
    client.post(f"/reviews/assignments/{assignment.id}", data=full_review())
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "UNIQUE-OTHER-COMMENT" in html and "0.0" in html


def test_the_queue_is_ordered_by_due_date_and_costs_a_fixed_number_of_queries(f, client, login_as):
    reviewer = fr.create_reviewer()
    soon = f.create_round(name="Spring round", review_due_at=utcnow() + timedelta(days=2))
    later = f.create_round(name="Autumn round", review_due_at=utcnow() + timedelta(days=20))
    undated = f.create_round(name="Rolling round")
    for round_ in (undated, later, soon):
        fr.create_assignment(fr.create_in_review(round_, title=f"Project of {round_.name}"), reviewer, coi="undeclared")
    login_as(reviewer)
    html = client.get("/reviews/").get_data(as_text=True)
    positions = [html.index(f"Project of {name}") for name in ("Spring round", "Autumn round", "Rolling round")]
    assert positions == sorted(positions)
    assert "Not started" in html and "Declare any conflict of interest first" in html

    with count_queries() as few:
        client.get("/reviews/")
    for n in range(6):
        assignment = fr.create_assignment(fr.create_in_review(soon), reviewer)
        if n % 2:
            fr.create_review(assignment, submitted=n % 3 == 0)
    outbox.commit()  # and the calibration refresh it queues, before counting
    with count_queries() as many:
        assert client.get("/reviews/").status_code == 200
    assert len(many) == len(few)


def test_the_queue_shows_open_applications_only_whatever_the_round(f, client, login_as):
    """The queue looks in the rounds that have an application in review: an
    application closed in such a round, or in a round with nothing open, is left out."""
    reviewer = fr.create_reviewer()
    in_review, finished = f.create_round(name="Open round"), f.create_round(name="Past round")
    shown = fr.create_in_review(in_review, title="Still in review")
    declined = fr.create_in_review(in_review, title="Declined in the open round")
    past = fr.create_in_review(finished, title="Decided last year")
    for application in (shown, declined, past):
        fr.create_assignment(application, reviewer)
    declined.state = past.state = "declined"
    outbox.commit()
    login_as(reviewer)
    html = client.get("/reviews/").get_data(as_text=True)
    assert "Still in review" in html and "1 application:" in html
    assert "Declined in the open round" not in html and "Decided last year" not in html


def test_blind_review_hides_the_applicant(f, client, login_as):
    round_ = f.create_round(is_blind_review=True)
    organisation = f.create_organisation(name="City of Hiddenburg", state="OR")
    application = fr.create_in_review(round_, organisation=organisation)
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer, coi="undeclared")
    login_as(reviewer)
    declaration = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "Hiddenburg" not in declaration and "reviewed blind" in declaration
    client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "no"})
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    for identity in ("Hiddenburg", "Oregon", "Dana Whitfield", "dana.whitfield@example.gov", "Mayor Alex Romero"):
        assert identity not in html, identity
    assert "Host and send delegations" in html  # the content itself is shown


@pytest.mark.parametrize("written", [
    "City of Hiddenburg will work with Osaka.", "CITY OF HIDDENBURG will work with Osaka.",
    "Hiddenburg will work with Osaka.", "Dana Whitfield will work with Osaka."])
def test_blind_review_hides_the_applicants_names_written_in_the_answers(f, client, login_as, written):
    """The rule (forms/rubrics/README.md): the organization's name, in full or
    without the kind of government, and the identity answers become "[the applicant]"."""
    round_ = f.create_round(is_blind_review=True)
    organisation = f.create_organisation(name="City of Hiddenburg", state="OR")
    application = fr.create_in_review(round_, organisation=organisation)
    application.answers = {**application.answers, "project_summary": written}
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer, coi="none")
    login_as(reviewer)
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "[the applicant] will work with Osaka." in html
    assert "Hiddenburg" not in html.replace("Hiddenburgh", "") and "Dana Whitfield" not in html


def test_an_open_round_shows_the_applicant(f, client, login_as):
    organisation = f.create_organisation(name="City of Openville", state="OR")
    application, assignment, reviewer = _assigned(f)
    application.organisation = organisation
    login_as(reviewer)
    client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "no"})
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "City of Openville" in html and "Dana Whitfield" in html


def test_a_blind_rubric_makes_review_blind_even_in_an_open_round(f, app):
    from grantflow.reviews.operations import is_blind

    application, started, _ = _assigned(f, k=2)
    fr.create_review(started)  # scored on version 1
    fresh = fr.create_assignment(application, fr.create_reviewer())
    assert not is_blind(started) and not is_blind(fresh)
    blind_v2 = replace(rubrics.get_rubric("local_to_global"), version=2, is_blind=True)
    registry = app.extensions[rubrics.EXTENSION_KEY]
    registry[blind_v2.ident] = blind_v2
    try:
        assert is_blind(fresh)          # a new review uses the latest version
        assert not is_blind(started)    # a review keeps the version it was scored against
        assert (started.review.rubric_key, started.review.rubric_version) == ("local_to_global", 1)
    finally:
        del registry[blind_v2.ident]


@pytest.mark.parametrize("blind", [True, False])
def test_downloads_by_a_blind_reviewer_hide_the_file_name(f, client, login_as, blind):
    from tests.factories_applications import create_attachment

    round_ = f.create_round(is_blind_review=blind)
    application = fr.create_in_review(round_)
    attachment = create_attachment(application, filename="Hiddenburg budget.pdf")
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer, coi="none")
    login_as(reviewer)
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert ("Hiddenburg budget.pdf" in page) is not blind
    response = client.get(f"/applications/attachments/{attachment.id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    if blind:
        assert "Hiddenburg" not in disposition
        assert f"{application.reference}-attachment-{attachment.id}.pdf" in disposition
    else:
        assert "Hiddenburg" in disposition
    # staff always get the original name
    login_as(f.create_user("admin"))
    assert "Hiddenburg" in client.get(f"/applications/attachments/{attachment.id}").headers["Content-Disposition"]


def test_a_reviewer_cannot_download_before_declaring(f, client, login_as):
    from tests.factories_applications import create_attachment

    application = fr.create_in_review(f.create_round())
    attachment = create_attachment(application)
    reviewer = fr.create_reviewer()
    fr.create_assignment(application, reviewer, coi="undeclared")
    login_as(reviewer)
    assert client.get(f"/applications/attachments/{attachment.id}").status_code == 403


@pytest.mark.parametrize("themes, why", [
    (["climate", "exchange"], "Matches your expertise: Climate action and the clean-energy transition"),
    (["migration"], "Assigned to complete its panel: no theme in common with your profile"),
])
def test_the_queue_says_why_each_application_was_assigned(f, client, login_as, themes, why):
    reviewer = fr.create_reviewer(expertise=("climate", "trade_investment"))
    application = fr.create_in_review(f.create_round())
    application.themes = themes
    fr.create_assignment(application, reviewer)
    login_as(reviewer)
    assert why in client.get("/reviews/").get_data(as_text=True)
