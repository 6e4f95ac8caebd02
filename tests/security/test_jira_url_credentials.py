"""ASVS probe finding 9: credentials in a Jira URL were stored and printed.

`tracker site add --url https://user:password@host` stored the address as typed and `site test`
and `site list` printed it. Such an address is now refused wherever a site's address is stored
(`site add`, the Jira sites page, `import-jira`), pointing to `--token-env`; migration 0015 takes
the credentials out of addresses already stored; and no line shows them whatever the database
holds.
"""

import json
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tests.support.roles import ADMIN
from tracker import migrate
from tracker.cli import app
from tracker.config import DATA_DIR
from tracker.db import create_tracker_engine, session_scope
from tracker.jira_sync.errors import SyncError
from tracker.jira_sync.gateway import RetryPolicy
from tracker.models import JiraSite, SiteKind
from tracker.policy import OPERATOR
from tracker.services.jira.sites import check_site_connection

pytestmark = pytest.mark.db

PASSWORD = "Tr0ub4dor-and-3"
USER = "svc-jira"
NORTHMOOR = DATA_DIR / "demo" / "jira" / "northmoor"


@pytest.fixture
def tracker(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _site_urls(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(JiraSite.url)))


@pytest.mark.parametrize(
    "url",
    [
        f"https://{USER}:{PASSWORD}@eastvale.atlassian.net",
        f"https://{USER}@eastvale.atlassian.net",
        f"https://{USER}:{PASSWORD}@jira.eastvale.gov.uk/jira",
    ],
)
def test_site_add_refuses_an_address_with_credentials(
    tracker: Callable[..., Result], engine: Engine, url: str
) -> None:
    result = tracker(
        "site", "add", "eastvale", "--url", url, "--kind", "cloud",
        "--token-env", "EASTVALE_TOKEN", "--email-env", "EASTVALE_EMAIL",
    )  # fmt: skip

    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("error: ") and len(line.splitlines()) == 1, result.stderr
    assert "user name or password" in line and "--token-env" in line
    assert PASSWORD not in result.output and USER not in result.output
    assert _site_urls(engine) == []


def test_the_jira_sites_page_refuses_it_too(demo_app) -> None:
    at = demo_app(ADMIN, "pages/admin/jira_sites.py")
    at.text_input(key="new_site_name").input("eastvale")
    at.text_input(key="new_site_url").input(f"https://{USER}:{PASSWORD}@jira.eastvale.gov.uk")
    at.selectbox(key="new_site_kind").select("datacenter")
    at.text_input(key="new_site_token_env").input("EASTVALE_PAT")
    next(b for b in at.button if b.label == "Add site").click().run()

    errors = " ".join(e.value for e in at.error)
    assert "--token-env" in errors and PASSWORD not in errors
    assert "eastvale" not in set(at.dataframe[0].value["Site"])


def test_import_jira_refuses_a_site_file_with_credentials(
    tracker: Callable[..., Result], engine: Engine, tmp_path: Path
) -> None:
    directory = tmp_path / "northmoor"
    shutil.copytree(NORTHMOOR, directory)
    site = json.loads((directory / "site.json").read_text(encoding="utf-8"))
    site["url"] = site["url"].replace("https://", f"https://{USER}:{PASSWORD}@")
    (directory / "site.json").write_text(json.dumps(site), encoding="utf-8")

    result = tracker("import-jira", str(directory))

    assert result.exit_code == 1
    assert "site.json: the url holds a user name or password" in result.stderr
    assert PASSWORD not in result.output
    assert _site_urls(engine) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_address_already_stored_is_never_printed(
    tracker: Callable[..., Result], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the database holds (written before this fix, or by hand): `site list` and what
    `site test` says name the address without its credentials."""
    address = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("EASTVALE_PAT", "a-token")
    with session_scope(engine) as session:
        session.add(
            JiraSite(
                name="eastvale",
                url=address.replace("://", f"://{USER}:{PASSWORD}@"),
                kind=SiteKind.datacenter,
                token_env="EASTVALE_PAT",
            )
        )

    listed = tracker("site", "list")
    with Session(engine) as session, pytest.raises(SyncError) as tested:
        check_site_connection(
            session, OPERATOR, site_name="eastvale", retry=RetryPolicy(1, sleep=lambda _: None)
        )

    assert listed.exit_code == 0 and f"eastvale  datacenter  {address}  " in listed.stdout
    assert f"cannot reach Jira site 'eastvale' at {address} (" in str(tested.value)
    for said in (listed.output, str(tested.value)):
        assert PASSWORD not in said and USER not in said


def test_migration_0015_strips_credentials_from_stored_addresses(tmp_path: Path) -> None:
    engine = create_tracker_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0014")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jira_site (id, name, url, kind, offline, blocking_link_types) VALUES "
                f"(1, 'eastvale', 'https://{USER}:{PASSWORD}@jira.eastvale.gov.uk/jira', "
                "'datacenter', 0, '[\"Blocks\"]'), "
                "(2, 'northmoor', 'https://northmoor.atlassian.net', 'cloud', 0, '[\"Blocks\"]')"
            )
        )

    migrate.upgrade(engine)

    with engine.connect() as conn:
        urls = dict(conn.execute(text("SELECT name, url FROM jira_site")).all())
    assert urls == {
        "eastvale": "https://jira.eastvale.gov.uk/jira",
        "northmoor": "https://northmoor.atlassian.net",
    }
