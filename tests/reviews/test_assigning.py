"""Assigning a round from the database: k reviewers each, caps, conflicts
(declared states and organisations, the reviewer's own organisation, earlier
recusals), existing assignments kept, explanations, the CLI and the button."""
from __future__ import annotations

from sqlalchemy import func, select

from grantflow.cli import cli as grantflow_cli
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.extensions import db
from grantflow.reviews.assigning import assign_reviewers
from grantflow.reviews.models import ReviewAssignment
from tests import factories_reviews as fr


def _pairs(round_):
    return {(a.application_id, a.reviewer_id) for a in db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.round_id == round_.id,
                                       ReviewAssignment.status == "active"))}


def test_every_application_gets_k_reviewers_within_caps_and_best_match(f):
    round_ = f.create_round(reviews_per_application=2)
    climate = [fr.create_in_review(round_, themes=["climate"]) for _ in range(3)]
    trade = [fr.create_in_review(round_, themes=["trade_investment"]) for _ in range(3)]
    climate_experts = [fr.create_reviewer(expertise=["climate"], cap=3) for _ in range(2)]
    trade_experts = [fr.create_reviewer(expertise=["trade_investment"], cap=3) for _ in range(2)]
    report = assign_reviewers(round_, None)
    assert report.is_complete and report.assigned == 12 and report.objective == 1200
    pairs = _pairs(round_)
    for application in climate:
        assert {r for a, r in pairs if a == application.id} == {u.id for u in climate_experts}
    for application in trade:
        assert {r for a, r in pairs if a == application.id} == {u.id for u in trade_experts}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "review.assigned")) == 12
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 4  # one email per reviewer


def test_conflicts_are_never_assigned(f):
    round_ = f.create_round(reviews_per_application=1)
    iowa = fr.create_in_review(round_, state="IA")
    texas = fr.create_in_review(round_, state="TX")
    own_org = fr.create_in_review(round_, state="NE")
    reviewer = fr.create_reviewer(states=["IA"], organisations=[texas.organisation],
                                  organisation=own_org.organisation)
    report = assign_reviewers(round_, None)
    assert report.assigned == 0
    assert len(report.explanations) == 1
    assert report.explanations[0].startswith(
        "Conflicts declared with Iowa and conflicts declared with the applicant organizations and reviewers' own "
        "organizations leave 3 applications from Iowa, Nebraska and Texas on Climate action and the clean-energy "
        "transition with no eligible reviewer: 3 places stay empty")
    other = fr.create_reviewer()
    assign_reviewers(round_, None)
    assert _pairs(round_) == {(iowa.id, other.id), (texas.id, other.id), (own_org.id, other.id)}
    assert reviewer.id not in {r for _, r in _pairs(round_)}


def test_existing_assignments_and_submitted_reviews_are_kept_and_ended_pairs_excluded(f):
    round_ = f.create_round(reviews_per_application=2)
    application = fr.create_in_review(round_)
    kept = fr.create_reviewer()
    review = fr.create_review(fr.create_assignment(application, kept))
    recused = fr.create_reviewer()
    fr.create_assignment(application, recused, coi="conflict", status="recused")
    newcomer = fr.create_reviewer()
    report = assign_reviewers(round_, None)
    assert report.places_needed == 1 and report.assigned == 1
    assert _pairs(round_) == {(application.id, kept.id), (application.id, newcomer.id)}
    assert review.status == "submitted"


def test_caps_count_assignments_across_the_round(f):
    round_ = f.create_round(reviews_per_application=1)
    first, second = fr.create_in_review(round_), fr.create_in_review(round_)
    busy = fr.create_reviewer(cap=1)
    fr.create_assignment(first, busy)
    report = assign_reviewers(round_, None)
    assert report.assigned == 0
    (message,) = report.explanations
    assert message.startswith("Total capacity is short: the reviewers have 0 free places for 1 place needed, 1 too few.")
    assert f"Left short: 1 application from Iowa on Climate action and the clean-energy transition ({second.reference})" \
        in message
    assert second.id not in {a for a, _ in _pairs(round_)}


def test_explanation_names_the_full_reviewers(f):
    round_ = f.create_round(reviews_per_application=1)
    apps = [fr.create_in_review(round_, themes=["trade_investment"], state="TX") for _ in range(3)]
    fr.create_reviewer(name="Only Texan Reviewer", cap=1)
    fr.create_reviewer(name="Conflicted", states=["TX"], cap=10)
    report = assign_reviewers(round_, None)
    assert report.assigned == 1
    message = report.explanations[-1]
    assert message.startswith("Conflicts declared with Texas leave 2 applications from Texas on Trade and foreign direct "
                              "investment with only 1 eligible reviewer (Only Texan Reviewer), whose places are all "
                              "taken: 2 places stay empty")
    assert all(a.reference in " ".join(report.explanations) for a in apps if a.id not in
               {x for x, _ in _pairs(round_)})


