"""A small programme with one person in every role a criterion move cares about."""

from dataclasses import dataclass

from sqlmodel import Session

from tracker.models import Deliverable, Organisation, Person, Programme, Role, Stage, User
from tracker.policy import Actor
from tracker.services.acceptance.criteria import Saved, Wording, create_criterion
from tracker.services.auth.users import actor_for_user


@dataclass(frozen=True)
class World:
    deliverable_id: int
    stage_id: int
    admin: Actor
    owner: Actor
    other_owner: Actor
    supplier: Actor
    other_supplier: Actor
    board: Actor

    def by_name(self, name: str) -> Actor:
        return getattr(self, name)


ROLE_NAMES = ("admin", "owner", "other_owner", "supplier", "other_supplier", "board")


def _user(session: Session, org: Organisation, name: str, role: Role) -> Actor:
    person = Person(organisation_id=org.id or 0, name=name, email=f"{name.lower()}@example.org")
    session.add(person)
    session.flush()
    user = User(person_id=person.id or 0, role=role)
    session.add(user)
    session.flush()
    return actor_for_user(session, user.id or 0)


def build_world(session: Session) -> World:
    council = Organisation(name="Owning Council", kind="council")
    other_council = Organisation(name="Other Council", kind="council")
    supplier = Organisation(name="Supplier Ltd", kind="supplier")
    other_supplier = Organisation(name="Rival Ltd", kind="supplier")
    programme = Programme(name="Programme")
    session.add_all([council, other_council, supplier, other_supplier, programme])
    session.flush()
    stage = Stage(programme_id=programme.id or 0, name="Beta", position=0)
    session.add(stage)
    session.flush()
    deliverable = Deliverable(
        programme_id=programme.id or 0,
        ref="D-1",
        title="A deliverable",
        owner_org_id=council.id or 0,
        supplier_org_id=supplier.id,
        stage_id=stage.id,
    )
    session.add(deliverable)
    session.flush()
    world = World(
        deliverable_id=deliverable.id or 0,
        stage_id=stage.id or 0,
        admin=_user(session, council, "Ada", Role.admin),
        owner=_user(session, council, "Olu", Role.project_owner),
        other_owner=_user(session, other_council, "Otto", Role.project_owner),
        supplier=_user(session, supplier, "Sam", Role.supplier_contact),
        other_supplier=_user(session, other_supplier, "Rhea", Role.supplier_contact),
        board=_user(session, other_council, "Bea", Role.board_member),
    )
    session.commit()
    return world


def new_criterion(session: Session, world: World, text: str = "Given x, when y, then z") -> Saved:
    saved = create_criterion(
        session, world.owner, world.deliverable_id, Wording("Pay online", text, "SOW-1 4.2")
    )
    session.commit()
    return saved
