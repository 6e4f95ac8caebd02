"""Signing in with the council's identity provider: from a verified identity to an actor, with
each sign-in, sign-out and refusal recorded.

Streamlit's `st.login` does the OpenID Connect exchange and hands the app the identity token's
claims; this module decides who that is. It never sees a secret or a token, only the email, the
name and when the token was issued. One sign-in with the identity provider serves every tab and
reload while Streamlit's identity cookie lasts (30 days), so a sign-in is recorded once per
identity token, not once per browser session.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.errors import NotFound
from tracker.models import Organisation, Person, SignInEvent, SignInEventKind, User
from tracker.policy import Action, Actor, require
from tracker.services.auth.users import (
    _actor_for_identity,
    email_domain,
)

EVENT_COLUMNS = ["at", "event", "name", "organisation", "role", "email_domain"]


@dataclass(frozen=True)
class Identity:
    """What tracker reads from the identity token's claims."""

    email: str | None
    name: str | None
    #: the token's `iat` (seconds since 1970): tells one sign-in from the next
    issued_at: int | None
    #: False only when the provider says the address is unverified (Entra ID does not say)
    email_verified: bool | None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> "Identity":
        email = str(claims.get("email") or "").strip().lower() or None
        issued_at = claims.get("iat")
        verified = claims.get("email_verified")
        return cls(
            email=email,
            name=str(claims.get("name") or "").strip() or None,
            issued_at=int(issued_at) if isinstance(issued_at, int | float) else None,
            email_verified=None if verified is None else verified in (True, "true", "True"),
        )


@dataclass(frozen=True)
class Refusal:
    """Why a signed-in identity may not use tracker, in words for that person."""

    message: str


def _record(
    session: Session,
    event: SignInEventKind,
    user_id: int | None,
    domain: str | None,
    issued_at: int | None,
) -> None:
    """Add an event, unless this very identity token already has one of this kind."""
    if issued_at is not None:
        seen = session.exec(
            select(SignInEvent.id).where(
                SignInEvent.event == event,
                col(SignInEvent.user_id).is_not_distinct_from(user_id),
                col(SignInEvent.email_domain).is_not_distinct_from(domain),
                SignInEvent.token_issued_at == issued_at,
            )
        ).first()
        if seen is not None:
            return
    session.add(
        SignInEvent(event=event, user_id=user_id, email_domain=domain, token_issued_at=issued_at)
    )
    session.flush()


def sign_in(
    session: Session, identity: Identity, admins: Sequence[str], *, record: bool = True
) -> Actor | Refusal:
    """The actor for a signed-in identity, or why there is none; `record` writes the sign-in or
    the refusal (once per identity token). A refusal keeps only the address's domain."""
    if not identity.email:
        message = (
            "Your identity provider did not tell tracker your email address, so tracker cannot "
            "tell who you are. Ask your IT team to release the email claim to tracker."
        )
    elif identity.email_verified is False:
        message = (
            f"Your identity provider has not verified {identity.email}. Verify it with your IT "
            "team, then sign in again."
        )
    else:
        try:
            actor = _actor_for_identity(session, identity.email, identity.name, admins)
        except NotFound:
            message = (
                f"You signed in as {identity.email}, but tracker has no account for that address. "
                "Ask your programme admin to add you; they will need the address above."
            )
        else:
            if record:
                _record(session, SignInEventKind.sign_in, actor.user_id, None, identity.issued_at)
            return actor
    if record:
        domain = email_domain(identity.email or "")
        _record(session, SignInEventKind.refused, None, domain, identity.issued_at)
    return Refusal(message)


def record_sign_out(session: Session, actor: Actor) -> None:
    """The actor chose to sign out (an identity cookie that expires is not recorded)."""
    _record(session, SignInEventKind.sign_out, actor.user_id, None, None)


def sign_in_events(session: Session, actor: Actor, *, limit: int = 200) -> pd.DataFrame:
    """The latest events, newest first, with names read now from `person` (an erased person shows
    their placeholder); refusals show only the domain tried."""
    require(actor, Action.manage_users)
    rows = session.exec(
        select(
            SignInEvent.at,
            SignInEvent.event,
            Person.name,
            Organisation.name,
            User.role,
            SignInEvent.email_domain,
        )
        .outerjoin(User, User.id == SignInEvent.user_id)
        .outerjoin(Person, Person.id == User.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .order_by(col(SignInEvent.at).desc(), col(SignInEvent.id).desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


WAITING_COLUMNS = ["domain", "refused", "last_refused", "contacts"]


def waiting_for_an_account(session: Session, actor: Actor, *, since: datetime) -> pd.DataFrame:
    """Domains refused at sign-in since `since`, with how often and when last, and the contacts at
    that domain who have no account yet: the people most likely waiting to be let in (a refusal
    keeps only the domain, so the admin matches it to the contacts tracker already holds)."""
    require(actor, Action.manage_users)
    refused = session.exec(
        select(SignInEvent.email_domain, func.count(), func.max(SignInEvent.at))
        .where(
            SignInEvent.event == SignInEventKind.refused,
            SignInEvent.at >= since,
            col(SignInEvent.email_domain).is_not(None),
        )
        .group_by(SignInEvent.email_domain)
        .order_by(func.max(SignInEvent.at).desc())
    ).all()
    without_account = session.exec(
        select(Person.name, Person.email)
        .where(
            Person.active,
            ~col(Person.erased),
            col(Person.email).is_not(None),
            col(Person.id).not_in(select(User.person_id)),
        )
        .order_by(Person.name)
    ).all()
    rows = [
        (
            domain,
            int(times),
            last,
            ", ".join(name for name, email in without_account if email_domain(email) == domain),
        )
        for domain, times, last in refused
    ]
    frame = pd.DataFrame(rows, columns=WAITING_COLUMNS)
    frame["last_refused"] = pd.to_datetime(frame["last_refused"], utc=True)
    return frame
