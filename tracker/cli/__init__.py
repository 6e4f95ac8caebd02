"""The `tracker` command. Importing a module registers its commands on the root app."""

from tracker.cli import (  # noqa: F401
    assurance,
    audit,
    criteria,
    db,
    deliverable,
    demo,
    engage,
    jira,
    people,
    programme,
    report,
    users,
)
from tracker.cli.app import app, run

main = run

__all__ = ["app", "main"]
