"""The `tracker` command: the root in tracker.cli.app, each command in its own module, imported
only when that command runs (tracker.cli.app.COMMANDS)."""

from tracker.cli.app import app

main = app

__all__ = ["app", "main"]
