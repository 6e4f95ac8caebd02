"""A served Jira site registered in the database, and what the sync tests read back from it."""

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.jira_server.server import API_TOKEN, EMAIL, PAT, JiraServer
from tracker.jira_sync.gateway import RetryPolicy
from tracker.jira_sync.sync import SiteSyncResult, SyncOptions, sync_site
from tracker.models import (
    BoardIssue,
    ChangelogEvent,
    JiraBoard,
    JiraIssue,
    JiraSprint,
    all_tables,
)

EMAIL_ENV = "TEST_JIRA_EMAIL"
TOKEN_ENV = "TEST_JIRA_TOKEN"
SECRETS = (API_TOKEN, PAT, base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode())


@dataclass
class LiveSite:
    """A site row in the database pointing at a running test server."""

    name: str
    engine: Engine
    server: JiraServer
    secrets_file: Path
    delays: list[float] = field(default_factory=list)

    def options(self, **changes: Any) -> SyncOptions:
        retry = RetryPolicy(sleep=self.delays.append)
        return SyncOptions(retry=retry, secrets_file=self.secrets_file, **changes)

    def sync(
        self, boards: tuple[int, ...] = (), full: bool = False, **changes: Any
    ) -> SiteSyncResult:
        return sync_site(self.engine, self.name, boards, full, options=self.options(**changes))


def jira_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every Jira-owned row (ids included), minus the sync's own bookkeeping timestamps: what
    "the same rows" means for idempotency."""
    tables = {
        "board": [
            c
            for c in JiraBoard.__table__.columns
            if c.name not in {"last_synced_at", "membership_checked_at"}
        ],  # type: ignore[attr-defined]
        "sprint": list(JiraSprint.__table__.columns),  # type: ignore[attr-defined]
        "issue": list(JiraIssue.__table__.columns),  # type: ignore[attr-defined]
        "board_issue": list(BoardIssue.__table__.columns),  # type: ignore[attr-defined]
        "event": list(ChangelogEvent.__table__.columns),  # type: ignore[attr-defined]
    }
    with Session(engine) as session:
        return {
            name: sorted(tuple(row) for row in session.execute(select(*columns)).all())
            for name, columns in tables.items()
        }


def issues_by_key(engine: Engine) -> dict[str, JiraIssue]:
    with Session(engine, expire_on_commit=False) as session:
        return {i.key: i for i in session.execute(select(JiraIssue)).scalars()}


def events_of(engine: Engine, key: str, field: str | None = None) -> list[ChangelogEvent]:
    with Session(engine) as session:
        query = (
            select(ChangelogEvent)
            .join(JiraIssue, JiraIssue.id == ChangelogEvent.issue_id)
            .where(JiraIssue.key == key)
            .order_by(ChangelogEvent.at, ChangelogEvent.history_id, ChangelogEvent.item_index)
        )
        if field:
            query = query.where(ChangelogEvent.field == field)
        return list(session.execute(query).scalars())


def assert_no_secrets(engine: Engine, *texts: str) -> None:
    """No credential in the texts (messages, logs) nor anywhere in the database."""
    with Session(engine) as session:
        for table in all_tables().sorted_tables:
            dumped = repr(session.execute(select(table)).all())
            for secret in SECRETS:
                assert secret not in dumped, f"a secret is stored in {table.name}"
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
