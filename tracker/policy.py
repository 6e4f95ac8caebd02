"""Who may read and change what: the one place access is decided.

Services call these functions with the acting user before touching data, so a page, the CLI or a
crafted URL all get the same answer. Supplier contacts see only deliverables their organisation
supplies or that they are engaged on in person (`Actor.engaged_on`), and only their own
organisation's people and accreditations; board members read the programme and change nothing.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from tracker.errors import NotAllowed
from tracker.models import (
    CriterionMove,
    CriterionStatus,
    Deliverable,
    Role,
    Side,
)


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the services need them: no ORM object, safe to cache."""

    user_id: int
    person_id: int
    name: str
    role: Role
    organisation_id: int
    organisation_name: str
    #: Deliverables this user is engaged on in person (their own rows of engagement maps): a
    #: supplier contact reads these besides those their organisation supplies. Read from the
    #: database whenever the actor is made (every page run), so a removed engagement takes effect
    #: at once; an actor made without it reads less, never more.
    engaged_on: frozenset[int] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.value}, {self.organisation_name})"


#: Whoever holds the database: the operator at the command line (unless --as names a user whose
#: view they want) and the demo loader act as an admin, recorded as user 0.
OPERATOR = Actor(
    user_id=0,
    person_id=0,
    name="command line",
    role=Role.admin,
    organisation_id=0,
    organisation_name="operator",
)


class Action(StrEnum):
    read_deliverables = "read the deliverables they may see"
    read_programme = "read the programme"
    answer_criteria = "confirm, query or give evidence for acceptance criteria"
    see_own_work = "see the work waiting for them"
    edit_deliverable = "change a deliverable"
    manage_sites = "manage Jira sites and sync"
    manage_users = "manage users"
    edit_contacts = "change contacts"
    manage_assurance = "change accreditations, assurance rules or overrides"
    manage_personal_data = "export or erase a person's data"
    manage_programme = "load or change a programme's set-up"
    manage_notifications = "send, list and resend email notifications"


_ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # nobody answers for a supplier but its own contacts, not even an admin
    Role.admin: frozenset(Action) - {Action.answer_criteria},
    Role.project_owner: frozenset(
        {
            Action.read_deliverables,
            Action.read_programme,
            Action.see_own_work,
            Action.edit_deliverable,
            Action.edit_contacts,
        }
    ),
    Role.board_member: frozenset({Action.read_deliverables, Action.read_programme}),
    Role.supplier_contact: frozenset(
        {Action.read_deliverables, Action.see_own_work, Action.answer_criteria}
    ),
}


#: The council side of the programme (admins, project owners, board members): the roles that read
#: the whole programme, so every deliverable, organisation and criterion. Derived from the table
#: above, so the staff set is written once.
STAFF = frozenset(role for role, can_do in _ROLE_ACTIONS.items() if Action.read_programme in can_do)


def allows(role: Role, action: Action) -> bool:
    """Whether a role may do this at all; the navigation offers each page by its action."""
    return action in _ROLE_ACTIONS[Role(role)]


def can(actor: Actor, action: Action) -> bool:
    return allows(actor.role, action)


def require(actor: Actor, action: Action) -> None:
    if not can(actor, action):
        raise NotAllowed(f"{Role(actor.role).value}s may not {action.value}")


def deliverable_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause limiting deliverables to those the actor may see."""
    role = Role(actor.role)
    if role in STAFF:
        return true()
    if role is Role.supplier_contact:
        return or_(
            Deliverable.supplier_org_id == actor.organisation_id,
            Deliverable.id.in_(sorted(actor.engaged_on)),  # type: ignore[union-attr]
        )
    return false()


def can_read_deliverable(actor: Actor, deliverable: Deliverable) -> bool:
    """The same rule as deliverable_filter, for one deliverable already loaded."""
    role = Role(actor.role)
    if role is Role.supplier_contact:
        return (
            deliverable.supplier_org_id == actor.organisation_id
            or deliverable.id in actor.engaged_on
        )
    return role in STAFF


def reads_whole_boards(actor: Actor) -> bool:
    """Staff read every synced board's sprints, velocity and the programme's burnup. A council's
    board also carries other suppliers' work, so a supplier contact reads a sprint only through
    the deliverables their organisation supplies, limited to those deliverables' issues."""
    return can(actor, Action.read_programme)


