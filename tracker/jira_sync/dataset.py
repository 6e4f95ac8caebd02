"""A Jira site's data as the REST API returns it, held in memory or in a directory.

The offline import, the demo programme and the test Jira server share this one shape (see
docs/jira-data.md), so a file saved from a council's Jira and a live response go through the same
ingestion code.
"""

import json
from pathlib import Path
from typing import Any, TypedDict

from tracker.errors import TrackerError


class BoardData(TypedDict):
    board: dict[str, Any]
    configuration: dict[str, Any]
    sprints: list[dict[str, Any]]
    issues: list[dict[str, Any]]


class SiteData(TypedDict):
    site: dict[str, Any]
    serverInfo: dict[str, Any]
    field: list[dict[str, Any]]
    myself: dict[str, Any]
    boards: dict[int, BoardData]


class DatasetError(TrackerError):
    """A directory that is not a readable Jira export; the message names the file and why."""


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{path}: file is missing") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def _values(path: Path, key: str) -> list[Any]:
    """The list a file holds under `key` (boards.json's "values", issues.json's "issues")."""
    value = _load(path)
    items = value.get(key, []) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise DatasetError(f"{path}: expected a JSON object with a list under {key!r}")
    return items


def read_dataset(directory: Path) -> SiteData:
    """Read a site directory laid out as docs/jira-data.md describes."""
    directory = Path(directory)
    boards: dict[int, BoardData] = {}
    for board in _values(directory / "boards.json", "values"):
        if not isinstance(board, dict) or not str(board.get("id", "")).isdigit():
            raise DatasetError(f"{directory / 'boards.json'}: every board needs a numeric id")
        board_dir = directory / "boards" / str(board["id"])
        boards[int(board["id"])] = BoardData(
            board=board,
            configuration=_load(board_dir / "configuration.json"),
            sprints=_values(board_dir / "sprints.json", "values"),
            issues=_values(board_dir / "issues.json", "issues"),
        )
    myself_path = directory / "myself.json"
    return SiteData(
        site=_load(directory / "site.json"),
        serverInfo=_load(directory / "serverInfo.json"),
        field=_load(directory / "field.json"),
        myself=_load(myself_path) if myself_path.exists() else {},
        boards=boards,
    )


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_dataset(data: SiteData, directory: Path) -> None:
    """Write a site in the offline layout; the inverse of read_dataset."""
    directory = Path(directory)
    _dump(directory / "site.json", data["site"])
    _dump(directory / "serverInfo.json", data["serverInfo"])
    _dump(directory / "field.json", data["field"])
    _dump(directory / "myself.json", data["myself"])
    values = [b["board"] for b in data["boards"].values()]
    _dump(
        directory / "boards.json",
        {"maxResults": 50, "startAt": 0, "total": len(values), "isLast": True, "values": values},
    )
    for board_id, board in data["boards"].items():
        board_dir = directory / "boards" / str(board_id)
        _dump(board_dir / "configuration.json", board["configuration"])
        sprints = board["sprints"]
        _dump(
            board_dir / "sprints.json",
            {"maxResults": 50, "startAt": 0, "isLast": True, "values": sprints},
        )
        _dump(board_dir / "issues.json", {"issues": board["issues"]})
