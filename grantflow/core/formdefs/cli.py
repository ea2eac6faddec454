"""``grantflow forms check [FILE...]``: validate form definitions.

It works without starting the app (a broken definition would stop start-up,
and this is the command that tells you why): it imports the packages' hooks so
every registered checker (applications, reports, rubrics, ...) is known."""
from __future__ import annotations

import os
from pathlib import Path

import click


def _forms_dir() -> Path:
    from ...config import PROJECT_ROOT

    root = Path(os.environ.get("GRANTFLOW_ROOT", PROJECT_ROOT))
    return Path(os.environ.get("GRANTFLOW_FORMS_DIR", root / "forms"))


@click.group("forms")
def forms() -> None:
    """Form definitions (forms/applications, forms/reports, ...)."""


@forms.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Check FILES (default: every definition under forms/). Exit status 1 when any is invalid."""
    from ... import discovery
    from .registry import check_files, definition_files

    discovery.import_definition_hooks()
    paths = list(files) or definition_files(_forms_dir())
    if not paths:
        raise click.ClickException(f"no form definitions found in {_forms_dir()}")
    results = check_files(paths)
    invalid = 0
    for path, problems in results.items():
        if problems:
            invalid += 1
            for problem in problems:
                click.echo(f"error: {problem}", err=True)
        else:
            click.echo(f"ok: {path}")
    if invalid:
        click.echo(f"{invalid} of {len(results)} form definition(s) invalid.", err=True)
        raise SystemExit(1)
    click.echo(f"All {len(results)} form definition(s) are valid.")


commands = [forms]
