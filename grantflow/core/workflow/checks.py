"""What the domains need from a workflow, checked when it is loaded (start-up
and ``grantflow workflows check``). Each problem names the file, the line and
what is missing, in a fund administrator's words.

A workflow need not have every part of the process (a small-grants workflow
has no panel review), but a part it has must be whole: a panel review stage
that nothing closes, an award without its letter, would strand applications.
"""
from __future__ import annotations

import os
from pathlib import Path

from .meaning import STAGES

SUBMIT_GUARD = "answers_complete"
REVIEWS_DONE_GUARD = "all_reviews_submitted"
AWARD_GUARD = "award_terms_recorded"
LETTER_READY_GUARD = "award_letter_ready"
FINAL_REPORT_FILED = "final_report_filed"
FINAL_REPORT_ACCEPTED = "final_report_accepted"
CLOSEOUT_GUARD = "closeout_checklist_complete"


def letters_root() -> Path | None:
    """``templates/letters`` of the running app, or of the environment (the CLI
    checks before the app can start)."""
    from flask import current_app, has_app_context

    if has_app_context():
        configured = current_app.config.get("LETTER_TEMPLATES_DIR")
        return Path(configured) if configured else Path(current_app.config["TEMPLATES_DIR"]) / "letters"
    from ...config import PROJECT_ROOT

    root = Path(os.environ.get("GRANTFLOW_ROOT", PROJECT_ROOT))
    return Path(os.environ.get("GRANTFLOW_TEMPLATES_DIR", root / "templates")) / "letters"


def check_meaning(definition, letters: Path | None = None) -> list[str]:
    """Every problem the domains would meet with this definition."""
    d = definition
    problems: list[str] = []

    def at(kind: str, name: str) -> str:
        line = d.lines.get(f"{kind}:{name}")
        return f"line {line}: " if line else ""

    def problem(where: str, message: str) -> None:
        problems.append(f"{d.source}: {where}{message}")

    def moves(guard=None, from_stage=None, into=None, role=None):
        return [t for t in d.transitions
                if (guard is None or guard in t.guards) and (role is None or role in t.roles)
                and (into is None or d.stage_of(t.dest) == into)
                and (from_stage is None or any(d.stage_of(s) == from_stage for s in t.sources))]

    def state_names(stage):
        return [name for name, state in d.states.items() if state.stage == stage]

    missing = [name for name, state in d.states.items() if not state.stage]
    for name in missing:
        problem(at("state", name), f"state '{name}' does not say what it means to GrantFlow: add 'stage:' "
                                   f"with one of {', '.join(STAGES)}")
    if missing:
        return problems
    if d.states[d.initial].stage != "preparing":
        problem(at("state", d.initial), f"the initial state '{d.initial}' must have 'stage: preparing' (applicants "
                                        "prepare their application there)")
    if not [t for t in moves(guard=SUBMIT_GUARD, role="applicant") if d.initial in t.sources]:
        problem(at("state", d.initial), f"applicants cannot submit: add a move from '{d.initial}' with "
                                        f"'roles: [applicant]' and the guard '{SUBMIT_GUARD}'")

    reviewing = state_names("reviewing")
    if len(reviewing) > 1:
        problem(at("state", reviewing[1]), "only one state may be the panel review ('stage: reviewing'); "
                                           f"found {', '.join(reviewing)}")
    panel = moves(guard=REVIEWS_DONE_GUARD)
    if panel and not reviewing:
        problem(at("transition", panel[0].trigger), f"the move '{panel[0].trigger}' closes a panel review, but no "
                                                    "state is the panel review: give the state where reviewers "
                                                    "score 'stage: reviewing'")
    if reviewing:
        name = reviewing[0]
        if not moves(into="reviewing", role="admin"):
            problem(at("state", name), f"nothing sends applications to panel review: add a move into '{name}' "
                                       "for 'admin'")
        closing = [t for t in moves(guard=REVIEWS_DONE_GUARD) if name in t.sources]
        if not closing:
            problem(at("state", name), f"the panel review '{name}' never closes: add a move from it with the guard "
                                       f"'{REVIEWS_DONE_GUARD}' and 'system' among its roles (GrantFlow closes "
                                       "the reviews when the last one is in)")
        for t in closing:
            if "system" not in t.roles:
                problem(at("transition", t.trigger), f"the move '{t.trigger}' that closes the reviews must list "
                                                     "'system' in its roles: GrantFlow makes it when the last "
                                                     "review is in")
            if d.stage_of(t.dest) != "deciding":
                problem(at("transition", t.trigger), f"the move '{t.trigger}' that closes the reviews must lead to "
                                                     "a state with 'stage: deciding'")

    selected = state_names("selected")
    if selected and not moves(guard=AWARD_GUARD, into="selected"):
        problem(at("state", selected[0]), f"nothing awards a grant: add a move into '{selected[0]}' with the guard "
                                          f"'{AWARD_GUARD}' (the award terms page makes it)")
    for t in moves(guard=AWARD_GUARD):
        if d.stage_of(t.dest) != "selected":
            problem(at("transition", t.trigger), f"the award '{t.trigger}' must lead to a state with "
                                                 "'stage: selected'")
    for name in selected:
        offer = [t for t in moves(guard=LETTER_READY_GUARD, into="offered") if name in t.sources]
        if not offer:
            problem(at("state", name), f"an awarded application in '{name}' can never be offered: add a move from "
                                       f"it into a state with 'stage: offered', with the guard "
                                       f"'{LETTER_READY_GUARD}' and 'system' among its roles")
        for t in offer:
            if d.letter_of(t) is None:
                problem(at("transition", t.trigger), f"the award offer '{t.trigger}' sends no award letter: add a "
                                                     "letter effect from 'letters:' to its effects")
            if "system" not in t.roles:
                problem(at("transition", t.trigger), f"the award offer '{t.trigger}' must list 'system' in its "
                                                     "roles: the letter job makes the offer once the letter is "
                                                     "rendered")
    for name in state_names("offered"):
        for stage, what in (("funded", "accept the offer"), ("refused", "turn the offer down")):
            if not [t for t in moves(into=stage, role="applicant") if name in t.sources]:
                problem(at("state", name), f"applicants cannot {what} in '{name}': add a move from it "
                                           f"for 'applicant' into a state with 'stage: {stage}'")

    if state_names("funded"):
        for guard, into, what in ((FINAL_REPORT_FILED, None, "submitting the final report moves the grant on"),
                                  (FINAL_REPORT_ACCEPTED, "closing", "accepting the final report starts "
                                                                     "the closeout"),
                                  (CLOSEOUT_GUARD, "completed", "the completed checklist closes the grant")):
            if not moves(guard=guard, into=into):
                problem(at("state", state_names("funded")[0]),
                        f"a grant cannot finish: nothing says {what} (add a move with the guard '{guard}'"
                        + (f" into a state with 'stage: {into}')" if into else ")"))

    if letters is not None:
        for effect, folder in d.letters.items():
            if not (letters / folder / "letter.html").is_file():
                problem(f"line {d.lines['letters']}: " if "letters" in d.lines else "",
                        f"the letter effect '{effect}' sends the letter '{folder}', but "
                        f"{letters / folder / 'letter.html'} does not exist")
    return problems
