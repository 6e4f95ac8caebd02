"""Who hears of what: the people each kind of event goes to.

Only people who can sign in receive notifications (an active user account, a current contact with
an email address): every message links to a page, and what it says is composed from what that
user may see in the app. People who may not see the deliverable concerned are left out.
"""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import Session, col, select

from tracker.errors import NotFound
from tracker.models import Deliverable, Engagement, Person, Role, Side, User
from tracker.policy import can_read_deliverable
from tracker.services.auth.users import actor_for_user

#: charities delivering a service count as the supplier side, as in "who to engage now"
SUPPLIER_SIDES = (Side.supplier, Side.charity)


def _receivers(session: Session, condition: ColumnElement[bool]) -> dict[int, int]:
    """person id -> user id of the people matching `condition` who can receive email."""
    rows = session.exec(
        select(Person.id, User.id)
        .join(User, User.person_id == Person.id)
        .where(
            User.active,
            Person.active,
            ~col(Person.erased),
            col(Person.email).is_not(None),
            condition,
        )
    )
    return {person_id: user_id for person_id, user_id in rows.all()}


def _who_may_see(
    session: Session, receivers: dict[int, int], deliverable: Deliverable | None
) -> list[int]:
    if deliverable is None:
        return sorted(receivers)
    seen = []
    for person_id, user_id in receivers.items():
        try:
            actor = actor_for_user(session, user_id)
        except NotFound:
            continue
        if can_read_deliverable(actor, deliverable):
            seen.append(person_id)
    return sorted(seen)


def _with_role(session: Session, role: Role, organisation_id: int | None = None) -> dict[int, int]:
    condition = User.role == role
    if organisation_id is not None:
        condition = condition & (Person.organisation_id == organisation_id)  # type: ignore[assignment]
    return _receivers(session, condition)


def _supplier_contacts(session: Session, deliverable: Deliverable) -> list[int]:
    """The supplier side's responsible and accountable contacts on the deliverable at its
    current stage (a person's row for the stage replaces their every-stage row); when the map
    names none who can receive email, the supplier's own supplier-contact users."""
    rows = session.exec(
        select(Engagement.person_id, Engagement.stage_id, Engagement.raci).where(
            Engagement.deliverable_id == deliverable.id,
            col(Engagement.side).in_(SUPPLIER_SIDES),
            or_(
                Engagement.stage_id == deliverable.stage_id,
                col(Engagement.stage_id).is_(None),
            ),
        )
    ).all()
    letters: dict[int, str] = {}
    for person_id, _stage, raci in sorted(rows, key=lambda r: r[1] is not None):
        letters[person_id] = raci  # the stage's own row, sorted last, wins
    wanted = [p for p, raci in letters.items() if "A" in raci or "R" in raci]
    found = _receivers(session, col(Person.id).in_(wanted)) if wanted else {}
    if not found and deliverable.supplier_org_id is not None:
        found = _with_role(session, Role.supplier_contact, deliverable.supplier_org_id)
    return _who_may_see(session, found, deliverable)


def _owners(session: Session, deliverable: Deliverable) -> list[int]:
    """The deliverable's owner; when none can receive email, the owning council's project
    owners."""
    found: dict[int, int] = {}
    if deliverable.owner_person_id is not None:
        found = _receivers(session, Person.id == deliverable.owner_person_id)
    if not found:
        found = _with_role(session, Role.project_owner, deliverable.owner_org_id)
    return _who_may_see(session, found, deliverable)


def _admins(session: Session) -> list[int]:
    return sorted(_with_role(session, Role.admin))


def _board_members(session: Session) -> list[int]:
    return sorted(_with_role(session, Role.board_member))


def _accountable_contacts(
    session: Session, organisation_id: int, deliverable: Deliverable | None = None
) -> list[int]:
    """The organisation's accountable contact: its people who are Accountable on the deliverable
    (or, failing that, on any engagement); failing both, its supplier-contact users."""
    in_org = Person.organisation_id == organisation_id
    scopes: list[ColumnElement[bool]] = []
    if deliverable is not None:
        scopes.append(Engagement.deliverable_id == deliverable.id)
    scopes.append(true())
    for scope in scopes:
        accountable = session.exec(
            select(Engagement.person_id)
            .join(Person, Person.id == Engagement.person_id)
            .where(in_org, scope, col(Engagement.raci).contains("A"))
            .distinct()
        ).all()
        found = _receivers(session, col(Person.id).in_(accountable)) if accountable else {}
        if found:
            break
    else:
        found = _with_role(session, Role.supplier_contact, organisation_id)
    return _who_may_see(session, found, deliverable)


def union(*groups: Iterable[int]) -> list[int]:
    return sorted({p for group in groups for p in group})
