"""Settings read from the environment (and, in the app, Streamlit secrets).

Everything that differs between a laptop demo and a council's shared deployment is here, so that
the CLI, the app and the tests agree on where the database is and how people sign in.
"""

import os
from dataclasses import dataclass
from pathlib import Path

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
