"""Whether a full sync and the programme report stay linear in the programme's size, and the
sync's memory flat: the same measurements at 10,000 and 50,000 issues.

    .venv/bin/python -m bench.sync_scale                         # 10,000 and 50,000, both databases
    .venv/bin/python -m bench.sync_scale --sizes 2000,10000 --databases sqlite   # a quick look
    .venv/bin/python -m bench.sync_scale --code /tmp/before   # import another checkout's tracker
    BENCH_PROFILE=1 .venv/bin/python -m bench.sync_scale ...  # each run's cProfile, by function

For each size a Cloud site (four boards, ten histories an issue, jira_simulator) is served by the
test Jira server in a child process. Each measured run is a process of its own
(bench/sync_child.py), so its peak memory is its own: the bare `jira` client paging every board's
issues with changelog (the baseline, as in bench/sync.py), a full sync into a fresh database of
each kind, and the programme report (`programme_progress`, one deliverable per board) over the
SQLite one. Targets: from 10,000 to 50,000 issues, sync CPU and report time grow at most 5x
(linearly), the sync's peak memory at most 1.5x; a full sync at most 1.5x the bare client's time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.sync import URL, ServedSite, _add_site, _board_queries, _clock_after, _database
from jira_simulator import generate_site
from tests.jira_server.server import API_TOKEN, EMAIL

ROOT = Path(__file__).resolve().parents[1]
LINEAR_GROWTH_LIMIT = 1.0  # x the growth in issues
MEMORY_GROWTH_LIMIT = 1.5


def _child(job: dict[str, Any], cwd: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter (`cwd` decides which tracker it imports)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.sync_child", json.dumps(job)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{job['mode']} failed:\n{done.stderr[-3000:]}")
    if os.environ.get("BENCH_PROFILE"):
        print(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _programme_file(path: Path, boards: list[int]) -> Path:
    path.write_text(
        json.dumps(
            {
                "programme": {"name": "Bench programme"},
                "organisations": [{"name": "Bench Council", "kind": "council"}],
                "deliverables": [
                    {
                        "ref": f"BENCH-{board}",
                        "title": f"Board {board}",
                        "owner": "Bench Council",
                        "stage": "Beta",
                        "target_date": "2027-06-30",
                        "scopes": [{"site": "bench", "kind": "board", "value": str(board)}],
                    }
                    for board in boards
                ],
            }
        )
    )
    return path


def measure(size: int, boards: int, databases: list[str], cwd: Path) -> dict[str, dict[str, Any]]:
    """Every run at one size: {what: the child's figures}."""
    began = time.perf_counter()
    data = generate_site(
        "bench", "cloud", URL, boards, size // boards, histories_per_issue=10.0, seed=1
    )
    queries, board_ids, clock = _board_queries(data), sorted(data["boards"]), _clock_after(data)
    offset = (clock() - datetime.now(UTC)) / timedelta(seconds=1)
    site = ServedSite(data)
    del data
    print(f"{size:,} issues generated and served in {time.perf_counter() - began:.0f}s", flush=True)
    runs: dict[str, dict[str, Any]] = {}
    try:
        bare = {"mode": "bare", "url": site.url, "email": EMAIL, "token": API_TOKEN}
        runs["bare client"] = _child(bare | {"queries": queries}, cwd)
        with tempfile.TemporaryDirectory() as workdir:
            for kind in databases:
                with _database(kind, Path(workdir)) as engine:
                    _add_site(engine, site.url)
                    db = engine.url.render_as_string(hide_password=False)
                    job = {
                        "mode": "sync",
                        "db": db,
                        "boards": board_ids,
                        "clock_offset": offset,
                        "secrets_file": str(Path(workdir) / "no-secrets.toml"),
                    }
                    runs[f"full sync into {kind}"] = _child(job, cwd)
                    if kind == "sqlite":
                        path = _programme_file(Path(workdir) / "programme.json", board_ids)
                        job = {"mode": "report", "db": db, "programme_file": str(path)}
                        runs["programme report (sqlite)"] = _child(job, cwd)
                print(f"  {kind} done", flush=True)
    finally:
        site.close()
    for what, run in runs.items():
        print(f"  {what}: {json.dumps({k: v for k, v in run.items() if k != 'tracker'})}")
    return runs


def _table(sizes: list[int], found: dict[int, dict[str, dict[str, Any]]]) -> None:
    small, large = sizes[0], sizes[-1]
    growth = large / small
    print(
        f"\n| run | {small:,}: s / CPU s / peak MB | {large:,}: s / CPU s / peak MB "
        f"| x bare client (s, {small:,} / {large:,}) | CPU growth (limit {growth:.0f}x) "
        f"| peak MB growth (limit {MEMORY_GROWTH_LIMIT}x) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for what in found[small]:
        a, b = found[small][what], found[large][what]

        def cell(run: dict[str, Any]) -> str:
            return f"{run['seconds']:.1f} / {run['cpu']:.1f} / {run['peak_mb']:.0f}"

        vs = (
            ""
            if what.startswith("programme")
            else " / ".join(
                f"{found[n][what]['seconds'] / found[n]['bare client']['seconds']:.2f}x"
                for n in (small, large)
            )
        )
        print(
            f"| {what} | {cell(a)} | {cell(b)} | {vs} | {b['cpu'] / a['cpu']:.2f}x "
            f"| {b['peak_mb'] / a['peak_mb']:.2f}x |"
        )
    print(f"\ntracker imported from {found[large]['bare client'].get('tracker')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--boards", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout whose tracker the runs import (before)"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    found = {
        size: measure(size, args.boards, args.databases.split(","), args.code) for size in sizes
    }
    _table(sizes, found)


if __name__ == "__main__":
    main()
