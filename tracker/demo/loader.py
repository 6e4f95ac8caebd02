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
from tracker.jira_sync.dataset import read_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.models import Programme
from tracker.policy import OPERATOR
from tracker.services.programme.file import load_programme_file

DEMO_DIR = DATA_DIR / "demo"


@dataclass(frozen=True)
class DemoResult:
    programme: str
    jira_sites: list[str]


def load_demo(engine: Engine, demo_dir: Path = DEMO_DIR) -> DemoResult:
    """Load (or refresh) the demo: Jira sites first, through the same import a council would use,
    then the programme, whose deliverables point at those sites' boards, then its stakeholder
    maps, its acceptance criteria and its RAID and decision logs (made through the services, so
    the ledger is real). The Jira files get their issue links from jira_links.json first."""
    sites = sorted(p for p in (demo_dir / "jira").iterdir() if (p / "site.json").exists())
    data = {site_dir.name: read_dataset(site_dir) for site_dir in sites}
    add_links(data, demo_dir / "jira_links.json")
    for site_dir in sites:
        import_site_directory(engine, site_dir, data[site_dir.name])
    with session_scope(engine) as session:
        loaded = load_programme_file(session, OPERATOR, path=demo_dir / "programme.json")
        load_engagements(session, demo_dir / "engagements.json")
        load_criteria(session, demo_dir / "criteria.json")
        load_raid(session, demo_dir / "raid.json")
    return DemoResult(programme=loaded.programme, jira_sites=[p.name for p in sites])


def is_empty(engine: Engine) -> bool:
    """True when no programme exists yet: `make run` loads the demo only then."""
    with session_scope(engine) as session:
        return session.exec(select(Programme.id)).first() is None
