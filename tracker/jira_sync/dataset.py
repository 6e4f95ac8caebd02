"""A Jira site's data as the REST API returns it, held in memory or in a directory.

The offline import, the demo programme and the test Jira server share this one shape (see
docs/jira-data.md), so a file saved from a council's Jira and a live response go through the same
ingestion code.
"""

import json
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from tracker.errors import Invalid
from tracker.json_files import UnreadableJson, parse


class SavedPages(TypedDict):
    """What a board's saved responses say about their own completeness (docs/jira-data.md)."""

    #: the search's `total` (Data Center's /search, the agile API), None when it has none
    issues_total: int | None
    #: the search response says more pages followed (`isLast` false, or a `nextPageToken`)
    issues_more: bool
    #: the sprint list says more pages followed (`isLast` false)
    sprints_more: bool


class BoardData(TypedDict):
    board: dict[str, Any]
    configuration: dict[str, Any]
    sprints: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    #: set by read_dataset, for the offline import's checks
    saved: NotRequired[SavedPages]


class SiteData(TypedDict):
    site: dict[str, Any]
    serverInfo: dict[str, Any]
    field: list[dict[str, Any]]
    myself: dict[str, Any]
    boards: dict[int, BoardData]


class DatasetError(Invalid):
    """A directory that is not a readable Jira export; the message names the file and why."""


def _load(path: Path) -> Any:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{path}: file is missing") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{path}: not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8, "
            "as Jira's REST API sends it"
        ) from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnreadableJson as exc:
        what = exc.what.removeprefix("invalid JSON: ")
        raise DatasetError(f"{path}: not valid JSON ({what}, {exc.where})") from None


def _page(path: Path, key: str) -> tuple[list[Any], dict[str, Any]]:
    """The list a file holds under `key` (boards.json's "values", issues.json's "issues") and
    the rest of the response (paging: `total`, `isLast`, `nextPageToken`)."""
    value = _load(path)
    items = value.get(key, []) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise DatasetError(f"{path}: expected a JSON object with a list under {key!r}")
    return items, value


def _values(path: Path, key: str) -> list[Any]:
    return _page(path, key)[0]


def _more_pages(response: dict[str, Any]) -> bool:
    return response.get("isLast") is False or bool(response.get("nextPageToken"))


def _merge_changelogs(board_dir: Path, issues: list[dict[str, Any]]) -> None:
    """Add the histories saved from GET /issue/{key}/changelog (`changelogs/<KEY>.json`: one page,
    or a list of pages) to the issue's embedded changelog, which Cloud truncates to 100."""
    by_key = {str(issue.get("key")): issue for issue in issues if isinstance(issue, dict)}
    for path in sorted((board_dir / "changelogs").glob("*.json")):
        issue = by_key.get(path.stem)
        if issue is None:
            raise DatasetError(f"{path}: issues.json has no issue {path.stem}")
        saved = _load(path)
        pages = saved if isinstance(saved, list) else [saved]
        if not all(
            isinstance(page, dict) and isinstance(page.get("values"), list) for page in pages
        ):
            raise DatasetError(
                f"{path}: expected the response of GET /issue/{path.stem}/changelog "
                "(an object with a list under 'values'), or a list of them"
            )
        changelog = issue.setdefault("changelog", {"startAt": 0, "histories": []})
        histories = changelog.setdefault("histories", [])
        known = {str(history.get("id")) for history in histories}
        for history in (h for page in pages for h in page["values"]):
            if str(history.get("id")) not in known:
                known.add(str(history.get("id")))
                histories.append(history)
        totals = [changelog.get("total"), *(page.get("total") for page in pages)]
        changelog["total"] = max((n for n in totals if isinstance(n, int)), default=len(histories))
        changelog["maxResults"] = len(histories)


def read_dataset(directory: Path) -> SiteData:
    """Read a site directory laid out as docs/jira-data.md describes."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(
            f"{directory}: not a folder; give the folder that holds site.json and boards.json "
            "(docs/jira-data.md)"
        )
    boards: dict[int, BoardData] = {}
    for board in _values(directory / "boards.json", "values"):
        if not isinstance(board, dict) or not str(board.get("id", "")).isdigit():
            raise DatasetError(f"{directory / 'boards.json'}: every board needs a numeric id")
        board_dir = directory / "boards" / str(board["id"])
        sprints, sprint_page = _page(board_dir / "sprints.json", "values")
        issues, search = _page(board_dir / "issues.json", "issues")
        _merge_changelogs(board_dir, issues)
        total = search.get("total")
        boards[int(board["id"])] = BoardData(
            board=board,
            configuration=_load(board_dir / "configuration.json"),
            sprints=sprints,
            issues=issues,
            saved=SavedPages(
                issues_total=total if isinstance(total, int) else None,
                issues_more=_more_pages(search),
                sprints_more=_more_pages(sprint_page),
            ),
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
