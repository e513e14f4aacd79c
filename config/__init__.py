"""Settings for every environment, read from the process environment (and `.env`).

`load_config()` picks the class named by `MARKETPLACE_ENV` (development, test, production);
`create_app(config=...)` accepts a class, a name or a mapping of overrides on top of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-change-me"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _normalise_database_url(url: str) -> str:
    """Let people paste the `postgres://` URLs hosting providers hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class DefaultConfig:
    """The embedded default: SQLite, inline jobs, offline payments, mail to the outbox."""

    ENV_NAME = "default"
    SECRET_KEY = DEFAULT_SECRET_KEY
    INSTANCE_DIR = PROJECT_ROOT / "instance"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{PROJECT_ROOT / 'instance' / 'marketplace.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    REDIS_URL: str | None = None
    ELASTICSEARCH_URL: str | None = None
    STRIPE_SECRET_KEY: str | None = None
    STRIPE_WEBHOOK_SECRET: str | None = None
    SMTP_URL: str | None = None
    MAIL_FROM = "Marketplace <no-reply@marketplace.local>"
    UPLOAD_DIR = PROJECT_ROOT / "instance" / "uploads"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "basic": a session seen from another browser/address loses its freshness (sensitive
    # actions ask for the password again) without signing out people whose network changes.
    SESSION_PROTECTION = "basic"
    # Proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    TRUSTED_PROXY_HOPS = 0
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    LOGIN_RATE_LIMIT = "10 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    PASSWORD_RESET_MAX_AGE = 3600
    JOBS_MAX_ATTEMPTS = 5
    JOBS_RELAY_AFTER_SECONDS = 60
    CURRENCY = "USD"
    SEARCH_PAGE_SIZE = 24
    REQUIRE_SERVICES = False

    # Vendors and listings
    VENDOR_STRIKES_TO_SUSPEND = 3
    REVIEW_NEW_VENDOR_LISTINGS = False  # send a new vendor's listings to review even when clean
    NEW_VENDOR_PERIOD_DAYS = 30
    MAX_IMAGE_BYTES = 8 * 1024 * 1024
    MAX_IMAGE_PIXELS = 40_000_000
    MIN_IMAGE_SIDE = 200
    MAX_IMAGES_PER_PRODUCT = 10
    LISTING_CURRENCIES: tuple[str, ...] = ()  # empty: listings are priced in CURRENCY only
    LISTINGS_CSV_MAX_BYTES = 2 * 1024 * 1024
    LISTINGS_CSV_MAX_ROWS = 5000

    # Search. The backend is Elasticsearch when ELASTICSEARCH_URL is set, else the database;
    # SEARCH_BACKEND ("database" or "elasticsearch") forces one.
    SEARCH_BACKEND: str | None = None
    ELASTICSEARCH_INDEX = "marketplace-products"  # the alias; versioned indices sit behind it
    ELASTICSEARCH_TIMEOUT = 2.0  # seconds a search may take before the database answers
    ELASTICSEARCH_MAX_RETRIES = 1
    ELASTICSEARCH_API_KEY: str | None = None
    # Send plain application/json instead of the client's versioned media type: needed by
    # Elasticsearch-API-compatible servers that refuse it; leave off for Elasticsearch itself.
    ELASTICSEARCH_PLAIN_JSON = False
    SEARCH_RATING_PRIOR_MEAN = 3.8  # the Bayesian average's prior: a typical product's rating
    SEARCH_RATING_PRIOR_WEIGHT = 10  # ... worth this many reviews
    SEARCH_INDEX_BATCH = 500  # products per indexing job / bulk request

    # Refunds: "return" gives the platform's commission on the refunded items back to the
    # vendor; "keep" keeps it, so the vendor bears it (see marketplace.payouts.refunds).
    REFUND_COMMISSION_POLICY = "return"

    # Payouts: a vendor order's money is released "on_delivery" (after PAYOUT_HOLD_DAYS, or
    # after the return window if later, and never while a return is open) or "on_payment";
    # `flask payouts run` pays available balances of at least PAYOUT_MINIMUM_MINOR.
    PAYOUT_RELEASE_POLICY = "on_delivery"
    PAYOUT_HOLD_DAYS = 7
    PAYOUT_MINIMUM_MINOR = 1000

    # Reviews: `flask reviews invite` mails buyers REVIEW_INVITE_DAYS after delivery, with a
    # link valid for REVIEW_INVITE_LINK_DAYS. The automatic checks hold a review for moderation
    # when its text is shorter than REVIEW_MIN_LENGTH characters, or when a shop gets
    # REVIEW_BURST_THRESHOLD reviews within REVIEW_BURST_WINDOW_HOURS from accounts younger
    # than REVIEW_NEW_ACCOUNT_DAYS; REVIEW_BLOCKED_WORDS adds words to the built-in abuse list.
    REVIEW_INVITE_DAYS = 3
    REVIEW_INVITE_LINK_DAYS = 30
    REVIEW_MIN_LENGTH = 20
    REVIEW_BURST_THRESHOLD = 5
    REVIEW_BURST_WINDOW_HOURS = 24
    REVIEW_NEW_ACCOUNT_DAYS = 14
    REVIEW_BLOCKED_WORDS: tuple[str, ...] = ()
    REVIEW_MAX_PHOTOS = 4
    REVIEWS_PER_PAGE = 10

    # Fulfilment: buyers may ask to return within RETURN_WINDOW_DAYS of delivery and shops
    # answer within RETURN_RESPONSE_DAYS (else a dispute); `flask fulfilment enforce` reminds
    # shops FULFILMENT_REMIND_BEFORE_HOURS before the ship-by date and cancels orders still
    # unshipped FULFILMENT_CANCEL_AFTER_DAYS after it. Tracking events come from the embedded
    # simulator, or from an aggregator's webhook signed with TRACKING_WEBHOOK_SECRETS[name].
    RETURN_WINDOW_DAYS = 30
    RETURN_RESPONSE_DAYS = 3
    FULFILMENT_CANCEL_AFTER_DAYS = 3
    FULFILMENT_REMIND_BEFORE_HOURS = 24
    TRACKING_PROVIDER = "embedded"
    TRACKING_WEBHOOK_SECRETS: dict[str, str] = {}
    TRACKING_WEBHOOK_TOLERANCE_SECONDS = 300

    # Stripe: the API base can point at a local server (tests); the key chooses the gateway.
    STRIPE_API_BASE: str | None = None
    STRIPE_CONNECT_COUNTRY = "US"

    @classmethod
    def from_environment(cls) -> dict[str, Any]:
        """Values the environment overrides, typed."""
        settings: dict[str, Any] = {}
        for key in (
            "SECRET_KEY",
            "REDIS_URL",
            "ELASTICSEARCH_URL",
            "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "SMTP_URL",
            "MAIL_FROM",
            "LOGIN_RATE_LIMIT",
            "STRIPE_API_BASE",
            "SEARCH_BACKEND",
            "ELASTICSEARCH_INDEX",
            "ELASTICSEARCH_API_KEY",
            "REFUND_COMMISSION_POLICY",
            "PAYOUT_RELEASE_POLICY",
        ):
            if os.environ.get(key):
                settings[key] = os.environ[key]
        if os.environ.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
                os.environ["DATABASE_URL"]
            )
        if os.environ.get("UPLOAD_DIR"):
            settings["UPLOAD_DIR"] = Path(os.environ["UPLOAD_DIR"])
        if settings.get("REDIS_URL"):
            settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
        settings["PASSWORD_RESET_MAX_AGE"] = _env_int(
            "PASSWORD_RESET_MAX_AGE", cls.PASSWORD_RESET_MAX_AGE
        )
        settings["REVIEW_NEW_VENDOR_LISTINGS"] = _env_bool(
            "REVIEW_NEW_VENDOR_LISTINGS", cls.REVIEW_NEW_VENDOR_LISTINGS
        )
        settings["VENDOR_STRIKES_TO_SUSPEND"] = _env_int(
            "VENDOR_STRIKES_TO_SUSPEND", cls.VENDOR_STRIKES_TO_SUSPEND
        )
        if os.environ.get("ELASTICSEARCH_TIMEOUT"):
            settings["ELASTICSEARCH_TIMEOUT"] = float(os.environ["ELASTICSEARCH_TIMEOUT"])
        settings["ELASTICSEARCH_PLAIN_JSON"] = _env_bool(
            "ELASTICSEARCH_PLAIN_JSON", cls.ELASTICSEARCH_PLAIN_JSON
        )
        settings["NEW_VENDOR_PERIOD_DAYS"] = _env_int(
            "NEW_VENDOR_PERIOD_DAYS", cls.NEW_VENDOR_PERIOD_DAYS
        )
        for review_setting in (
            "REVIEW_INVITE_DAYS",
            "REVIEW_INVITE_LINK_DAYS",
            "REVIEW_MIN_LENGTH",
            "REVIEW_BURST_THRESHOLD",
            "REVIEW_BURST_WINDOW_HOURS",
            "REVIEW_NEW_ACCOUNT_DAYS",
        ):
            settings[review_setting] = _env_int(review_setting, getattr(cls, review_setting))
        if os.environ.get("REVIEW_BLOCKED_WORDS"):
            settings["REVIEW_BLOCKED_WORDS"] = tuple(
                word.strip().lower()
                for word in os.environ["REVIEW_BLOCKED_WORDS"].split(",")
                if word.strip()
            )
        settings["PAYOUT_HOLD_DAYS"] = _env_int("PAYOUT_HOLD_DAYS", cls.PAYOUT_HOLD_DAYS)
        settings["PAYOUT_MINIMUM_MINOR"] = _env_int(
            "PAYOUT_MINIMUM_MINOR", cls.PAYOUT_MINIMUM_MINOR
        )
        for fulfilment_setting in (
            "RETURN_WINDOW_DAYS",
            "RETURN_RESPONSE_DAYS",
            "FULFILMENT_CANCEL_AFTER_DAYS",
            "FULFILMENT_REMIND_BEFORE_HOURS",
            "TRACKING_WEBHOOK_TOLERANCE_SECONDS",
        ):
            settings[fulfilment_setting] = _env_int(
                fulfilment_setting, getattr(cls, fulfilment_setting)
            )
        if os.environ.get("TRACKING_WEBHOOK_SECRET"):
            settings["TRACKING_PROVIDER"] = "aggregator"
            settings["TRACKING_WEBHOOK_SECRETS"] = {
                "aggregator": os.environ["TRACKING_WEBHOOK_SECRET"]
            }
        if os.environ.get("LISTING_CURRENCIES"):
            settings["LISTING_CURRENCIES"] = tuple(
                code.strip().upper()
                for code in os.environ["LISTING_CURRENCIES"].split(",")
                if code.strip()
            )
        if os.environ.get("TRUSTED_PROXY_HOPS"):
            settings["TRUSTED_PROXY_HOPS"] = _env_int("TRUSTED_PROXY_HOPS", 0)
        settings["REQUIRE_SERVICES"] = _env_bool("MARKETPLACE_REQUIRE_SERVICES")
        return settings


class DevelopmentConfig(DefaultConfig):
    """`make run`: the embedded default with debugging helpers."""

    ENV_NAME = "development"


class TestConfig(DefaultConfig):
    """Tests: a throwaway database, fast password hashing, mail kept in the outbox."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_FAST = True

    @classmethod
    def from_environment(cls) -> dict[str, Any]:
        """Tests choose their services explicitly; the environment only says what exists."""
        return {"REQUIRE_SERVICES": _env_bool("MARKETPLACE_REQUIRE_SERVICES")}


class ProductionConfig(DefaultConfig):
    """gunicorn behind a proxy: PostgreSQL, Redis + RQ, Elasticsearch, Stripe, SMTP."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    TRUSTED_PROXY_HOPS = 1


CONFIGS: dict[str, type[DefaultConfig]] = {
    "default": DefaultConfig,
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


class ConfigurationError(RuntimeError):
    """The settings would make the marketplace unsafe or unable to start."""


def load_config(name: str | None = None) -> type[DefaultConfig]:
    """The settings class for `name`, or for `MARKETPLACE_ENV` (development by default)."""
    name = name or os.environ.get("MARKETPLACE_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"Unknown MARKETPLACE_ENV {name!r}; use one of {', '.join(CONFIGS)}"
        ) from None


def check_production_settings(settings: dict[str, Any]) -> None:
    """Refuse to start production with secrets or services left at their defaults."""
    if settings.get("ENV_NAME") != "production":
        return
    if settings.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise ConfigurationError("SECRET_KEY must be set to a secret value in production")
    if str(settings.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        raise ConfigurationError("DATABASE_URL must point at PostgreSQL in production")
