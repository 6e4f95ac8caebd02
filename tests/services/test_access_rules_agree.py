"""Each access rule exists twice in tracker/policy.py: as SQL (a WHERE clause for queries) and as
Python (for a row already loaded). They must give the same answer for everyone, or a page that
lists with one and checks with the other shows or refuses the wrong things. Checked for every role
in every demo organisation, and for every demo user, against every demo deliverable and
organisation, on SQLite and PostgreSQL."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tracker.models import Deliverable, Organisation, RaidItem, Role
from tracker.policy import (
    Actor,
    can_read_deliverable,
    can_read_raid,
    deliverable_filter,
    organisation_filter,
    raid_filter,
    sees_organisation,
)
from tracker.services.auth.users import list_actors

pytestmark = pytest.mark.db


def _actors(session: Session) -> Iterator[Actor]:
    """Every demo user as they sign in, then every role in every organisation, engaged in person
    on one deliverable its organisation does not supply (the supplier contacts' second rule)."""
    yield from list_actors(session)
    deliverables = session.exec(select(Deliverable).order_by(Deliverable.id)).all()
    for organisation in session.exec(select(Organisation).order_by(Organisation.id)).all():
        elsewhere = [d.id for d in deliverables if d.supplier_org_id != organisation.id]
        for role in Role:
            yield Actor(
                user_id=1,
                person_id=1,
                name="someone",
                role=role,
                organisation_id=organisation.id or 0,
                organisation_name=organisation.name,
                engaged_on=frozenset(elsewhere[:1]),
            )


def test_deliverable_filter_and_can_read_deliverable_agree(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        deliverables = session.exec(select(Deliverable)).all()
        everyone = {d.id for d in deliverables}
        partial = 0
        for actor in _actors(session):
            by_sql = set(session.exec(select(Deliverable.id).where(deliverable_filter(actor))))
            by_python = {d.id for d in deliverables if can_read_deliverable(actor, d)}
            assert by_sql == by_python, actor
            partial += 0 < len(by_sql) < len(everyone)
    assert partial, "no actor saw some deliverables but not all: the rules were not exercised"


def test_organisation_filter_and_sees_organisation_agree(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        organisations = session.exec(select(Organisation)).all()
        partial = 0
        for actor in _actors(session):
            where = organisation_filter(actor, Organisation.id)  # type: ignore[arg-type]
            by_sql = set(session.exec(select(Organisation.id).where(where)))
            by_python = {o.id for o in organisations if sees_organisation(actor, o.id or 0)}
            assert by_sql == by_python, actor
            partial += 0 < len(by_sql) < len(organisations)
    assert partial, "no actor saw some organisations but not all: the rules were not exercised"


def test_raid_filter_and_can_read_raid_agree(demo_engine: Engine) -> None:
    """Over every deliverable, and over every demo RAID item (programme-level ones included)."""
    with Session(demo_engine) as session:
        deliverables = {d.id: d for d in session.exec(select(Deliverable))}
        items = session.exec(select(RaidItem)).all()
        assert any(i.deliverable_id is None for i in items), "no programme-level item in the demo"
        partial = 0
        for actor in _actors(session):
            where = raid_filter(actor, Deliverable.id)  # type: ignore[arg-type]
            by_sql = set(session.exec(select(Deliverable.id).where(where)))
            assert by_sql == {i for i, d in deliverables.items() if can_read_raid(actor, d)}, actor
            where = raid_filter(actor, RaidItem.deliverable_id)  # type: ignore[arg-type]
            by_sql = set(session.exec(select(RaidItem.id).where(where)))
            by_python = {
                i.id for i in items if can_read_raid(actor, deliverables.get(i.deliverable_id))
            }
            assert by_sql == by_python, actor
            partial += 0 < len(by_sql) < len(items)
    assert partial, "no actor saw some RAID items but not all: the rules were not exercised"


def test_the_demo_users_cover_every_role(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        assert {Role(a.role) for a in list_actors(session)} == set(Role)
