"""A round's ranking: the aggregation of its submitted reviews, read from the
database in a fixed number of queries, with the funding line."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import not_, or_, select

from ..applications.models import Application
from ..core.workflow import meaning
from ..extensions import cache, db
from ..funds.models import Round
from ..users.models import User
from .aggregation import (
    DEFAULT_DISAGREEMENT, ApplicationStats, Calibration, calibrate, explain_offset, summarise,
    uncertain_near_line, with_calibration,
)
from .calibration_store import fingerprints, round_scores
from .models import ReviewAssignment

SORTS = {
    "calibrated": lambda r: (r.stats.calibrated if r.stats.calibrated is not None else float("-inf")),
    "raw": lambda r: (r.stats.mean if r.stats.count else float("-inf")),
    "sd": lambda r: (r.stats.sd if r.stats.sd is not None else float("-inf")),
    "reviews": lambda r: r.stats.count,
    "amount": lambda r: r.amount_requested_cents or 0,
    "reference": lambda r: r.application_id,
    "title": lambda r: (r.title or "").lower(),
    "state": lambda r: r.state,
}
#: the natural direction of each column (scores: best first)
DEFAULT_DESCENDING = {"calibrated", "raw", "sd", "reviews", "amount"}


@dataclass
class Row:
    """One application of the ranking: the columns it is sorted and totalled by;
    the application itself is loaded for the rows a page shows (``Ranking.page``)."""
    application_id: int
    title: str
    state: str
    amount_requested_cents: int | None
    stats: ApplicationStats
    assigned: int = 0
    competing: bool = True  # False once out of the running (its amount no longer counts against the budget)
    running_total_cents: int | None = None
    within_budget: bool = False
    uncertain: bool = False
    application: Application | None = None


@dataclass
class ReviewerRow:
    reviewer: User
    count: int
    offset: float
    explanation: str


@dataclass
class Ranking:
    round: Round
    rows: list[Row]
    reviewers: list[ReviewerRow]
    sort: str
    descending: bool
    line_after: int | None = None    # index in rows after which the funding line is drawn
    budget_cents: int = 0
    sigma: float | None = None
    settings: dict = field(default_factory=dict)

    @property
    def funded_total_cents(self) -> int:
        return max((r.running_total_cents or 0 for r in self.rows if r.within_budget), default=0)

    def page(self, number: int, per_page: int) -> "Slice":
        """The rows of page ``number``, each with its application (and organisation)
        loaded: one statement, for the rows shown rather than the whole round."""
        shown = Slice.of(self.rows, number, per_page)
        loaded = {application.id: application for application in db.session.scalars(
            select(Application).where(Application.id.in_([row.application_id for row in shown.items]))
            .options(db.joinedload(Application.organisation)))}
        for row in shown.items:
            row.application = loaded[row.application_id]
        return shown


@dataclass
class Slice:
    """One page of the ranking, shaped like Flask-SQLAlchemy's Pagination so the
    shared pagination macro can render it; the totals are over the whole round."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @classmethod
    def of(cls, rows: list, page: int, per_page: int) -> "Slice":
        page = min(max(page, 1), max(1, -(-len(rows) // per_page)))
        return cls(items=rows[(page - 1) * per_page: page * per_page], page=page, per_page=per_page,
                   total=len(rows))


def round_settings(round_: Round) -> dict:
    settings = round_.settings or {}
    shrinkage = settings.get("review_shrinkage")  # None: estimated from the round (empirical Bayes)
    return {"disagreement": float(settings.get("review_disagreement_threshold", DEFAULT_DISAGREEMENT)),
            "shrinkage": float(shrinkage) if shrinkage is not None else None}


#: a round's figures nobody asked for in a day go
FIGURES_SECONDS = 24 * 3600


def round_figures(round_: Round, settings: dict) -> tuple[dict[int, ApplicationStats], Calibration]:
    """Each application's statistics and the round's calibration: a fit over
    every review of the round, kept in the shared cache under the fingerprint
    of what it depends on (``calibration_store.fingerprints``: any submission,
    edit, reopening, recusal or shrinkage setting moves it), read from the
    database now; so an entry is never out of date, on any process or node."""
    key = f"ranking:{round_.id}:{fingerprints([round_.id])[round_.id]}:{settings['disagreement']!r}"
    found = cache.get(key)
    if found is None:
        scores = round_scores(round_.id)
        stats = summarise(scores, disagreement_threshold=settings["disagreement"])
        calibration = calibrate(scores, shrinkage=settings["shrinkage"])
        with_calibration(stats, calibration)
        found = (stats, calibration)
        cache.set(key, found, timeout=FIGURES_SECONDS)
    return found


def build_ranking(round_: Round, *, sort: str = "calibrated", descending: bool | None = None) -> Ranking:
    settings = round_settings(round_)
    stats, calibration = round_figures(round_, settings)

    active = (ReviewAssignment.round_id == round_.id, ReviewAssignment.status == "active")
    assigned_counts = dict(db.session.execute(
        select(ReviewAssignment.application_id, db.func.count()).where(*active)
        .group_by(ReviewAssignment.application_id)).all())
    # columns, not objects: the whole round is sorted and totalled, a page of it shown
    entries = db.session.execute(
        select(Application.id, Application.title, Application.state, Application.amount_requested_cents,
               not_(meaning.in_stages(Application, *meaning.OUT_OF_THE_RUNNING_STAGES)))
        .where(Application.round_id == round_.id,
               # a subquery, not the ids: one statement text, parsed and planned once
               or_(Application.id.in_(select(ReviewAssignment.application_id).where(*active)),
                   meaning.in_stages(Application, *meaning.PANEL_STAGES)))).all()
    rows = [Row(application_id=id_, title=title, state=state, amount_requested_cents=amount,
                assigned=assigned_counts.get(id_, 0), competing=bool(competing),
                stats=stats.get(id_) or ApplicationStats(id_, 0, 0.0, None, 0.0, 0.0))
            for id_, title, state, amount, competing in entries]

    # the funding line and its uncertainty follow the calibrated ranking
    by_merit = sorted((r for r in rows if r.stats.calibrated is not None and r.competing),
                      key=lambda r: -r.stats.calibrated)
    spent, line_index = 0, None
    for index, row in enumerate(by_merit):
        spent += row.amount_requested_cents or 0
        if spent > round_.budget_cents and line_index is None:
            line_index = index
    uncertain = uncertain_near_line([r.stats for r in by_merit], line_index)
    for row in rows:
        row.uncertain = row.application_id in uncertain

    sort = sort if sort in SORTS else "calibrated"
    descending = sort in DEFAULT_DESCENDING if descending is None else descending
    rows.sort(key=lambda r: r.application_id)
    rows.sort(key=SORTS[sort], reverse=descending)
    running, line_after = 0, None
    for index, row in enumerate(rows):
        if not row.competing:
            continue
        running += row.amount_requested_cents or 0
        row.running_total_cents = running
        row.within_budget = running <= round_.budget_cents
        if not row.within_budget and line_after is None:
            line_after = index - 1

    reviewers = db.session.scalars(select(User).where(User.id.in_(list(calibration.offsets) or [0]))).all()
    reviewer_rows = sorted(
        (ReviewerRow(reviewer=u, count=calibration.counts[u.id], offset=calibration.offsets[u.id],
                     explanation=explain_offset(calibration.offsets[u.id], calibration.counts[u.id],
                                                shrinkage=calibration.shrinkage)) for u in reviewers),
        key=lambda r: -r.offset)
    return Ranking(round=round_, rows=rows, reviewers=reviewer_rows, sort=sort, descending=descending,
                   line_after=line_after, budget_cents=round_.budget_cents, sigma=calibration.sigma,
                   settings={**settings, "shrinkage": calibration.shrinkage})


#: where a decision on the ranking page may lead (reviews closed, interview or
#: waiting list, an award, a refusal)
DECISION_DESTINATIONS = ("deciding", "selected", "unsuccessful")


def decision_moves(application) -> list:
    """The administrator's decisions offered on the ranking page: moves from
    the application's state into a decision stage (as the workflow declares them)."""
    definition = application.workflow
    return [t for t in definition.transitions_from(application.state)
            if "admin" in t.roles and definition.stage_of(t.dest) in DECISION_DESTINATIONS]


def award_moves(application) -> list:
    """Of those, the award (guarded by the recorded award terms, the awards
    domain's guard): its page records them first."""
    return [t for t in decision_moves(application) if "award_terms_recorded" in t.guards]

