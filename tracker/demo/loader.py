"""`tracker demo`: the whole demo programme, Jira history included."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from tracker.config import DATA_DIR
from tracker.db import session_scope
from tracker.demo.criteria import load_criteria
from tracker.demo.engagements import load_engagements
from tracker.demo.jira_links import add_links
from tracker.demo.raid import load_raid
from tracker.errors import Conflict
from tracker.jira_sync.dataset import read_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.models import JiraSite, Person, Programme
from tracker.policy import OPERATOR
from tracker.services.delivery.stored_reports import _store_sprint_reports
from tracker.services.programme.file import load_programme_file

DEMO_DIR = DATA_DIR / "demo"


@dataclass(frozen=True)
class DemoResult:
    programme: str
    jira_sites: list[str]


def load_demo(engine: Engine, demo_dir: Path = DEMO_DIR) -> DemoResult:
    """Load the demo into an empty database: Jira sites first, through the same import a council
    would use, then the programme, whose deliverables point at those sites' boards, then its
    stakeholder maps, its acceptance criteria and its RAID and decision logs (made through the
    services, so the ledger is real). The Jira files get their issue links from jira_links.json
    first.

    A database holding anything is refused (Conflict) before anything is written: loading the
    demo's file again would set deliverables' stage, RAG and target dates back to the file's
    without a history row, over what people had changed."""
    held = _held(engine)
    if held:
        raise Conflict(
            f"the database already holds {held}: the demo loads only into an empty database, "
            "so it never overwrites what people have changed. Point DATABASE_URL at a new "
            "database for a fresh demo."
        )
    sites = sorted(p for p in (demo_dir / "jira").iterdir() if (p / "site.json").exists())
    data = {site_dir.name: read_dataset(site_dir) for site_dir in sites}
    add_links(data, demo_dir / "jira_links.json")
    for site_dir in sites:
        import_site_directory(
            engine, site_dir, data[site_dir.name], on_board_written=_store_sprint_reports
        )
    with session_scope(engine) as session:
        loaded = load_programme_file(session, OPERATOR, path=demo_dir / "programme.json")
        load_engagements(session, demo_dir / "engagements.json")
        load_criteria(session, demo_dir / "criteria.json")
        load_raid(session, demo_dir / "raid.json")
    return DemoResult(programme=loaded.programme, jira_sites=[p.name for p in sites])


def _held(engine: Engine) -> str:
    """What the database already holds that the demo would load over ("" when nothing): a
    programme, a Jira site or a person, named."""
    with session_scope(engine) as session:
        for model, what in ((Programme, "programme"), (JiraSite, "Jira site"), (Person, "person")):
            name = session.exec(select(model.name)).first()  # type: ignore[attr-defined]
            if name is not None:
                return f"a {what} ({name})" if what != "person" else "people"
    return ""


def is_empty(engine: Engine) -> bool:
    """True when the database holds no programme, Jira site or person: the demo loads only then
    (`make run` runs `tracker demo --if-empty`)."""
    return not _held(engine)
