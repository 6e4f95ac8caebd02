"""The contact directory: people in every organisation, found by search and kept up to date.

Saves from the editor and imports from files take the same path (`plan_contacts`): every row is
checked first and nothing is written while any row is wrong.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import case, or_
from sqlmodel import Session, select

from tracker.models import Organisation, Person, User
from tracker.policy import Action, Actor, can, organisation_filter, require
from tracker.services.validation import (
    RowEdit,
    RowProblem,
    RowsRejected,
    is_email,
    is_uk_phone,
    text,
)

CONTACT_COLUMNS = ["name", "job_title", "organisation", "email", "phone", "status"]
_LIMITS = {"name": 200, "job_title": 200, "email": 320, "phone": 40}


class ContactStatus(StrEnum):
    active = "active"
    left = "left"
    erased = "erased"


#: A person's status as a word, computed in SQL so the directory's status filter runs there.
STATUS_COLUMN = case(
    (Person.erased, ContactStatus.erased.value),
    (Person.active, ContactStatus.active.value),
    else_=ContactStatus.left.value,
)


def organisation_names(session: Session, actor: Actor) -> dict[int, str]:
    """Organisations whose people the actor may see, by id, for filters and pickers."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(organisation_filter(actor, Organisation.id))
        .order_by(Organisation.name)
    )
    return dict(rows.all())