def can_edit_deliverable(actor: Actor, deliverable: Deliverable) -> bool:
    """Project owners change the deliverables their council owns; admins change any."""
    role = Role(actor.role)
    if role is Role.admin:
        return True
    return role is Role.project_owner and deliverable.owner_org_id == actor.organisation_id


def is_own_deliverable(actor: Actor, deliverable: Deliverable) -> bool:
    """The actor's own work, where their pages open first: a project owner's council owns it, or
    a supplier contact's organisation supplies it (or they are engaged on it). Admins and board
    members look across the programme and own none in particular."""
    role = Role(actor.role)
    if role is Role.project_owner:
        return deliverable.owner_org_id == actor.organisation_id
    if role is Role.supplier_contact:
        return can_read_deliverable(actor, deliverable)
    return False


def organisation_filter(actor: Actor, organisation_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A WHERE clause for rows belonging to an organisation (people, accreditations): staff see
    every organisation's, supplier contacts only their own, so no other supplier's staff leak."""
    role = Role(actor.role)
    if role in STAFF:
        return true()
    if role is Role.supplier_contact:
        return organisation_id == actor.organisation_id
    return false()


def sees_organisation(actor: Actor, organisation_id: int) -> bool:
    """organisation_filter for one organisation: whether its records (its people's details, its
    accreditations, what it lacks and any override for it) are the actor's to see."""
    role = Role(actor.role)
    if role is Role.supplier_contact:
        return organisation_id == actor.organisation_id
    return role in STAFF


def can_see_contact_details(actor: Actor, organisation_id: int) -> bool:
    """Email and phone of a person in this organisation; on a shared map a supplier contact sees
    other organisations' people by name and job title only."""
    return sees_organisation(actor, organisation_id)


def contact_details_shown(
    actor: Actor, organisation_id: int, *, side: str | None, channel: str | None
) -> frozenset[str]:
    """Which of an engaged person's details ("email", "phone") the actor sees on a deliverable
    they may read: all of them for an organisation whose records are theirs to see; for a
    supplier contact, a council-side contact's preferred channel too, since "email them" is no
    use without the address."""
    if can_see_contact_details(actor, organisation_id):
        return frozenset({"email", "phone"})
    if Role(actor.role) is Role.supplier_contact and side == Side.council:
        return frozenset({channel}) & {"email", "phone"}
    return frozenset()


#: Criterion moves made for the council: by a project owner of the owning council, or by an admin
#: (the programme manager covering an absent owner; the ledger records the admin role).
COUNCIL_CRITERION_MOVES = frozenset(
    {
        CriterionMove.create,
        CriterionMove.edit,
        CriterionMove.send,
        CriterionMove.accept,
        CriterionMove.reject,
    }
)
#: Moves only a supplier contact of the deliverable's supplier makes: nobody, not even an admin,
#: confirms or submits evidence on a supplier's behalf.
SUPPLIER_CRITERION_MOVES = frozenset(
    {CriterionMove.confirm, CriterionMove.query, CriterionMove.submit_evidence}
)


def can_move_criterion(actor: Actor, deliverable: Deliverable, move: CriterionMove) -> bool:
    """Who may make a move on a criterion of this deliverable (the state it needs is the
    service's business); board members make none."""
    if move in SUPPLIER_CRITERION_MOVES:
        return (
            can(actor, Action.answer_criteria)
            and deliverable.supplier_org_id is not None
            and deliverable.supplier_org_id == actor.organisation_id
        )
    return can_edit_deliverable(actor, deliverable)


def criteria_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause (over criteria joined to their deliverable) for the criteria the actor may
    read: staff read all; supplier contacts read the criteria of the deliverables they may see
    once sent, since a draft is still the council's own. Only the supplier's own contacts move
    them (can_move_criterion): someone engaged from another organisation reads."""
    role = Role(actor.role)
    if role in STAFF:
        return true()
    if role is Role.supplier_contact:
        # here, not at the top: a command that reads no criteria builds no acceptance tables
        from tracker.models import AcceptanceCriterion

        return and_(deliverable_filter(actor), AcceptanceCriterion.status != CriterionStatus.draft)
    return false()


def supplied_by(actor: Actor) -> Select[tuple[int]]:
    """The ids of the deliverables the actor's organisation supplies, as a subquery."""
    return select(Deliverable.id).where(Deliverable.supplier_org_id == actor.organisation_id)  # type: ignore[return-value]


def raid_filter(actor: Actor, *deliverable_ids: ColumnElement[int | None]) -> ColumnElement[bool]:
    """A WHERE clause for RAID items, decisions and dependencies, given the deliverable column(s)
    they hang on: staff read them all; a supplier contact only those on a deliverable their own
    organisation supplies. Being engaged on someone else's deliverable is not enough here: a
    risk log is frank about suppliers, so no supplier reads another's, nor the programme-level
    ones (no deliverable)."""
    role = Role(actor.role)
    if role in STAFF:
        return true()
    if role is Role.supplier_contact:
        return or_(*(column.in_(supplied_by(actor)) for column in deliverable_ids))
    return false()


def can_read_raid(actor: Actor, deliverable: Deliverable | None) -> bool:
    """raid_filter for one row already loaded (its deliverable, None for programme-level)."""
    role = Role(actor.role)
    if role is Role.supplier_contact:
        return deliverable is not None and deliverable.supplier_org_id == actor.organisation_id
    return role in STAFF


def can_raise_raid(actor: Actor, deliverable: Deliverable | None, owner_org_id: int) -> bool:
    """Who may add a RAID item: admins; project owners for their own council (as owner, or on
    its deliverable); supplier contacts on the deliverables their organisation supplies."""
    role = Role(actor.role)
    if role is Role.admin:
        return True
    if role is Role.project_owner:
        return owner_org_id == actor.organisation_id or (
            deliverable is not None and deliverable.owner_org_id == actor.organisation_id
        )
    if role is Role.supplier_contact:
        return deliverable is not None and deliverable.supplier_org_id == actor.organisation_id
    return False


def can_edit_raid(actor: Actor, deliverable: Deliverable | None, owner_org_id: int) -> bool:
    """Who may change a RAID item, a decision still proposed, or a declared dependency: admins;
    project owners their council's (owned by it, or on its deliverable); supplier contacts the
    items their own organisation owns on deliverables it supplies. Board members read."""
    role = Role(actor.role)
    if role is Role.supplier_contact:
        return can_raise_raid(actor, deliverable, owner_org_id) and (
            owner_org_id == actor.organisation_id
        )
    return role is not Role.board_member and can_raise_raid(actor, deliverable, owner_org_id)


def can_record_decision(actor: Actor, deliverable: Deliverable | None, owner_org_id: int) -> bool:
    """Proposing a decision, and recording what a body decided: admins (the programme office)
    and project owners for their own council. Suppliers and board members read decisions."""
    role = Role(actor.role)
    return role is Role.admin or (
        role is Role.project_owner and can_raise_raid(actor, deliverable, owner_org_id)
    )


def may_raise_raid(actor: Actor) -> bool:
    """Whether the actor raises RAID items at all (where is can_raise_raid's): board members
    read only."""
    return Role(actor.role) in (Role.admin, Role.project_owner, Role.supplier_contact)


def may_record_decisions(actor: Actor) -> bool:
    """Whether the actor records decisions and declares dependencies at all: admins and project
    owners (for what is theirs, as can_record_decision and can_edit_raid say)."""
    return Role(actor.role) in (Role.admin, Role.project_owner)
