"""``grantflow seed --synthetic N``: N realistic applications with reviews, awards,
payment tranches, disbursements and reports, for benchmarks and demos at scale.

Rows are generated in chunks and written with bulk INSERTs (executemany; multi-row
VALUES on PostgreSQL) with ids assigned here, so 100,000 applications take a few
minutes rather than hours. The data is a deterministic function of the seed.
Synthetic reviewer accounts have no password and cannot sign in."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import sqlalchemy as sa

from ..applications.models import Application
from ..awards.models import Award, PaymentTranche
from ..core import formdefs, outbox
from ..core.audit import record_event
from ..core.workflow import get_definition
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import US_STATES, Organisation
from ..reporting.models import Disbursement, Report
from ..reviews.calibration_store import refresh_stale
from ..reviews.models import Review, ReviewAssignment
from ..users.models import User, UserRole
from . import synthetic_text as text
from .metrics import METRICS

CHUNK = 2000
WORKFLOW = ("local_to_global", 1)
FORM = ("local_to_global", 1)
RUBRIC = {"clarity": 20, "benefit": 20, "partnerships": 20, "feasibility": 20, "measurable": 20}
#: (share of the round's applications) per place in the process, by the round's
#: age: the newest round is still in review, the one before is being decided,
#: older ones are mature. Places are the workflow's stages, told apart where a
#: stage holds several states (see ``_states_of``)
MIXES = {
    "open": {"preparing": 20, "received": 15, "checking": 15, "asked_for_information": 5, "screened_out": 5,
             "reviewing": 35, "retracted": 5},
    "deciding": {"deciding": 10, "waiting_list": 8, "declined": 45, "screened_out": 6, "retracted": 3,
                 "selected": 6, "offered": 8, "refused": 2, "funded": 12},
    "mature": {"declined": 52, "screened_out": 7, "retracted": 4, "refused": 2, "funded": 10,
               "final_report": 4, "closing": 3, "completed": 18},
}
REVIEWED = {"reviewing", "deciding", "waiting_list", "declined", "selected", "offered", "refused", "funded",
            "final_report", "closing", "completed"}
AWARDED = {"selected", "offered", "refused", "funded", "final_report", "closing", "completed"}
ACCEPTED = {"funded", "final_report", "closing", "completed"}
FINAL_REPORTED = {"final_report", "closing", "completed"}


def _answer_keys(form) -> dict[str, str]:
    """Where the form keeps what the synthetic rows fill: its title and themes
    columns' questions, and the questions with the roles exports read."""
    columns = form.column_fields()
    keys = {"title": columns["title"].id, "themes": columns["themes"].id}
    for role in ("summary", "targets", "requested_amount"):
        keys[role] = form.role_field(role).id
    return keys


def _states_of(definition) -> dict[str, str]:
    """Each place of ``MIXES`` -> the workflow's state for it, found by what the
    states declare (stage, editable, decided) and by the moves into them."""
    d = definition

    def one(stage, test=lambda s: True):
        return next(s.name for s in d.states.values() if s.stage == stage and test(s))

    def entered_from(stage, from_stage):
        return next(t.dest for t in d.transitions
                    if d.stage_of(t.dest) == stage and any(d.stage_of(s) == from_stage for s in t.sources))

    filed = next(t for t in d.transitions if "final_report_filed" in t.guards)
    return {
        "preparing": d.initial, "received": one("received"), "checking": one("checking", lambda s: not s.is_editable),
        "asked_for_information": one("checking", lambda s: s.is_editable),
        "screened_out": entered_from("unsuccessful", "checking"), "reviewing": one("reviewing"),
        "deciding": one("deciding", lambda s: not s.is_decided), "waiting_list": one("deciding", lambda s: s.is_decided),
        "declined": entered_from("unsuccessful", "deciding"), "selected": one("selected"), "offered": one("offered"),
        "refused": one("refused"), "funded": filed.sources[0], "final_report": filed.dest, "closing": one("closing"),
        "completed": one("completed"), "retracted": one("retracted"),
    }
TYPE_WEIGHTS = {"A": 6, "B": 22, "C": 55, "F": 3, "I": 7, "J": 2, "R": 5}


class SyntheticError(RuntimeError):
    pass


