"""The stakeholder world (one council, two suppliers and a charity), made a RAID programme: every
organisation a member, a second council with a deliverable of its own, a third deliverable
supplied by the rival supplier, and one organisation outside the programme."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from tests.support.stakeholders import World, build_world
from tracker.models import Deliverable, Organisation, ProgrammeMember, RaidItem
from tracker.policy import Actor
from tracker.services.raid.register import add_item

TODAY = date(2026, 11, 29)


@dataclass(frozen=True)
class RaidWorld:
    base: World
    programme_id: int
    #: D-3: the council's, supplied by Rival Ltd
    d3: int
    #: E-1: Eastshire Council's, supplied by Supplier Ltd
    e1: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


def build_raid_world(session: Session) -> RaidWorld:
    base = build_world(session)
    other = Organisation(name="Eastshire Council", kind="council")
    outsider = Organisation(name="Outside Trust", kind="charity")
    session.add_all([other, outsider])
    session.flush()
    for org_id in [*base.orgs.values(), other.id]:
        session.add(ProgrammeMember(programme_id=base.programme_id, organisation_id=org_id or 0))
    d3 = Deliverable(
        programme_id=base.programme_id,
        ref="D-3",
        title="Deliverable D-3",
        owner_org_id=base.orgs["Council"],
        supplier_org_id=base.orgs["Rival Ltd"],
        target_date=date(2027, 3, 1),
    )
    e1 = Deliverable(
        programme_id=base.programme_id,
        ref="E-1",
        title="Eastshire's deliverable",
        owner_org_id=other.id or 0,
        supplier_org_id=base.orgs["Supplier Ltd"],
        target_date=date(2027, 1, 15),
    )
    session.add_all([d3, e1])
    session.commit()
    return RaidWorld(base=base, programme_id=base.programme_id, d3=d3.id or 0, e1=e1.id or 0)


def risk(**values: Any) -> dict[str, Any]:
    """A valid low risk of the council's on D-1, with `values` changed."""
    return {
        "kind": "risk",
        "title": "Data migration slips",
        "deliverable": "D-1",
        "owner_organisation": "Council",
        "likelihood": 2,
        "impact": 3,
        **values,
    }


def raise_item(session: Session, world: RaidWorld, actor: Actor, **values: Any) -> RaidItem:
    item = add_item(session, actor, programme_id=world.programme_id, values=risk(**values))
    session.commit()
    return item


def count_items(session: Session) -> int:
    return len(session.exec(select(RaidItem)).all())
