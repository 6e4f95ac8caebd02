"""The `tracker` command. Importing a module registers its commands on the root app."""

from tracker.cli import db, demo, jira  # noqa: F401
from tracker.cli.app import app, run

main = run

__all__ = ["app", "main"]