def _utc(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


class _Ids:
    """Next free id per table, read once, so rows can reference each other before insertion."""

    def __init__(self, *models):
        self.next = {m: (db.session.scalar(sa.select(sa.func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] += 1
        return value


def _insert(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(model.__table__), rows)


def seed_synthetic(count: int, *, seed: int = 1, fund_slug: str = "synthetic",
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    if db.session.scalar(sa.select(Fund.id).where(Fund.slug == fund_slug)) is not None:
        raise SyntheticError(f"A fund with the slug '{fund_slug}' already exists; choose another --fund-slug "
                             "(synthetic data is added, never merged).")
    definition = get_definition(*WORKFLOW)
    keys = _answer_keys(formdefs.load_form("applications", *FORM))
    try:
        places = _states_of(definition)
    except StopIteration:
        raise SyntheticError(f"The workflow {WORKFLOW[0]} v{WORKFLOW[1]} does not declare every stage the "
                             "synthetic data needs (see grantflow workflows check).") from None
    rng = random.Random(seed)
    ids = _Ids(Organisation, User, Application, ReviewAssignment, Review, Award, PaymentTranche, Disbursement,
               Report)
    stats = dict.fromkeys(["applications", "organisations", "reviewers", "reviews", "awards", "payments",
                           "reports"], 0)
    now = datetime.now(timezone.utc)
    fund = Fund(slug=fund_slug, name=f"Local-to-Global Engagement Fund (synthetic: {fund_slug})",
                funder_name="Office of City and State Diplomacy", description="Synthetic data for benchmarks.",
                settings={"synthetic": True})
    db.session.add(fund)
    db.session.flush()
    rounds = _rounds(fund, count, now)
    org_ids = _organisations(rng, ids, max(10, count // 3), stats, now)
    reviewers = _reviewers(rng, ids, max(12, count // 250), fund_slug, stats, now)
    per_round = [count // len(rounds) + (1 if i < count % len(rounds) else 0) for i in range(len(rounds))]
    award_seq = 0
    for round_, n, mix_name in zip(rounds, per_round, _mix_names(len(rounds))):
        mix = MIXES[mix_name] if len(rounds) > 1 else {**MIXES["open"], **MIXES["mature"]}
        states, weights = list(mix), list(mix.values())
        for start in range(0, n, CHUNK):
            size = min(CHUNK, n - start)
            chunk = _Chunk()
            for _ in range(size):
                award_seq += _application(rng, ids, chunk, round_, rng.choice(org_ids),
                                          rng.choices(states, weights)[0], reviewers, definition, places, keys,
                                          award_seq, now)
            chunk.write(stats)
            if progress is not None:
                progress(size)
    _fix_sequences()
    # reviews were bulk-inserted, so no refit job was queued: store each round's
    # calibration now, as the job would have after real reviews
    refresh_stale([round_.id for round_ in rounds])
    # fresh statistics: without them PostgreSQL plans the portfolio joins for
    # the empty tables it last looked at (nested loops over 100,000 rows)
    db.session.execute(sa.text("ANALYZE"))
    record_event(actor=None, action="portfolio.synthetic_seeded", subject=fund,
                 data={"count": count, "seed": seed, **stats})
    outbox.commit()
    _vacuum()
    return stats


def _vacuum() -> None:
    """On PostgreSQL, VACUUM what was bulk-loaded, as autovacuum would soon after:
    until the visibility map is set, counts cannot use index-only scans (an
    unfiltered count of 100,000 applications: 22 ms, 6 ms after). VACUUM cannot
    run inside a transaction, hence a connection of its own in autocommit."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM"))


def _mix_names(n_rounds: int) -> list[str]:
    return ["mature"] * max(0, n_rounds - 2) + ["deciding", "open"][-n_rounds:] if n_rounds > 1 else ["open"]


def _rounds(fund: Fund, count: int, now: datetime) -> list[Round]:
    """Two rounds a year back from today, at least three (so there are mature,
    deciding and open rounds) and at most twelve; a tiny portfolio gets one round
    old enough for its grants to have reported."""
    n = 1 if count < 200 else min(12, count // 5000 + 3)
    rounds = []
    for i in range(n):
        opens = now - timedelta(days=182 * (n - i) + 30 + (700 if n == 1 else 0))
        round_ = Round(fund=fund, name=f"Round {i + 1} ({opens:%B %Y})", opens_at=opens,
                       closes_at=opens + timedelta(days=60), budget_cents=(count // n) * 2_500_000,
                       workflow_key=WORKFLOW[0], workflow_version=WORKFLOW[1], form_key="local_to_global",
                       rubric_key="local_to_global", reviews_per_application=3)
        db.session.add(round_)
        rounds.append(round_)
    db.session.flush()
    return rounds


def _organisations(rng, ids, n: int, stats, now) -> list[int]:
    states = list(US_STATES)
    types, weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    made = []
    for start in range(0, n, CHUNK):
        rows = []
        for _ in range(min(CHUNK, n - start)):
            kind = rng.choices(types, weights)[0]
            state = rng.choice(states)
            org_id = ids.take(Organisation)
            rows.append({"id": org_id, "name": text.made_up_government(rng, kind, state, org_id), "applicant_type": kind,
                         "state": state, "population": rng.randint(800, 2_500_000),
                         "uei": text.uei(rng) if rng.random() < 0.45 else None,
                         "ein": text.ein(rng) if rng.random() < 0.35 else None,
                         "created_at": now, "updated_at": now})
            made.append(org_id)
        _insert(Organisation, rows)
    stats["organisations"] = n
    return made


def _reviewers(rng, ids, n: int, slug: str, stats, now) -> list[tuple[int, float]]:
    users, roles, made = [], [], []
    for i in range(n):
        user_id = ids.take(User)
        users.append({"id": user_id, "email": f"reviewer{i + 1}.{slug}@synthetic.example",
                      "name": text.person_name(rng), "password_hash": None, "is_active_account": True,
                      "created_at": now, "updated_at": now})
        roles.append({"user_id": user_id, "role": "reviewer"})
        made.append((user_id, rng.gauss(0, 6)))  # each reviewer's leniency, in points out of 100
    _insert(User, users)
    _insert(UserRole, roles)
    stats["reviewers"] = n
    return made


class _Chunk:
    def __init__(self):
        self.rows = {m: [] for m in (Application, ReviewAssignment, Review, Award, PaymentTranche, Report,
                                     Disbursement)}

    def write(self, stats) -> None:
        for model, rows in self.rows.items():
            _insert(model, rows)
        stats["applications"] += len(self.rows[Application])
        stats["reviews"] += len(self.rows[Review])
        stats["awards"] += len(self.rows[Award])
        stats["payments"] += len(self.rows[Disbursement])
        stats["reports"] += len(self.rows[Report])


def _application(rng, ids, chunk: _Chunk, round_: Round, org_id: int, state: str, reviewers, definition,
                 places: dict[str, str], keys: dict[str, str], award_seq: int, now: datetime) -> int:
    """Add one application and everything its state implies; returns 1 if it made an award."""
    app_id = ids.take(Application)
    opened, closed = round_.opens_at, round_.closes_at
    created = opened + timedelta(minutes=rng.randint(0, int((closed - opened).total_seconds() // 60) - 1))
    submitted = None if state == "preparing" or (state == "retracted" and rng.random() < 0.4) else \
        min(closed - timedelta(minutes=1), created + timedelta(days=rng.randint(0, 20)))
    decided = closed + timedelta(days=rng.randint(45, 90)) \
        if definition.state(places[state]).is_decided else None
    if decided is not None and decided > now:
        decided = now - timedelta(days=1)
    merit = rng.gauss(62, 12)
    amount = rng.randrange(1_000_000, 25_000_001, 50_000)
    themes = rng.sample(text.THEMES, rng.choice((1, 1, 2, 2, 3)))
    targets = {key: rng.randint(1, 40) * (25_000 if key == "investment_usd" else 1) for key in METRICS
               if rng.random() < 0.7}
    title = text.project_title(rng, themes)
    updated = decided or submitted or created
    chunk.rows[Application].append({
        "id": app_id, "round_id": round_.id, "organisation_id": org_id, "created_by_id": None,
        "workflow_key": WORKFLOW[0], "workflow_version": WORKFLOW[1],
        "state": places[state],
        "form_key": FORM[0], "form_version": FORM[1],
        "answers": {keys["title"]: title, keys["summary"]: text.summary(rng, title), keys["themes"]: themes,
                    keys["targets"]: targets, keys["requested_amount"]: amount},
        "title": title, "amount_requested_cents": amount, "themes": themes, "version": 1,
        "created_at": created, "updated_at": updated, "submitted_at": submitted, "decided_at": decided,
        "state_changed_at": updated})
    if state in REVIEWED:
        _reviews(rng, ids, chunk, round_, app_id, state, merit, reviewers, closed)
    if state not in AWARDED:
        return 0
    _award(rng, ids, chunk, app_id, state, amount, targets, decided or now, award_seq + 1, now)
    return 1


def _reviews(rng, ids, chunk, round_, app_id, state, merit, reviewers, closed) -> None:
    for reviewer_id, leniency in rng.sample(reviewers, 3):
        assignment_id = ids.take(ReviewAssignment)
        assigned = closed + timedelta(days=rng.randint(1, 5))
        chunk.rows[ReviewAssignment].append({
            "id": assignment_id, "round_id": round_.id, "application_id": app_id, "reviewer_id": reviewer_id,
            "status": "active", "source": "automatic", "match_score": rng.randint(0, 100), "created_at": assigned,
            "coi_status": "none", "coi_declared_at": assigned + timedelta(days=1)})
        if state == "reviewing" and rng.random() < 0.4:
            continue
        scores = {c: max(1, min(5, round((merit + leniency) / 20 + rng.gauss(0, 0.7)))) for c in RUBRIC}
        weighted = sum((scores[c] - 1) / 4 * w for c, w in RUBRIC.items())
        done = assigned + timedelta(days=rng.randint(3, 25))
        chunk.rows[Review].append({
            "id": ids.take(Review), "assignment_id": assignment_id, "application_id": app_id,
            "reviewer_id": reviewer_id, "rubric_key": "local_to_global", "rubric_version": 1, "scores": scores,
            "comments": {c: "Below expectations for this criterion." for c, s in scores.items() if s < 3},
            "recommendation": "fund" if weighted >= 70 else "fund_with_conditions" if weighted >= 55 else "do_not_fund",
            "overall_comment": "", "status": "submitted", "weighted_score": round(weighted, 2),
            "submitted_at": done, "created_at": done, "updated_at": done})


def _award(rng, ids, chunk, app_id, state, amount, targets, decided, seq, now) -> None:
    award_id = ids.take(Award)
    awarded = min(amount, rng.randrange(800_000, amount + 1, 10_000)) if rng.random() < 0.3 else amount
    start = decided.date() + timedelta(days=30)
    end = start + timedelta(days=30 * rng.choice((12, 18, 24)))
    accepted = decided + timedelta(days=rng.randint(3, 20)) if state in ACCEPTED else None
    chunk.rows[Award].append({
        "id": award_id, "application_id": app_id, "award_number": f"SYN-{decided.year}-{award_id:07d}",
        "amount_cents": awarded, "period_start": start, "period_end": end, "conditions": "",
        "accepted_name": "Authorized Representative" if accepted else None, "accepted_at": accepted,
        "created_at": decided, "updated_at": accepted or decided})
    shares = [awarded * 50 // 100, awarded * 40 // 100]
    shares.append(awarded - sum(shares))
    paid_through = 0 if accepted is None else 1 if state == "funded" else 2 if state != "completed" else 3
    for index, (label, release, percent, share) in enumerate(zip(
            ("First payment", "Second payment", "Final payment"), ("acceptance", "interim_report", "final_report"),
            (50, 40, 10), shares)):
        tranche_id = ids.take(PaymentTranche)
        paid_at = accepted + timedelta(days=20 + 180 * index) if index < paid_through else None
        if paid_at is not None and paid_at > now:
            paid_at = now
        chunk.rows[PaymentTranche].append({
            "id": tranche_id, "award_id": award_id, "sequence": index + 1, "label": label, "release_on": release,
            "percent": percent, "amount_cents": share, "due_date": None,
            "status": "paid" if paid_at else "scheduled", "released_at": paid_at, "paid_at": paid_at})
        if paid_at:
            chunk.rows[Disbursement].append({
                "id": ids.take(Disbursement), "application_id": app_id, "tranche_id": tranche_id,
                "amount_cents": share, "paid_on": paid_at.date(), "reference": f"SYN-PAY-{tranche_id}",
                "created_at": paid_at})
    if accepted is not None:
        _reports(rng, ids, chunk, app_id, state, targets, start, end, now)


def _reports(rng, ids, chunk, app_id, state, targets, start, end, now) -> None:
    kinds = [("interim", 1, start, start + timedelta(days=182))]
    if state in FINAL_REPORTED:
        kinds.append(("final", 1, start, end))
    for kind, sequence, period_start, period_end in kinds:
        if period_end > now.date():
            continue  # not reported yet
        due = period_end + timedelta(days=30 if kind == "interim" else 120)
        submitted = min(now, _utc(period_end + timedelta(days=rng.randint(5, 25))))
        accepted = kind == "interim" or state == "completed"
        # reports are cumulative: the final one includes what the interim one reported
        share = rng.uniform(0.2, 0.6) if kind == "interim" else rng.uniform(0.6, 1.3)
        metrics = {key: int(round(value * share)) for key, value in targets.items()}
        story = text.story(rng) if rng.random() < 0.5 else None
        chunk.rows[Report].append({
            "id": ids.take(Report), "application_id": app_id, "kind": kind, "sequence": sequence,
            "title": f"{'Interim' if kind == 'interim' else 'Final'} report", "period_start": period_start,
            "period_end": period_end, "due_on": due, "original_due_on": due,
            "state": "accepted" if accepted else "submitted", "form_key": "local_to_global", "form_version": 1,
            "answers": {"metrics": metrics}, "metrics": metrics, "success_story": story,
            "is_story_publishable": bool(story) and rng.random() < 0.6, "submitted_at": submitted,
            "reviewed_at": submitted + timedelta(days=7) if accepted else None, "version": 1,
            "created_at": submitted, "updated_at": submitted})


def _fix_sequences() -> None:
    """PostgreSQL's id sequences do not see ids given explicitly; move them past the new rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Organisation, User, Application, ReviewAssignment, Review, Award, PaymentTranche, Disbursement,
                  Report):
        table = model.__tablename__
        db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
