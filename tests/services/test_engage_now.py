"""'Who to engage now': the order a project owner works through, and every gap it flags."""

from datetime import date

import pytest
from sqlmodel import Session

from tests.support.stakeholders import TODAY, World, build_world, engage
from tracker.errors import TrackerError
from tracker.models import Accreditation, AssuranceOverride, Deliverable, Person
from tracker.services.engagement.now import (
    GapKind,
    who_to_engage,
)
from tracker.services.lookups import deliverable_by_ref
from tracker.services.people.personal_data import erase_person


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def answer(session: Session, world: World, deliverable: int, actor=None, **kwargs):
    found = session.get(Deliverable, deliverable)
    return who_to_engage(session, actor or world.admin, deliverable=found, today=TODAY, **kwargs)


def kinds(result) -> list[GapKind]:
    return [gap.kind for gap in result.gaps]


def test_supplier_accountable_then_responsible_then_owner_then_escalation(session, world):
    engage(session, world, world.d1, "Sue", "R", "supplier", escalation=1)
    engage(session, world, world.d1, "Sam", "A", "supplier", escalation=2)
    engage(session, world, world.d1, "Olu", "A", "council", escalation=3)
    engage(session, world, world.d1, "Bea", "I", "council")
    result = answer(session, world, world.d1)
    assert result.stage == "Alpha"
    assert list(zip(result.contacts["reason"], result.contacts["name"], strict=True)) == [
        ("Supplier accountable", "Sam Supplier"),
        ("Supplier responsible", "Sue Supplier"),
        ("Council owner", "Olu Owner"),
        ("Escalation 1", "Sue Supplier"),
        ("Escalation 2", "Sam Supplier"),
        ("Escalation 3", "Olu Owner"),
    ]
    assert result.gaps == []


def test_one_person_accountable_and_responsible_is_listed_once(session, world):
    engage(session, world, world.d1, "Sam", "RA", "supplier")
    result = answer(session, world, world.d1)
    assert list(result.contacts["reason"][:2]) == [
        "Supplier accountable and responsible",
        "Council owner",
    ]


