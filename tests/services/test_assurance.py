"""Supplier assurance: the rules, the gate and its overrides, and expiry windows."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from tests.support.stakeholders import TODAY, World, build_world, engage
from tracker.errors import NotAllowed
from tracker.models import (
    Accreditation,
    AssuranceOverride,
    Deliverable,
    Scheme,
    Sensitivity,
)
from tracker.services.assurance.accreditations import register_frame, save_accreditations
from tracker.services.assurance.check import assurance_report
from tracker.services.assurance.gates import (
    AssuranceBlocked,
    Decision,
    Expiry,
    Requirement,
    _requirements,
    assign_supplier,
    check_gate,
    compliance_frame,
    expiry_flag,
    meets,
    revoke_override,
    save_rules,
)
from tracker.services.validation import RowEdit, RowsRejected


@pytest.mark.parametrize(
    ("days", "flag"),
    [
        (61, None),
        (60, Expiry.within_60),
        (59, Expiry.within_60),
        (31, Expiry.within_60),
        (30, Expiry.within_30),
        (29, Expiry.within_30),
        (0, Expiry.within_30),
        (-1, Expiry.expired),
    ],
)
def test_expiry_windows_around_their_boundaries(days: int, flag: Expiry | None) -> None:
    assert expiry_flag(TODAY + timedelta(days=days), TODAY) is flag


def _held(scheme: str, level: str | None = None, **dates: date) -> Accreditation:
    return Accreditation(organisation_id=1, scheme=scheme, level=level, **dates)


CE = Requirement(Scheme.cyber_essentials)
DSPT_MET = Requirement(Scheme.dspt, "Standards Met")


@pytest.mark.parametrize(
    ("held", "requirement", "expected"),
    [
        (_held("Cyber Essentials Plus"), CE, True),
        (_held("Cyber Essentials"), CE, True),
        (_held("Cyber Essentials"), Requirement(Scheme.cyber_essentials_plus), False),
        (_held("ISO/IEC 27001"), CE, False),
        (_held("NHS DSPT", "Standards Met 2026/27"), DSPT_MET, True),
        (_held("NHS DSPT", "Standards Exceeded 2026/27"), DSPT_MET, True),
        (_held("NHS DSPT", "Approaching Standards 2026/27"), DSPT_MET, False),
        (_held("NHS DSPT", "Standards Not Met 2026/27"), DSPT_MET, False),
        (_held("Cyber Essentials", expires_on=TODAY), CE, True),
        (_held("Cyber Essentials", expires_on=TODAY - timedelta(days=1)), CE, False),
        (_held("Cyber Essentials", valid_from=TODAY + timedelta(days=1)), CE, False),
    ],
)
def test_what_meets_a_requirement(held: Accreditation, requirement: Requirement, expected) -> None:
    assert meets(held, requirement, TODAY) is expected


def test_default_rules(session: Session) -> None:
    rules = _requirements(session)
    assert rules[Sensitivity.social_care] == [CE, DSPT_MET]
    assert rules[Sensitivity.special_category] == [CE, DSPT_MET]
    assert rules[Sensitivity.personal] == [CE]
    assert rules[Sensitivity.official] == [CE]
    assert rules[Sensitivity.public] == []


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _supplier_of(session: Session, deliverable: int) -> int | None:
    session.expire_all()
    return session.get(Deliverable, deliverable).supplier_org_id


def test_the_gate_blocks_an_organisation_lacking_what_the_data_needs(session, world):
    """D-1 (personal data) to the charity is fine; D-2 (special category) to Supplier Ltd, which
    has Cyber Essentials Plus but no DSPT, is blocked and nothing changes."""
    assign_supplier(
        session,
        world.owner,
        deliverable_id=world.d1,
        organisation_id=world.orgs["Charity"],
        today=TODAY,
    )
    assert _supplier_of(session, world.d1) == world.orgs["Charity"]
    with pytest.raises(AssuranceBlocked, match=r"Supplier Ltd lacks NHS DSPT \(Standards Met\)"):
        assign_supplier(
            session,
            world.owner,
            deliverable_id=world.d2,
            organisation_id=world.orgs["Supplier Ltd"],
            today=TODAY,
        )
    assert _supplier_of(session, world.d2) == world.orgs["Charity"]


def test_only_an_admin_may_override_and_the_reason_is_recorded(session, world):
    with pytest.raises(NotAllowed):
        assign_supplier(
            session,
            world.owner,
            deliverable_id=world.d2,
            organisation_id=world.orgs["Supplier Ltd"],
            override_reason="urgent",
            today=TODAY,
        )
    result = assign_supplier(
        session,
        world.admin,
        deliverable_id=world.d2,
        organisation_id=world.orgs["Supplier Ltd"],
        override_reason="  DSPT submitted, awaiting publication  ",
        today=TODAY,
    )
    session.commit()
    assert result.decision is Decision.overridden
    assert _supplier_of(session, world.d2) == world.orgs["Supplier Ltd"]
    override = session.exec(select(AssuranceOverride)).one()
    assert override.reason == "DSPT submitted, awaiting publication"
    assert override.by_person_id == world.admin.person_id
    assert override.missing == "NHS DSPT (Standards Met)"
    assert override.at is not None
    frame = compliance_frame(session, world.admin, today=TODAY).set_index("ref")
    assert frame.loc["D-2", "decision"] == "overridden"
    assert frame.loc["D-2", "override_reason"] == "DSPT submitted, awaiting publication"


def test_a_blank_reason_is_no_override(session, world):
    with pytest.raises(AssuranceBlocked):
        assign_supplier(
            session,
            world.admin,
            deliverable_id=world.d2,
            organisation_id=world.orgs["Rival Ltd"],
            override_reason="  ",
        )


def test_withdrawing_an_override_blocks_again(session, world):
    assign_supplier(
        session,
        world.admin,
        deliverable_id=world.d2,
        organisation_id=world.orgs["Rival Ltd"],
        override_reason="pilot",
        today=TODAY,
    )
    override = session.exec(select(AssuranceOverride)).one()
    with pytest.raises(NotAllowed):
        revoke_override(session, world.owner, override_id=override.id)
    revoke_override(session, world.admin, override_id=override.id)
    session.commit()
    gate = check_gate(
        session,
        world.admin,
        deliverable_id=world.d2,
        organisation_id=world.orgs["Rival Ltd"],
        today=TODAY,
    )
    assert gate.decision is Decision.blocked
    assert session.get(AssuranceOverride, override.id).revoked_at is not None


def test_board_members_and_suppliers_cannot_assign(session, world):
    for actor in (world.board, world.supplier):
        with pytest.raises(NotAllowed):
            assign_supplier(
                session,
                actor,
                deliverable_id=world.d1,
                organisation_id=world.orgs["Charity"],
                today=TODAY,
            )


def test_compliance_covers_suppliers_and_engaged_organisations(session, world):
    engage(session, world, world.d1, "Rhea", "C", "partner")
    engage(session, world, world.d1, "Olu", "A", "council")
    frame = compliance_frame(session, world.admin, today=TODAY)
    d1 = frame[frame["ref"] == "D-1"].set_index("organisation")
    assert d1.loc["Supplier Ltd", "relationship"] == "supplier"
    assert d1.loc["Supplier Ltd", "decision"] == "compliant"
    assert d1.loc["Rival Ltd", "relationship"] == "engaged"
    assert d1.loc["Rival Ltd", "decision"] == "blocked"
    assert "Council" not in d1.index
    d2 = frame[frame["ref"] == "D-2"].set_index("organisation")
    assert d2.loc["Charity", "missing"] == "NHS DSPT (Standards Met)"


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (61, ""),
        (60, "Cyber Essentials Plus expires within 60 days"),
        (31, "Cyber Essentials Plus expires within 60 days"),
        (30, "Cyber Essentials Plus expires within 30 days"),
        (29, "Cyber Essentials Plus expires within 30 days"),
    ],
)
def test_needed_accreditations_about_to_expire_are_flagged(session, world, days_left, expected):
    """Supplier Ltd's Cyber Essentials Plus expires on 30 June 2027."""
    today = date(2027, 6, 30) - timedelta(days=days_left)
    frame = compliance_frame(session, world.admin, today=today).set_index("ref")
    assert frame.loc["D-1", "expiring"].startswith(expected)


