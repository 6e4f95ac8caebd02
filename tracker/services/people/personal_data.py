"""UK GDPR requests about one person: everything tracker holds on them, and erasure.

Personal data lives only in `person`, so erasure rewrites that row (a placeholder name, no email,
phone or job title) and keeps every engagement, owner link and override pointing at the same id:
maps, histories and audit hashes stay consistent, and an export afterwards shows the placeholder.
Free-text notes on the person's engagements may describe them, so erasure clears those too, and
email notifications still waiting for them are cancelled (the outbox holds no address, but a mail
server's recorded reply may quote it: that is cleared).
A one-way digest of the erased address is kept so that `TRACKER_ADMINS` can never recreate them.
"""

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from tracker.errors import (
    NotAllowed,
    NotFound,
)
from tracker.models import (
    AssuranceOverride,
    Deliverable,
    Engagement,
    Organisation,
    Person,
    Stage,
    User,
)
from tracker.models.people import erased_email_digest
from tracker.policy import Action, Actor, require
from tracker.services.auth.users import email_is
from tracker.services.engagement.maps import ALL_STAGES
from tracker.services.notify.history import forget_person


def placeholder_name(person_id: int) -> str:
    return f"Erased person {person_id}"


def find_person(session: Session, actor: Actor, *, who: str) -> Person:
    """A person by email (any case) or by id ("17" or "#17"): erased people have no email left,
    so their id is how they are found again."""
    require(actor, Action.manage_personal_data)
    key = who.strip().removeprefix("#")
    if key.isdigit():
        person = session.get(Person, int(key))
    else:
        person = session.exec(select(Person).where(email_is(key))).first()
    if person is None:
        raise NotFound(f"no person '{who}' (give an email, or the id of an erased person)")
    return person


def export_person(session: Session, actor: Actor, *, person_id: int) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready data (a subject access request)."""
    require(actor, Action.manage_personal_data)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    organisation = session.get(Organisation, person.organisation_id)
    user = session.exec(select(User).where(User.person_id == person_id)).first()
    engagements = session.exec(
        select(Engagement, Deliverable.ref, Stage.name)
        .join(Deliverable, Deliverable.id == Engagement.deliverable_id)
        .outerjoin(Stage, Stage.id == Engagement.stage_id)
        .where(Engagement.person_id == person_id)
        .order_by(Deliverable.ref, Engagement.id)
    ).all()
    owned = session.exec(
        select(Deliverable.ref)
        .where(Deliverable.owner_person_id == person_id)
        .order_by(Deliverable.ref)
    ).all()
    overrides = session.exec(
        select(AssuranceOverride, Deliverable.ref)
        .join(Deliverable, Deliverable.id == AssuranceOverride.deliverable_id)
        .where(AssuranceOverride.by_person_id == person_id)
        .order_by(AssuranceOverride.at)
    ).all()
    return {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "person": {
            "id": person.id,
            "name": person.name,
            "job_title": person.job_title,
            "email": person.email,
            "phone": person.phone,
            "organisation": organisation.name if organisation else None,
            "active": person.active,
            "erased": person.erased,
            "erased_email_sha256": person.erased_email_digest,
        },
        "user_account": {"role": str(user.role), "active": user.active} if user else None,
        "engagements": [
            {
                "deliverable": ref,
                "stage": stage or ALL_STAGES,
                "raci": e.raci,
                "side": str(e.side),
                "escalation_order": e.escalation_order,
                "power": e.power,
                "interest": e.interest,
                "channel": str(e.channel) if e.channel else None,
                "notes": e.notes,
            }
            for e, ref, stage in engagements
        ],
        "owner_of_deliverables": list(owned),
        "assurance_overrides_recorded": [
            {"deliverable": ref, "reason": o.reason, "at": o.at.isoformat(timespec="seconds")}
            for o, ref in overrides
        ],
    }


def erase_person(session: Session, actor: Actor, *, person_id: int) -> Person:
    """Replace a person's details with a placeholder, deactivate their sign-in, clear the notes
    on their engagements and cancel their waiting notifications; every reference to their id
    stays."""
    require(actor, Action.manage_personal_data)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    if person_id == actor.person_id:
        raise NotAllowed("you cannot erase yourself; ask another admin")
    forget_person(session, actor, person_id=person_id, email=person.email)
    if person.email:
        person.erased_email_digest = erased_email_digest(person.email)
    person.name = placeholder_name(person_id)
    person.job_title = None
    person.email = None
    person.phone = None
    person.active = False
    person.erased = True
    session.add(person)
    for user in session.exec(select(User).where(User.person_id == person_id)):
        user.active = False
        session.add(user)
    for engagement in session.exec(select(Engagement).where(Engagement.person_id == person_id)):
        engagement.notes = None
        session.add(engagement)
    session.flush()
    return person
