"""Techniekpoort: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)

    # config -> extensions -> blueprints -> reactions to events -> CLI
    from app.config import load_config, settle

    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    settle(app.config, debug=app.debug, testing=app.testing)
    # A mistyped mail URL stops start-up here, not every mail later.
    from app.notifications.delivery import validate_smtp_url

    validate_smtp_url(app.config["SMTP_URL"])

    _init_extensions(app)
    from app.web import input as web_input
    from app.web.forms import install_text_rule

    web_input.init_app(app)  # before the blueprints: their rules use its converters
    install_text_rule()
    _register_blueprints(app)

    from app import reactions
    from app.cli import register_cli

    reactions.install(app)
    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known to the metadata)
    from app.extensions import babel, cache, csrf, db, login_manager, migrate
    from app.web.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")

    from app.accounts.sessions import user_for_session

    # The cookies name a session row, not a person (app/accounts/sessions.py).
    login_manager.user_loader(user_for_session)


def _register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.api import bp as api_bp
    from app.bookings.views import bp as bookings_bp
    from app.bookings.waiting_list_views import bp as waiting_lists_bp
    from app.calendar.views import bp as calendar_bp
    from app.catalogue.views import bp as catalogue_bp
    from app.curriculum.views import bp as curriculum_bp
    from app.documents.views import bp as documents_bp
    from app.evaluations.views import bp as evaluations_bp
    from app.holidays.views import bp as holidays_bp
    from app.insights.views import bp as insights_bp
    from app.matching.views import bp as matching_bp
    from app.notifications.views import bp as notifications_bp
    from app.placements.views import bp as placements_bp
    from app.privacy.views import bp as privacy_bp
    from app.school_requests.views import bp as school_requests_bp
    from app.web import bp as web_bp
    from app.web.errors import register_error_handlers
    from app.web.templating import register_template_helpers

    app.register_blueprint(web_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(waiting_lists_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(holidays_bp)
    app.register_blueprint(curriculum_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(placements_bp)
    app.register_blueprint(school_requests_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_error_handlers(app)
    register_template_helpers(app)

    from app import throttle
    from app.web import security_headers

    throttle.init_app(app)
    security_headers.init_app(app)

    # Calendar clients' polls are answered before Flask's request machinery.
    from app.calendar import serving

    serving.init_app(app)
    from app.monitoring import views as monitoring

    # After the feeds' middleware, so their polls are timed too.
    monitoring.init_app(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Outermost, so that the feeds answered before Flask see the client too.
        # The host is never taken from a proxy: links come from BASE_URL.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
