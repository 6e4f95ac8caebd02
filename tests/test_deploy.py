"""The example scheduler files under deploy/ run exactly the three scheduled jobs, each a real
`tracker` command (tests/notify/test_jobs.py runs them overlapping on both databases)."""

import pytest
from typer.testing import CliRunner

from tests.support.deploy import (
    crontab_jobs,
    kubernetes_jobs,
    systemd_jobs,
    systemd_timer_units,
)
from tracker.cli import app

JOBS = {("sync", "--all"), ("notify", "send"), ("notify", "digest")}


def test_cron_systemd_and_kubernetes_each_run_the_three_jobs() -> None:
    assert crontab_jobs() == JOBS
    assert set(systemd_jobs().values()) == JOBS
    assert systemd_timer_units() == set(systemd_jobs())
    assert kubernetes_jobs() == JOBS


@pytest.mark.parametrize("job", sorted(JOBS))
def test_each_job_is_a_tracker_command(job: tuple[str, ...]) -> None:
    shown = CliRunner().invoke(app, [*job, "--help"])
    assert shown.exit_code == 0, shown.output
