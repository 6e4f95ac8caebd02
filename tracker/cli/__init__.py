"""The `tracker` command. Importing a module registers its commands on the root app."""

from tracker.cli import (  # noqa: F401
    acceptance,
    assurance,
    audit,
    board,
    db,
    deliverable,
    demo,
    engagement,
    jira,
    needs_me,
    people,
    programme,
    raid,
    report,
    users,
)
from tracker.cli.app import app, run

main = run

__all__ = ["app", "main"]
