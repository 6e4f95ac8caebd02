"""The demo programme's scrum boards (boards.json), and more like them for benchmarks.

The boards are data: each team, its components, epics, sprint goals and the work it raises. Other
code (the demo programme file, tests, screenshots) refers to their names, keys and ids.
"""

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

BOARDS_FILE = Path(__file__).with_name("boards.json")


class WorkItem(NamedTuple):
    """A piece of work a board's team might raise: `kind` is "story", "task" or "bug"."""

    kind: str
    summary: str
    component: str
    labels: tuple[str, ...] = ()
    epic: int | None = None  # index into BoardSpec.epics


@dataclass(frozen=True)
class BoardSpec:
    """One scrum board and its project. `team[0]` owns the product, `team[1]` runs the sprints."""

    id: int
    name: str
    project_key: str
    project_name: str
    team: tuple[str, ...]
    components: tuple[str, ...]
    epics: tuple[str, ...]
    work: tuple[WorkItem, ...]
    goals: tuple[str, ...]
    first_sprint_number: int = 1


def _board(raw: dict[str, Any]) -> BoardSpec:
    work = tuple(
        WorkItem(
            item["kind"],
            item["summary"],
            item["component"],
            tuple(item.get("labels", ())),
            item.get("epic"),
        )
        for item in raw["work"]
    )
    return BoardSpec(
        id=raw["id"],
        name=raw["name"],
        project_key=raw["project_key"],
        project_name=raw["project_name"],
        team=tuple(raw["team"]),
        components=tuple(raw["components"]),
        epics=tuple(raw["epics"]),
        work=work,
        goals=tuple(raw["goals"]),
        first_sprint_number=raw["first_sprint_number"],
    )


_SITES = json.loads(BOARDS_FILE.read_text(encoding="utf-8"))
NORTHMOOR_BOARDS: tuple[BoardSpec, ...] = tuple(_board(raw) for raw in _SITES["northmoor"])
WESTBRIDGE_BOARDS: tuple[BoardSpec, ...] = tuple(_board(raw) for raw in _SITES["westbridge"])


def generic_boards(count: int) -> list[BoardSpec]:
    """`count` boards reusing the demo boards' content in turn, under new ids, names and keys."""
    themes = NORTHMOOR_BOARDS + WESTBRIDGE_BOARDS
    specs = []
    for index in range(count):
        theme = themes[index % len(themes)]
        cycle = index // len(themes)
        suffix = "" if cycle == 0 else chr(ord("A") + (cycle - 1) % 26) * (1 + (cycle - 1) // 26)
        specs.append(
            replace(
                theme,
                id=index + 1,
                name=theme.name if cycle == 0 else f"{theme.name} {cycle + 1}",
                project_key=theme.project_key + suffix,
                project_name=(
                    theme.project_name if cycle == 0 else f"{theme.project_name} {cycle + 1}"
                ),
            )
        )
    return specs