def test_a_stage_row_replaces_the_same_persons_every_stage_row(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    engage(session, world, world.d1, "Sue", "C", "supplier")
    engage(session, world, world.d1, "Sue", "R", "supplier", stage="Alpha")
    at_alpha = answer(session, world, world.d1)
    assert list(at_alpha.contacts["name"][:2]) == ["Sam Supplier", "Sue Supplier"]
    at_beta = answer(session, world, world.d1, stage="Beta")
    assert at_beta.stage == "Beta"
    assert list(at_beta.contacts["name"]) == ["Sam Supplier", "Olu Owner"]


def test_rows_for_another_stage_do_not_count_now(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier", stage="Beta")
    result = answer(session, world, world.d1)
    assert kinds(result) == [GapKind.no_supplier_contact]
    assert "No active supplier-side contact for D-1 at Alpha" in result.gaps[0].message


def test_consulted_or_informed_supplier_people_are_not_a_supplier_contact(session, world):
    engage(session, world, world.d1, "Sam", "C", "supplier")
    engage(session, world, world.d1, "Sue", "I", "supplier")
    assert kinds(answer(session, world, world.d1)) == [GapKind.no_supplier_contact]


def test_a_contact_who_has_left_is_flagged_and_leaves_no_supplier_contact(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    person = session.get(Person, world.people["Sam"])
    person.active = False
    session.add(person)
    session.commit()
    result = answer(session, world, world.d1)
    assert kinds(result) == [GapKind.no_supplier_contact, GapKind.left]
    assert result.contacts.iloc[0]["status"] == "left"
    assert "has left" in result.contacts.iloc[0]["flags"]
    assert "Sam Supplier (Supplier Ltd, supplier accountable) has left." in result.gaps[1].message


def test_an_erased_contact_shows_as_a_placeholder_and_is_flagged(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    erase_person(session, world.admin, person_id=world.people["Sam"])
    session.commit()
    result = answer(session, world, world.d1)
    assert result.contacts.iloc[0]["name"] == f"Erased person {world.people['Sam']}"
    assert result.contacts.iloc[0]["status"] == "erased"
    assert GapKind.left in kinds(result)


def test_a_contact_whose_organisation_lacks_an_accreditation_is_flagged(session, world):
    engage(session, world, world.d2, "Chris", "A", "charity")
    result = answer(session, world, world.d2)
    assert kinds(result) == [GapKind.unaccredited]
    assert "Charity (Chris Charity) lacks NHS DSPT (Standards Met)" in result.gaps[0].message
    assert "special category personal data" in result.gaps[0].message
    assert "lacks NHS DSPT" in result.contacts.iloc[0]["flags"]


def test_an_admin_override_is_named_on_the_gap(session, world):
    engage(session, world, world.d2, "Chris", "A", "charity")
    session.add(
        AssuranceOverride(
            deliverable_id=world.d2,
            organisation_id=world.orgs["Charity"],
            missing="NHS DSPT (Standards Met)",
            reason="DSPT submitted; interim DPA signed",
            by_person_id=world.people["Ada"],
        )
    )
    session.commit()
    result = answer(session, world, world.d2)
    assert "admin override: DSPT submitted; interim DPA signed" in result.gaps[0].message


def test_accreditations_are_judged_on_the_day_asked(session, world):
    """Supplier Ltd's Cyber Essentials Plus (which meets Cyber Essentials) ends 30 June 2027."""
    engage(session, world, world.d1, "Sam", "A", "supplier")
    found = session.get(Deliverable, world.d1)
    on_expiry = who_to_engage(session, world.admin, deliverable=found, today=date(2027, 6, 30))
    assert on_expiry.gaps == []
    after = who_to_engage(session, world.admin, deliverable=found, today=date(2027, 7, 1))
    assert kinds(after) == [GapKind.unaccredited]
    assert "lacks Cyber Essentials," in after.gaps[0].message


def test_council_people_are_never_gated(session, world):
    """The council owns the data, so holding no accreditations is no gap."""
    engage(session, world, world.d2, "Olu", "A", "council")
    engage(session, world, world.d2, "Chris", "A", "charity")
    session.add(
        Accreditation(
            organisation_id=world.orgs["Charity"],
            scheme="NHS DSPT",
            level="Standards Exceeded 2026/27",
            expires_on=date(2027, 6, 30),
        )
    )
    session.commit()
    assert answer(session, world, world.d2).gaps == []


def test_no_council_owner_is_a_gap(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    deliverable = session.get(Deliverable, world.d1)
    deliverable.owner_person_id = None
    session.add(deliverable)
    session.commit()
    result = answer(session, world, world.d1)
    assert kinds(result) == [GapKind.no_owner]
    assert "Council owner" not in set(result.contacts["reason"])


def test_an_unknown_stage_is_refused(session, world):
    with pytest.raises(TrackerError, match="no stage 'Gamma'"):
        answer(session, world, world.d1, stage="Gamma")


def test_supplier_contacts_see_only_their_deliverables(session, world):
    assert deliverable_by_ref(session, world.supplier, ref="D-1").id == world.d1
    with pytest.raises(TrackerError, match="no deliverable 'D-2' that you can see"):
        deliverable_by_ref(session, world.supplier, ref="D-2")
    with pytest.raises(TrackerError, match="no deliverable 'D-1' that you can see"):
        deliverable_by_ref(session, world.rival, ref="D-1")


def test_supplier_contacts_see_other_organisations_people_without_their_details(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    result = answer(session, world, world.d1, actor=world.supplier)
    rows = result.contacts.set_index("name")
    assert rows.loc["Sam Supplier", "email"] == "sam@example.org"
    assert rows.loc["Olu Owner", "email"] is None
    assert rows.loc["Olu Owner", "phone"] is None
    staff = answer(session, world, world.d1).contacts.set_index("name")
    assert staff.loc["Olu Owner", "email"] == "olu@example.org"
