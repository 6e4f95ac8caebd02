"""What is synced from Jira: sites, boards, sprints, issues, their changelogs and each sync run.

Jira ids are unique per site only, so every Jira-owned row carries its site and is keyed on
(site, Jira id). Rows that leave Jira are marked (`removed_at`), never silently dropped: the
sprint history of a closed sprint still needs them.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import organisations  # noqa: F401  (the tables its foreign keys name)
from tracker.models.types import JSONType, UTCDateTime

#: the link type every Jira site has out of the box: "A blocks B", "B is blocked by A"
DEFAULT_BLOCKING_LINK_TYPES = ("Blocks",)


class SiteKind(StrEnum):
    cloud = "cloud"
    datacenter = "datacenter"


class JiraSite(SQLModel, table=True):
    """A council's Jira. Credentials stay in the environment; only their variable names are here."""

    __tablename__ = "jira_site"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    url: str = Field(max_length=500)
    kind: SiteKind = Field(sa_type=String(12))
    token_env: str | None = Field(default=None, max_length=100)
    email_env: str | None = Field(default=None, max_length=100)
    sprint_field_id: str | None = Field(default=None, max_length=60)
    estimate_field_id: str | None = Field(default=None, max_length=60)
    offline: bool = False
    #: names of the issue link types that mean "blocks" on this site (outward: blocks, inward:
    #: is blocked by); Jira's own "Blocks" unless the site's admin made others
    blocking_link_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BLOCKING_LINK_TYPES),
        sa_column=Column(JSONType, nullable=False, server_default='["Blocks"]'),
    )


