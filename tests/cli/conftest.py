"""The `tracker` command run as an operator runs it: a separate process, its own environment."""

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


def run_tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def tracker(demo_sqlite_url: str) -> Run:
    """`tracker ...` against a private copy of the demo database."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tracker(*args, env={**os.environ, "DATABASE_URL": demo_sqlite_url})

    return run
