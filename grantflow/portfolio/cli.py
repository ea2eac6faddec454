"""``grantflow export`` and ``grantflow seed --synthetic N``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .exports import FORMATS, ExportError
from .filters import FilterError, parse_filters

#: filter field -> the command-line option that sets it (for error messages)
OPTION_NAMES = {"fund_id": "--fund", "round_id": "--round", "us_state": "--state", "theme": "--theme",
                "applicant_type": "--applicant-type", "workflow_state": "--workflow-state", "year": "--year"}


@click.command("export")
@click.option("--format", "format_name", required=True, type=click.Choice(list(FORMATS)),
              help="csv and xlsx: one row per application; 360giving and 360giving-xlsx: awarded grants "
                   "in the 360Giving Data Standard; pdf: the portfolio report.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write (replaced only once the export is complete and valid).")
@click.option("--fund", "fund_id", help="Fund id.")
@click.option("--round", "round_id", help="Round id.")
@click.option("--state", "us_state", help="US state or territory code, e.g. IA or PR.")
@click.option("--theme", help="Theme key, e.g. climate.")
@click.option("--applicant-type", help="SF-424 BusinessTypes letter: A, B, C, F, I, J or R.")
@click.option("--workflow-state", help="Workflow state, e.g. active.")
@click.option("--year", help="Year the applications were submitted.")
@click.option("--public", is_flag=True, help="Leave out the names of people (reviewers) from csv and xlsx.")
@with_appcontext
def export(format_name: str, out: Path, public: bool, **options) -> None:
    """Export the (filtered) portfolio to a file."""
    try:
        filters = parse_filters(options)
    except FilterError as exc:
        raise click.UsageError("; ".join(f"{OPTION_NAMES[key]}: {message}"
                                         for key, message in exc.errors.items())) from None
    if out.exists() and out.is_dir():
        raise click.UsageError(f"--out: {out} is a folder; give a file name.")
    if not out.parent.exists():
        raise click.UsageError(f"--out: the folder {out.parent} does not exist.")
    fmt = FORMATS[format_name]
    kwargs = {"staff": not public} if fmt.has_staff_columns else {}
    bar_state = {"done": 0}
    with click.progressbar(length=1, label=f"Exporting {format_name}", show_pos=True,
                           file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar_state["done"])
            bar_state["done"] = done

        try:
            result = fmt.write(out, filters, progress=progress, **kwargs)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
    what = {"360giving": "grants", "360giving-xlsx": "grants", "pdf": "applications summarized in"}
    click.echo(f"Wrote {result.rows:,} {what.get(format_name, 'rows')} to {out}")


@click.command("seed")
@click.option("--synthetic", "count", type=click.IntRange(min=1, max=2_000_000), required=True,
              help="How many applications to create.")
@click.option("--seed", "seed", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option("--fund-slug", default="synthetic", show_default=True,
              help="The synthetic fund's slug; its earlier synthetic data is replaced.")
@with_appcontext
def seed(count: int, seed: int, fund_slug: str) -> None:
    """Create N realistic synthetic applications with reviews, awards, reports and payments."""
    from .synthetic import SyntheticError, seed_synthetic

    with click.progressbar(length=count, label="Seeding applications", show_pos=True,
                           file=sys.stderr) as bar:
        try:
            stats = seed_synthetic(count, seed=seed, fund_slug=fund_slug, progress=bar.update)
        except SyntheticError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(", ".join(f"{n:,} {name}" for name, n in stats.items()))


commands = [export, seed]