class JiraBoard(SQLModel, table=True):
    __tablename__ = "jira_board"
    __table_args__ = (UniqueConstraint("site_id", "jira_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="jira_site.id", index=True)
    jira_id: int
    name: str = Field(max_length=255)
    board_type: str = Field(default="scrum", max_length=20)
    project_key: str | None = Field(default=None, max_length=50)
    filter_id: str | None = Field(default=None, max_length=30)
    estimate_field_id: str | None = Field(default=None, max_length=60)
    #: [{"name": column, "statuses": [status id, ...]}, ...] left to right
    columns: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType))
    synced: bool = False
    last_synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: when the sync last compared the board's full key list with ours, to mark departed issues
    membership_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JiraSprint(SQLModel, table=True):
    __tablename__ = "jira_sprint"
    __table_args__ = (UniqueConstraint("site_id", "jira_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="jira_site.id", index=True)
    jira_id: int
    board_id: int | None = Field(default=None, foreign_key="jira_board.id", index=True)
    #: Jira's id of the board the sprint was created on (`originBoardId`), None when Jira gave none;
    #: `board_id` is that board when it is synced
    origin_board_jira_id: int | None = None
    name: str = Field(max_length=255)
    state: str = Field(max_length=20)
    goal: str | None = None
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    complete_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JiraIssue(SQLModel, table=True):
    __tablename__ = "jira_issue"
    __table_args__ = (UniqueConstraint("site_id", "jira_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="jira_site.id", index=True)
    jira_id: int
    key: str = Field(index=True, max_length=50)
    summary: str = ""
    issue_type: str = Field(default="", max_length=60)
    is_subtask: bool = False
    parent_key: str | None = Field(default=None, max_length=50)
    epic_key: str | None = Field(default=None, max_length=50)
    status_id: str = Field(default="", max_length=30)
    status_name: str = Field(default="", max_length=100)
    status_category: str = Field(default="", max_length=30)
    estimate: float | None = None
    #: current Sprint field: sprint Jira ids, comma-separated without spaces ("" when none)
    sprint_ids: str = Field(default="", max_length=1000)
    components: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    assignee: str | None = Field(default=None, max_length=200)
    resolution: str | None = Field(default=None, max_length=100)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: changelog histories Jira holds but did not send (Data Center truncated them and has no
    #: endpoint for the rest): reports that count the issue say its figures may be wrong
    changelog_missing: int = 0


class BoardIssue(SQLModel, table=True):
    """Which issues a board shows; `removed_at` marks an issue that has left the board."""

    __tablename__ = "jira_board_issue"
    __table_args__ = (UniqueConstraint("board_id", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="jira_board.id", index=True)
    issue_id: int = Field(foreign_key="jira_issue.id", index=True)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JiraIssueLink(SQLModel, table=True):
    """One entry of an issue's `issuelinks`, as the search response gives it.

    A link between two synced issues appears on both, once each way. `outward` True means this
    issue <type's outward verb> the other ("blocks"); False, the other does it to this one. The
    other end is known by key and by the site its `self` address names, so a link to an issue on
    another synced site maps across, and one to an issue nobody syncs stays, as unknown.
    """

    __tablename__ = "jira_issue_link"
    __table_args__ = (UniqueConstraint("issue_id", "link_id"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="jira_issue.id", index=True, ondelete="CASCADE")
    link_id: str = Field(max_length=30)
    type_name: str = Field(max_length=100)
    outward: bool
    other_key: str = Field(max_length=50, index=True)
    other_jira_id: int | None = None
    #: the other issue's site, from its `self` address (e.g. https://jira.example.gov.uk)
    other_base_url: str | None = Field(default=None, max_length=500)
    other_summary: str | None = Field(default=None, max_length=500)
    other_status_category: str | None = Field(default=None, max_length=30)


class ChangelogEvent(SQLModel, table=True):
    """One changelog item, normalised once at sync time.

    `field` is "status", "sprint" or "estimate" for the fields the reports replay (status ids,
    comma-separated sprint ids, numbers as text), otherwise Jira's field name in lower case.
    """

    __tablename__ = "jira_changelog_event"
    __table_args__ = (UniqueConstraint("issue_id", "history_id", "item_index"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="jira_issue.id", index=True)
    history_id: int
    item_index: int
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    field: str = Field(max_length=100, index=True)
    from_value: str | None = None
    to_value: str | None = None
    from_string: str | None = None
    to_string: str | None = None


class SyncOutcome(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    #: the run's process ended without finishing it (killed, crashed, its machine restarted), or
    #: it ran past tracker.jira_sync.runs.STALE_AFTER: found by a later run or listing
    interrupted = "interrupted"


class SyncRun(SQLModel, table=True):
    __tablename__ = "jira_sync_run"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="jira_site.id", index=True)
    board_id: int | None = Field(default=None, foreign_key="jira_board.id", index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: SyncOutcome = Field(default=SyncOutcome.running, sa_type=String(12))
    full: bool = False
    error: str | None = None
    requests: int = 0
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONType))
    #: the process running it (host name and process id), so a later run can tell a run still
    #: going from one whose process is gone; None on runs recorded before they were kept
    host: str | None = Field(default=None, max_length=255)
    pid: int | None = None


class StoredSprintReport(SQLModel, table=True):
    """A closed sprint's report, worked out when a sync or import last wrote its board
    (tracker/services/delivery/stored_reports.py), so pages read it instead of replaying the
    whole board's changelog: a closed sprint's figures change only when its issues do.

    `report` holds the whole board's per-issue rows, burndown steps and carry-over (a
    deliverable's review narrows them); `inputs` what they were worked out from (the board's done
    statuses and estimation field, the sprint's dates, the board's issue count, the rules'
    version), `updated_to` the latest Jira `updated` of the board's issues then.
    """

    __tablename__ = "jira_sprint_report"

    id: int | None = Field(default=None, primary_key=True)
    sprint_id: int = Field(foreign_key="jira_sprint.id", unique=True, ondelete="CASCADE")
    board_id: int = Field(foreign_key="jira_board.id", index=True, ondelete="CASCADE")
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    updated_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    computed_at: datetime = Field(sa_type=UTCDateTime)
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))


class StoredBurnup(SQLModel, table=True):
    """A programme's daily burnup, overall and per deliverable, worked out when a sync, an
    import or a programme load last changed what it counts
    (tracker/services/delivery/stored_burnup.py), so the burndown page reads it instead of
    mapping and replaying every issue of the programme's boards.

    `inputs` is what it was worked out from (each of the programme's Jira sites' finished sync
    runs, its deliverables' scope rules, their JQL matches, the rules' version): a row whose
    inputs differ from the database's now is never read. `burnup` holds the daily counts up to
    the last change, and the forecasts of the day it was worked out.
    """

    __tablename__ = "programme_burnup"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", unique=True, ondelete="CASCADE")
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    computed_at: datetime = Field(sa_type=UTCDateTime)
    burnup: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
