"""``grantflow funds create|list`` and ``grantflow rounds create|list|show``:
a new installation's first fund and rounds, and scripts."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..core import outbox
from ..core.db import format_usd
from ..extensions import db
from . import operations
from .models import Fund, Round


def _refused(exc: operations.FundError):
    option = f" (--{exc.field.replace('_', '-')})" if exc.field and exc.field not in ("slug", "name") else ""
    return click.ClickException(f"{exc}{option}")


@click.group("funds")
def funds() -> None:
    """Create and list funds."""


@funds.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The fund's name, as applicants see it.")
@click.option("--funder", "funder_name", default=None, help="Who funds it (default: the fund's name).")
@with_appcontext
def create_fund(slug: str, name: str, funder_name: str | None) -> None:
    """Create the fund SLUG (its short name in URLs)."""
    try:
        fund = operations.create_fund(None, slug=slug, name=name, funder_name=funder_name)
    except operations.FundError as exc:
        raise _refused(exc) from None
    outbox.commit()
    click.echo(f"Created fund {fund.slug}: {fund.name} (id {fund.id}).")


@funds.command("list")
@with_appcontext
def list_funds() -> None:
    """One line per fund: slug, name, rounds."""
    rounds = dict(db.session.execute(select(Round.fund_id, func.count()).group_by(Round.fund_id)).all())
    for fund in db.session.scalars(select(Fund).order_by(Fund.slug)):
        click.echo(f"{fund.slug}\t{fund.name}\t{rounds.get(fund.id, 0)} round(s)")


@click.group("rounds")
def rounds() -> None:
    """Create, list and show rounds."""


@rounds.command("create")
@click.option("--fund", "fund_slug", required=True, help="The fund's slug.")
@click.option("--name", required=True)
@click.option("--workflow", required=True, help="KEY:VERSION of a workflow in workflows/.")
@click.option("--form", required=True, help="KEY:VERSION of an application form in forms/applications/.")
@click.option("--rubric", default=None, help="KEY:VERSION of a rubric in forms/rubrics/ (panel review).")
@click.option("--opens", required=True, help="YYYY-MM-DDTHH:MM, in --timezone.")
@click.option("--closes", required=True, help="YYYY-MM-DDTHH:MM, in --timezone.")
@click.option("--timezone", required=True, help="For example America/New_York.")
@click.option("--budget", required=True, help="US dollars.")
@click.option("--min-award", default="10000", show_default=True, help="Smallest request accepted, US dollars.")
@click.option("--max-award", default="250000", show_default=True, help="Largest request accepted, US dollars.")
@click.option("--reviewers-per-application", default="3", show_default=True)
@click.option("--reviewer-cap", default="", help="Most applications one reviewer gets in this round "
              "(default: each reviewer's own cap).")
@click.option("--blind/--not-blind", default=False, help="Hide the applicant from reviewers.")
@click.option("--open-data/--no-open-data", default=None,
              help="Publish the round's funded projects as open data, or not (default: as the fund's settings say).")
@click.option("--description", default="")
@with_appcontext
def create_round(fund_slug, **values) -> None:
    """Create a round and print its id."""
    fund = db.session.scalar(select(Fund).where(Fund.slug == fund_slug))
    if fund is None:
        raise click.ClickException(f"There is no fund “{fund_slug}” (grantflow funds list). (--fund)")
    try:
        round_ = operations.create_round(None, fund, operations.read_round_terms(values))
    except operations.FundError as exc:
        raise _refused(exc) from None
    outbox.commit()
    click.echo(round_.id)


#: the applications table's columns the counts read (funds sit below the applications domain)
APPLICATIONS = sa.table("applications", sa.column("round_id"), sa.column("state"))


def _states(round_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(select(APPLICATIONS.c.round_id, APPLICATIONS.c.state, func.count())
                              .where(APPLICATIONS.c.round_id.in_(round_ids))
                              .group_by(APPLICATIONS.c.round_id, APPLICATIONS.c.state)).all()
    for round_id, state, count in rows:
        counts.setdefault(round_id, {})[state] = count
    return counts


def _versioned(key, version) -> str:
    return f"{key}:{version}" if version else f"{key}:newest" if key else "-"


@rounds.command("list")
@with_appcontext
def list_rounds() -> None:
    """One line per round: id, fund, name, workflow, form, rubric, applications per state."""
    all_rounds = db.session.scalars(select(Round).join(Fund).order_by(Round.id)).all()
    counts = _states([r.id for r in all_rounds])
    for r in all_rounds:
        states = ", ".join(f"{state} {n}" for state, n in sorted(counts.get(r.id, {}).items())) or "no applications"
        click.echo(f"{r.id}\t{r.fund.slug}\t{r.name}\tworkflow {r.workflow_key}:{r.workflow_version}\t"
                   f"form {_versioned(r.form_key, r.form_version)}\trubric {_versioned(r.rubric_key, r.rubric_version)}"
                   f"\t{states}")


@rounds.command("show")
@click.argument("round_id", type=int)
@with_appcontext
def show_round(round_id: int) -> None:
    """Everything about one round."""
    r = db.session.get(Round, round_id)
    if r is None:
        raise click.ClickException(f"There is no round {round_id} (grantflow rounds list).")
    zone = (r.settings or {}).get("timezone", "UTC")
    lines = [f"Round {r.id}: {r.name} ({r.fund.name})",
             f"  opens    {r.opens_at:%Y-%m-%d %H:%M} UTC", f"  closes   {r.closes_at:%Y-%m-%d %H:%M} UTC",
             f"  time zone {zone}", f"  budget   {format_usd(r.budget_cents)}",
             f"  requests {format_usd(r.min_request_cents)} to {format_usd(r.max_request_cents)}",
             f"  workflow {r.workflow_key}:{r.workflow_version}", f"  form     {_versioned(r.form_key, r.form_version)}",
             f"  rubric   {_versioned(r.rubric_key, r.rubric_version)}",
             f"  reviewers per application {r.reviews_per_application}, blind review "
             f"{'yes' if r.is_blind_review else 'no'}"]
    for state, n in sorted(_states([r.id]).get(r.id, {}).items()):
        lines.append(f"  {state}: {n}")
    click.echo("\n".join(lines))


commands = [funds, rounds]
