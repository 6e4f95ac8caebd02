"""`tracker import-jira DIR`: a site saved to files (docs/jira-data.md), read by the sync's code.

Every file is read and normalised before anything is written, then the whole site is written in
one transaction: a malformed file is one error naming it, and the database is left untouched.
Importing the same directory twice leaves the same rows (only a new run record), which is what
the demo loader relies on.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from tracker.db import session_scope
from tracker.errors import Invalid, count
from tracker.jira_sync.addresses import has_credentials
from tracker.jira_sync.dataset import BoardData, DatasetError, SiteData, read_dataset
from tracker.jira_sync.normalise import (
    IssueNormaliser,
    JiraDataError,
    SiteFields,
    board_row,
    sprint_row,
)
from tracker.jira_sync.store import (
    BoardSnapshot,
    BoardWritten,
    SprintsClosed,
    mark_gone,
    write_board,
)
from tracker.models import JiraIssue, JiraSite, SiteKind, SyncOutcome, SyncRun
from tracker.models.types import utcnow


@dataclass(frozen=True)
class ImportSummary:
    site: str
    kind: str
    boards: int
    issues: int
    events: int
    gone: int

    def line(self) -> str:
        return (
            f"imported Jira site '{self.site}' ({self.kind}): {self.boards} boards, "
            f"{self.issues:,} issues, {self.events:,} changelog events written"
            + (f", {self.gone:,} issues no longer in the files marked removed" if self.gone else "")
        )


def _site_facts(directory: Path, site: Any) -> tuple[str, str, SiteKind]:
    path = directory / "site.json"
    if not isinstance(site, dict) or not site.get("name") or not site.get("url"):
        raise DatasetError(f"{path}: needs a name and a url")
    try:
        kind = SiteKind(site.get("kind"))
    except ValueError:
        raise DatasetError(f"{path}: kind must be 'cloud' or 'datacenter'") from None
    if has_credentials(str(site["url"])):
        raise DatasetError(
            f"{path}: the url holds a user name or password, which tracker never stores; "
            "give the Jira address alone"
        )
    return str(site["name"]), str(site["url"]), kind


def _fields(directory: Path, fields: Any) -> SiteFields:
    try:
        return SiteFields.from_fields(fields)
    except (KeyError, TypeError, AttributeError):
        raise DatasetError(
            f"{directory / 'field.json'}: expected a list of fields with ids"
        ) from None


def _incomplete(board_dir: Path, data: BoardData) -> list[str]:
    """Why a board's saved responses would give wrong figures, one sentence each naming the file,
    the issues and counts, and how to save them whole (docs/jira-data.md). Replaying a partial
    history, or current values as if they had always held, moves issues between outcomes
    without a sign, so these are refused rather than guessed."""
    problems: list[str] = []
    issues_path = board_dir / "issues.json"
    issues = data["issues"]
    saved = data.get("saved")
    if saved and saved["issues_total"] is not None and saved["issues_total"] > len(issues):
        problems.append(
            f"{issues_path}: holds {len(issues)} of the {saved['issues_total']} issues its search "
            "found: save every page of the search into this one file"
        )
    elif saved and saved["issues_more"]:
        problems.append(
            f"{issues_path}: is one page of a longer search (it says more pages follow): save "
            "every page of the search into this one file"
        )
    if saved and saved["sprints_more"]:
        problems.append(
            f"{board_dir / 'sprints.json'}: is one page of the board's sprints (isLast is false): "
            "save every page into this one file"
        )
    without = [str(issue.get("key")) for issue in issues if "changelog" not in issue]
    if without:
        problems.append(
            f"{issues_path}: {count(len(without), 'issue')} saved without a changelog "
            f"({', '.join(without)}): sprint figures need each issue's history; save the search "
            "again with expand=changelog (a /sprint/{id}/issue response never has one)"
        )
    for issue in issues:
        changelog = issue.get("changelog") or {}
        total, held = changelog.get("total"), len(changelog.get("histories") or ())
        if isinstance(total, int) and total > held:
            key = issue.get("key")
            problems.append(
                f"{issues_path}: the changelog of {key} holds {held} of its {total} histories: "
                f"save every page of GET /rest/api/3/issue/{key}/changelog as "
                f"{board_dir / 'changelogs' / f'{key}.json'}"
            )
    return problems


def _snapshot(board_dir: Path, fields: SiteFields, data: BoardData) -> BoardSnapshot:
    """One board's files normalised exactly as a live read would be."""
    try:
        estimate = fields.estimate_for(data["configuration"])
        row = board_row(data["board"], data["configuration"], estimate)
    except JiraDataError:
        raise  # already names the record (and is a ValueError, as bad input)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DatasetError(
            f"{board_dir / 'configuration.json'}: unexpected shape ({exc!r})"
        ) from None
    try:
        sprints = [sprint_row(sprint) for sprint in data["sprints"]]
    except JiraDataError as exc:
        raise DatasetError(f"{board_dir / 'sprints.json'}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DatasetError(f"{board_dir / 'sprints.json'}: unexpected shape ({exc!r})") from None
    snapshot = BoardSnapshot(board=row, sprints=sprints, as_of=None)
    normaliser = IssueNormaliser(fields, estimate)
    try:
        for raw in data["issues"]:
            issue = normaliser.issue(raw)
            histories = (raw.get("changelog") or {}).get("histories") or []
            snapshot.add_issue(
                issue,
                normaliser.events(issue["jira_id"], histories, issue["key"]),
                normaliser.links(raw),
            )
    except (JiraDataError, AttributeError) as exc:
        raise DatasetError(f"{board_dir / 'issues.json'}: {exc}") from None
    snapshot.members = set(snapshot.issues)
    # "As of" the newest change in the files: re-importing them then changes nothing.
    snapshot.as_of = max(
        (i["updated_at"] for i in snapshot.issues.values() if i["updated_at"]), default=None
    )
    return snapshot


def _offline_site(session: Session, name: str, url: str, kind: SiteKind, fields: SiteFields) -> int:
    site = session.exec(select(JiraSite).where(JiraSite.name == name)).first()
    if site is not None and not site.offline:
        raise DatasetError(
            f"Jira site '{name}' is synced live; import the files under another site name."
        )
    site = site or JiraSite(name=name, url=url, kind=kind, offline=True)
    site.url, site.kind = url, kind
    site.sprint_field_id, site.estimate_field_id = fields.sprint, fields.default_estimate()
    session.add(site)
    session.flush()
    assert site.id is not None
    return site.id


def _live_issue_ids(session: Session, site_id: int) -> set[int]:
    rows = session.execute(
        select(JiraIssue.jira_id).where(
            JiraIssue.site_id == site_id,
            JiraIssue.removed_at.is_(None),  # type: ignore[union-attr]
        )
    )
    return {jira_id for (jira_id,) in rows}


def import_site_directory(
    engine: Engine,
    directory: Path,
    data: SiteData | None = None,
    on_sprints_closed: SprintsClosed | None = None,
    on_board_written: BoardWritten | None = None,
) -> ImportSummary:
    """Create or update the site named in site.json (marked offline) and import every board.

    `data` is the directory as read_dataset reads it, when the caller has read (and amended) it
    already, as the demo does to add issue links. `on_sprints_closed` hears, in the import's
    transaction, of sprints it closed, and `on_board_written` of each board written."""
    directory = Path(directory)
    data = data if data is not None else read_dataset(directory)
    name, url, kind = _site_facts(directory, data["site"])
    fields = _fields(directory, data["field"])
    problems = [
        problem
        for board_id, board in sorted(data["boards"].items())
        for problem in _incomplete(directory / "boards" / str(board_id), board)
    ]
    if problems:
        raise Invalid(
            f"nothing was imported from {directory}: its saved responses are incomplete, and "
            f"sprint figures from them would be wrong ({count(len(problems), 'problem')})",
            problems,
        )
    snapshots = [
        _snapshot(directory / "boards" / str(board_id), fields, board)
        for board_id, board in sorted(data["boards"].items())
    ]
    present = {jira_id for snapshot in snapshots for jira_id in snapshot.issues}
    now: datetime = utcnow()
    events = 0
    with session_scope(engine) as session:
        site_id = _offline_site(session, name, url, kind, fields)
        known = _live_issue_ids(session, site_id)
        for snapshot in snapshots:
            board_id, counts = write_board(
                session, site_id, snapshot, now, synced=True, on_sprints_closed=on_sprints_closed
            )
            events += counts.events
            if on_board_written is not None:
                on_board_written(session, board_id, now)
            session.add(
                SyncRun(
                    site_id=site_id,
                    board_id=board_id,
                    started_at=now,
                    finished_at=utcnow(),
                    outcome=SyncOutcome.succeeded,
                    full=True,
                    counts=counts.as_dict(),
                )
            )
        gone = mark_gone(session, site_id, known - present, now)
    return ImportSummary(
        site=name,
        kind=kind.value,
        boards=len(snapshots),
        issues=len(present),
        events=events,
        gone=gone,
    )
