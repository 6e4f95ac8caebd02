"""How long a full Jira sync takes, against the bare `jira` client reading the same issues.

    .venv/bin/python -m bench.sync                  # markdown table (SQLite and PostgreSQL)
    .venv/bin/python -m bench.sync --repeat 3       # medians of three rounds
    .venv/bin/python -m bench.sync --profile        # pyinstrument profile of each full sync

A Cloud site of 20,000 issues with about ten histories each (jira_simulator) is
served by the test Jira server in a child process, so the server's JSON rendering does not share
the client's interpreter. The baseline, timed in each round against the same server, is the bare
client paging the same boards' issues with changelog (`search_issues(maxResults=False)`, Resource
objects, no database); a full sync must stay within 1.5x of it. The machine is shared and noisy,
so each round compares a sync with the baseline of the same round, and the table gives medians.
Request counts come from the server's own log: a full sync makes no request per issue (beyond
changelog pages of issues with more histories than search embeds), an unchanged re-sync one
search per board. Then 1% of the issues are edited before an hourly re-sync and another 1% before
a daily one (the board membership check due): the daily one should cost about what the hourly one
does, one count per board more, listing keys only when a count disagrees.
"""

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jira import JIRA
from sqlalchemy import Engine, create_engine, text

from jira_simulator import generate_site
from tests.jira_server.server import API_TOKEN, EMAIL, JiraServer
from tracker import migrate
from tracker.db import create_tracker_engine, session_scope
from tracker.jira_sync.dataset import SiteData
from tracker.jira_sync.normalise import SiteFields, parse_timestamp
from tracker.jira_sync.sync import SyncOptions, sync_site
from tracker.models import JiraSite, SiteKind

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
URL = "https://bench.atlassian.net"
LIMIT = 1.5
PATHS = {
    "search": r"/search(/jql)?$",
    "count": r"/search/approximate-count$",
    "changelog": r"/changelog$",
    "issue": r"/issue/[^/]+$",
}
#: The share of issues edited before each hourly and daily re-sync.
CHANGED = 0.01
BASELINE = "bare `jira` client: search_issues(expand=changelog), no database"

Requests = dict[str, int]


def _serve(data: SiteData, kind: str, control: Connection) -> None:
    """The child process: serve `data` and answer the parent's questions about the request log."""
    with JiraServer(data, kind) as server:
        control.send(server.url)
        while (command := control.recv()) != "stop":
            if command == "reset":
                server.reset_log()
                control.send(None)
            elif isinstance(command, tuple):  # ("edit", keys, when): someone edits these issues
                _, keys, when = command
                for key in keys:
                    server.update_issue(key, {"summary": f"{key} edited"}, at=when)
                control.send(None)
            else:
                control.send({name: server.count(rx) for name, rx in PATHS.items()})
        control.send(None)


class ServedSite:
    """The test Jira server in a forked child process, with its request log a message away."""

    def __init__(self, data: SiteData) -> None:
        self.control, child = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=_serve, args=(data, "cloud", child), daemon=True)
        self.process.start()
        self.url: str = self.control.recv()

    def ask(self, command: str) -> Any:
        self.control.send(command)
        return self.control.recv()

    def close(self) -> None:
        self.ask("stop")
        self.process.join()


def _timed(site: ServedSite, run: Callable[[], object]) -> tuple[float, Requests]:
    site.ask("reset")
    began = time.perf_counter()
    run()
    return time.perf_counter() - began, site.ask("count")


def _board_queries(data: SiteData) -> list[tuple[str, list[str]]]:
    """Each board's search as the sync sends it (same JQL and fields), for the baseline."""
    fields = SiteFields.from_fields(data["field"])
    return [
        (
            f"filter = {board['configuration']['filter']['id']} ORDER BY key ASC",
            fields.issue_fields(fields.estimate_for(board["configuration"])),
        )
        for board in data["boards"].values()
    ]


def _bare_client(url: str, queries: list[tuple[str, list[str]]], expected: int) -> None:
    client = JIRA(server=url, basic_auth=(EMAIL, API_TOKEN))
    read = sum(
        len(client.search_issues(jql, maxResults=False, fields=fields, expand="changelog"))
        for jql, fields in queries
    )
    assert read == expected, (read, expected)


@contextmanager
def _database(kind: str, workdir: Path) -> Iterator[Engine]:
    """A fresh, migrated database of this kind, dropped afterwards."""
    if kind == "sqlite":
        engine = create_tracker_engine(f"sqlite:///{workdir / f'{uuid.uuid4().hex}.db'}")
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_tracker_engine(
        admin.url.set(database=name).render_as_string(hide_password=False)
    )
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _add_site(engine: Engine, url: str) -> None:
    """The bench site's row in a fresh database, its credentials (the test server's) in the
    environment variables it names: for bench/sync.py's rounds and bench/sync_scale.py's."""
    os.environ["BENCH_JIRA_EMAIL"], os.environ["BENCH_JIRA_TOKEN"] = EMAIL, API_TOKEN
    with session_scope(engine) as session:
        session.add(
            JiraSite(
                name="bench",
                url=url,
                kind=SiteKind.cloud,
                token_env="BENCH_JIRA_TOKEN",
                email_env="BENCH_JIRA_EMAIL",
            )
        )


