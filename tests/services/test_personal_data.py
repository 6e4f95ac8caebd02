"""UK GDPR requests: export everything about a person, and erase them without breaking history."""

import json

import pytest
from sqlmodel import Session, select

from tests.support.stakeholders import World, build_world, engage
from tracker.errors import NotAllowed, NotFound, TrackerError
from tracker.models import Deliverable, Engagement, Person, User
from tracker.services.auth.users import (
    actor_for_email,
)
from tracker.services.engagement.maps import engagement_frame
from tracker.services.people.personal_data import erase_person, export_person, find_person


@pytest.fixture
def world(session: Session) -> World:
    build = build_world(session)
    engage(session, build, build.d1, "Sam", "A", "supplier", escalation=1)
    row = session.exec(select(Engagement)).one()
    row.notes = "Sam prefers calls after his hospital appointments"
    session.add(row)
    session.commit()
    return build


def test_export_holds_everything_about_the_person(session, world):
    data = export_person(session, world.admin, person_id=world.people["Sam"])
    json.dumps(data)  # plain JSON, ready to hand over
    assert data["person"]["email"] == "sam@example.org"
    assert data["person"]["organisation"] == "Supplier Ltd"
    assert data["user_account"] == {"role": "supplier contact", "active": True}
    assert data["engagements"][0]["deliverable"] == "D-1"
    assert data["engagements"][0]["stage"] == "All stages"
    assert "hospital" in data["engagements"][0]["notes"]
    owner = export_person(session, world.admin, person_id=world.people["Olu"])
    assert owner["owner_of_deliverables"] == ["D-1", "D-2"]


def test_erasure_replaces_details_and_keeps_every_reference(session, world):
    sam = world.people["Sam"]
    erase_person(session, world.admin, person_id=sam)
    session.commit()
    session.expire_all()
    person = session.get(Person, sam)
    placeholder = f"Erased person {sam}"
    assert (person.name, person.email, person.phone, person.job_title) == (
        placeholder,
        None,
        None,
        None,
    )
    assert (person.active, person.erased) == (False, True)
    engagement = session.exec(select(Engagement)).one()
    assert engagement.person_id == sam
    assert engagement.notes is None
    assert session.exec(select(User).where(User.person_id == sam)).one().active is False
    with pytest.raises(NotFound):
        actor_for_email(session, "sam@example.org")
    frame = engagement_frame(session, world.admin, programme_id=world.programme_id)
    assert frame["name"].tolist() == [placeholder]
    after = export_person(
        session, world.admin, person_id=find_person(session, world.admin, who=f"#{sam}").id
    )
    assert after["person"]["name"] == placeholder
    assert after["person"]["email"] is None
    assert after["person"]["erased"] is True
    assert after["person"]["erased_email_sha256"] is not None  # only so TRACKER_ADMINS refuses
    assert after["engagements"][0]["deliverable"] == "D-1"


def test_erasing_an_owner_keeps_them_as_the_owner(session, world):
    olu = world.people["Olu"]
    erase_person(session, world.admin, person_id=olu)
    session.commit()
    assert session.get(Deliverable, world.d1).owner_person_id == olu


def test_people_are_found_by_email_in_any_case_or_by_id(session, world):
    assert find_person(session, world.admin, who=" SAM@Example.org ").id == world.people["Sam"]
    assert find_person(session, world.admin, who=str(world.people["Sue"])).name == "Sue Supplier"
    with pytest.raises(TrackerError, match=r"no person 'nobody@example\.org'"):
        find_person(session, world.admin, who="nobody@example.org")


def test_only_admins_handle_personal_data_requests(session, world):
    for actor in (world.owner, world.board, world.supplier):
        with pytest.raises(NotAllowed):
            export_person(session, actor, person_id=world.people["Sam"])
        with pytest.raises(NotAllowed):
            erase_person(session, actor, person_id=world.people["Sam"])
    with pytest.raises(TrackerError, match="cannot erase yourself"):
        erase_person(session, world.admin, person_id=world.admin.person_id)
