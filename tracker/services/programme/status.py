"""A deliverable's stage, RAG rating and target date: changed by its owning council's project
owner (or an admin), each change kept with its reason so the board can read how a rating moved.

A red or amber rating needs a reason: a board cannot act on "amber" alone. Moving to a new stage
stamps the actual dates of the stage left and the stage entered, unless someone already set them.

A save names what the person saw; if the deliverable reads differently now, or another save lands
between our read and our write (caught by the deliverable's row version in the UPDATE), nothing is
saved and the form keeps what was typed.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker.errors import Conflict, Invalid, NotAllowed
from tracker.models import (
    Deliverable,
    DeliverableStage,
    DeliverableStatusChange,
    Rag,
    Stage,
    User,
)
from tracker.models.types import utcnow
from tracker.policy import (
    Actor,
    can_edit_deliverable,
)
from tracker.services.lookups import stage_names, visible_deliverable


@dataclass(frozen=True)
class Status:
    """What the person saw when they opened the form, and what they want now."""

    stage: str
    rag: str
    rag_reason: str | None
    target_date: date | None


def current_status(session: Session, actor: Actor, *, deliverable_id: int) -> Status:
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    stage = session.get(Stage, deliverable.stage_id) if deliverable.stage_id else None
    return Status(
        stage=stage.name if stage else "",
        rag=str(deliverable.rag),
        rag_reason=deliverable.rag_reason,
        target_date=deliverable.target_date,
    )


def deliverable_stage_names(session: Session, actor: Actor, *, deliverable_id: int) -> list[str]:
    """The stages of the programme the deliverable belongs to, in order."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    return stage_names(session, actor, programme_id=deliverable.programme_id)


def editable_deliverables(session: Session, actor: Actor, *, programme_id: int) -> dict[int, str]:
    """Deliverables of the programme whose status this actor may change: id -> "REF title"."""
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.programme_id == programme_id)
        .order_by(Deliverable.ref)
    )
    return {d.id or 0: f"{d.ref} {d.title}" for d in rows if can_edit_deliverable(actor, d)}


def _stamp(session: Session, deliverable_id: int, stage_id: int, field: str, day: date) -> None:
    row = session.exec(
        select(DeliverableStage).where(
            DeliverableStage.deliverable_id == deliverable_id,
            DeliverableStage.stage_id == stage_id,
        )
    ).first() or DeliverableStage(deliverable_id=deliverable_id, stage_id=stage_id)
    if getattr(row, field) is None:
        setattr(row, field, day)
        session.add(row)


def update_status(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    seen: Status,
    wanted: Status,
    today: date | None = None,
) -> bool:
    """Save `wanted` if the deliverable still reads as `seen` (someone else may have changed it
    meanwhile: then nothing is saved and the caller keeps what was typed). False if nothing
    changed."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    if not can_edit_deliverable(actor, deliverable):
        raise NotAllowed(
            f"only a project owner of the owning council or an admin may change {deliverable.ref}"
        )
    if current_status(session, actor, deliverable_id=deliverable_id) != seen:
        raise _changed_meanwhile(session, actor, deliverable_id)
    problems: list[str] = []
    rag = next((r for r in Rag if r.value == (wanted.rag or "").strip().lower()), None)
    if rag is None:
        problems.append(f"RAG must be red, amber or green, not '{wanted.rag}'.")
    reason = (wanted.rag_reason or "").strip() or None
    if rag is not None and rag is not Rag.green and not reason:
        problems.append(f"Say why {deliverable.ref} is {rag.value}: a reason is required.")
    elif (
        rag is not None
        and rag is not Rag.green
        and rag != Rag(deliverable.rag)
        and reason == deliverable.rag_reason
    ):
        problems.append(
            f"Say why {deliverable.ref} is now {rag.value}: the reason given with the change, not "
            f"the {Rag(deliverable.rag).value} one it had before."
        )
    stages = {
        s.name.casefold(): s
        for s in session.exec(select(Stage).where(Stage.programme_id == deliverable.programme_id))
    }
    stage = stages.get(wanted.stage.strip().casefold())
    if stage is None:
        names = ", ".join(s.name for s in sorted(stages.values(), key=lambda s: s.position))
        problems.append(f"'{wanted.stage}' is not a stage of this programme ({names}).")
    if problems or rag is None or stage is None:
        raise Invalid.of(problems, f"{deliverable.ref} was not saved")
    if (stage.id, rag, reason, wanted.target_date) == (
        deliverable.stage_id,
        Rag(deliverable.rag),
        deliverable.rag_reason,
        deliverable.target_date,
    ):
        return False
    day = today or date.today()
    if stage.id != deliverable.stage_id:
        if deliverable.stage_id is not None:
            _stamp(session, deliverable_id, deliverable.stage_id, "actual_end", day)
        _stamp(session, deliverable_id, stage.id or 0, "actual_start", day)
    session.add(
        DeliverableStatusChange(
            deliverable_id=deliverable_id,
            at=utcnow(),
            user_id=actor.user_id or None,
            from_stage_id=deliverable.stage_id,
            to_stage_id=stage.id,
            from_rag=str(deliverable.rag),
            to_rag=rag.value,
            from_target=deliverable.target_date,
            to_target=wanted.target_date,
            reason=reason,
        )
    )
    deliverable.stage_id, deliverable.rag, deliverable.rag_reason = stage.id, rag, reason
    deliverable.target_date = wanted.target_date
    session.add(deliverable)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise _changed_meanwhile(session, actor, deliverable_id) from None
    return True


def _changed_meanwhile(session: Session, actor: Actor, deliverable_id: int) -> Conflict:
    now = current_status(session, actor, deliverable_id=deliverable_id)
    ref = visible_deliverable(session, actor, deliverable_id=deliverable_id).ref
    return Conflict(
        f"{ref} was changed by someone else after you opened it (now {now.stage}, {now.rag}); "
        "nothing was saved. Check the new values and save again."
    )


def status_history(session: Session, actor: Actor, *, deliverable_id: int) -> pd.DataFrame:
    """Every recorded change, newest first, with stage names; who changed it is a user id that
    the page resolves to a role, never a stored name."""
    visible_deliverable(session, actor, deliverable_id=deliverable_id)
    stage_name = dict(session.exec(select(Stage.id, Stage.name)).all())
    roles = dict(session.exec(select(User.id, User.role)).all())
    rows = session.exec(
        select(DeliverableStatusChange)
        .where(DeliverableStatusChange.deliverable_id == deliverable_id)
        .order_by(col(DeliverableStatusChange.at).desc(), col(DeliverableStatusChange.id).desc())
    )
    columns = ["at", "stage", "rag", "target_date", "reason", "changed_by"]
    return pd.DataFrame(
        [
            {
                "at": change.at,
                "stage": f"{stage_name.get(change.from_stage_id, '')} -> "
                f"{stage_name.get(change.to_stage_id, '')}",
                "rag": f"{change.from_rag} -> {change.to_rag}",
                "target_date": f"{change.from_target or ''} -> {change.to_target or ''}",
                "reason": change.reason,
                "changed_by": roles.get(change.user_id, "command line"),
            }
            for change in rows
        ],
        columns=columns,
    )