def test_only_applications_in_review_are_assigned(f):
    round_ = f.create_round(reviews_per_application=1)
    draft = f.create_application(round_, state="screening")
    fr.create_reviewer()
    assert assign_reviewers(round_, None).applications == 0
    assert (draft.id, ) not in {(a,) for a, _ in _pairs(round_)}


def test_dry_run_changes_nothing(f):
    round_ = f.create_round()
    fr.create_in_review(round_)
    for _ in range(3):
        fr.create_reviewer()
    report = assign_reviewers(round_, None, dry_run=True)
    assert report.assigned == 3 and len(report.pairs) == 3
    assert _pairs(round_) == set()


def test_fair_mode_through_the_database(f):
    round_ = f.create_round(reviews_per_application=2)
    apps = [fr.create_in_review(round_, themes=["climate"]) for _ in range(2)]
    for _ in range(2):
        fr.create_reviewer(expertise=["climate"], cap=1)
    for _ in range(2):
        fr.create_reviewer(expertise=["democracy"], cap=1)
    report = assign_reviewers(round_, None, fair=True)
    assert report.is_complete and report.worst_off == 100
    per_app = {a.id: 0 for a in apps}
    for assignment in db.session.scalars(select(ReviewAssignment)):
        per_app[assignment.application_id] += assignment.match_score
    assert sorted(per_app.values()) == [100, 100]


def test_cli_dry_run_and_real_run(f, runner):
    round_ = f.create_round(reviews_per_application=1)
    fr.create_in_review(round_)
    fr.create_reviewer()
    db.session.commit()
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("Would fill 1 of 1 reviewer place on the 1 application short of reviewers (1 in review; "
            in result.output)
    assert "Dry run: nothing was saved." in result.output
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id)])
    assert result.exit_code == 0, result.output
    assert "Filled 1 of 1 reviewer place" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 1


def test_cli_reports_a_shortfall_with_a_nonzero_exit(f, runner):
    round_ = f.create_round(reviews_per_application=2)
    fr.create_in_review(round_)
    fr.create_reviewer()
    db.session.commit()
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id)])
    assert result.exit_code == 2
    assert "and a reviewer reviews an application once: 1 place stays empty" in result.output
    assert runner.invoke(grantflow_cli, args=["assign", "99999"]).exit_code == 1


def test_admin_button_assigns_in_one_click(f, client, login_as):
    round_ = f.create_round(reviews_per_application=1)
    application = fr.create_in_review(round_)
    reviewer = fr.create_reviewer()
    admin = f.create_user("admin")
    login_as(admin)
    response = client.post(f"/reviews/admin/rounds/{round_.id}/assign", data={"action": "assign"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filled 1 of 1 reviewer place" in page
    assert reviewer.name in page
    db.session.expire_all()
    assert _pairs(round_) == {(application.id, reviewer.id)}


def test_admin_preview_lists_the_proposed_pairs_and_changes_nothing(f, client, login_as):
    round_ = f.create_round(reviews_per_application=1)
    short = fr.create_in_review(round_, title="Short of a reviewer")
    served = [fr.create_in_review(round_, title=f"Served {n}") for n in range(4)]
    for application in served:
        fr.create_assignment(application, fr.create_reviewer(name=f"Busy {application.id}", cap=1))
    free = fr.create_reviewer(name="Free Reviewer")
    login_as(f.create_user("admin"))
    response = client.post(f"/reviews/admin/rounds/{round_.id}/assign", data={"action": "preview", "fair": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # the places belong to the one short application, not to the five in review
    assert "Would fill 1 of 1 reviewer place on the 1 application short of reviewers (5 in review;" in html
    proposed = html.split("Proposed assignments</caption>", 1)[1].split("</table>", 1)[0]
    assert short.reference in proposed and free.name in proposed
    assert not any(application.reference in proposed for application in served)
    db.session.expire_all()
    assert _pairs(round_) == {(a.id, r) for a in served for r in [_reviewer_of(a)]}


def _reviewer_of(application) -> int:
    return db.session.scalar(select(ReviewAssignment.reviewer_id).where(
        ReviewAssignment.application_id == application.id))


def test_the_assignment_page_is_paged_and_filters_the_short(f, client, login_as, monkeypatch):
    from grantflow.reviews import admin_views

    monkeypatch.setattr(admin_views, "APPLICATIONS_PER_PAGE", 2)
    round_ = f.create_round(reviews_per_application=1)
    apps = [fr.create_in_review(round_, title=f"Project {n}") for n in range(3)]
    fr.create_assignment(apps[0], fr.create_reviewer())
    login_as(f.create_user("admin"))
    html = client.get(f"/reviews/admin/rounds/{round_.id}/assignments").get_data(as_text=True)
    assert "Project 0" in html and "Project 1" in html and "Project 2" not in html
    assert "2 applications in review still need 2 reviewer places" in html and "Page 1 of 2" in html
    html = client.get(f"/reviews/admin/rounds/{round_.id}/assignments?missing=1").get_data(as_text=True)
    assert "Project 0" not in html and "Project 1" in html and "Project 2" in html


def _short_round(f):
    """Two applications, one reviewer with one place: one place stays empty."""
    round_ = f.create_round(reviews_per_application=1)
    apps = [fr.create_in_review(round_) for _ in range(2)]
    fr.create_reviewer(cap=1)
    db.session.commit()
    return round_, apps


def test_cli_saves_a_partial_assignment_only_with_allow_partial(f, runner):
    round_, _ = _short_round(f)
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id)])
    assert result.exit_code == 2
    assert "Would fill 1 of 2 reviewer places" in result.output
    assert "Nothing was saved: 1 places would stay empty" not in result.output
    assert "Nothing was saved: 1 place would stay empty. Fix the cause above, or run again with --allow-partial" \
        in result.output
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id), "--allow-partial"])
    assert result.exit_code == 0, result.output
    assert "Filled 1 of 2 reviewer places" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 1


