"""The `tracker` command run as an operator runs it: a separate process, its own environment."""

import json
import subprocess
import sys
from collections.abc import Callable, Sequence

Run = Callable[..., subprocess.CompletedProcess[str]]

#: Packages that cost a command tenths of a second to import, watched so each command imports only
#: the ones it uses (docs/benchmarks.md, "Start-up").
HEAVY = ("pandas", "numpy", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "jira", "rich")

# Runs the command in this interpreter and reports, as it exits, every module it loaded.
_PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["tracker", *sys.argv[1:]]
from tracker.cli import main
main()
"""


def run_tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def modules_loaded_by(args: Sequence[str], env: dict[str, str]) -> set[str]:
    """Every module `tracker ARGS` imports, from a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def imported_by(args: Sequence[str], env: dict[str, str]) -> set[str]:
    """The HEAVY packages `tracker ARGS` imports, from a fresh interpreter."""
    return set(HEAVY) & modules_loaded_by(args, env)
