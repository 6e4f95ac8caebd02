"""The commit hook that re-checks supplier assurance gates (tracker.services.notify.gate_watch
says why and how), registered when tracker.services is imported.

It imports no table and no service until a flush has changed something: a command that only
reads (a report) then builds only the tables it reads (docs/benchmarks.md, "Start-up").
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_CHANGED = "tracker.gates_changed"


@event.listens_for(Session, "after_flush")
def _note_gate_changes(session: Session, _context: Any) -> None:
    from tracker.services.notify.gate_watch import WATCHED

    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, WATCHED) for row in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _recheck_gates(session: Session) -> None:
    session.flush()
    if not session.info.pop(_CHANGED, False):
        return
    from tracker.services.notify.gate_watch import GATEKEEPER, refresh_gate_blocks

    refresh_gate_blocks(session, GATEKEEPER)  # type: ignore[arg-type]


@event.listens_for(Session, "after_rollback")
def _forget_gate_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
