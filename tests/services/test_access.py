"""Separation between organisations, through the services (the pages and URLs are tried in
tests/app/test_auth_access.py and tests/e2e/test_sign_in.py).

Every row of ATTEMPTS is something a role may not do to another organisation's work (or, for a
board member, anything that changes data): reading, listing, updating or exporting it. Each must
be refused, on the demo programme, on SQLite and PostgreSQL. The tests after the table check what
the lists a supplier contact does receive hold, and that being engaged on someone else's
deliverable lets a supplier contact read it, never move it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.roles import ADMIN, BOARD, IDLE_SUPPLIER, OWNER, SUPPLIER
from tracker.errors import NotAllowed, NotFound, TrackerError
from tracker.models import (
    AcceptanceCriterion,
    CriterionMove,
    CriterionStatus,
    Deliverable,
    Engagement,
    Organisation,
    OrgKind,
    Person,
)
from tracker.policy import (
    Actor,
)
from tracker.services.acceptance.criteria import (
    Wording,
    create_criterion,
    make_move,
)
from tracker.services.acceptance.evidence_pack import build_evidence_pack
from tracker.services.acceptance.views import (
    criteria_frame,
    criterion_options,
    evidence_frame,
    programme_criteria,
    versions_frame,
    waiting_for_supplier,
)
from tracker.services.assurance.accreditations import register_frame, save_accreditations
from tracker.services.assurance.gates import (
    assign_supplier,
    check_gate,
    compliance_frame,
    overrides_frame,
    record_override,
)
from tracker.services.audit import ledger_frame, verify_ledger
from tracker.services.auth.sign_in import sign_in_events
from tracker.services.auth.users import actor_for_email, save_users, users_frame
from tracker.services.delivery.sprints import (
    board_sprints,
    board_velocity,
    deliverable_boards,
    programme_progress,
    review_boards,
    review_deliverables,
    sprint_report_for,
)
from tracker.services.engagement.maps import (
    engagement_frame,
    map_deliverables,
    save_engagements,
)
from tracker.services.engagement.now import (
    GapKind,
    who_to_engage,
    who_to_engage_all,
)
from tracker.services.lookups import deliverable_by_ref, visible_deliverable
from tracker.services.people.contacts import contacts_frame, organisation_names, save_contacts
from tracker.services.people.exchange import export_file, import_file
from tracker.services.people.personal_data import erase_person, export_person
from tracker.services.programme.overview import deliverables_frame, list_programmes
from tracker.services.validation import RowEdit, RowsRejected

LEDGERLINE = "Ledgerline Systems Ltd"
#: the demo deliverables: Ledgerline supplies RB-01 (Northmoor's) and CTAX-02 (Eastvale's); Binwise
#: supplies WB-01 (Southmere's); Open Door Advice supplies WA-01 (Riverford's)
THEIRS = ("CTAX-02", "RB-01")


class Demo:
    """The demo programme, with shortcuts to what the attempts need."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def actor(self, email: str) -> Actor:
        return actor_for_email(self.session, email)

    def deliverable(self, ref: str) -> Deliverable:
        return self.session.exec(select(Deliverable).where(Deliverable.ref == ref)).one()

    def id(self, ref: str) -> int:
        return self.deliverable(ref).id or 0

    def org(self, name: str) -> int:
        return self.session.exec(select(Organisation.id).where(Organisation.name == name)).one()

    def person(self, email: str) -> Person:
        return self.session.exec(select(Person).where(Person.email == email)).one()

    def criterion(self, ref: str) -> AcceptanceCriterion:
        return self.session.exec(
            select(AcceptanceCriterion)
            .where(AcceptanceCriterion.deliverable_id == self.id(ref))
            .order_by(AcceptanceCriterion.number)
        ).first()

    def engagement(self, ref: str) -> Engagement:
        return self.session.exec(
            select(Engagement).where(Engagement.deliverable_id == self.id(ref))
        ).first()

    def sprint_of(self, ref: str) -> tuple[int, int]:
        """A board and a started sprint holding the deliverable's work, as an admin finds them."""
        admin = self.actor(ADMIN)
        board = deliverable_boards(self.session, admin, deliverable_id=self.id(ref))[0]
        return board.id, board_sprints(self.session, admin, board_id=board.id)[0].id

    def programme(self) -> int:
        return list_programmes(self.session, self.actor(ADMIN))[0].id


@pytest.fixture
def demo(demo_engine: Engine) -> Iterator[Demo]:
    with Session(demo_engine, expire_on_commit=False) as session:
        yield Demo(session)


