"""ASVS probe finding 12: `tracker --as SUPPLIER demo` ignored --as and reverted deliverables.

Loading the demo again set every deliverable's stage, RAG and target date back to the file's, with
no history row, whoever asked. Set-up commands act on the whole database as the operator who
holds it, so they refuse --as (anyone's) with one line and exit 1, having read nothing; and the
demo loads only into an empty database, so it never overwrites what people changed.
"""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tests.support.roles import ADMIN, OWNER, SUPPLIER
from tracker.cli import app
from tracker.config import DATA_DIR
from tracker.models import Deliverable, DeliverableStatusChange, JiraSite

pytestmark = pytest.mark.db

SITE_ADD = ("site", "add", "eastvale", "--url", "https://jira.eastvale.gov.uk", "--kind")
SITE_ADD += ("datacenter", "--token-env", "EASTVALE_PAT")
#: every set-up command, with arguments it would otherwise accept
SETUP = {
    "db upgrade": ("db", "upgrade"),
    "demo": ("demo",),
    "programme load": ("programme", "load", str(DATA_DIR / "demo" / "programme.json")),
    "site add": SITE_ADD,
    "site blocks": ("site", "blocks", "northmoor", "Depends on"),
    "import-jira": ("import-jira", str(DATA_DIR / "demo" / "jira" / "northmoor")),
}


@pytest.fixture
def tracker(demo_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _state(engine: Engine) -> tuple[object, ...]:
    """What the set-up commands would change: deliverables' status, their history, the sites."""
    with Session(engine) as session:
        return (
            session.exec(
                select(
                    Deliverable.ref, Deliverable.stage_id, Deliverable.rag, Deliverable.target_date
                ).order_by(Deliverable.ref)
            ).all(),
            session.exec(select(func.count()).select_from(DeliverableStatusChange)).one(),
            session.exec(select(JiraSite.name, JiraSite.blocking_link_types)).all(),
        )


@pytest.mark.parametrize("who", [SUPPLIER, OWNER, ADMIN])
@pytest.mark.parametrize("command", SETUP, ids=str)
def test_a_setup_command_refuses_as(
    tracker: Callable[..., Result], demo_engine: Engine, command: str, who: str
) -> None:
    before = _state(demo_engine)

    result = tracker("--as", who, *SETUP[command])

    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: `tracker {command}` is a set-up command for the operator who holds the "
        f"database: run it without --as (it was given --as {who})."
    )
    assert _state(demo_engine) == before


def test_demo_never_overwrites_what_people_changed(
    tracker: Callable[..., Result], demo_engine: Engine
) -> None:
    changed = tracker(
        "--as", ADMIN, "deliverable", "update", "RB-01",
        "--rag", "red", "--reason", "The supplier's lead left", "--target-date", "2027-03-31",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    after_change = _state(demo_engine)

    again = tracker("demo")
    when_empty = tracker("demo", "--if-empty")

    assert again.exit_code == 1
    assert again.stderr.startswith("error: the database already holds a programme (")
    assert "the demo loads only into an empty database" in again.stderr
    assert when_empty.exit_code == 0
    assert when_empty.stdout.strip() == "database already holds data; demo not loaded"
    assert _state(demo_engine) == after_change
    rb01 = next(row for row in after_change[0] if row[0] == "RB-01")
    assert rb01[2] == "red" and str(rb01[3]) == "2027-03-31"


def test_a_database_with_only_a_jira_site_is_not_empty_for_the_demo(
    tracker: Callable[..., Result], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert tracker(*SETUP["site add"]).exit_code == 0

    result = tracker("demo")

    assert result.exit_code == 1
    assert "already holds a Jira site (eastvale)" in result.stderr


def test_reloading_the_programme_file_keeps_what_people_changed(
    tracker: Callable[..., Result], demo_engine: Engine
) -> None:
    """`tracker programme load` of the same file (the demo's, here) leaves a deliverable's stage,
    RAG and target date as people set them, with their history; it says so."""
    changed = tracker(
        "--as", ADMIN, "deliverable", "update", "RB-01",
        "--rag", "red", "--reason", "The supplier's lead left", "--target-date", "2027-03-31",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    after_change = _state(demo_engine)

    reloaded = tracker("programme", "load", SETUP["programme load"][2])

    assert reloaded.exit_code == 0, reloaded.output
    assert reloaded.stdout.strip().endswith(
        "; kept the stage, RAG and target date people set on RB-01 (tracker deliverable update "
        "changes them, with their history)"
    )
    assert _state(demo_engine) == after_change
