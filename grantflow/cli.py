"""The ``grantflow`` command: Flask's CLI bound to the app, plus every domain's commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from . import create_app

    return create_app()


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
