"""Writing the outbox, inside the transaction of the change that causes each notification.

Each function here is called by the service making the change, with the same session, so the
notification commits with the change or not at all. One row per event and person: the event key
names the event once (a ledger entry, a sprint, a criterion's due date), and the unique
(event_key, person_id) makes queueing the same event again for the same person a no-op.
"""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from tracker.db import upsert
from tracker.models import (
    BoardIssue,
    CriterionMove,
    CriterionStatus,
    Deliverable,
    JiraSprint,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from tracker.models.types import utcnow
from tracker.policy import Actor
from tracker.services.notify import recipients

if TYPE_CHECKING:
    import pandas as pd

K = NotificationKind
#: the app's Board pack page, which lists the published reports
BOARD_PACK_PAGE = "board-pack"


def _queue(
    session: Session,
    *,
    event_key: str,
    kind: NotificationKind,
    person_ids: Iterable[int],
    deliverable_id: int | None = None,
    facts: dict[str, Any] | None = None,
) -> int:
    """One pending notification of the event for each person not already sent it; returns how
    many were queued."""
    wanted = set(person_ids)
    if not wanted:
        return 0
    already = session.exec(
        select(Notification.person_id).where(
            Notification.event_key == event_key, col(Notification.person_id).in_(wanted)
        )
    ).all()
    now = utcnow()
    rows = [
        {
            "event_key": event_key,
            "person_id": person_id,
            "kind": kind.value,
            "deliverable_id": deliverable_id,
            "facts": facts or {},
            "created_at": now,
            "status": NotificationStatus.pending.value,
            "attempts": 0,
            "in_digest": False,
            "resend": False,
        }
        for person_id in sorted(wanted - set(already))
    ]
    # a concurrent writer of the same event loses quietly: the row it wanted exists
    upsert(session, Notification, rows, ["event_key", "person_id"], update_columns=[])
    return len(rows)


def criterion_moved(
    session: Session,
    actor: Actor,
    *,
    deliverable: Deliverable,
    criterion_id: int,
    entry_id: int,
    move: CriterionMove,
    to_status: CriterionStatus,
    version: int,
) -> None:
    """Tell whoever must act next: the supplier's contacts when criteria are sent (or reworded
    after sending, so they need confirming again); the owner when the supplier queries a
    criterion or submits evidence. The ledger entry is the event."""
    facts = {"criterion_id": criterion_id, "version": version, "entry_id": entry_id}
    facts["by_person_id"] = actor.person_id
    if to_status is CriterionStatus.sent and move in (CriterionMove.send, CriterionMove.edit):
        kind, people = K.criteria_to_confirm, recipients._supplier_contacts(session, deliverable)
    elif move is CriterionMove.query:
        kind, people = K.query_raised, recipients._owners(session, deliverable)
    elif move is CriterionMove.submit_evidence:
        kind, people = K.evidence_submitted, recipients._owners(session, deliverable)
    else:
        return
    _queue(
        session,
        event_key=f"audit:{entry_id}",
        kind=kind,
        person_ids=people,
        deliverable_id=deliverable.id,
        facts=facts,
    )


def sprints_closed(session: Session, actor: Actor, *, sprint_ids: Iterable[int]) -> None:
    """A sprint newly closed (seen by a sync or an import): a line in the daily digest of the
    owner of each deliverable with issues on the sprint's board."""
    wanted = sorted(set(sprint_ids))
    if not wanted:
        return
    # pandas, only when a sprint closes: `tracker site list` and the sync start without it
    from tracker.services.delivery.issues import _deliverable_issue_map

    sprints = session.exec(select(JiraSprint).where(col(JiraSprint.id).in_(wanted))).all()
    deliverables = session.exec(select(Deliverable)).all()
    for programme_id in sorted({d.programme_id for d in deliverables}):
        mapped = _deliverable_issue_map(session, programme_id)
        on_board = _deliverables_on_boards(session, mapped, {s.board_id for s in sprints})
        for sprint in sprints:
            for deliverable in deliverables:
                if deliverable.id not in on_board.get(sprint.board_id, set()):
                    continue
                _queue(
                    session,
                    event_key=f"sprint:{sprint.id}:closed",
                    kind=K.sprint_closed,
                    person_ids=recipients._owners(session, deliverable),
                    deliverable_id=deliverable.id,
                    facts={"sprint_id": sprint.id, "board_id": sprint.board_id},
                )


def _deliverables_on_boards(
    session: Session, mapped: "pd.DataFrame", board_ids: set[int | None]
) -> dict[int | None, set[int]]:
    """Deliverable ids with an issue on each board, from a _deliverable_issue_map frame."""
    shown = session.exec(
        select(BoardIssue.board_id, BoardIssue.issue_id).where(
            col(BoardIssue.board_id).in_([b for b in board_ids if b is not None])
        )
    ).all()
    by_issue = mapped.groupby("issue_id")["deliverable_id"].apply(set).to_dict()
    found: dict[int | None, set[int]] = {}
    for board_id, issue_id in shown:
        found.setdefault(board_id, set()).update(by_issue.get(issue_id, set()))
    return found


def board_pack_published(
    session: Session,
    actor: Actor,
    *,
    pack_id: int,
    title: str,
    path: str,
    published_on: date | None = None,
) -> None:
    """A board pack was published: every programme board member hears, with a link to it.

    For the board pack's publish function to call in its own transaction; `path` is the pack's
    page in the app (e.g. "board-pack?pack=3"), appended to TRACKER_BASE_URL."""
    _queue(
        session,
        event_key=f"board-pack:{pack_id}",
        kind=K.board_pack_published,
        person_ids=recipients._board_members(session),
        facts={
            "pack_id": pack_id,
            "title": title,
            "path": path.lstrip("/"),
            "published_on": (published_on or utcnow().date()).isoformat(),
            "by_person_id": actor.person_id,
        },
    )
