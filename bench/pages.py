"""How long the delivery pages take on the demo programme and on a programme-sized one.

    .venv/bin/python -m bench.pages                      # markdown table of medians
    .venv/bin/python -m bench.pages --workdir /tmp/pages # keep (and reuse) the two databases
    .venv/bin/python -m bench.pages --profile            # pyinstrument profile of the services

Two SQLite databases are built in the same run: the demo programme as `tracker demo` loads it,
and the same programme (organisations, people, deliverables and their scope rules) over Jira
sites simulated by jira_simulator at scale (20,000 issues, about 200,000 changelog
events), imported through tracker.jira_sync.offline like any saved site. Each page is then run
server-side with Streamlit's AppTest, acting as the demo admin, with the selections a person
first sees. "first" is a run on empty caches (just after a sync, or a new server process);
"again" is the median of the runs after it, what every later visitor waits for. The target is
"again" on the large programme at most 2x the demo's.
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from jira_simulator import (
    NORTHMOOR_BOARDS,
    NORTHMOOR_URL,
    WESTBRIDGE_BOARDS,
    WESTBRIDGE_URL,
    generate_site,
)
from tracker import migrate
from tracker.db import create_tracker_engine, session_scope
from tracker.demo.loader import DEMO_DIR, load_demo
from tracker.jira_sync.dataset import write_dataset
from tracker.models import ChangelogEvent, Deliverable, JiraIssue, JiraSite, Programme
from tracker.policy import OPERATOR
from tracker.services.programme.file import load_programme_file

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
ADMIN_USER_ID = 1  # priya.raman@northmoor.gov.uk, the demo's admin
PAGES = {
    "Sprint review": "pages/delivery/sprint_review.py",
    "Burndown and progress": "pages/delivery/burndown.py",
    "Board pack": "pages/board/board_pack.py",
}
#: the demo's four boards at 5,000 issues each, histories tuned to ~10 changelog items per issue
ISSUES_PER_BOARD = 5_000
HISTORIES_PER_ISSUE = 8.5


def _large_demo_dir(target: Path) -> Path:
    """The demo programme's files with its two Jira sites simulated at scale."""
    for path in DEMO_DIR.glob("*.json"):
        shutil.copy(path, target / path.name)
    sites = {
        "northmoor": ("cloud", NORTHMOOR_URL, NORTHMOOR_BOARDS, 11),
        "westbridge": ("datacenter", WESTBRIDGE_URL, WESTBRIDGE_BOARDS, 12),
    }
    for name, (kind, url, boards, seed) in sites.items():
        data = generate_site(
            name,
            kind,
            url,
            boards,
            ISSUES_PER_BOARD,
            histories_per_issue=HISTORIES_PER_ISSUE,
            seed=seed,
        )
        write_dataset(data, target / "jira" / name)
    return target


#: deliverables of the large programme: the demo's seven and more, each scoped to one of the
#: simulated sites' largest epics, as a programme of 50 deliverables would be
LARGE_DELIVERABLES = 50
COUNCILS = (
    "Northmoor District Council",
    "Eastvale Borough Council",
    "Southmere District Council",
    "Riverford City Council",
    "Westbridge County Council",
)


def _more_deliverables(engine: Engine, scratch: Path) -> None:
    """Bring the large programme to LARGE_DELIVERABLES deliverables through the programme file
    loader, each scoped to an epic of the simulated sites (the biggest first; RB-1 is taken)."""
    with Session(engine) as session:
        programme = session.execute(select(Programme.name)).scalars().first()
        have = session.execute(select(func.count()).select_from(Deliverable)).scalar_one()
        epics = session.execute(
            select(JiraSite.name, JiraIssue.epic_key, func.count())
            .join(JiraSite, JiraSite.id == JiraIssue.site_id)
            .where(JiraIssue.epic_key.is_not(None), JiraIssue.epic_key != "RB-1")
            .group_by(JiraSite.name, JiraIssue.epic_key)
            .order_by(func.count().desc(), JiraIssue.epic_key)
            .limit(LARGE_DELIVERABLES - have)
        ).all()
    deliverables = [
        {
            "ref": f"EP-{n:02d}",
            "title": f"Epic {key} on {site}",
            "owner": COUNCILS[n % len(COUNCILS)],
            "stage": "Beta",
            "target_date": f"2027-{1 + n % 6:02d}-15",
            "scopes": [{"site": site, "kind": "epic", "value": key}],
        }
        for n, (site, key, _) in enumerate(epics, start=1)
    ]
    path = scratch / "more.json"
    path.write_text(json.dumps({"programme": {"name": programme}, "deliverables": deliverables}))
    with session_scope(engine) as session:
        load_programme_file(session, OPERATOR, path=path)


def build(path: Path, large: bool) -> str:
    """A migrated SQLite database holding the demo (or the large demo); reused if present."""
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    engine = create_tracker_engine(url)
    migrate.upgrade(engine)
    with tempfile.TemporaryDirectory() as scratch:
        load_demo(engine, _large_demo_dir(Path(scratch)) if large else DEMO_DIR)
        if large:
            _more_deliverables(engine, Path(scratch))
    engine.dispose()
    return url


