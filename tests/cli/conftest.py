"""`tracker ...` in a separate process against a private copy of the demo database."""

import os
import subprocess

import pytest

from tests.support.cli import Run, run_tracker


@pytest.fixture
def tracker(demo_sqlite_url: str) -> Run:
    """`tracker ...` against a private copy of the demo database."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tracker(*args, env={**os.environ, "DATABASE_URL": demo_sqlite_url})

    return run
