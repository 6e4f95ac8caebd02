"""How long deriving the board pack's ratings takes, against the same code at an earlier commit.

    .venv/bin/python -m bench.ratings --workdir /tmp/pages                 # against main's parent
    .venv/bin/python -m bench.ratings --workdir /tmp/pages --baseline REV --repeat 9

Uses the two databases `bench.pages` builds (built here too if missing). Each round runs, in
fresh processes and in turn, the baseline (tracker/ exported from git at `--baseline`) and the
working tree's tracker/: each reads the large programme's data (50 deliverables, 20,000 issues)
and derives every rating of the latest period from it, as the Board pack page does on a first
run. CPU time (user + system of the process, for the derivation only) is the measure, being
much steadier than wall time on a shared machine; the baseline run in the same rounds makes the
ratio comparable across runs while single figures move with the machine's load. Target: the
derivation under 1 s.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_USER_ID = 1


def _child(url: str) -> None:
    """One first run, in this process: read, then derive (times printed as JSON)."""
    import time

    import pandas as pd
    from sqlmodel import Session

    from tracker.db import create_tracker_engine
    from tracker.services.auth.users import actor_for_user
    from tracker.services.board.measures import read_board_data
    from tracker.services.board.ratings import (
        board_ratings_from,
        find_visible_programme,
        programme_period,
    )
    from tracker.services.board.thresholds import programme_thresholds

    engine = create_tracker_engine(url)
    with Session(engine) as session:
        admin = actor_for_user(session, ADMIN_USER_ID)
        programme = find_visible_programme(session, admin, programme_id=1)
        thresholds = programme_thresholds(session, admin, programme_id=1)
        now = pd.Timestamp.now(tz="UTC")
        cpu = time.process_time()
        data = read_board_data(session, admin, programme=programme, now=now)
        read = time.process_time() - cpu
        period = programme_period(data, start=None, end=None, today=now.date())
        wall, cpu = time.perf_counter(), time.process_time()
        rated = board_ratings_from(session, admin, data=data, period=period, thresholds=thresholds)
        found = {
            "read cpu": read,
            "derive cpu": time.process_time() - cpu,
            "derive wall": time.perf_counter() - wall,
            "deliverables": len(rated.overall),
        }
    print(json.dumps(found))


def _run(code_dir: Path, url: str) -> dict[str, float]:
    """A fresh process importing tracker from `code_dir` (the script's own directory first on
    its path, never the working tree's)."""
    env = {**os.environ, "PYTHONPATH": str(code_dir)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where bench.pages keeps its databases")
    parser.add_argument("--baseline", default="main~1", help="git revision to compare against")
    parser.add_argument("--repeat", type=int, default=7, help="rounds (median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return

    sys.path.insert(0, str(ROOT))
    from bench.baseline import export
    from bench.pages import build

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = build(workdir / "large.db", large=True)
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "now": []}
    with tempfile.TemporaryDirectory() as scratch:
        export(args.baseline, Path(scratch))
        code = {"baseline": Path(scratch), "now": ROOT}
        for _ in range(args.repeat):
            for name, code_dir in code.items():
                runs[name].append(_run(code_dir, url))
    print(f"\nLoad average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        "\n| code | deliverables | read CPU (ms) | derive CPU (ms), median | min | max "
        "| derive wall (ms) | x baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base = statistics.median(r["derive cpu"] for r in runs["baseline"])
    for name, label in (("baseline", f"baseline (`{args.baseline}`)"), ("now", "working tree")):
        derive = [r["derive cpu"] for r in runs[name]]
        print(
            f"| {label} | {runs[name][0]['deliverables']:.0f} "
            f"| {statistics.median(r['read cpu'] for r in runs[name]) * 1000:.0f} "
            f"| {statistics.median(derive) * 1000:.0f} | {min(derive) * 1000:.0f} "
            f"| {max(derive) * 1000:.0f} "
            f"| {statistics.median(r['derive wall'] for r in runs[name]) * 1000:.0f} "
            f"| {statistics.median(derive) / base:.2f} |"
        )


if __name__ == "__main__":
    main()
