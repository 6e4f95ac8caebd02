"""The `tracker` command: the root in tracker.cli.app, each command in its own module, imported
only when that command runs (tracker.cli.app.COMMANDS)."""

import gc

from tracker.cli.app import app


def main() -> None:
    """The `tracker` console script (and `python -m tracker.cli`).

    A command's process spends most of its start-up importing (pandas, SQLAlchemy, its tables),
    and nothing imported is garbage, yet the cyclic garbage collector examined those objects
    again and again as they were made: about a tenth of a second of every command
    (docs/benchmarks.md, "Start-up"). So collection is paused here, and
    tracker.cli.app.command resumes it once the command's modules are loaded, with what they
    built frozen out of later collections.
    """
    gc.disable()
    app()


__all__ = ["app", "main"]
