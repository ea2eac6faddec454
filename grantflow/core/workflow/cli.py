"""``grantflow workflows check|show``: validate and read workflow definitions.

``check`` does not need the application to start (it is how you find out why
it would not): it loads the registered guards, effects and roles, then reads
the files."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app, has_app_context

from ...config import PROJECT_ROOT


def workflows_dir() -> Path:
    if has_app_context():
        return Path(current_app.config["WORKFLOWS_DIR"])
    root = Path(os.environ.get("GRANTFLOW_ROOT", PROJECT_ROOT))
    return Path(os.environ.get("GRANTFLOW_WORKFLOWS_DIR", root / "workflows"))


def _load_hooks() -> None:
    from ... import discovery

    discovery.import_definition_hooks()


@click.group("workflows")
def workflows_group() -> None:
    """Check and show the workflow definitions in workflows/."""


@workflows_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate FILES (default: every *.yaml in the workflows directory).

    Exits 0 when all are valid; otherwise prints each problem with its file
    (and line where known) and exits 1."""
    from .definition import check_files, definition_files

    _load_hooks()
    paths = list(files) or definition_files(workflows_dir())
    if not paths:
        raise click.ClickException(f"no workflow definitions (*.yaml) in {workflows_dir()}")
    found, problems = check_files(paths)
    for definition in found:
        click.echo(f"ok: {definition.source}: {definition.key} v{definition.version}, "
                   f"{len(definition.states)} states, {len(definition.transitions)} transitions")
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.", err=True)
        raise SystemExit(1)


@workflows_group.command("show")
@click.argument("key")
@click.option("--version", "version", type=int, help="Which version (default: the latest).")
@click.option("--svg", "as_svg", is_flag=True, help="Print the diagram as SVG instead of text.")
def show(key: str, version: int | None, as_svg: bool) -> None:
    """Print the states and transitions of workflow KEY."""
    from .definition import WorkflowError, load_directory

    _load_hooks()
    try:
        found = [d for d in load_directory(workflows_dir()) if d.key == key]
    except WorkflowError as exc:
        raise click.ClickException(f"the workflow definitions are invalid:\n{exc}") from exc
    if version is not None:
        found = [d for d in found if d.version == version]
    if not found:
        known = ", ".join(sorted({d.key for d in load_directory(workflows_dir())}))
        raise click.ClickException(f"no workflow '{key}'" + (f" version {version}" if version else "")
                                   + f" (known: {known})")
    definition = max(found, key=lambda d: d.version)
    if as_svg:
        from .diagram import render_svg

        click.echo(str(render_svg(definition, standalone=True)))
        return
    click.echo(describe(definition))


def describe(definition) -> str:
    lines = [f"{definition.key} v{definition.version}: {definition.title}", f"file: {definition.source}",
             f"initial state: {definition.initial}", "", "States:"]
    width = max(len(name) for name in definition.states)
    for state in definition.states.values():
        flags = [flag for flag, on in (("terminal", state.is_terminal), ("editable", state.is_editable),
                                       ("decided", state.is_decided)) if on]
        lines.append(f"  {state.name:<{width}}  {state.label}  (applicant sees: {state.applicant_label})"
                     + (f"  [{', '.join(flags)}]" if flags else ""))
    lines += ["", "Transitions:"]
    twidth = max(len(t.trigger) for t in definition.transitions)
    for t in definition.transitions:
        extras = [f"roles: {', '.join(t.roles)}"]
        if t.guards:
            extras.append(f"guards: {', '.join(t.guards)}")
        if t.effects:
            extras.append(f"effects: {', '.join(t.effects)}")
        if t.comment_required:
            extras.append("comment required")
        if t.confirm:
            extras.append("asks for confirmation")
        lines.append(f"  {t.trigger:<{twidth}}  {' | '.join(t.sources)} -> {t.dest}  \"{t.label}\"")
        lines.append(f"  {'':<{twidth}}  " + "; ".join(extras))
    return "\n".join(lines)


