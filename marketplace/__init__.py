"""Marketplace: a multi-vendor marketplace. `create_app()` builds the Flask application."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask

from config import DefaultConfig, check_production_settings, load_config


def create_app(config: str | type[DefaultConfig] | Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings → extensions → blueprints → CLI → error handlers.

    `config` is an environment name, a settings class, or a mapping of overrides applied on top
    of the settings chosen by `MARKETPLACE_ENV`.
    """
    load_dotenv()
    app = Flask(__name__, instance_relative_config=False)
    _load_settings(app, config)
    check_production_settings(app.config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise

    _trust_proxies(app)
    _register_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from marketplace import web

    web.register_error_handlers(app)
    web.register_security_headers(app)
    web.register_template_helpers(app)
    return app


def _load_settings(
    app: Flask, config: str | type[DefaultConfig] | Mapping[str, Any] | None
) -> None:
    overrides: Mapping[str, Any] = {}
    if isinstance(config, Mapping):
        overrides = config
        settings_class = load_config(config.get("ENV_NAME"))
    elif isinstance(config, str) or config is None:
        settings_class = load_config(config)
    else:
        settings_class = config
    app.config.from_object(settings_class)
    app.config.update(settings_class.from_environment())
    app.config.update(overrides)


def _trust_proxies(app: Flask) -> None:
    """Behind a load balancer, take the client address and scheme from its headers.

    Rate limits are per client address; without this every visitor would share the proxy's.
    """
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_extensions(app: Flask) -> None:
    from marketplace import jobs, models, storage  # noqa: F401  (models: all tables known)
    from marketplace.accounts.services import load_user
    from marketplace.extensions import csrf, db, limiter, login_manager, migrate
    from marketplace.search import listeners as search_listeners

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    jobs.init_app(app)
    search_listeners.init_app()
    storage.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from marketplace import accounts, admin, buyers, fulfilment, payouts, reviews, vendors
    from marketplace.accounts import bp as accounts_bp
    from marketplace.admin import bp as admin_bp
    from marketplace.buyers import bp as buyers_bp
    from marketplace.extensions import csrf
    from marketplace.payments.views import bp as payments_bp
    from marketplace.payments.webhooks import bp as webhooks_bp
    from marketplace.vendors import bp as vendors_bp

    for package in (accounts, admin, buyers, fulfilment, payouts, reviews, vendors):
        for module in package.VIEW_MODULES:
            importlib.import_module(f"{package.__name__}.{module}")

    app.register_blueprint(buyers_bp)
    app.register_blueprint(accounts_bp, url_prefix="/account")
    app.register_blueprint(vendors_bp, url_prefix="/sell")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(payments_bp)  # /checkout/pay/..., /sell/refunds, /admin/refunds
    csrf.exempt(webhooks_bp)  # gateways sign their requests; there is no browser session
    app.register_blueprint(webhooks_bp, url_prefix="/webhooks")
    app.register_blueprint(fulfilment.bp)  # /sell/orders..., /orders/<n>/returns, /admin/disputes
    csrf.exempt(fulfilment.webhook_bp)  # carriers' aggregators sign their requests
    app.register_blueprint(fulfilment.webhook_bp, url_prefix="/webhooks/tracking")
    app.register_blueprint(reviews.bp)  # /account/reviews, /reviews/…, /sell/…, /admin/reviews
    app.register_blueprint(payouts.bp)  # /admin/payouts..., /admin/statements


def _register_cli(app: Flask) -> None:
    from marketplace import cli

    cli.register(app)
