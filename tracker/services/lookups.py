"""Lookups every area shares: the deliverable an actor may see, by id or by ref, and a
programme's stages. One message whether a deliverable is missing or hidden, so a supplier
cannot probe for others' work."""

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.errors import NotFound
from tracker.models import Deliverable, Stage
from tracker.policy import Actor, can_read_deliverable, deliverable_filter, is_own_deliverable


def deliverable_by_ref(session: Session, actor: Actor, *, ref: str) -> Deliverable:
    """A deliverable the actor may see, by its reference ignoring case ("rb-01" finds RB-01); one
    message whether it is missing or hidden, so a supplier cannot probe for others' work."""
    found = session.exec(
        select(Deliverable).where(
            func.lower(Deliverable.ref) == ref.strip().lower(), deliverable_filter(actor)
        )
    ).first()
    if found is None:
        raise NotFound(f"no deliverable '{ref}' that you can see")
    return found


def visible_deliverable(session: Session, actor: Actor, *, deliverable_id: int) -> Deliverable:
    """A deliverable by id, if the actor may see it (the same message otherwise)."""
    found = session.get(Deliverable, deliverable_id)
    if found is None or not can_read_deliverable(actor, found):
        raise NotFound("no such deliverable that you can see")
    return found


def own_deliverable_ids(session: Session, actor: Actor, *, programme_id: int) -> list[int]:
    """The programme's deliverables that are the actor's own work (tracker.policy's
    is_own_deliverable), by reference: the pages open on the first of them."""
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref)
    )
    return [d.id or 0 for d in rows if is_own_deliverable(actor, d)]


def stage_names(session: Session, actor: Actor, *, programme_id: int) -> list[str]:
    """The stages, in order, of a programme the actor can see (they see one of its deliverables,
    as tracker.services.programme.overview.list_programmes has it)."""
    seen = session.exec(
        select(Deliverable.id).where(
            Deliverable.programme_id == programme_id, deliverable_filter(actor)
        )
    ).first()
    if seen is None:
        raise NotFound("no such programme that you can see")
    return list(
        session.exec(
            select(Stage.name).where(Stage.programme_id == programme_id).order_by(Stage.position)
        )
    )
