"""The `tracker` command run as an operator runs it: a separate process, its own environment."""

import json
import subprocess
import sys
from collections.abc import Callable, Sequence

Run = Callable[..., subprocess.CompletedProcess[str]]

#: Packages that cost a command tenths of a second to import, watched so each command imports only
#: the ones it uses (docs/benchmarks.md, "Start-up").
HEAVY = ("pandas", "numpy", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "jira", "rich")

# Runs the command in this interpreter and reports, as it exits, which watched packages it loaded.
_PROBE = """
import atexit, json, sys
heavy = json.loads(sys.argv[1])
atexit.register(lambda: print(json.dumps([h for h in heavy if h in sys.modules]), file=sys.stderr))
sys.argv = ["tracker", *sys.argv[2:]]
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


def imported_by(args: Sequence[str], env: dict[str, str]) -> set[str]:
    """The HEAVY packages `tracker ARGS` imports, from a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))