def ratings_times(url: str) -> dict[str, float]:
    """A first run of the board pack's ratings in a fresh process's terms: reading the
    programme's data, then deriving every rating of the latest period (seconds, wall and CPU)."""
    from tracker.services.auth.users import actor_for_user
    from tracker.services.board.measures import read_board_data
    from tracker.services.board.ratings import (
        board_ratings_from,
        find_visible_programme,
        programme_period,
    )
    from tracker.services.board.thresholds import programme_thresholds

    engine = create_tracker_engine(url)
    found = {}
    with Session(engine) as session:
        admin = actor_for_user(session, ADMIN_USER_ID)
        programme = find_visible_programme(session, admin, programme_id=1)
        thresholds = programme_thresholds(session, admin, programme_id=1)
        now = pd.Timestamp.now(tz="UTC")
        wall, cpu = time.perf_counter(), time.process_time()
        data = read_board_data(session, admin, programme=programme, now=now)
        found["read wall"], found["read cpu"] = (
            time.perf_counter() - wall,
            time.process_time() - cpu,
        )
        period = programme_period(data, start=None, end=None, today=now.date())
        wall, cpu = time.perf_counter(), time.process_time()
        rated = board_ratings_from(session, admin, data=data, period=period, thresholds=thresholds)
        found["derive wall"] = time.perf_counter() - wall
        found["derive cpu"] = time.process_time() - cpu
        found["deliverables"] = len(rated.overall)
    engine.dispose()
    return found


def counts(url: str) -> tuple[int, int]:
    engine = create_tracker_engine(url)
    with Session(engine) as session:
        issues = session.execute(select(func.count()).select_from(JiraIssue)).scalar_one()
        events = session.execute(select(func.count()).select_from(ChangelogEvent)).scalar_one()
    engine.dispose()
    return issues, events


@contextmanager
def database(url: str) -> Iterator[None]:
    """Point the app at `url` with every Streamlit cache empty, as a fresh server would be."""
    st.cache_data.clear()
    st.cache_resource.clear()
    os.environ.update({"DATABASE_URL": url, "TRACKER_DEMO": "1"})
    try:
        yield
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def page_times(page: str, repeat: int) -> tuple[float, float, float, list[str]]:
    """Seconds for the first run of `page` on empty caches (wall, then the process's CPU time,
    steadier on a shared machine), the median of `repeat` runs after, and the titles of the
    figures it drew (to show it drew them)."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state["demo_user_id"] = ADMIN_USER_ID
    at.run()
    at.switch_page(page)
    began, cpu = time.perf_counter(), time.process_time()
    at.run()
    first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    again = []
    for _ in range(repeat):
        began = time.perf_counter()
        at.run()
        again.append(time.perf_counter() - began)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    return first, first_cpu, statistics.median(again), titles


def profile(url: str) -> None:
    """Profile what the pages ask of the services, with their default selections."""
    from pyinstrument import Profiler

    from tracker.services.auth.users import actor_for_user
    from tracker.services.delivery.sprints import (
        board_sprints,
        board_velocity,
        deliverable_boards,
        programme_progress,
        review_boards,
        review_deliverables,
        sprint_report_for,
    )

    engine = create_tracker_engine(url)
    profiler = Profiler()
    with Session(engine) as session, profiler:
        admin = actor_for_user(session, ADMIN_USER_ID)
        deliverable = review_deliverables(session, admin, programme_id=1)[0]
        board = deliverable_boards(session, admin, deliverable_id=deliverable.id)[0]
        closed = next(s for s in board_sprints(session, admin, board_id=board.id) if s.complete)
        sprint_report_for(
            session, admin, board=board.id, sprint_jira_id=closed.id, deliverable_id=deliverable.id
        )
        first = review_boards(session, admin)[0]
        running = board_sprints(session, admin, board_id=first.id)[0]
        sprint_report_for(session, admin, board=first.id, sprint_jira_id=running.id)
        board_velocity(session, admin, board_id=first.id)
        programme_progress(session, admin, programme_id=1)
    print(profiler.output_text(color=False, show_all=False))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep the databases here and reuse them")
    parser.add_argument("--repeat", type=int, default=7, help="runs after the first (median)")
    parser.add_argument("--profile", action="store_true", help="profile the large programme")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    urls = {
        "demo": build(workdir / "demo.db", large=False),
        "large": build(workdir / "large.db", large=True),
    }
    built = time.perf_counter() - began
    if args.profile:
        profile(urls["large"])
        return

    sizes = {name: counts(url) for name, url in urls.items()}
    results: dict[tuple[str, str], tuple[float, float, float]] = {}
    for name, url in urls.items():
        with database(url):
            for title, page in PAGES.items():
                first, first_cpu, again, figures = page_times(page, args.repeat)
                results[(title, name)] = (first, first_cpu, again)
                print(f"<!-- {name} {title}: {', '.join(figures)} -->")
    print(f"\nDatabases ready in {built:.0f} s (SQLite, {workdir}).")
    for name, (issues, events) in sizes.items():
        print(f"- {name}: {issues:,} issues, {events:,} changelog events")
    print(
        "\n| page | demo first (ms) | demo again (ms) | large first (ms) | large first CPU (ms) "
        "| large again (ms) | large / demo, again |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for title in PAGES:
        demo_first, _, demo_again = results[(title, "demo")]
        large_first, large_cpu, large_again = results[(title, "large")]
        print(
            f"| {title} | {demo_first * 1000:,.0f} | {demo_again * 1000:,.0f} "
            f"| {large_first * 1000:,.0f} | {large_cpu * 1000:,.0f} | {large_again * 1000:,.0f} "
            f"| {large_again / demo_again:.2f} |"
        )
    print(
        "\n| board pack ratings, first run | deliverables | read wall (ms) | read CPU (ms) "
        "| derive wall (ms) | derive CPU (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, url in urls.items():
        t = ratings_times(url)
        print(
            f"| {name} | {t['deliverables']:.0f} | {t['read wall'] * 1000:.0f} "
            f"| {t['read cpu'] * 1000:.0f} | {t['derive wall'] * 1000:.0f} "
            f"| {t['derive cpu'] * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
