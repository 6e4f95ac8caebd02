"""Simulated Jira sites: the demo programme's two, and the same simulation scaled for benchmarks.

`python -m jira_simulator data/demo/jira` regenerates the committed demo files.
"""

import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from jira_simulator.boards import NORTHMOOR_BOARDS, WESTBRIDGE_BOARDS, BoardSpec, generic_boards
from jira_simulator.profiles import KINDS, PROFILES
from jira_simulator.rendering import Renderer
from jira_simulator.simulation import Simulation
from tracker.jira_sync.dataset import SiteData, write_dataset

NORTHMOOR_URL = "https://northmoor-shared.atlassian.net"
WESTBRIDGE_URL = "https://jira.westbridge.gov.uk"


def generate_site(
    name: str,
    kind: str,
    url: str,
    boards: Sequence[BoardSpec] | int = 2,
    issues_per_board: int = 60,
    sprints: int = 7,
    histories_per_issue: float = 9.0,
    seed: int = 0,
) -> SiteData:
    """Simulate one Jira site. `sprints` counts the closed sprints per board (an active and a
    future sprint follow); `histories_per_issue` is the mean changelog length, reached by adding
    rank, priority and flag edits on top of the simulated workflow (which alone gives four to
    five). An int for `boards` reuses the demo boards' content under new keys, for benchmarks.

    Objects repeated across issues (users, statuses, sprint values) are shared, not copied, to
    keep large sites fast: copy before mutating one issue's nested values."""
    if kind not in PROFILES:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if sprints < 1 or issues_per_board < 10:
        raise ValueError("need at least one closed sprint and ten issues per board")
    specs = generic_boards(boards) if isinstance(boards, int) else list(boards)
    collecting = gc.isenabled()
    gc.disable()  # millions of small acyclic objects: the cycle collector would only slow this
    try:
        simulation = Simulation(
            PROFILES[kind], specs, issues_per_board, sprints, histories_per_issue, seed, name
        )
        simulation.run()
        return Renderer(simulation, name, url).site()
    finally:
        if collecting:
            gc.enable()


_DEMO_ISSUES = 66  # per board: each work item once, three epics, ten sub-tasks


def generate_demo_sites() -> dict[str, SiteData]:
    """The demo programme's Jira: Northmoor's Cloud site and Westbridge's Data Center."""
    return {
        "northmoor": generate_site(
            "northmoor", "cloud", NORTHMOOR_URL, NORTHMOOR_BOARDS, _DEMO_ISSUES, seed=11
        ),
        "westbridge": generate_site(
            "westbridge", "datacenter", WESTBRIDGE_URL, WESTBRIDGE_BOARDS, _DEMO_ISSUES, seed=12
        ),
    }


def write_demo(root: Path) -> None:
    """Write each demo site to `root/<site>/` in the offline import layout."""
    for name, data in generate_demo_sites().items():
        write_dataset(data, Path(root) / name)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m jira_simulator OUTPUT_DIR", file=sys.stderr)
        return 2
    write_demo(Path(args[0]))
    return 0