def test_admins_edit_the_rules_and_the_gate_follows(session, world):
    assert (
        check_gate(
            session,
            world.admin,
            deliverable_id=world.d1,
            organisation_id=world.orgs["Charity"],
            today=TODAY,
        ).missing
        == []
    )
    save_rules(
        session,
        world.admin,
        rows=[RowEdit(1, {"sensitivity": "personal data", "scheme": "ISO/IEC 27001"})],
    )
    session.commit()
    gate = check_gate(
        session,
        world.admin,
        deliverable_id=world.d1,
        organisation_id=world.orgs["Charity"],
        today=TODAY,
    )
    assert gate.missing == ["ISO/IEC 27001"]


def test_rule_edits_are_checked_and_admin_only(session, world):
    with pytest.raises(NotAllowed):
        save_rules(
            session, world.owner, rows=[RowEdit(1, {"sensitivity": "public", "scheme": "PSN"})]
        )
    with pytest.raises(RowsRejected) as rejected:
        save_rules(
            session,
            world.admin,
            rows=[
                RowEdit(1, {"sensitivity": "secret", "scheme": "PSN"}),
                RowEdit(2, {"sensitivity": "public", "scheme": "Other"}),
                RowEdit(3, {"sensitivity": "public", "scheme": "NHS DSPT", "min_level": "Great"}),
                RowEdit(4, {"sensitivity": "personal data", "scheme": "Cyber Essentials"}),
            ],
        )
    assert [(p.row, p.message.split(" ")[0]) for p in rejected.value.problems] == [
        (1, "sensitivity"),
        (2, "scheme"),
        (3, "DSPT"),
        (4, "Cyber"),
    ]


