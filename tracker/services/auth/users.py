"""Who is acting, and who may sign in.

A user id (the demo picker) or an email (the identity provider, `tracker --as`) becomes the Actor
every service needs. A user acts only while their account is active and their person is current:
someone marked as having left, or erased, is refused like a stranger. The programme admin keeps
the list of users here; `TRACKER_ADMINS` only starts it off (see `_actor_for_identity`).

Every command resolves its actor here, so pandas is imported only by the users table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from tracker.errors import (
    Invalid,
    NotFound,
)
from tracker.models import (
    Engagement,
    Organisation,
    OrgKind,
    Person,
    Role,
    SignInEvent,
    SignInEventKind,
    User,
)
from tracker.models.people import erased_email_digest
from tracker.policy import Action, Actor, require
from tracker.services.validation import RowEdit, RowProblem, RowsRejected, text

if TYPE_CHECKING:
    import pandas as pd

USER_COLUMNS = [
    "id",
    "person_id",
    "name",
    "organisation",
    "email",
    "role",
    "active",
    "last_sign_in",
]


def email_is(email: str) -> ColumnElement[bool]:
    """Person.email equal to `email`, ignoring case. Never LIKE: '_' and '%' are wildcards there,
    and an identity 'ann_lee@…' must not find 'annxlee@…'."""
    return func.lower(Person.email) == email.strip().lower()


def _engaged_on(session: Session, person_id: int) -> frozenset[int]:
    rows = session.exec(
        select(Engagement.deliverable_id).where(Engagement.person_id == person_id).distinct()
    )
    return frozenset(rows.all())


def _actor(session: Session, user: User, person: Person, organisation: Organisation) -> Actor:
    return Actor(
        user_id=user.id or 0,
        person_id=person.id or 0,
        name=person.name,
        role=Role(user.role),
        organisation_id=organisation.id or 0,
        organisation_name=organisation.name,
        engaged_on=_engaged_on(session, person.id or 0),
    )


def _query():
    return (
        select(User, Person, Organisation)
        .join(Person, Person.id == User.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(User.active, Person.active, ~col(Person.erased))
    )


def actor_for_user(session: Session, user_id: int) -> Actor:
    row = session.exec(_query().where(User.id == user_id)).first()
    if row is None:
        raise NotFound(f"no active user with id {user_id}")
    return _actor(session, *row)


def actor_for_email(session: Session, email: str) -> Actor:
    row = session.exec(_query().where(email_is(email))).first()
    if row is None:
        raise NotFound(f"no active user for {email}")
    return _actor(session, *row)


def list_actors(session: Session) -> list[Actor]:
    """Every active user, for the demo picker: grouped by role, then name."""
    order = {role: i for i, role in enumerate(Role)}
    actors = [_actor(session, *row) for row in session.exec(_query())]
    return sorted(actors, key=lambda a: (order[a.role], a.name))


def email_domain(email: str) -> str | None:
    """The part after the @, which is all tracker keeps about an identity it refused."""
    _, at, domain = email.strip().lower().rpartition("@")
    return domain if at and domain else None


def _first_admin(session: Session, email: str, name: str | None) -> None:
    """Make an admin of someone in TRACKER_ADMINS signing in for the first time: their contact if
    tracker has one, else a new contact in an organisation named after their email's domain
    (admins see every organisation, so which one is a label)."""
    digest = erased_email_digest(email)
    if session.exec(select(Person.id).where(Person.erased_email_digest == digest)).first():
        raise NotFound(f"no active user for {email}")  # erased: never recreated
    person = session.exec(select(Person).where(email_is(email))).first()
    if person is not None:
        account = session.exec(select(User).where(User.person_id == person.id)).first()
        if account is not None or not person.active or person.erased:
            # An admin switched this account off, or the person has left: the environment
            # never overrides that.
            raise NotFound(f"no active user for {email}")
    else:
        domain = email_domain(email) or "unknown"
        organisation = session.exec(select(Organisation).where(Organisation.name == domain)).first()
        if organisation is None:
            organisation = Organisation(name=domain, kind=OrgKind.other)
            session.add(organisation)
            session.flush()
        person = Person(
            organisation_id=organisation.id or 0,
            name=((name or "").strip() or email.strip())[:200],
            email=email.strip().lower(),
        )
        session.add(person)
        session.flush()
    session.add(User(person_id=person.id or 0, role=Role.admin))
    session.flush()


def _actor_for_identity(
    session: Session, email: str, name: str | None, admins: Sequence[str]
) -> Actor:
    """The actor for an identity the identity provider vouched for. An email in `admins`
    (TRACKER_ADMINS) with no account yet gets an admin account; everyone else must have been
    given one by an admin, or NotFound."""
    try:
        return actor_for_email(session, email)
    except NotFound:
        if email.strip().lower() not in {a.strip().lower() for a in admins}:
            raise
    _first_admin(session, email, name)
    return actor_for_email(session, email)


def users_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """Every account with its person, role, whether it may sign in, and its last sign-in."""
    import pandas as pd

    require(actor, Action.manage_users)
    last = (
        select(SignInEvent.user_id, func.max(SignInEvent.at).label("at"))
        .where(SignInEvent.event == SignInEventKind.sign_in)
        .group_by(SignInEvent.user_id)  # type: ignore[arg-type]
        .subquery()
    )
    rows = session.exec(
        select(
            User.id,
            Person.id,
            Person.name,
            Organisation.name,
            Person.email,
            User.role,
            User.active,
            last.c.at,
        )
        .join(Person, Person.id == User.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(last, last.c.user_id == User.id)
        .order_by(Organisation.name, Person.name)
    ).all()
    frame = pd.DataFrame(rows, columns=USER_COLUMNS)
    frame["last_sign_in"] = pd.to_datetime(frame["last_sign_in"], utc=True)
    return frame


def user_candidates(session: Session, actor: Actor) -> dict[int, str]:
    """Contacts who could be given an account ("Name (Organisation)" by person id): current, with
    an email to sign in with, and no account yet."""
    require(actor, Action.manage_users)
    has_account = select(User.person_id)
    rows = session.exec(
        select(Person.id, Person.name, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(
            Person.active,
            ~col(Person.erased),
            col(Person.email).is_not(None),
            col(Person.id).not_in(has_account),
        )
        .order_by(Person.name)
    ).all()
    return {id_: f"{name} ({org})" for id_, name, org in rows}


def parse_role(text: str | None) -> Role | None:
    """A role as people write it: "project owner" as `tracker users list` shows it, any case,
    with underscores or hyphens ("project_owner"), or without "programme" ("board member")."""
    words = " ".join((text or "").replace("_", " ").replace("-", " ").lower().split())
    for role in Role:
        if words in (role.value, role.name.replace("_", " ")):
            return role
    return None


def _check_user_row(
    session: Session, actor: Actor, edit: RowEdit
) -> tuple[User | None, dict, list[str]]:
    problems = []
    written = text(edit.values.get("role"))
    role = parse_role(written)
    if role is None:
        problems.append(f"role '{written or ''}' must be one of {', '.join(Role)}")
    active = bool(edit.values.get("active", True))
    if edit.id is not None:
        user = session.get(User, edit.id)
        if user is None:
            return None, {}, [f"no user with id {edit.id}"]
        if user.id == actor.user_id and (not active or role != Role.admin):
            problems.append(
                "you cannot switch off your own account or admin role; ask another admin"
            )
        return user, {"role": role, "active": active}, problems
    person = session.get(Person, edit.values.get("person_id") or 0)
    if person is None:
        return None, {}, ["choose the contact to give an account to"]
    if person.erased or not person.active or not person.email:
        problems.append(f"{person.name} has left, been erased or has no email to sign in with")
    if session.exec(select(User).where(User.person_id == person.id)).first() is not None:
        problems.append(f"{person.name} already has an account")
    return None, {"person_id": person.id, "role": role, "active": active}, problems


def save_users(
    session: Session, actor: Actor, *, rows: Sequence[RowEdit], deleted: Sequence[int] = ()
) -> int:
    """An admin's changes to accounts, all or none: a new account for an existing contact, or a
    role or active flag changed. Accounts are switched off, never deleted, so the sign-in log
    keeps pointing at them."""
    require(actor, Action.manage_users)
    if deleted:
        raise Invalid("accounts are switched off (untick Active), not deleted")
    problems: list[RowProblem] = []
    writes: list[tuple[User | None, dict]] = []
    for edit in rows:
        user, values, found = _check_user_row(session, actor, edit)
        problems += [RowProblem("Users", edit.row, p) for p in found]
        writes.append((user, values))
    if problems:
        raise RowsRejected(problems)
    for user, values in writes:
        user = user or User(person_id=values.pop("person_id"), role=values["role"])
        for name, value in values.items():
            setattr(user, name, value)
        session.add(user)
    session.flush()
    return len(writes)
