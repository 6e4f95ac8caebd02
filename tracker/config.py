"""Settings read from the environment (and, in the app, Streamlit secrets).

Everything that differs between a laptop demo and a council's shared deployment is here, so that
the CLI, the app and the tests agree on where the database is and how people sign in.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tracker.errors import Invalid, TrackerError, count

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'tracker.db'}"

#: Every setting the application reads, with what it is for. tests/test_docs.py checks that the
#: README documents each of them.
SETTINGS: dict[str, str] = {
    "DATABASE_URL": "SQLAlchemy URL of the database; default a SQLite file under data/",
    "TRACKER_DEMO": "1 enables the demo sign-in picker (set by make run)",
    "TRACKER_ADMINS": "comma-separated emails that are admins on first sign-in",
    "TRACKER_SMTP_HOST": "the mail server notifications go through; unset, they queue",
    "TRACKER_SMTP_PORT": "the mail server's port (default 587, 465 with tls, 25 with none)",
    "TRACKER_SMTP_SECURITY": "starttls (default), tls, or none (only for a server on this host)",
    "TRACKER_SMTP_USER": "the account to sign in to the mail server with, if it needs one",
    "TRACKER_SMTP_PASSWORD": "that account's password",
    "TRACKER_MAIL_FROM": "the From address of notifications",
    "TRACKER_BASE_URL": "where people open tracker, for the links in notifications",
    "TRACKER_OWNER_OVERDUE_DAYS": "days past due before the owner hears of a criterion (default 7)",
}


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo: bool
    admins: tuple[str, ...]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def get_settings() -> Settings:
    """Read settings afresh: tests and the CLI change the environment between calls."""
    admins = tuple(
        email.strip().lower()
        for email in os.environ.get("TRACKER_ADMINS", "").split(",")
        if email.strip()
    )
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        demo=_truthy(os.environ.get("TRACKER_DEMO")),
        admins=admins,
    )


class SmtpSecurity(StrEnum):
    starttls = "starttls"
    tls = "tls"
    none = "none"


DEFAULT_SMTP_PORTS = {SmtpSecurity.starttls: 587, SmtpSecurity.tls: 465, SmtpSecurity.none: 25}
#: An unencrypted connection is allowed only to a mail server on the same host: nothing crosses
#: a network in clear (passwords and the messages' contents).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_OWNER_OVERDUE_DAYS = 7


@dataclass(frozen=True)
class MailSettings:
    """How notifications leave tracker. `host` None means they queue until one is set."""

    host: str | None
    port: int
    security: SmtpSecurity
    user: str | None
    password: str | None = field(repr=False)
    mail_from: str | None
    base_url: str | None
    #: problems that stop sending, each naming its variable
    problems: tuple[str, ...] = ()


def _whole(name: str, default: int, problems: list[str], least: int = 0) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        problems.append(f"{name} is '{raw}': give a whole number of at least {least}")
        return default
    return int(raw)


def mail_settings() -> MailSettings:
    """The mail settings, read afresh, with every problem found (sending refuses while any)."""
    problems: list[str] = []
    env = {name: (os.environ.get(name) or "").strip() or None for name in SETTINGS}
    raw_security = (env["TRACKER_SMTP_SECURITY"] or SmtpSecurity.starttls.value).lower()
    try:
        security = SmtpSecurity(raw_security)
    except ValueError:
        problems.append(f"TRACKER_SMTP_SECURITY is '{raw_security}': use starttls, tls or none")
        security = SmtpSecurity.starttls
    host = env["TRACKER_SMTP_HOST"]
    port = _whole("TRACKER_SMTP_PORT", DEFAULT_SMTP_PORTS[security], problems, least=1)
    if host and security is SmtpSecurity.none and host.lower() not in LOCAL_HOSTS:
        problems.append(
            f"TRACKER_SMTP_SECURITY=none sends in clear, so only to a server on this host "
            f"(localhost), not {host}: use starttls or tls"
        )
    if env["TRACKER_SMTP_USER"] and not env["TRACKER_SMTP_PASSWORD"]:
        problems.append("TRACKER_SMTP_USER is set without TRACKER_SMTP_PASSWORD")
    if not env["TRACKER_MAIL_FROM"] or "@" not in env["TRACKER_MAIL_FROM"]:
        problems.append("TRACKER_MAIL_FROM must be the address notifications come from")
    base_url = (env["TRACKER_BASE_URL"] or "").rstrip("/") or None
    if not base_url or not base_url.startswith(("https://", "http://")):
        problems.append(
            "TRACKER_BASE_URL must be where people open tracker (https://...), for the links"
        )
    return MailSettings(
        host=host,
        port=port,
        security=security,
        user=env["TRACKER_SMTP_USER"],
        password=env["TRACKER_SMTP_PASSWORD"],
        mail_from=env["TRACKER_MAIL_FROM"],
        base_url=base_url,
        problems=tuple(problems),
    )


def owner_overdue_days() -> int:
    """Days after a criterion's due date before its owner is told (the supplier is told at
    once)."""
    problems: list[str] = []
    days = _whole("TRACKER_OWNER_OVERDUE_DAYS", DEFAULT_OWNER_OVERDUE_DAYS, problems)
    if problems:
        raise Invalid(f"tracker's settings have {count(len(problems), 'problem')}", problems)
    return days


class SignInMode(StrEnum):
    identity_provider = "identity provider"
    demo = "demo"


class SignInNotConfigured(TrackerError):
    """The app cannot let anyone in safely; the message is the one line it shows instead."""


#: What an [auth] section of .streamlit/secrets.toml needs: Streamlit's shared settings, then each
#: identity provider's (written in [auth] itself, or in [auth.<name>] tables).
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
#: Streamlit signs the identity cookie with cookie_secret: a short one can be guessed.
MIN_COOKIE_SECRET = 32
SECRETS_EXAMPLE = ".streamlit/secrets.toml.example"


def auth_providers(auth: Mapping[str, Any]) -> list[str | None]:
    """The identity providers of an [auth] section, as st.login names them: None for one written
    in [auth] itself, then each [auth.<name>] table."""
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and k != "client_kwargs"]
    return ([None] if "client_id" in auth else []) + named


def _auth_problem(auth: Mapping[str, Any]) -> str | None:
    missing = [f"[auth] {key}" for key in AUTH_KEYS if not auth.get(key)]
    providers = auth_providers(auth)
    if not providers:
        missing.append("an identity provider (client_id, client_secret, server_metadata_url)")
    for provider in providers:
        section = auth if provider is None else auth[provider]
        where = "[auth]" if provider is None else f"[auth.{provider}]"
        missing += [f"{where} {key}" for key in PROVIDER_KEYS if not section.get(key)]
    if missing:
        return f".streamlit/secrets.toml lacks {', '.join(missing)}"
    if len(str(auth["cookie_secret"])) < MIN_COOKIE_SECRET:
        return f"cookie_secret must be a random string of at least {MIN_COOKIE_SECRET} characters"
    return None


def sign_in_mode(settings: Settings, auth: Mapping[str, Any] | None) -> SignInMode:
    """How the app signs people in: through the identity provider when secrets.toml has an [auth]
    section (TRACKER_DEMO is then ignored: a deployment with sign-in never offers the picker),
    else the demo picker when TRACKER_DEMO=1; otherwise SignInNotConfigured, never open."""
    if auth:
        problem = _auth_problem(auth)
        if problem:
            raise SignInNotConfigured(f"Sign-in is not set up: {problem} (see {SECRETS_EXAMPLE}).")
        return SignInMode.identity_provider
    if settings.demo:
        return SignInMode.demo
    raise SignInNotConfigured(
        "tracker will not start without sign-in: add an [auth] section to "
        f".streamlit/secrets.toml (see {SECRETS_EXAMPLE}), or set TRACKER_DEMO=1 for the demo."
    )
