"""The ``grantflow`` command: Flask's CLI bound to the app, plus every domain's commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup, NoAppException


def _create_app():
    from . import create_app
    from .config import ConfigError
    from .core.formdefs import FormError
    from .core.workflow import WorkflowError

    try:
        return create_app()
    except (ConfigError, WorkflowError, FormError) as exc:
        # a broken definition or setting is the user's to fix: say what, no traceback
        # (Flask's CLI prints a NoAppException as a plain "Error: ..." message)
        raise NoAppException(f"GrantFlow cannot start:\n{exc}") from exc


def _add_domain_commands(group: click.Group) -> None:
    from . import discovery

    for module in discovery.import_modules("cli"):
        for command in getattr(module, "commands", []):
            group.add_command(command)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             help="GrantFlow: a grant-management workflow engine.")
def cli():
    """GrantFlow's command line."""


_add_domain_commands(cli)


def main() -> None:
    cli(prog_name="grantflow")
