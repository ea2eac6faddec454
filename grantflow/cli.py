"""The ``grantflow`` command: Flask's CLI bound to the app, plus every domain's commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup, FlaskGroup, NoAppException


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


def _quiet_server_banner() -> None:
    """The development server (``grantflow run``, ``grantflow demo``) would answer
    ``Server: Werkzeug/3.x Python/3.x``: versions tell an attacker which known
    flaws to try. Production's gunicorn sends no version."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: "GrantFlow"


def _add_domain_commands(group: click.Group, modules=None) -> None:
    from . import discovery

    for module in modules if modules is not None else discovery.import_modules("cli"):
        for command in getattr(module, "commands", []):
            if command.name not in group.commands:
                group.add_command(command)


def _module_defining(name: str) -> str | None:
    """The domain ``cli`` module whose source defines the command ``name``,
    found by reading the sources, not importing them (importing every domain's
    commands costs about a second: ``grantflow assign`` needs only reviews').
    Core's list also holds the groups of its subpackages (``workflows``, ``forms``),
    so their sources count as core's: the definition checks import no domain."""
    import ast
    import importlib.util
    from pathlib import Path

    from . import discovery

    for package in ["core", *discovery.domain_packages()]:
        spec = importlib.util.find_spec(f"grantflow.{package}.cli")
        if spec is None or not spec.origin:
            continue
        sources = [Path(spec.origin)]
        if package == "core":
            sources += sorted(Path(spec.origin).parent.glob("*/cli.py"))
        for source in sources:
            if name in _commands_in(ast.parse(source.read_text(encoding="utf-8"))):
                return spec.name
    return None


def _commands_in(tree) -> set[str]:
    """The names of the click commands and groups a module's source declares."""
    import ast

    named = set()
    for node in ast.walk(tree):
        for decorator in getattr(node, "decorator_list", []):
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", None) in ("command", "group"):
                named.add(decorator.args[0].value if decorator.args and isinstance(decorator.args[0], ast.Constant)
                          else node.name.replace("_", "-"))
    return named


class DomainCommands:
    """Every domain's commands in a click group; a command asked for by name
    imports only its own module (``--help`` and unknown names import them all)."""

    def get_command(self, ctx, name):
        if name not in self.commands:
            import importlib

            module = _module_defining(name)
            _add_domain_commands(self, [importlib.import_module(module)] if module else None)
            if name not in self.commands:  # defined elsewhere than its source says: load them all
                _add_domain_commands(self)
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        _add_domain_commands(self)
        return super().list_commands(ctx)


class AppCommands(DomainCommands, AppGroup):
    """``app.cli``: what ``flask`` and ``app.test_cli_runner()`` see."""


class _GrantFlowGroup(DomainCommands, FlaskGroup):
    """``grantflow``: Flask's group (run, shell, routes, db) with the domains' commands."""


@click.group(cls=_GrantFlowGroup, create_app=_create_app, add_version_option=False,
             help="GrantFlow: a grant-management workflow engine.")
def cli():
    """GrantFlow's command line."""


_quiet_server_banner()


def main() -> None:
    cli(prog_name="grantflow")
