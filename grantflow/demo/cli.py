"""``grantflow demo``: migrate, seed the demo fund once, print the logins, serve."""
from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port to serve on (127.0.0.1).")
@click.option("--no-serve", is_flag=True, help="Create and seed the database, print the logins, then exit.")
@with_appcontext
def demo(port: int, no_serve: bool) -> None:
    """Create the database, seed the Local-to-Global Engagement Fund with demo
    users and about 30 applications across the lifecycle, and serve the app."""
    from flask_migrate import upgrade

    from .seed import DEMO_PASSWORD, is_seeded, seed_demo

    if not os.environ.get("GRANTFLOW_BASE_URL"):
        # links in the emails and letters the demo writes must reach the port it serves on
        current_app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    click.echo(f"Database: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo("Bringing the database schema up to date...")
    logging.disable(logging.INFO)  # Alembic's line per migration is for operators, not for the demo
    try:
        upgrade()
    finally:
        logging.disable(logging.NOTSET)
    if is_seeded():
        click.echo("The demo fund is already there; nothing was added.")
    else:
        click.echo("Seeding the Local-to-Global Engagement Fund (about 30 applications)...")
    logins = seed_demo()
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.role:<10} {login.email:<48} {login.name} ({login.note})")
    click.echo("")
    if no_serve:
        return
    click.echo(f"Serving on http://127.0.0.1:{port}  (Ctrl+C to stop)")
    # app.run() refuses to block inside a `flask` CLI command; serve with werkzeug directly
    from werkzeug.serving import run_simple

    from ..core.web import RequestHandler

    # werkzeug's "development server" banner and request lines would bury the logins above
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True, request_handler=RequestHandler)


commands = [demo]
