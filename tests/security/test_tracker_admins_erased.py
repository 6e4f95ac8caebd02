"""ASVS probe finding 2: an erased person listed in TRACKER_ADMINS got a new admin account.

Erasure clears the email, so first-admin creation found nobody and made a fresh person. Erased
and switched-off people never come back through TRACKER_ADMINS; a new address still does.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tests.support.roles import ADMIN, SUPPLIER
from tracker.models import Person, User
from tracker.policy import Actor
from tracker.services.auth.sign_in import Identity, Refusal, sign_in
from tracker.services.auth.users import actor_for_email
from tracker.services.people.personal_data import erase_person

pytestmark = pytest.mark.db


@pytest.fixture
def session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine, expire_on_commit=False) as opened:
        yield opened


def who(email: str) -> Identity:
    return Identity.from_claims({"email": email, "name": "Someone", "iat": 1_790_000_000})


def people(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def admins(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User).where(User.role == "admin")).one()


@pytest.mark.parametrize("email", [SUPPLIER, "gareth.lewis@eastvale.gov.uk"])
def test_an_erased_person_in_tracker_admins_is_refused(session: Session, email: str) -> None:
    """A user (Karen) and a contact without an account (Gareth) alike; any case of the address."""
    admin = actor_for_email(session, ADMIN)
    erased = session.exec(select(Person).where(Person.email == email)).one()
    erase_person(session, admin, person_id=erased.id)
    session.commit()
    before = (people(session), admins(session))
    assert isinstance(sign_in(session, who(email.upper()), (email,)), Refusal)
    session.commit()
    assert (people(session), admins(session)) == before


def test_a_switched_off_admin_in_tracker_admins_stays_off(session: Session) -> None:
    admin_person = session.exec(select(Person).where(Person.email == ADMIN)).one()
    account = session.exec(select(User).where(User.person_id == admin_person.id)).one()
    account.active = False
    session.add(account)
    session.commit()
    before = (people(session), admins(session))
    assert isinstance(sign_in(session, who(ADMIN), (ADMIN,)), Refusal)
    assert (people(session), admins(session)) == before


def test_a_new_address_in_tracker_admins_still_becomes_an_admin(session: Session) -> None:
    assert isinstance(
        sign_in(session, who("new.head@northmoor.gov.uk"), ("new.head@northmoor.gov.uk",)), Actor
    )