def contacts_frame(
    session: Session,
    actor: Actor,
    *,
    search: str | None = None,
    organisation_ids: Sequence[int] | None = None,
    statuses: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The directory as the actor may see it; `search` matches name, job title, email or
    organisation, case-insensitively on both databases."""
    statement = (
        select(
            Person.id,
            Person.name,
            Person.job_title,
            Organisation.name,
            Person.email,
            Person.phone,
            STATUS_COLUMN,
            Person.organisation_id,
        )
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(organisation_filter(actor, Person.organisation_id))
        .order_by(Organisation.name, Person.name)
    )
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        statement = statement.where(
            or_(
                Person.name.ilike(pattern),  # type: ignore[attr-defined]
                Person.job_title.ilike(pattern),  # type: ignore[union-attr]
                Person.email.ilike(pattern),  # type: ignore[union-attr]
                Organisation.name.ilike(pattern),  # type: ignore[attr-defined]
            )
        )
    if organisation_ids:
        statement = statement.where(Person.organisation_id.in_(organisation_ids))  # type: ignore[attr-defined]
    if statuses:
        statement = statement.where(STATUS_COLUMN.in_(statuses))
    return pd.DataFrame(
        session.exec(statement).all(), columns=["id", *CONTACT_COLUMNS, "organisation_id"]
    )


@dataclass
class ContactPlan:
    """Checked contact rows, ready to write; `problems` empty means every row is good."""

    problems: list[RowProblem] = field(default_factory=list)
    writes: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    #: rows without an id that matched someone who signs in and change their email, name,
    #: organisation or status: what each changes, for the admin to confirm before it is written
    account_changes: list[RowProblem] = field(default_factory=list)

    @property
    def emails(self) -> set[str]:
        """Emails the plan will hold once applied, so engagements in the same file may use them."""
        return {values["email"].lower() for _, values in self.writes if values["email"]}

    def apply(self, session: Session) -> int:
        for person_id, values in self.writes:
            person = session.get(Person, person_id) if person_id else Person(**values)
            assert person is not None  # checked while planning
            for name, value in values.items():
                setattr(person, name, value)
            session.add(person)
        session.flush()
        return len(self.writes)


def _known(session: Session) -> tuple[dict[str, int], dict[str, int], dict[tuple[str, int], int]]:
    orgs = {
        name.lower(): id_ for id_, name in session.exec(select(Organisation.id, Organisation.name))
    }
    by_email: dict[str, int] = {}
    by_name: dict[tuple[str, int], int] = {}
    for id_, name, email, org in session.exec(
        select(Person.id, Person.name, Person.email, Person.organisation_id)
    ):
        if email:
            by_email[email.lower()] = id_
        by_name[(name.lower(), org)] = id_
    return orgs, by_email, by_name


def _check_row(values: dict[str, Any], orgs: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    cleaned = {name: text(values.get(name)) for name in CONTACT_COLUMNS}
    problems = []
    if not cleaned["name"]:
        problems.append("name is required")
    if not cleaned["organisation"]:
        problems.append("organisation is required")
    elif cleaned["organisation"].lower() not in orgs:
        problems.append(f"organisation '{cleaned['organisation']}' is not known to tracker")
    if cleaned["email"] and not is_email(cleaned["email"]):
        problems.append(f"email '{cleaned['email']}' is not an email address")
    if cleaned["phone"] and not is_uk_phone(cleaned["phone"]):
        problems.append(f"phone '{cleaned['phone']}' is not a UK phone number")
    status = (cleaned["status"] or ContactStatus.active.value).lower()
    if status not in (ContactStatus.active, ContactStatus.left):
        problems.append(f"status '{cleaned['status']}' must be 'active' or 'left'")
    for name, limit in _LIMITS.items():
        if cleaned[name] and len(cleaned[name]) > limit:
            problems.append(f"{name.replace('_', ' ')} is longer than {limit} characters")
    person = {
        "name": cleaned["name"],
        "job_title": cleaned["job_title"],
        "organisation_id": orgs.get((cleaned["organisation"] or "").lower()),
        "email": cleaned["email"],
        "phone": cleaned["phone"],
        "active": status == ContactStatus.active,
    }
    return person, problems


def _moves_account(person: Person, values: dict[str, Any]) -> bool:
    """Whether a save changes what a user's sign-in rests on: the email their identity is matched
    by, the organisation whose work they see, or whether they are current."""
    return (
        (person.email or "").lower() != (values["email"] or "").lower()
        or person.organisation_id != values["organisation_id"]
        or person.active != values["active"]
    )


def _account_change(session: Session, person: Person, values: dict[str, Any]) -> str | None:
    """What a matched row changes of a person who signs in, in words; None when it changes
    nothing their sign-in rests on or they are known by."""
    changes = []
    if (person.email or "").lower() != (values["email"] or "").lower():
        changes.append(f"email {person.email or '(none)'} to {values['email'] or '(none)'}")
    if person.name != values["name"]:
        changes.append(f"name {person.name} to {values['name']}")
    if person.organisation_id != values["organisation_id"]:
        before = session.get(Organisation, person.organisation_id)
        after = session.get(Organisation, values["organisation_id"])
        changes.append(
            f"organisation {before.name if before else '?'} to {after.name if after else '?'}"
        )
    if person.active != values["active"]:
        changes.append("status active to left" if person.active else "status left to active")
    if not changes:
        return None
    return f"{person.name} ({person.email or 'no email'}) signs in: " + "; ".join(changes)


def plan_contacts(
    session: Session, actor: Actor, *, rows: Sequence[RowEdit], table: str = "Contacts"
) -> ContactPlan:
    """Check every row; a row without an id updates the person with its email (or, without an
    email, its name in that organisation), otherwise it adds a person. Only an admin changes the
    email, organisation or status of someone who signs in: otherwise a project owner could point
    an admin's account at an address of their own, or move themselves into another council."""
    orgs, by_email, by_name = _known(session)
    signs_in = set(session.exec(select(User.person_id)))
    accounts = set() if can(actor, Action.manage_users) else signs_in
    plan = ContactPlan()
    claimed: dict[str, int] = {}
    for edit in rows:
        values, problems = _check_row(edit.values, orgs)
        target = edit.id
        if target is None and values["email"]:
            target = by_email.get(values["email"].lower())
        if target is None and values["name"] and values["organisation_id"]:
            target = by_name.get((values["name"].lower(), values["organisation_id"]))
        existing = session.get(Person, target) if target else None
        if edit.id is not None and existing is None:
            problems.append(f"no contact with id {edit.id}")
        if existing is not None and existing.erased:
            problems.append("this person's data has been erased and cannot be edited")
        if existing is not None and existing.id in accounts and _moves_account(existing, values):
            problems.append(
                f"{existing.name} signs in to tracker: only an admin may change their email, "
                "organisation or status"
            )
        email = (values["email"] or "").lower()
        if email:
            owner = by_email.get(email)
            if owner is not None and owner != target:
                problems.append(f"email '{values['email']}' already belongs to another contact")
            elif email in claimed:
                problems.append(f"email '{values['email']}' is also on row {claimed[email]}")
            claimed.setdefault(email, edit.row)
        plan.problems += [RowProblem(table, edit.row, p) for p in problems]
        plan.writes.append((target, values))
        if edit.id is None and existing is not None and existing.id in signs_in:
            change = _account_change(session, existing, values)
            if change:
                plan.account_changes.append(RowProblem(table, edit.row, change))
    return plan


def save_contacts(session: Session, actor: Actor, *, rows: Sequence[RowEdit]) -> int:
    """Save edited or new contacts, all or none; returns how many rows were written. A new row
    that matches someone who signs in (by email, or name and organisation) and would change them
    is refused: their own row is where they are changed, in sight."""
    require(actor, Action.edit_contacts)
    plan = plan_contacts(session, actor, rows=rows)
    problems = plan.problems + [
        RowProblem(c.table, c.row, f"{c.message}: change them in their own row, not a new one")
        for c in plan.account_changes
    ]
    if problems:
        raise RowsRejected(problems)
    return plan.apply(session)
