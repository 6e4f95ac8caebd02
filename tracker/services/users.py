"""Turning a user id or a signed-in email into the Actor every service needs."""

from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.models import Organisation, Person, Role, User
from tracker.policy import Actor


class UnknownUser(TrackerError, LookupError):
    """No active user matches; the app shows the 'ask your programme admin' page."""


def _actor(user: User, person: Person, organisation: Organisation) -> Actor:
    return Actor(
        user_id=user.id or 0,
        person_id=person.id or 0,
        name=person.name,
        role=Role(user.role),
        organisation_id=organisation.id or 0,
        organisation_name=organisation.name,
    )


def _query():
    return (
        select(User, Person, Organisation)
        .join(Person, Person.id == User.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(User.active)
    )


def actor_for_user(session: Session, user_id: int) -> Actor:
    row = session.exec(_query().where(User.id == user_id)).first()
    if row is None:
        raise UnknownUser(f"no active user with id {user_id}")
    return _actor(*row)


def actor_for_email(session: Session, email: str) -> Actor:
    row = session.exec(_query().where(Person.email.ilike(email.strip()))).first()  # type: ignore[union-attr]
    if row is None:
        raise UnknownUser(f"no active user for {email}")
    return _actor(*row)


def list_actors(session: Session) -> list[Actor]:
    """Every active user, for the demo picker: grouped by role, then name."""
    order = {role: i for i, role in enumerate(Role)}
    actors = [_actor(*row) for row in session.exec(_query())]
    return sorted(actors, key=lambda a: (order[a.role], a.name))
