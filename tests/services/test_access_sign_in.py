"""Who gets in: identities matched to users by email, first admins from TRACKER_ADMINS, accounts
kept by the admin, and the record of sign-ins, sign-outs and refusals."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tests.support.roles import ADMIN, OWNER, SUPPLIER
from tracker.errors import TrackerError
from tracker.models import (
    Organisation,
    OrgKind,
    Person,
    Role,
    SignInEvent,
    SignInEventKind,
    User,
)
from tracker.policy import Actor
from tracker.services.auth.sign_in import (
    Identity,
    Refusal,
    record_sign_out,
    sign_in,
    sign_in_events,
)
from tracker.services.auth.users import (
    actor_for_email,
    save_users,
    user_candidates,
    users_frame,
)
from tracker.services.validation import RowEdit, RowsRejected

IAT = 1_790_000_000


@pytest.fixture
def session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine, expire_on_commit=False) as opened:
        yield opened


def who(email: str | None, iat: int | None = IAT, **claims: object) -> Identity:
    return Identity.from_claims({"email": email, "name": "Someone", "iat": iat, **claims})


def events(session: Session) -> list[tuple[str, int | None, str | None]]:
    rows = session.exec(
        select(SignInEvent.event, SignInEvent.user_id, SignInEvent.email_domain).order_by(
            SignInEvent.id
        )
    )
    return [(str(event), user, domain) for event, user, domain in rows]


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def test_a_known_identity_signs_in_once_per_identity_token(session: Session) -> None:
    actor = sign_in(session, who(" Karen.Stokes@LEDGERLINE.co.uk "), ())
    assert isinstance(actor, Actor)
    assert (actor.name, actor.role) == ("Karen Stokes", Role.supplier_contact)
    # every page run signs in again; new tabs and reloads reuse the token
    sign_in(session, who(SUPPLIER), ())
    assert events(session) == [("sign in", actor.user_id, None)]
    sign_in(session, who(SUPPLIER, iat=IAT + 3600), ())
    sign_in(session, who(SUPPLIER, iat=IAT + 7200), (), record=False)
    assert len(events(session)) == 2
    record_sign_out(session, actor)
    assert events(session)[-1] == ("sign out", actor.user_id, None)


def test_an_unknown_identity_is_refused_and_recorded_by_domain_only(session: Session) -> None:
    refusal = sign_in(session, who("stranger@elsewhere.example"), ())
    assert isinstance(refusal, Refusal)
    assert "stranger@elsewhere.example" in refusal.message  # told to them, not stored
    assert "programme admin" in refusal.message
    sign_in(session, who("stranger@elsewhere.example"), ())
    assert events(session) == [("refused", None, "elsewhere.example")]
    stored = session.exec(select(SignInEvent)).all()
    held = [(e.at, e.event, e.user_id, e.email_domain, e.token_issued_at) for e in stored]
    assert "stranger" not in repr(held)


@pytest.mark.parametrize(
    ("identity", "said"),
    [
        (who(None), "did not tell tracker your email address"),
        (who(SUPPLIER, email_verified=False), "has not verified"),
        (who(SUPPLIER, email_verified="false"), "has not verified"),
    ],
)
def test_an_identity_without_a_usable_email_is_refused(
    session: Session, identity: Identity, said: str
) -> None:
    refusal = sign_in(session, identity, ())
    assert isinstance(refusal, Refusal) and said in refusal.message


def test_emails_match_exactly_never_as_patterns(session: Session) -> None:
    """LIKE treats '_' as any character: 'annxlee' must not become 'ann_lee'."""
    ann = person(session, OWNER)
    ann.email = "ann_lee@northmoor.gov.uk"
    session.add(ann)
    session.commit()
    assert isinstance(sign_in(session, who("annxlee@northmoor.gov.uk"), ()), Refusal)
    assert isinstance(sign_in(session, who("ANN%@northmoor.gov.uk"), ()), Refusal)
    assert isinstance(sign_in(session, who("Ann_Lee@Northmoor.gov.uk"), ()), Actor)


def test_someone_who_has_left_or_whose_account_is_off_is_refused(session: Session) -> None:
    karen = person(session, SUPPLIER)
    karen.active = False  # marked as having left, on the Contacts page
    session.add(karen)
    session.commit()
    assert isinstance(sign_in(session, who(SUPPLIER), ()), Refusal)
    karen.active = True
    account = session.exec(select(User).where(User.person_id == karen.id)).one()
    account.active = False
    session.add_all([karen, account])
    session.commit()
    assert isinstance(sign_in(session, who(SUPPLIER), ()), Refusal)
    with pytest.raises(TrackerError):
        actor_for_email(session, SUPPLIER)  # `tracker --as` too


def test_first_admins_come_from_tracker_admins(session: Session) -> None:
    admins = ("boss@newcouncil.gov.uk", "gareth.lewis@eastvale.gov.uk")
    assert isinstance(sign_in(session, who("boss@newcouncil.gov.uk"), ()), Refusal)
    boss = sign_in(session, who("BOSS@newcouncil.gov.uk", name="Bea Boss"), admins)
    assert isinstance(boss, Actor) and boss.role is Role.admin
    assert boss.name == "Bea Boss"  # the identity's name
    organisation = session.get(Organisation, boss.organisation_id)
    assert (organisation.name, organisation.kind) == ("newcouncil.gov.uk", OrgKind.other)
    # a contact without an account keeps their person and organisation
    gareth = sign_in(session, who("gareth.lewis@eastvale.gov.uk"), admins)
    assert isinstance(gareth, Actor)
    assert (gareth.role, gareth.organisation_name) == (Role.admin, "Eastvale Borough Council")
    assert gareth.person_id == person(session, "gareth.lewis@eastvale.gov.uk").id
    assert len(events(session)) == 3  # a refusal, then two sign-ins


def test_tracker_admins_never_overrides_an_admins_decision(session: Session) -> None:
    """An account an admin switched off, or a contact who has left, stays out."""
    karen = person(session, SUPPLIER)
    account = session.exec(select(User).where(User.person_id == karen.id)).one()
    account.active = False
    liam = person(session, "liam.doherty@opendooradvice.org.uk")  # has left, in the demo
    assert not liam.active
    session.add(account)
    session.commit()
    admins = (SUPPLIER, liam.email)
    assert isinstance(sign_in(session, who(SUPPLIER), admins), Refusal)
    assert isinstance(sign_in(session, who(liam.email), admins), Refusal)
    roles = session.exec(select(User.role).where(User.person_id == karen.id)).all()
    assert roles == [Role.supplier_contact.value]
    accounts = select(func.count()).select_from(User).where(User.person_id == liam.id)
    assert session.exec(accounts).one() == 0


def test_the_admin_keeps_the_accounts(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    gareth = person(session, "gareth.lewis@eastvale.gov.uk")
    assert gareth.id in user_candidates(session, admin)
    save_users(session, admin, rows=[RowEdit(1, {"person_id": gareth.id, "role": "project owner"})])
    assert actor_for_email(session, gareth.email).role is Role.project_owner
    assert gareth.id not in user_candidates(session, admin)
    karen = actor_for_email(session, SUPPLIER)
    switch_off = RowEdit(1, {"role": "supplier contact", "active": False}, karen.user_id)
    save_users(session, admin, rows=[switch_off])
    assert isinstance(sign_in(session, who(SUPPLIER), ()), Refusal)
    frame = users_frame(session, admin).set_index("email")
    assert frame.loc[SUPPLIER, "active"] == False  # noqa: E712 (numpy bool)
    assert frame.loc[gareth.email, "role"] == "project owner"


def test_account_changes_are_checked_all_or_nothing(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    gareth = person(session, "gareth.lewis@eastvale.gov.uk")
    liam = person(session, "liam.doherty@opendooradvice.org.uk")
    with pytest.raises(RowsRejected) as rejected:
        save_users(
            session,
            admin,
            rows=[
                RowEdit(1, {"person_id": gareth.id, "role": "project owner"}),
                RowEdit(2, {"role": "supplier contact", "active": True}, admin.user_id),
                RowEdit(3, {"person_id": person(session, OWNER).id, "role": "admin"}),
                RowEdit(4, {"person_id": liam.id, "role": "supplier contact"}),
                RowEdit(5, {"person_id": gareth.id, "role": "chief"}),
            ],
        )
    assert [(p.row, p.message.split(":")[0]) for p in rejected.value.problems] == [
        (2, "you cannot switch off your own account or admin role; ask another admin"),
        (3, "Tom Hargreaves already has an account"),
        (4, "Liam Doherty has left, been erased or has no email to sign in with"),
        (5, f"role 'chief' must be one of {', '.join(Role)}"),
    ]
    assert user_candidates(session, admin)[gareth.id]  # nothing was saved
    with pytest.raises(TrackerError, match="not deleted"):
        save_users(session, admin, rows=[], deleted=[admin.user_id])


def test_the_sign_in_record_names_users_as_they_are_now(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    karen = sign_in(session, who(SUPPLIER), ())
    sign_in(session, who("x@unknown.example"), ())
    record_sign_out(session, karen)
    log = sign_in_events(session, admin)
    assert list(log["event"]) == [
        SignInEventKind.sign_out,
        SignInEventKind.refused,
        SignInEventKind.sign_in,
    ]
    assert list(log["name"].fillna("")) == ["Karen Stokes", "", "Karen Stokes"]
    assert list(log["email_domain"].fillna("")) == ["", "unknown.example", ""]
    assert users_frame(session, admin).set_index("email").loc[SUPPLIER, "last_sign_in"].year > 2000