def _profiled(run: Callable[[], object]) -> Callable[[], object]:
    def profiled() -> object:
        from pyinstrument import Profiler

        with Profiler() as profiler:
            result = run()
        print(profiler.output_text(unicode=True, color=False))
        return result

    return profiled


def _syncs(
    site: ServedSite,
    engine: Engine,
    boards: list[int],
    options: SyncOptions,
    profile: bool,
    edits: list[list[str]],
) -> list[tuple[float, Requests]]:
    """A full sync of every board, an unchanged re-sync, then an hourly and a daily re-sync (the
    membership check due) each after `edits` issues changed: (seconds, requests) of each."""
    _add_site(engine, site.url)

    def run(board_ids: list[int], chosen: SyncOptions = options) -> Callable[[], object]:
        def synced() -> object:
            result = sync_site(engine, "bench", board_ids, options=chosen)
            if not result.ok:
                raise SystemExit(result.error_line())
            return result

        return synced

    def edited(keys: list[str], run: Callable[[], object]) -> Callable[[], object]:
        site.ask(("edit", keys, options.clock()))
        return run

    full = run(boards)
    daily = replace(options, membership_check_every=timedelta(0))
    return [
        _timed(site, _profiled(full) if profile else full),
        _timed(site, run([])),
        _timed(site, edited(edits[0], run([]))),
        _timed(site, edited(edits[1], run([], daily))),
    ]


def _clock_after(data: SiteData) -> Callable[[], datetime]:
    """The sync's clock starts after the data's last change, as a real site's would, whatever
    the machine's date, so that the re-sync measures "nothing changed"."""
    latest = max(
        parse_timestamp(i["fields"]["updated"]) or datetime.min.replace(tzinfo=UTC)
        for board in data["boards"].values()
        for i in board["issues"]
    )
    offset = max(timedelta(0), latest + timedelta(minutes=1) - datetime.now(UTC))
    return lambda: datetime.now(UTC) + offset


def _table(rounds: list[dict[str, tuple[float, Requests]]], boards: int) -> None:
    print(
        "| run | median seconds | median vs bare client "
        "| requests: search / count / changelog / issue |"
    )
    print("|---|---:|---:|---|")
    worst = 0.0
    for what in rounds[0]:
        seconds = statistics.median(r[what][0] for r in rounds)
        ratio = statistics.median(r[what][0] / r[BASELINE][0] for r in rounds)
        asked = " / ".join(str(rounds[-1][what][1][name]) for name in PATHS)
        print(f"| {what} | {seconds:.1f} | {ratio:.2f}x | {asked} |")
        if what.startswith("full sync"):
            worst = max(worst, ratio)
    verdict = "ok" if worst <= LIMIT else "TOO SLOW"
    print(f"\nslowest full sync: {worst:.2f}x the bare client (limit {LIMIT}x): {verdict}")
    searches = max(r[w][1]["search"] for r in rounds for w in r if w.startswith("unchanged"))
    print(f"unchanged re-sync: at most {searches} search requests for {boards} boards")
    last = rounds[-1]
    for hourly in (w for w in last if w.startswith("hourly")):
        daily = hourly.replace("hourly", "daily").replace("edited)", "edited, members checked)")
        print(
            f"{daily}: {sum(last[daily][1].values())} requests against "
            f"{sum(last[hourly][1].values())} hourly"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--boards", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile each full sync")
    args = parser.parse_args()

    began = time.perf_counter()
    data = generate_site(
        "bench",
        "cloud",
        URL,
        args.boards,
        args.issues // args.boards,
        histories_per_issue=10.0,
        seed=1,
    )
    issues = [i for board in data["boards"].values() for i in board["issues"]]
    histories = sum(len(i["changelog"]["histories"]) for i in issues)
    queries, boards, clock = _board_queries(data), sorted(data["boards"]), _clock_after(data)
    step = round(1 / CHANGED)
    edits = [[i["key"] for i in issues[first::step]] for first in (0, step // 2)]
    site = ServedSite(data)
    del data
    print(
        f"{len(issues):,} issues, {histories / len(issues):.1f} histories each, {len(boards)} "
        f"boards (generated and served in {time.perf_counter() - began:.0f}s)\n"
    )
    options = SyncOptions(secrets_file=Path(tempfile.gettempdir()) / "no-secrets.toml", clock=clock)
    rounds: list[dict[str, tuple[float, Requests]]] = []
    try:
        for _ in range(args.repeat):
            measured = {
                BASELINE: _timed(site, lambda: _bare_client(site.url, queries, len(issues)))
            }
            with tempfile.TemporaryDirectory() as workdir:
                for kind in args.databases.split(","):
                    with _database(kind, Path(workdir)) as engine:
                        full, again, hourly, daily = _syncs(
                            site, engine, boards, options, args.profile, edits
                        )
                    measured[f"full sync into {kind}"] = full
                    measured[f"unchanged re-sync of {kind}"] = again
                    measured[f"hourly re-sync of {kind} ({CHANGED:.0%} edited)"] = hourly
                    measured[f"daily re-sync of {kind} ({CHANGED:.0%} edited, members checked)"] = (
                        daily
                    )
            rounds.append(measured)
    finally:
        site.close()
    _table(rounds, len(boards))


if __name__ == "__main__":
    main()
