"""GrantFlow: a grant-management workflow engine."""
from __future__ import annotations

from pathlib import Path

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """The application factory. No database queries happen here; workflow and
    form definitions are read and validated so that a broken definition stops
    start-up with a clear message."""
    from .config import load_config
    from . import discovery
    from .extensions import csrf, db, login_manager, migrate

    app = Flask(__name__, instance_relative_config=True)
    settings = load_config(Path(app.instance_path))
    if config:
        settings.update(config)
    app.config.update(settings)
    app.template_folder = str(app.config["TEMPLATES_DIR"])
    app.static_folder = str(app.config["STATIC_DIR"])
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["MAX_UPLOAD_BYTES"] * 5)
    if app.config.get("TRUSTED_PROXIES"):
        # behind N proxies the client's address (rate limits, sessions, the audit
        # log) and scheme come from their X-Forwarded-* headers, and only from them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    discovery.import_all_hooks()

    from .core import cache, headers, limits, outbox, params, workflow, web
    params.init_app(app)
    cache.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    outbox.init_app(app)
    workflow.init_app(app)
    web.init_app(app)
    for hook_module in discovery.import_modules("setup"):
        hook_module.init_app(app)
    from .cli import AppCommands

    # every domain's commands, each imported when asked for (Flask-Migrate's ``db`` is already there)
    app.cli = AppCommands(app.name, commands=app.cli.commands)
    for views in discovery.import_modules("views"):
        if hasattr(views, "bp"):
            app.register_blueprint(views.bp)
    return app
