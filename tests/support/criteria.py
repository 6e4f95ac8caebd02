"""A small programme with one person in every role a criterion move cares about, and the moves
that bring a criterion to each status."""

from dataclasses import dataclass

from sqlmodel import Session

from tracker.models import (
    CriterionMove,
    CriterionStatus,
    Deliverable,
    Organisation,
    Person,
    Programme,
    Role,
    Stage,
    User,
)
from tracker.policy import Actor
from tracker.services.acceptance.criteria import (
    EvidenceLink,
    Saved,
    Wording,
    create_criterion,
    make_move,
)
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
        session,
        world.owner,
        deliverable_id=world.deliverable_id,
        wording=Wording("Pay online", text, "SOW-1 4.2"),
    )
    session.commit()
    return saved


M, S = CriterionMove, CriterionStatus
EVIDENCE = [EvidenceLink("https://evidence.example.org/uat-report", "UAT report")]

#: how the world's own people bring a criterion to each status
PATH: dict[CriterionStatus, list[tuple[str, CriterionMove]]] = {
    S.draft: [],
    S.sent: [("owner", M.send)],
    S.queried: [("owner", M.send), ("supplier", M.query)],
    S.confirmed: [("owner", M.send), ("supplier", M.confirm)],
    S.evidence_submitted: [
        ("owner", M.send),
        ("supplier", M.confirm),
        ("supplier", M.submit_evidence),
    ],
    S.accepted: [
        ("owner", M.send),
        ("supplier", M.confirm),
        ("supplier", M.submit_evidence),
        ("owner", M.accept),
    ],
    S.rejected: [
        ("owner", M.send),
        ("supplier", M.confirm),
        ("supplier", M.submit_evidence),
        ("owner", M.reject),
    ],
}


def comment_for(move: CriterionMove) -> str:
    return f"a comment for {move.value}"


def bring_to(session: Session, world: World, status: CriterionStatus) -> Saved:
    saved = new_criterion(session, world)
    for who, move in PATH[status]:
        saved = make_move(
            session,
            world.by_name(who),
            criterion_id=saved.criterion_id,
            move=move,
            expected_row_version=saved.row_version,
            comment=comment_for(move),
            evidence=EVIDENCE,
        )
    session.commit()
    assert saved.status is status
    return saved
