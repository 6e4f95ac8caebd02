"""A Jira simulator for the demo, the tests and the benchmarks; not part of the installed tracker.

Jira's sprint report is the reference tracker is judged against, and its hard cases all come
from how issues move over time, so each board is simulated (`simulation`) on a UK working clock
(`clock`) and written in Cloud's or Data Center's shapes (`profiles`, `rendering`). The data is
consistent by construction, byte-identical for a seed, and a benchmark can ask for tens of
thousands of issues. The demo's boards are data (`boards.json`).
"""

from jira_simulator.boards import NORTHMOOR_BOARDS, WESTBRIDGE_BOARDS, BoardSpec, WorkItem
from jira_simulator.sites import (
    NORTHMOOR_URL,
    WESTBRIDGE_URL,
    generate_demo_sites,
    generate_site,
    main,
    write_demo,
)

__all__ = [
    "NORTHMOOR_BOARDS",
    "NORTHMOOR_URL",
    "WESTBRIDGE_BOARDS",
    "WESTBRIDGE_URL",
    "BoardSpec",
    "WorkItem",
    "generate_demo_sites",
    "generate_site",
    "main",
    "write_demo",
]
