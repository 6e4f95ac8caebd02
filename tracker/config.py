"""Settings read from the environment (and, in the app, Streamlit secrets).

Everything that differs between a laptop demo and a council's shared deployment is here, so that
the CLI, the app and the tests agree on where the database is and how people sign in.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'tracker.db'}"

#: Every setting the application reads, with what it is for. tests/test_docs.py checks that the
#: README documents each of them.
SETTINGS: dict[str, str] = {
    "DATABASE_URL": "SQLAlchemy URL of the database; default a SQLite file under data/",
    "TRACKER_DEMO": "1 enables the demo sign-in picker (set by make run)",
    "TRACKER_ADMINS": "comma-separated emails that are admins on first sign-in",
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
