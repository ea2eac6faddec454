"""``assign_reviewers``: read a round from the database, solve, write the pairs.

The same function serves ``grantflow assign``, the admin button (through a
job) and the automatic replacement after a recusal or a decline. Existing
assignments are kept; every pair that ever existed for an application (active,
recused, declined or removed) is excluded, and so is every declared conflict.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy import insert, select

from ..applications.models import Application
from ..core.audit import client_ip
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.models import AuditEvent
from ..core.workflow import ConcurrentChange, meaning
from ..extensions import db
from ..funds.models import Round
from ..organisations.models import Organisation
from ..users.models import User, UserRole
from .assignment import Problem, Solution, solve
from .fair import DEFAULT_TIME_LIMIT, solve_fair
from .models import DEFAULT_MAX_PER_ROUND, ReviewAssignment, ReviewerProfile
from .explanations import CONFLICT_RULES, explain, plural
from .themes import rounded_percent

#: the stage in which reviewers are assigned and score (a state declares it in the workflow)
REVIEWING = "reviewing"


@dataclass
class RoundData:
    """A round as the solver sees it, plus what the explanations need."""

    problem: Problem
    application_ids: list[int]
    references: list[str]
    application_themes: list[list[str]]
    reviewer_ids: list[int]
    reviewer_names: list[str]
    base_match: np.ndarray
    application_states: list[str]
    blocked: dict[str, np.ndarray]  # rule -> the pairs that rule excludes


#: the proposed pairs a preview lists; beyond them it says how many more (a page of 10,000 rows helps nobody)
PROPOSED_SHOWN = 300

FAIR_FIGURES = ("worst_off", "worst_off_bound", "total_bound", "gap_percent", "optimal", "plain_worst_off",
                "plain_objective", "cost_of_fairness_percent", "time_limit")


@dataclass
class AssignmentReport:
    round_id: int
    dry_run: bool
    fair: bool
    applications: int = 0
    applications_short: int = 0  # those with places to fill; the summary counts these
    places_needed: int = 0
    assigned: int = 0
    objective: int = 0
    explanations: list[str] = field(default_factory=list)
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # (application_id, reviewer_id, match)
    worst_off: int | None = None
    worst_off_bound: int | None = None
    total_bound: int | None = None
    gap_percent: float | None = None
    optimal: bool | None = None
    plain_worst_off: int | None = None
    plain_objective: int | None = None
    cost_of_fairness_percent: float | None = None
    time_limit: float | None = None
    solver_seconds: float = 0.0
    held: bool = False  # a partial assignment kept back until the administrator accepts empty places
    #: what a preview (or a held run) proposes, as the page lists it: (reference, reviewer, match)
    proposed: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.assigned == self.places_needed

    def summary(self) -> str:
        if not self.places_needed:
            return (f"Every one of the {plural(self.applications, 'application')} in review already has its "
                    "reviewers; nothing to assign.")
        verb = "Would fill" if self.dry_run or self.held else "Filled"
        text = (f"{verb} {self.assigned:,} of {plural(self.places_needed, 'reviewer place')} on the "
                f"{plural(self.applications_short, 'application')} short of reviewers ({self.applications:,} in "
                f"review; total expertise match {self.objective:,}).")
        if self.fair and self.worst_off is not None:
            text += f" {self.fair_summary()}"
        return text

    def fair_summary(self) -> str:
        proof = ("optimal (proven)" if self.optimal else
                 f"not proven optimal within {self.time_limit:g} s: gap {self.gap_percent:.2f}%")
        return (f"Fair mode: the worst-matched application's total match is {self.worst_off} (no assignment "
                f"can give it more than {self.worst_off_bound}); total match {self.objective:,} (at most "
                f"{self.total_bound:,} at this worst-off): {proof}. The plain optimum has worst-off "
                f"{self.plain_worst_off} and total {self.plain_objective:,}: fairness costs "
                f"{self.cost_of_fairness_percent:.2f}% of the total match.")

    def as_dict(self) -> dict:
        figures = {"summary": self.summary(), "explanations": self.explanations, "assigned": self.assigned,
                   "places_needed": self.places_needed, "objective": self.objective, "dry_run": self.dry_run,
                   "fair": self.fair, "complete": self.is_complete, "held": self.held,
                   "proposed": [list(row) for row in self.proposed[:PROPOSED_SHOWN]],
                   "proposed_more": max(len(self.proposed) - PROPOSED_SHOWN, 0)}
        if self.fair and self.worst_off is not None:
            figures.update({name: getattr(self, name) for name in FAIR_FIGURES})
        return figures


def load_round(round_: Round, application_ids: list[int] | None = None) -> RoundData:
    query = (select(Application.id, Application.themes, Application.organisation_id, Organisation.state)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .where(Application.round_id == round_.id, meaning.in_stages(Application, REVIEWING))
             .order_by(Application.id))
    if application_ids is not None:
        query = query.where(Application.id.in_(application_ids))
    apps = db.session.execute(query).all()
    reviewers = db.session.execute(
        select(User.id, User.name, User.organisation_id, ReviewerProfile.expertise_themes,
               ReviewerProfile.conflicted_states, ReviewerProfile.conflicted_organisation_ids,
               ReviewerProfile.max_applications_per_round)
        .join(UserRole, sa.and_(UserRole.user_id == User.id, UserRole.role == "reviewer"))
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == User.id)
        .where(User.is_active_account.is_(True)).order_by(User.id)).all()
    existing = db.session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id, ReviewAssignment.status,
               ReviewAssignment.match_score).where(ReviewAssignment.round_id == round_.id)).all()

    app_row = {row.id: i for i, row in enumerate(apps)}
    reviewer_col = {row.id: j for j, row in enumerate(reviewers)}
    n_apps, n_reviewers = len(apps), len(reviewers)
    # why a pair is excluded, one matrix per rule, so an empty place can be explained by its rule
    blocked = {rule: np.zeros((n_apps, n_reviewers), dtype=bool) for rule in CONFLICT_RULES}
    active_per_app = np.zeros(n_apps, dtype=np.int64)
    base_match = np.zeros(n_apps, dtype=np.int64)
    active_per_reviewer = np.zeros(n_reviewers, dtype=np.int64)
    for application_id, reviewer_id, status, match in existing:
        i, j = app_row.get(application_id), reviewer_col.get(reviewer_id)
        if i is not None and j is not None:
            blocked["earlier"][i, j] = True  # never the same pair twice, whatever became of it
        if status == "active":
            if j is not None:
                active_per_reviewer[j] += 1
            if i is not None:
                active_per_app[i] += 1
                base_match[i] += match

    # conflicts: declared states and organisations, and the reviewer's own organisation
    states = sorted({row.state for row in apps})
    state_of_app = np.array([states.index(row.state) for row in apps], dtype=np.int64)
    apps_of_org: dict[int, list[int]] = {}
    for i, row in enumerate(apps):
        apps_of_org.setdefault(row.organisation_id, []).append(i)
    for j, reviewer in enumerate(reviewers):
        banned_states = [states.index(s) for s in (reviewer.conflicted_states or []) if s in states]
        if banned_states:
            blocked["state"][np.isin(state_of_app, banned_states), j] = True
        for org_id in set(reviewer.conflicted_organisation_ids or []):
            blocked["organisation"][apps_of_org.get(org_id, []), j] = True
        blocked["own_organisation"][apps_of_org.get(reviewer.organisation_id, []), j] = True
    allowed = ~np.logical_or.reduce(list(blocked.values())) if n_apps and n_reviewers else \
        np.ones((n_apps, n_reviewers), dtype=bool)

    themes = sorted({t for row in apps for t in (row.themes or [])})
    theme_col = {t: c for c, t in enumerate(themes)}
    app_themes = np.zeros((n_apps, len(themes)), dtype=np.int64)
    for i, row in enumerate(apps):
        for t in row.themes or []:
            app_themes[i, theme_col[t]] = 1
    reviewer_themes = np.zeros((n_reviewers, len(themes)), dtype=np.int64)
    for j, reviewer in enumerate(reviewers):
        for t in reviewer.expertise_themes or []:
            if t in theme_col:
                reviewer_themes[j, theme_col[t]] = 1
    overlap = app_themes @ reviewer_themes.T
    wanted = np.maximum(app_themes.sum(axis=1), 1)[:, None]
    match = np.where(app_themes.sum(axis=1)[:, None] > 0, rounded_percent(overlap, wanted), 0)

    # each reviewer's own cap, lowered to the round's reviewer cap when it sets one
    round_cap = (round_.settings or {}).get("reviewer_cap")
    caps = np.array([min(DEFAULT_MAX_PER_ROUND if r.max_applications_per_round is None
                         else r.max_applications_per_round, round_cap or DEFAULT_MAX_PER_ROUND * 1000)
                     for r in reviewers], dtype=np.int64)
    need = np.maximum(round_.reviews_per_application - active_per_app, 0)
    problem = Problem(need=need, capacity=np.maximum(caps - active_per_reviewer, 0), match=match,
                      allowed=allowed)
    return RoundData(problem=problem, application_ids=[row.id for row in apps],
                     references=[f"L2G-{row.id:05d}" for row in apps],
                     application_themes=[list(row.themes or []) for row in apps],
                     reviewer_ids=[row.id for row in reviewers], reviewer_names=[row.name for row in reviewers],
                     base_match=base_match, application_states=[row.state for row in apps], blocked=blocked)


def assign_reviewers(round_: Round, actor, *, dry_run: bool = False, fair: bool = False,
                     time_limit: float = DEFAULT_TIME_LIMIT, allow_partial: bool = True,
                     application_ids: list[int] | None = None, notify: bool = True) -> AssignmentReport:
    """Fill every application's missing reviewer places optimally; flush,
    never commit. ``actor`` is None when the system replaces a reviewer.
    Without ``allow_partial``, an assignment that leaves places empty is only
    reported (``held``), not written: the administrator decides."""
    if not dry_run:  # one assignment run per round at a time
        db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    data = load_round(round_, application_ids)
    report = AssignmentReport(round_id=round_.id, dry_run=dry_run, fair=fair,
                              applications=len(data.application_ids), places_needed=int(data.problem.need.sum()),
                              applications_short=int((data.problem.need > 0).sum()))
    if not report.places_needed:
        return report
    started = time.perf_counter()
    if fair:
        result = solve_fair(data.problem, base=data.base_match, time_limit=time_limit)
        solution = result.solution
        report.worst_off, report.worst_off_bound, report.total_bound = (
            result.worst_off, result.worst_off_bound, result.total_bound)
        report.gap_percent, report.optimal = round(result.gap_percent, 4), result.is_optimal
        report.plain_worst_off, report.plain_objective = result.plain_worst_off, result.plain_objective
        report.cost_of_fairness_percent = round(result.cost_of_fairness_percent, 4)
        report.time_limit = time_limit
    else:
        solution = solve(data.problem)
    report.solver_seconds = time.perf_counter() - started
    report.assigned, report.objective = solution.assigned, solution.objective
    report.explanations = explain(data, solution, round_.form_key)
    match = data.problem.match
    report.pairs = [(data.application_ids[i], data.reviewer_ids[j], int(match[i, j]))
                    for i, j in zip(solution.apps.tolist(), solution.reviewers.tolist())]
    report.held = not dry_run and not allow_partial and not report.is_complete
    if dry_run or report.held:
        row_of = {a: i for i, a in enumerate(data.application_ids)}
        name_of = dict(zip(data.reviewer_ids, data.reviewer_names))
        report.proposed = sorted((data.references[row_of[a]], name_of[r], m) for a, r, m in report.pairs)
    if not dry_run and not report.held and report.pairs:
        _write(round_, actor, report, notify=notify)
    return report


def _write(round_: Round, actor, report: AssignmentReport, *, notify: bool) -> None:
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    rows = [{"round_id": round_.id, "application_id": a, "reviewer_id": r, "status": "active",
             "source": "automatic", "match_score": m, "assigned_by_id": actor_id, "created_at": now,
             "coi_status": "undeclared"} for a, r, m in report.pairs]
    try:
        db.session.execute(insert(ReviewAssignment), rows)
    except sa.exc.IntegrityError as exc:  # the unique pair: a concurrent run got there first
        raise ConcurrentChange("Reviewers were assigned to this round by someone else at the same time. "
                               "Reload the page and run the assignment again.") from exc
    ip = client_ip()
    audit = [{"created_at": now, "actor_id": actor_id, "application_id": a, "subject_type": "Application",
              "subject_id": a, "action": "review.assigned", "data": {"reviewer_id": r, "match": m,
                                                                   "source": "automatic"},
              "ip_address": ip, "is_visible_to_applicant": False} for a, r, m in report.pairs]
    audit.append({"created_at": now, "actor_id": actor_id, "application_id": None, "subject_type": "Round",
                  "subject_id": round_.id, "action": "review.assignment_run",
                  "data": {**report.as_dict(), "explanations": report.explanations[:20]},
                  "ip_address": ip, "is_visible_to_applicant": False})
    db.session.execute(insert(AuditEvent), audit)
    if notify:
        per_reviewer = Counter(r for _, r, _ in report.pairs)
        reviewers = db.session.scalars(select(User).where(User.id.in_(per_reviewer))).all()
        for reviewer in reviewers:
            send_email(reviewer.email, "review_assigned", reviewer=reviewer, round=round_,
                       count=per_reviewer[reviewer.id])