def test_cli_fair_mode_reports_bounds_gap_and_cost(f, runner):
    round_ = f.create_round(reviews_per_application=2)
    for _ in range(2):
        fr.create_in_review(round_, themes=["climate"])
    for expertise in (["climate"], ["climate"], ["democracy"], ["democracy"]):
        fr.create_reviewer(expertise=expertise, cap=1)
    db.session.commit()
    result = runner.invoke(grantflow_cli, args=["assign", str(round_.id), "--fair", "--dry-run",
                                                "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert ("Fair mode: the worst-matched application's total match is 100 (no assignment can give it more "
            "than 100); total match 200 (at most 200 at this worst-off): optimal (proven). The plain optimum has "
            "worst-off 100 and total 200: fairness costs 0.00% of the total match.") in result.output
    refused = runner.invoke(grantflow_cli, args=["assign", str(round_.id), "--fair", "--time-limit", "-1"])
    assert refused.exit_code == 2 and "Invalid value for '--time-limit'" in refused.output


def test_admin_preview_shows_fair_figures_next_to_the_plain_optimum(f, client, login_as):
    round_ = f.create_round(reviews_per_application=2)
    for _ in range(2):
        fr.create_in_review(round_, themes=["climate"])
    for expertise in (["climate"], ["climate"], ["democracy"], ["democracy"]):
        fr.create_reviewer(expertise=expertise, cap=1)
    login_as(f.create_user("admin"))
    html = client.post(f"/reviews/admin/rounds/{round_.id}/assign",
                       data={"action": "preview", "fair": "y"}).get_data(as_text=True)
    assert "Fair mode against the plain optimum" in html
    assert "Proven upper bound on the worst-off" in html and "Optimal (proven)" in html
    assert "Cost of fairness" in html and "0.00% of the total match" in html


def test_admin_partial_assignment_is_previewed_and_saved_only_when_confirmed(f, client, login_as):
    round_, apps = _short_round(f)
    login_as(f.create_user("admin"))
    html = client.post(f"/reviews/admin/rounds/{round_.id}/assign", data={"action": "preview"}).get_data(as_text=True)
    assert "If you assign now, 1 reviewer place would stay empty" in html and "Save the partial assignment" in html
    response = client.post(f"/reviews/admin/rounds/{round_.id}/assign", data={"action": "assign"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved" in html and "Save the partial assignment" in html
    db.session.expire_all()
    assert _pairs(round_) == set()
    response = client.post(f"/reviews/admin/rounds/{round_.id}/assign",
                           data={"action": "assign", "allow_partial": "y"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filled 1 of 2 reviewer places" in html and "Save the partial assignment" not in html
    db.session.expire_all()
    assert len(_pairs(round_)) == 1


def test_grantflow_assign_imports_only_its_own_commands_and_no_solver(tmp_path):
    """Start-up: the command's own module, and the app, without SciPy or OR-Tools (they load when solving)."""
    import os
    import subprocess
    import sys

    code = ("import sys, click; from grantflow.cli import cli, _create_app; "
            "assert cli.get_command(click.Context(cli), 'assign').name == 'assign'; _create_app(); "
            "print(sorted(m for m in sys.modules if m.startswith('grantflow.') and m.endswith('.cli') "
            "or m.split('.')[0] in ('ortools', 'scipy')))")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite'}", "SECRET_KEY": "start-up"}
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                            cwd=tmp_path).stdout
    assert loaded.strip().splitlines()[-1] == "['grantflow.cli', 'grantflow.reviews.cli']"
