"""Recording a change to a RAID item, a decision or a dependency in the audit ledger.

Each entry holds the digest of the row as saved (tracker.services.audit.record_digest), the
status it moved from and to, and a comment naming the fields that changed with their old and new
values. People appear by id only, so erasing someone leaves every hash valid.
"""

from datetime import date
from typing import Any

from sqlmodel import Session

from tracker.models import Decision, Dependency, RaidItem
from tracker.policy import Actor
from tracker.services.audit import PROGRAMME_LEVEL, RECORDED, Change, append, record_digest

Recorded = RaidItem | Decision | Dependency
#: long text: the comment says it changed, not what it says
LONG_TEXT = frozenset({"description", "mitigation", "resolution", "detail", "outcome"})
UNCOMPARED = frozenset({"id", "row_version", "created_at", "updated_at"})


def snapshot(row: Recorded) -> dict[str, Any]:
    """The row's content, to compare before and after a change."""
    return {
        column.name: getattr(row, column.name)
        for column in type(row).__table__.columns  # type: ignore[union-attr]
        if column.name not in UNCOMPARED
    }


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    return value.isoformat() if isinstance(value, date) else str(value)


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """'likelihood: 3 -> 4; mitigation changed', or None when nothing changed."""
    parts = []
    for name, old in before.items():
        new = after.get(name)
        if str(old) == str(new) or (old is None and new is None):
            continue
        if name in LONG_TEXT:
            parts.append(f"{name} changed")
        else:
            parts.append(f"{name}: {_shown(old)} -> {_shown(new)}")
    return "; ".join(parts) or None


def record(
    session: Session,
    actor: Actor,
    *,
    row: Recorded,
    action: str,
    from_status: str | None,
    comment: str | None = None,
) -> None:
    """Append the entry for a change already made to `row`, in the caller's transaction."""
    session.add(row)
    session.flush()
    subject = next(name for name, model in RECORDED.items() if isinstance(row, model))
    deliverable = row.consumer_id if isinstance(row, Dependency) else row.deliverable_id
    append(
        session,
        actor,
        change=Change(
            subject_id=row.id or 0,
            deliverable_id=deliverable or PROGRAMME_LEVEL,
            action=action,
            from_status=from_status,
            to_status=str(row.status),
            version=None,
            comment=comment,
            content_sha256=record_digest(row),
            subject=subject,
        ),
    )