def test_register_statuses_in_words(session, world):
    session.add_all(
        [
            Accreditation(
                organisation_id=world.orgs["Charity"],
                scheme="NHS DSPT",
                level="Standards Met 2025/26",
                expires_on=TODAY - timedelta(days=10),
            ),
            Accreditation(
                organisation_id=world.orgs["Rival Ltd"],
                scheme="Cyber Essentials",
                expires_on=TODAY - timedelta(days=1),
            ),
            Accreditation(
                organisation_id=world.orgs["Rival Ltd"],
                scheme="PSN",
                expires_on=TODAY + timedelta(days=30),
            ),
            Accreditation(
                organisation_id=world.orgs["Charity"],
                scheme="NHS DSPT",
                level="Standards Met 2026/27",
                valid_from=TODAY - timedelta(days=9),
                expires_on=TODAY + timedelta(days=356),
            ),
        ]
    )
    session.commit()
    frame = register_frame(session, world.admin, today=TODAY)
    status = dict(zip(frame["level"].fillna(frame["scheme"]), frame["status"], strict=True))
    assert status["Standards Met 2025/26"] == "expired, renewed"
    assert status["Standards Met 2026/27"] == "valid"
    assert status["Cyber Essentials"] == "expired"
    assert status["PSN"] == "expires within 30 days"
    assert register_frame(session, world.supplier, today=TODAY)[
        "organisation"
    ].unique().tolist() == ["Supplier Ltd"]


def test_assurance_report_lists_gaps_blocks_and_expiries(session, world):
    report = assurance_report(session, world.admin, today=date(2027, 6, 1))
    assert report.blocks["ref"].tolist() == ["D-2"]
    assert report.expiries["days_left"].tolist() == [29, 29]
    payload = report.as_json()
    assert payload["date"] == "2027-06-01"
    assert payload["blocks"][0]["organisation"] == "Charity"
    assert {e["status"] for e in payload["expiries"]} == {"expires within 30 days"}


def test_accreditation_edits_are_checked(session, world):
    rows = [
        RowEdit(1, {"organisation": "Charity", "scheme": "NHS DSPT", "level": "Standards Met"}),
        RowEdit(
            2, {"organisation": "Charity", "scheme": "ISO/IEC 27001", "expires_on": "2027-01-01"}
        ),
        RowEdit(
            3,
            {
                "organisation": "Nowhere",
                "scheme": "PSN",
                "valid_from": "2027-01-01",
                "expires_on": "2026-01-01",
            },
        ),
        RowEdit(4, {"organisation": "Charity", "scheme": "PSN", "expires_on": "31/12/2027"}),
    ]
    with pytest.raises(RowsRejected) as rejected:
        save_accreditations(session, world.admin, rows=rows)
    messages = [(p.row, p.message) for p in rejected.value.problems]
    assert (1, "expires on is required") in messages
    assert any(row == 1 and "Standards Met 2025/26" in m for row, m in messages)
    assert (2, "ISO/IEC 27001 needs its scope (what the certificate covers)") in messages
    assert (3, "organisation 'Nowhere' is not known to tracker") in messages
    assert (3, "expires on is before valid from") in messages
    assert (4, "expires on '31/12/2027' is not a date") in messages
    with pytest.raises(NotAllowed):
        save_accreditations(session, world.owner, rows=rows[:1])
    saved = save_accreditations(
        session,
        world.admin,
        rows=[
            RowEdit(
                1,
                {
                    "organisation": "charity",
                    "scheme": "NHS DSPT",
                    "level": "Standards Met 2026/27",
                    "expires_on": "2027-06-30",
                },
            )
        ],
    )
    session.commit()
    assert saved == 1
    assert (
        check_gate(
            session,
            world.admin,
            deliverable_id=world.d2,
            organisation_id=world.orgs["Charity"],
            today=TODAY,
        ).missing
        == []
    )