def contact_row(demo: Demo, who: str, **changes: str) -> RowEdit:
    """A contact as the Contacts editor sends it back, with some fields changed."""
    person = demo.person(who)
    organisation = demo.session.get(Organisation, person.organisation_id)
    values = {
        "name": person.name,
        "job_title": person.job_title,
        "organisation": organisation.name if organisation else "",
        "email": person.email,
        "phone": person.phone,
        "status": "active",
        **changes,
    }
    return RowEdit(1, values, person.id)


def engagement_row(demo: Demo, ref: str, email: str, raci: str = "I", side: str = "partner"):
    values = {
        "deliverable_id": demo.id(ref),
        "stage": None,
        "person_id": demo.person(email).id,
        "raci": raci,
        "side": side,
        "power": 3,
        "interest": 3,
    }
    return RowEdit(1, values)


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Attempt:
    who: str
    what: str
    call: Callable[[Demo, Actor], object]
    refused_with: type[TrackerError]


def _move(demo: Demo, actor: Actor, ref: str, move: CriterionMove) -> object:
    criterion = demo.criterion(ref)
    return make_move(
        demo.session,
        actor,
        criterion_id=criterion.id or 0,
        move=move,
        expected_row_version=criterion.row_version,
        comment="x",
    )


ATTEMPTS = [
    # a supplier contact (Ledgerline) on another supplier's deliverable (Binwise's WB-01): read
    Attempt(
        SUPPLIER,
        "read it",
        lambda d, a: visible_deliverable(d.session, a, deliverable_id=d.id("WB-01")),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "find it by reference",
        lambda d, a: deliverable_by_ref(d.session, a, ref="WB-01"),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read its criteria",
        lambda d, a: criteria_frame(d.session, a, deliverable_id=d.id("WB-01")),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read its stages and sprints",
        lambda d, a: criterion_options(d.session, a, deliverable_id=d.id("WB-01")),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read whom to engage on it",
        lambda d, a: who_to_engage(d.session, a, deliverable=d.deliverable("WB-01")),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read which boards hold it",
        lambda d, a: deliverable_boards(d.session, a, deliverable_id=d.id("WB-01")),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read its sprint outcomes",
        lambda d, a: sprint_report_for(
            d.session,
            a,
            board=d.sprint_of("WB-01")[0],
            sprint_jira_id=d.sprint_of("WB-01")[1],
            deliverable_id=d.id("WB-01"),
        ),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read its whole board's sprints",
        lambda d, a: board_sprints(d.session, a, board_id=d.sprint_of("WB-01")[0]),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read its ledger",
        lambda d, a: ledger_frame(d.session, a, deliverable_id=d.id("WB-01")),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read its criteria's old wordings",
        lambda d, a: versions_frame(d.session, a, deliverable_id=d.id("WB-01")),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read its evidence",
        lambda d, a: evidence_frame(d.session, a, deliverable_id=d.id("WB-01")),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read what another organisation lacks, through the gate",
        lambda d, a: check_gate(
            d.session, a, deliverable_id=d.id("RB-01"), organisation_id=d.org("Binwise Digital Ltd")
        ),
        TrackerError,
    ),
    Attempt(
        SUPPLIER,
        "read another organisation's person",
        lambda d, a: export_person(
            d.session, a, person_id=d.person("jack.turner@binwise.co.uk").id
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read every board's velocity",
        lambda d, a: board_velocity(d.session, a, board_id=d.sprint_of("RB-01")[0]),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read the programme's progress",
        lambda d, a: programme_progress(d.session, a, programme_id=d.programme()),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "read every deliverable's criteria",
        lambda d, a: programme_criteria(d.session, a, programme_id=d.programme()),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "verify the whole ledger",
        lambda d, a: verify_ledger(d.session, a),
        NotAllowed,
    ),
    Attempt(SUPPLIER, "list the users", lambda d, a: users_frame(d.session, a), NotAllowed),
    Attempt(SUPPLIER, "list the sign-ins", lambda d, a: sign_in_events(d.session, a), NotAllowed),
    # ... update
    Attempt(
        SUPPLIER,
        "put someone on its map",
        lambda d, a: save_engagements(
            d.session, a, rows=[engagement_row(d, "WB-01", "karen.stokes@ledgerline.co.uk")]
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "confirm its criterion",
        lambda d, a: _move(d, a, "WB-01", CriterionMove.confirm),
        NotFound,
    ),
    Attempt(
        SUPPLIER,
        "add a criterion to it",
        lambda d, a: create_criterion(
            d.session, a, deliverable_id=d.id("WB-01"), wording=Wording("T", "Text")
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "take it over",
        lambda d, a: assign_supplier(
            d.session, a, deliverable_id=d.id("WB-01"), organisation_id=d.org(LEDGERLINE)
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "change another organisation's contact",
        lambda d, a: save_contacts(
            d.session, a, rows=[contact_row(d, "jack.turner@binwise.co.uk", phone="01632960999")]
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "import contacts",
        lambda d, a: import_file(
            d.session, a, filename="c.csv", data=csv("name,organisation", "X,Binwise")
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "change accreditations",
        lambda d, a: save_accreditations(d.session, a, rows=[], deleted=[1]),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "override the gate",
        lambda d, a: record_override(
            d.session,
            a,
            deliverable_id=d.id("RB-01"),
            organisation_id=d.org("Binwise Digital Ltd"),
            reason="because",
        ),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "give themselves another role",
        lambda d, a: save_users(d.session, a, rows=[RowEdit(1, {"role": "admin"}, a.user_id)]),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "erase another organisation's person",
        lambda d, a: erase_person(d.session, a, person_id=d.person("jack.turner@binwise.co.uk").id),
        NotAllowed,
    ),
    # ... export
    Attempt(
        SUPPLIER,
        "export the contacts",
        lambda d, a: export_file(d.session, a, filename="contacts.xlsx"),
        NotAllowed,
    ),
    Attempt(
        SUPPLIER,
        "export its evidence pack",
        lambda d, a: build_evidence_pack(d.session, a, deliverable_id=d.id("WB-01")),
        NotAllowed,
    ),
    # a project owner (Northmoor) on another council's deliverable (Southmere's WB-01)
    Attempt(
        OWNER,
        "put someone on its map",
        lambda d, a: save_engagements(d.session, a, rows=[engagement_row(d, "WB-01", OWNER)]),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "move a row off its map onto their own",
        lambda d, a: save_engagements(
            d.session,
            a,
            rows=[
                RowEdit(
                    1,
                    {
                        **engagement_row(d, "RB-01", OWNER).values,
                        "person_id": d.engagement("WB-01").person_id,
                    },
                    d.engagement("WB-01").id,
                )
            ],
        ),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "add a criterion to it",
        lambda d, a: create_criterion(
            d.session, a, deliverable_id=d.id("WB-01"), wording=Wording("T", "Text")
        ),
        NotAllowed,
    ),
    Attempt(
        OWNER,
        "accept its criterion",
        lambda d, a: _move(d, a, "WB-01", CriterionMove.accept),
        NotAllowed,
    ),
    Attempt(
        OWNER,
        "give it to another supplier",
        lambda d, a: assign_supplier(
            d.session, a, deliverable_id=d.id("WB-01"), organisation_id=d.org(LEDGERLINE)
        ),
        NotAllowed,
    ),
    Attempt(
        OWNER,
        "point the admin's account at an address of their own",
        lambda d, a: save_contacts(
            d.session, a, rows=[contact_row(d, ADMIN, email="tom.h.private@example.org")]
        ),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "move themselves into another council",
        lambda d, a: save_contacts(
            d.session, a, rows=[contact_row(d, OWNER, organisation="Southmere District Council")]
        ),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "mark a supplier contact as having left",
        lambda d, a: save_contacts(d.session, a, rows=[contact_row(d, SUPPLIER, status="left")]),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "take a supplier contact's account through an import",
        lambda d, a: import_file(
            d.session,
            a,
            filename="contacts.csv",
            data=csv(
                "name,organisation,email", "Karen Stokes,Ledgerline Systems Ltd,tom@example.org"
            ),
        ),
        RowsRejected,
    ),
    Attempt(
        OWNER,
        "give someone an account",
        lambda d, a: save_users(
            d.session,
            a,
            rows=[
                RowEdit(
                    1, {"person_id": d.person("gareth.lewis@eastvale.gov.uk").id, "role": "admin"}
                )
            ],
        ),
        NotAllowed,
    ),
    Attempt(
        OWNER,
        "export a person's data",
        lambda d, a: export_person(d.session, a, person_id=d.person(SUPPLIER).id),
        NotAllowed,
    ),
    # a programme board member changes nothing, even on their own council's deliverable (ASC-01)
    Attempt(
        BOARD,
        "put someone on a map",
        lambda d, a: save_engagements(d.session, a, rows=[engagement_row(d, "ASC-01", BOARD, "C")]),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "send a criterion",
        lambda d, a: _move(d, a, "ASC-01", CriterionMove.send),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "add a criterion",
        lambda d, a: create_criterion(
            d.session, a, deliverable_id=d.id("ASC-01"), wording=Wording("T", "Text")
        ),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "change a contact",
        lambda d, a: save_contacts(d.session, a, rows=[contact_row(d, BOARD, phone="01632960999")]),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "import contacts",
        lambda d, a: import_file(
            d.session, a, filename="c.csv", data=csv("name,organisation", "X,Binwise")
        ),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "export contacts",
        lambda d, a: export_file(d.session, a, filename="contacts.csv"),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "give a deliverable to a supplier",
        lambda d, a: assign_supplier(
            d.session, a, deliverable_id=d.id("ASC-01"), organisation_id=d.org(LEDGERLINE)
        ),
        NotAllowed,
    ),
    Attempt(
        BOARD,
        "override the gate",
        lambda d, a: record_override(
            d.session,
            a,
            deliverable_id=d.id("ASC-01"),
            organisation_id=d.org(LEDGERLINE),
            reason="x",
        ),
        NotAllowed,
    ),
]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: f"{a.who.split('@')[0]} {a.what}")
def test_cross_organisation_attempts_are_refused(demo: Demo, attempt: Attempt) -> None:
    actor = demo.actor(attempt.who)
    with pytest.raises(attempt.refused_with) as refused:
        attempt.call(demo, actor)
    # whether missing or hidden, the answer never names what the other organisation holds
    assert "Binwise" not in str(refused.value)
    demo.session.rollback()


def test_no_write_survives_a_refusal(demo: Demo) -> None:
    """The refusals above happen before anything is written: the maps, contacts and criteria are
    as the demo left them."""
    before = (
        demo.person(ADMIN).email,
        demo.person(OWNER).organisation_id,
        demo.session.exec(select(Engagement.id, Engagement.deliverable_id)).all(),
        demo.criterion("WB-01").status,
    )
    for attempt in ATTEMPTS:
        with pytest.raises(TrackerError):
            attempt.call(demo, demo.actor(attempt.who))
        demo.session.commit()  # commit whatever a refused call left: there must be nothing
    demo.session.expire_all()
    after = (
        demo.person(ADMIN).email,
        demo.person(OWNER).organisation_id,
        demo.session.exec(select(Engagement.id, Engagement.deliverable_id)).all(),
        demo.criterion("WB-01").status,
    )
    assert after == before


def test_a_supplier_contact_lists_only_their_organisations_work(demo: Demo) -> None:
    s, karen = demo.session, demo.actor(SUPPLIER)
    programme = demo.programme()
    assert tuple(deliverables_frame(s, karen, programme_id=programme)["ref"]) == THEIRS
    assert tuple(map_deliverables(s, karen, programme_id=programme)["ref"]) == THEIRS
    assert tuple(d.ref for d in review_deliverables(s, karen, programme_id=programme)) == THEIRS
    assert review_boards(s, karen) == []
    assert [a.ref for a in who_to_engage_all(s, karen, programme_id=programme)] == list(THEIRS)
    assert set(waiting_for_supplier(s, karen)["deliverable"]) <= set(THEIRS)
    maps = engagement_frame(s, karen, programme_id=programme)
    assert set(maps["ref"]) == set(THEIRS)
    others = maps[maps["organisation"] != LEDGERLINE]
    # another organisation's details only for a council contact, and only their own channel
    reachable = (others["side"] == "council") & others["channel"].isin(["email", "phone"])
    assert len(others) and others.loc[~reachable, ["email", "phone"]].isna().all().all()
    for detail in ("email", "phone"):
        shown = others[others[detail].notna()]
        assert (shown["side"] == "council").all() and (shown["channel"] == detail).all()
    assert others.loc[others["channel"] == "email", "phone"].isna().all()
    assert maps.loc[maps["organisation"] == LEDGERLINE, "email"].notna().all()
    assert set(contacts_frame(s, karen)["organisation"]) == {LEDGERLINE}
    assert list(organisation_names(s, karen).values()) == [LEDGERLINE]
    assert set(register_frame(s, karen)["organisation"]) == {LEDGERLINE}
    assert set(compliance_frame(s, karen)["organisation"]) <= {LEDGERLINE}


@pytest.fixture
def gapco(demo: Demo) -> int:
    """A supplier holding no accreditation, with a responsible contact on Ledgerline's RB-01, whom
    an admin let through the gate: its gap and override are Gapco's business, not Ledgerline's."""
    s, admin = demo.session, demo.actor(ADMIN)
    organisation = Organisation(name="Gapco Ltd", kind=OrgKind.supplier)
    s.add(organisation)
    s.flush()
    s.add(Person(organisation_id=organisation.id, name="Gail Gap", email="gail@gapco.example"))
    s.flush()
    save_engagements(
        s, admin, rows=[engagement_row(demo, "RB-01", "gail@gapco.example", "R", "supplier")]
    )
    record_override(
        s,
        admin,
        deliverable_id=demo.id("RB-01"),
        organisation_id=organisation.id,
        reason="Interim cover",
        today=date.today(),
    )
    s.commit()
    return organisation.id or 0


def test_other_organisations_gaps_and_overrides_are_not_a_suppliers(demo: Demo, gapco: int):
    s, admin, karen = demo.session, demo.actor(ADMIN), demo.actor(SUPPLIER)
    assert "Gapco Ltd" in set(compliance_frame(s, admin)["organisation"])
    assert "Gapco Ltd" in set(overrides_frame(s, admin)["organisation"])
    assert "Gapco Ltd" not in set(compliance_frame(s, karen)["organisation"])
    assert overrides_frame(s, karen).empty
    rb = demo.deliverable("RB-01")
    staff_view = who_to_engage(s, admin, deliverable=rb)
    supplier_view = who_to_engage(s, karen, deliverable=rb)
    assert any("Gapco" in g.message for g in staff_view.gaps)
    assert "Gail Gap" in set(supplier_view.contacts["name"])  # by name, as on the shared map
    assert not any("Gapco" in g.message for g in supplier_view.gaps)
    assert not supplier_view.contacts["flags"].str.contains("lacks").any()
    with pytest.raises(TrackerError):
        check_gate(s, karen, deliverable_id=rb.id, organisation_id=gapco)


@pytest.fixture
def engaged(demo: Demo) -> Actor:
    """Sarah Whitlock (Carers Link Trust) consulted on Open Door Advice's WA-01."""
    demo.session.add(
        Engagement(
            deliverable_id=demo.id("WA-01"),
            person_id=demo.person(IDLE_SUPPLIER).id,
            raci="C",
            side="charity",
        )
    )
    demo.session.commit()
    return demo.actor(IDLE_SUPPLIER)


def test_an_engaged_supplier_contact_reads_that_deliverable(demo: Demo, engaged: Actor) -> None:
    s = demo.session
    wa = demo.deliverable("WA-01")
    assert wa.id in engaged.engaged_on
    assert "WA-01" in set(deliverables_frame(s, engaged, programme_id=demo.programme())["ref"])
    assert visible_deliverable(s, engaged, deliverable_id=wa.id).ref == "WA-01"
    criteria = criteria_frame(s, engaged, deliverable_id=wa.id)
    assert len(criteria) and CriterionStatus.draft.value not in set(criteria["status"])
    assert all(moves == [] for moves in criteria["moves"])
    maps = engagement_frame(s, engaged, programme_id=demo.programme(), deliverable_id=wa.id)
    open_door = maps[maps["organisation"] == "Open Door Advice"]
    assert len(open_door) and open_door[["email", "phone"]].isna().all().all()
    # WA-01 is the welfare-advice label on the contact centre's board
    review = sprint_report_for(
        s, engaged, board="northmoor", sprint_jira_id=71, deliverable_id=wa.id
    )
    assert set(review.issues["key"]) == {"CC-19", "CC-4"}

    def lacking(actor: Actor) -> list[str]:
        return [
            g.message
            for g in who_to_engage(s, actor, deliverable=wa).gaps
            if g.kind is GapKind.unaccredited
        ]

    assert any("Open Door" in m for m in lacking(demo.actor(ADMIN)))
    assert lacking(engaged) == []
    # reading is all: nobody moves a criterion on the supplier's behalf
    with pytest.raises(NotAllowed):
        _move(demo, engaged, "WA-01", CriterionMove.confirm)
    with pytest.raises(TrackerError):
        visible_deliverable(s, engaged, deliverable_id=demo.id("WB-01"))


def test_an_engagement_removed_takes_the_deliverable_away(demo: Demo, engaged: Actor) -> None:
    s = demo.session
    row = s.exec(
        select(Engagement.id).where(
            Engagement.person_id == engaged.person_id, Engagement.deliverable_id == demo.id("WA-01")
        )
    ).one()
    save_engagements(s, demo.actor(ADMIN), rows=[], deleted=[row])
    s.commit()
    again = demo.actor(IDLE_SUPPLIER)
    assert demo.id("WA-01") not in again.engaged_on
    assert "WA-01" not in set(deliverables_frame(s, again, programme_id=demo.programme())["ref"])
    with pytest.raises(TrackerError):
        criteria_frame(s, again, deliverable_id=demo.id("WA-01"))
