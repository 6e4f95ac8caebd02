"""A small programme for the engagement and assurance tests: one council, a supplier, a charity and
a rival supplier, two deliverables at Alpha, and a person in every role."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from tracker.models import (
    Accreditation,
    Deliverable,
    Engagement,
    Organisation,
    Person,
    Programme,
    Role,
    Sensitivity,
    Stage,
    User,
)
from tracker.policy import Actor
from tracker.services.auth.users import actor_for_user

TODAY = date(2026, 11, 29)
STAGES = ("Discovery", "Alpha", "Beta")


@dataclass(frozen=True)
class World:
    programme_id: int
    stages: dict[str, int]
    #: D-1: personal data, supplied by Supplier Ltd (Cyber Essentials Plus)
    d1: int
    #: D-2: special category data, supplied by the charity (Cyber Essentials only, no DSPT)
    d2: int
    orgs: dict[str, int]
    #: people by first name
    people: dict[str, int]
    admin: Actor
    owner: Actor
    board: Actor
    supplier: Actor
    rival: Actor


def _person(session: Session, org: int, name: str, role: Role | None = None) -> Person:
    person = Person(
        organisation_id=org,
        name=name,
        job_title=f"{name}'s job",
        email=f"{name.split()[0].lower()}@example.org",
        phone="01632 960000",
    )
    session.add(person)
    session.flush()
    if role:
        session.add(User(person_id=person.id or 0, role=role))
        session.flush()
    return person


def build_world(session: Session) -> World:
    orgs = {
        name: Organisation(name=name, kind=kind)
        for name, kind in [
            ("Council", "council"),
            ("Supplier Ltd", "supplier"),
            ("Charity", "charity"),
            ("Rival Ltd", "supplier"),
        ]
    }
    programme = Programme(name="Programme")
    session.add_all([*orgs.values(), programme])
    session.flush()
    stages = {
        name: Stage(programme_id=programme.id or 0, name=name, position=i)
        for i, name in enumerate(STAGES)
    }
    session.add_all(stages.values())
    session.flush()
    org_ids = {name: org.id or 0 for name, org in orgs.items()}
    people = {
        "Ada": _person(session, org_ids["Council"], "Ada Admin", Role.admin),
        "Olu": _person(session, org_ids["Council"], "Olu Owner", Role.project_owner),
        "Bea": _person(session, org_ids["Council"], "Bea Board", Role.board_member),
        "Sam": _person(session, org_ids["Supplier Ltd"], "Sam Supplier", Role.supplier_contact),
        "Sue": _person(session, org_ids["Supplier Ltd"], "Sue Supplier"),
        "Chris": _person(session, org_ids["Charity"], "Chris Charity"),
        "Rhea": _person(session, org_ids["Rival Ltd"], "Rhea Rival", Role.supplier_contact),
    }
    d1, d2 = (
        Deliverable(
            programme_id=programme.id or 0,
            ref=ref,
            title=f"Deliverable {ref}",
            owner_org_id=org_ids["Council"],
            supplier_org_id=org_ids[supplier],
            owner_person_id=people["Olu"].id,
            sensitivity=sensitivity,
            stage_id=stages["Alpha"].id,
        )
        for ref, supplier, sensitivity in [
            ("D-1", "Supplier Ltd", Sensitivity.personal),
            ("D-2", "Charity", Sensitivity.special_category),
        ]
    )
    session.add_all(
        [
            d1,
            d2,
            Accreditation(
                organisation_id=org_ids["Supplier Ltd"],
                scheme="Cyber Essentials Plus",
                valid_from=date(2026, 1, 1),
                expires_on=date(2027, 6, 30),
            ),
            Accreditation(
                organisation_id=org_ids["Charity"],
                scheme="Cyber Essentials",
                valid_from=date(2026, 1, 1),
                expires_on=date(2027, 6, 30),
            ),
        ]
    )
    session.flush()
    users = {u.person_id: u.id or 0 for u in session.exec(select(User))}

    def actor(name: str) -> Actor:
        return actor_for_user(session, users[people[name].id or 0])

    world = World(
        programme_id=programme.id or 0,
        stages={name: s.id or 0 for name, s in stages.items()},
        d1=d1.id or 0,
        d2=d2.id or 0,
        orgs=org_ids,
        people={name: p.id or 0 for name, p in people.items()},
        admin=actor("Ada"),
        owner=actor("Olu"),
        board=actor("Bea"),
        supplier=actor("Sam"),
        rival=actor("Rhea"),
    )
    session.commit()
    return world


def engage(
    session: Session,
    world: World,
    deliverable: int,
    person: str,
    raci: str,
    side: str,
    stage: str | None = None,
    escalation: int | None = None,
) -> Engagement:
    """Put someone on a map directly (the tests of saving go through the service instead)."""
    row = Engagement(
        deliverable_id=deliverable,
        stage_id=world.stages[stage] if stage else None,
        person_id=world.people[person],
        raci=raci,
        side=side,
        escalation_order=escalation,
    )
    session.add(row)
    session.commit()
    return row
