"""``grantflow workflows check`` knows what the domains need: one broken copy
of the shipped v1 per requirement, each refused with the file, the line and
what is missing (``core/workflow/checks.py``)."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from grantflow import discovery
from grantflow.core.workflow.definition import check_files

V1 = yaml.safe_load((Path(__file__).resolve().parents[2] / "workflows" / "local_to_global.v1.yaml").read_text())


def _move(data, trigger):
    return next(t for t in data["transitions"] if t["trigger"] == trigger)


def no_stage(d):
    del d["states"]["screening"]["stage"]


def initial_not_preparing(d):
    d["states"]["draft"]["stage"] = "received"


def no_submission(d):
    _move(d, "submit")["guards"] = ["round_open"]


def two_review_stages(d):
    d["states"]["reviews_complete"]["stage"] = "reviewing"


def nothing_sends_to_review(d):
    _move(d, "send_to_review")["roles"] = ["applicant"]


def review_never_closes(d):
    _move(d, "complete_reviews")["guards"] = []


def review_closed_without_system(d):
    _move(d, "complete_reviews")["roles"] = ["admin"]


def review_closes_into_the_wrong_stage(d):
    d["states"]["reviews_complete"]["stage"] = "selected"


def panel_without_review_stage(d):
    d["states"]["in_review"]["stage"] = "checking"


def nothing_awards(d):
    _move(d, "award")["guards"] = []


def award_into_the_wrong_stage(d):
    d["states"]["awarded"]["stage"] = "deciding"


def award_never_offered(d):
    _move(d, "offer_award")["guards"] = []


def offer_without_letter(d):
    _move(d, "offer_award")["effects"] = []


def offer_without_system(d):
    _move(d, "offer_award")["roles"] = ["admin"]


def offer_cannot_be_accepted(d):
    _move(d, "accept_award")["roles"] = ["admin"]


def offer_cannot_be_declined(d):
    _move(d, "decline_offer")["roles"] = ["admin"]


def final_report_never_filed(d):
    _move(d, "submit_final_report")["guards"] = []


def closeout_never_starts(d):
    _move(d, "start_closeout")["guards"] = []


def grant_never_closes(d):
    _move(d, "close")["guards"] = []


def letter_folder_missing(d):
    d["letters"]["send_decline_letter"] = "no_such_letter"


def unknown_stage(d):
    d["states"]["screening"]["stage"] = "screening_stage"


BROKEN = [
    (no_stage, "state 'screening' does not say what it means to GrantFlow: add 'stage:'"),
    (initial_not_preparing, "the initial state 'draft' must have 'stage: preparing'"),
    (no_submission, "applicants cannot submit"),
    (two_review_stages, "only one state may be the panel review"),
    (nothing_sends_to_review, "nothing sends applications to panel review"),
    (review_never_closes, "the panel review 'in_review' never closes"),
    (review_closed_without_system, "the move 'complete_reviews' that closes the reviews must list 'system'"),
    (review_closes_into_the_wrong_stage, "must lead to a state with 'stage: deciding'"),
    (panel_without_review_stage, "closes a panel review, but no state is the panel review"),
    (nothing_awards, "nothing awards a grant"),
    (award_into_the_wrong_stage, "the award 'award' must lead to a state with 'stage: selected'"),
    (award_never_offered, "an awarded application in 'awarded' can never be offered"),
    (offer_without_letter, "the award offer 'offer_award' sends no award letter"),
    (offer_without_system, "the letter job makes the offer"),
    (offer_cannot_be_accepted, "applicants cannot accept the offer in 'award_offered'"),
    (offer_cannot_be_declined, "applicants cannot turn the offer down in 'award_offered'"),
    (final_report_never_filed, "nothing says submitting the final report moves the grant on"),
    (closeout_never_starts, "nothing says accepting the final report starts the closeout"),
    (grant_never_closes, "nothing says the completed checklist closes the grant"),
    (letter_folder_missing, "sends the letter 'no_such_letter', but"),
    (unknown_stage, "has unknown stage 'screening_stage'"),
]


@pytest.fixture(scope="module", autouse=True)
def hooks():
    discovery.import_all_hooks()


def test_the_shipped_definitions_pass(tmp_path):
    root = Path(__file__).resolve().parents[2] / "workflows"
    paths = sorted(root.glob("*.yaml"))
    found, problems = check_files(paths)
    assert problems == [] and len(found) == len(paths)


@pytest.mark.parametrize("breaks, expected", BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_a_definition_missing_what_a_domain_needs_is_refused(tmp_path, breaks, expected):
    data = copy.deepcopy(V1)
    breaks(data)
    path = tmp_path / "local_to_global.v9.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    found, problems = check_files([path])
    assert found == []
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert matching[0].startswith(f"{path}: ")
    assert re.search(r"\bline \d+", matching[0]), matching[0]
