"""What a deliverable's project owner writes for a highlight report: a summary, the plan for the
next period, and their own (declared) rating per dimension, one note per deliverable and period.

The owning council's project owners write their deliverables' notes (an admin may cover for them);
everyone who may read the deliverable reads them. People are referred to by user id only.
"""

from collections.abc import Mapping

import pandas as pd
from sqlmodel import Session, col, select

from tracker.errors import (
    Invalid,
    NotAllowed,
    count,
)
from tracker.metrics.rag import Dimension
from tracker.models import Deliverable, HighlightNote, Rag
from tracker.models.types import utcnow
from tracker.policy import Actor, can_edit_deliverable, deliverable_filter
from tracker.services.board.period import Period
from tracker.services.lookups import visible_deliverable

#: the longest summary or next-period text: a highlight report is read in minutes
TEXT_LIMIT = 4000
DECLARED = [d.value for d in Dimension]
NOTE_COLUMNS = ["deliverable_id", "ref", "summary", "next_period", "declared", "may_edit"]


def period_notes(
    session: Session, actor: Actor, *, programme_id: int, period: Period
) -> pd.DataFrame:
    """One row per deliverable of the programme the actor may see, with its note for the period
    (empty text and no declarations where none was written) and whether the actor may edit it."""
    deliverables = session.exec(
        select(Deliverable)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(col(Deliverable.ref))
    ).all()
    notes = {
        n.deliverable_id: n
        for n in session.exec(
            select(HighlightNote).where(
                col(HighlightNote.deliverable_id).in_([d.id for d in deliverables]),
                HighlightNote.period_start == period.start,
                HighlightNote.period_end == period.end,
            )
        )
    }
    rows = []
    for deliverable in deliverables:
        note = notes.get(deliverable.id or 0)
        rows.append(
            (
                deliverable.id,
                deliverable.ref,
                note.summary if note else "",
                note.next_period if note else "",
                dict(note.declared) if note else {},
                can_edit_deliverable(actor, deliverable),
            )
        )
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)


def save_note(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    period: Period,
    summary: str,
    next_period: str,
    declared: Mapping[str, str | None],
) -> HighlightNote:
    """Write (or rewrite) a deliverable's note for a period. `declared` maps dimensions to red,
    amber or green; a blank leaves that dimension undeclared. Every problem is listed and nothing
    is saved unless there are none."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    if not can_edit_deliverable(actor, deliverable):
        raise NotAllowed(
            f"only a project owner of the owning council or an admin may write {deliverable.ref}'s"
            " highlight note"
        )
    problems = [
        f"{name}: {len(text)} characters; at most {TEXT_LIMIT}"
        for name, text in (("summary", summary), ("next period", next_period))
        if len(text) > TEXT_LIMIT
    ]
    ratings: dict[str, str] = {}
    for dimension, value in declared.items():
        if dimension not in DECLARED:
            problems.append(f"{dimension}: not a dimension ({', '.join(DECLARED)})")
        elif value and value.strip():
            try:
                ratings[dimension] = Rag(value.strip().lower()).value
            except ValueError:
                problems.append(f"{dimension}: '{value}' is not red, amber or green")
    if problems:
        raise Invalid(
            f"{deliverable.ref}'s note was not saved: {count(len(problems), 'problem')}", problems
        )
    note = session.exec(
        select(HighlightNote).where(
            HighlightNote.deliverable_id == deliverable_id,
            HighlightNote.period_start == period.start,
            HighlightNote.period_end == period.end,
        )
    ).first() or HighlightNote(
        deliverable_id=deliverable_id, period_start=period.start, period_end=period.end
    )
    note.summary, note.next_period = summary.strip(), next_period.strip()
    note.declared = ratings
    note.updated_at, note.updated_by = utcnow(), actor.user_id or None
    session.add(note)
    session.flush()
    return note
