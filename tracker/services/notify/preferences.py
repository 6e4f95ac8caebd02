"""What each kind of notification is, and how each user wants to receive it.

Kinds that ask the recipient to act on acceptance criteria cannot be turned off (a supplier who
never hears that criteria wait for them holds up the deliverable), only gathered into the daily
digest; the others are optional. A sprint closing is only ever a line of the owner's digest.
"""

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from tracker.errors import Invalid, NotFound
from tracker.models import Delivery, NotificationKind, NotificationPreference, User
from tracker.policy import Action, Actor, can

K = NotificationKind
EVERY_WAY = (Delivery.immediate, Delivery.digest, Delivery.off)
REQUIRED_WAYS = (Delivery.immediate, Delivery.digest)


@dataclass(frozen=True)
class KindInfo:
    kind: NotificationKind
    #: when it is sent, in words, for the preferences page
    about: str
    ways: tuple[Delivery, ...]
    default: Delivery

    @property
    def optional(self) -> bool:
        return Delivery.off in self.ways


KINDS: dict[NotificationKind, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo(
            K.criteria_to_confirm,
            "acceptance criteria sent to your organisation, or changed, need confirming",
            REQUIRED_WAYS,
            Delivery.immediate,
        ),
        KindInfo(
            K.query_raised,
            "a supplier queries a criterion of a deliverable you own",
            REQUIRED_WAYS,
            Delivery.immediate,
        ),
        KindInfo(
            K.evidence_submitted,
            "a supplier submits evidence for a criterion of a deliverable you own",
            REQUIRED_WAYS,
            Delivery.immediate,
        ),
        KindInfo(
            K.criterion_overdue,
            "a criterion waiting for you is past its due date",
            REQUIRED_WAYS,
            Delivery.immediate,
        ),
        KindInfo(
            K.accreditation_expiring,
            "an accreditation expires within 60 days, and again within 30",
            EVERY_WAY,
            Delivery.immediate,
        ),
        KindInfo(
            K.gate_blocked,
            "an organisation newly lacks an accreditation a deliverable's data needs",
            EVERY_WAY,
            Delivery.immediate,
        ),
        KindInfo(
            K.sprint_closed,
            "a sprint of a deliverable you own closes: the outcome, carry-over and whom to engage",
            (Delivery.digest, Delivery.off),
            Delivery.digest,
        ),
        KindInfo(
            K.board_pack_published,
            "a board pack is published",
            EVERY_WAY,
            Delivery.immediate,
        ),
    )
}


def _delivery_for(session: Session, user_id: int | None, kind: NotificationKind) -> Delivery:
    """How this user receives this kind now: their choice, else the kind's default."""
    info = KINDS[kind]
    if user_id is None:
        return info.default
    chosen = session.exec(
        select(NotificationPreference.delivery).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    ).first()
    return Delivery(chosen) if chosen and Delivery(chosen) in info.ways else info.default


def _user_for(actor: Actor, user_id: int | None) -> int:
    """Users set their own preferences; an admin may set anyone's."""
    if user_id is None or user_id == actor.user_id:
        return actor.user_id
    if not can(actor, Action.manage_users):
        raise NotFound("no such user that you can see")
    return user_id


def preferences_frame(
    session: Session, actor: Actor, *, user_id: int | None = None
) -> pd.DataFrame:
    """Every kind with the user's choice, what it is about and the choices it allows."""
    user_id = _user_for(actor, user_id)
    if session.get(User, user_id) is None:
        raise NotFound("no such user that you can see")
    rows = [
        {
            "kind": info.kind.value,
            "about": info.about,
            "delivery": _delivery_for(session, user_id, info.kind).value,
            "choices": [w.value for w in info.ways],
            "optional": info.optional,
        }
        for info in KINDS.values()
    ]
    return pd.DataFrame(rows, columns=["kind", "about", "delivery", "choices", "optional"])


def set_preferences(
    session: Session,
    actor: Actor,
    *,
    choices: dict[str, str],
    user_id: int | None = None,
) -> int:
    """Save a user's choices (kind -> immediate, daily digest or off), all or none; returns how
    many changed."""
    user_id = _user_for(actor, user_id)
    if session.get(User, user_id) is None:
        raise NotFound("no such user that you can see")
    problems, wanted = [], {}
    for raw_kind, raw_way in choices.items():
        try:
            kind = NotificationKind(raw_kind.strip())
        except ValueError:
            problems.append(f"'{raw_kind}' is not a kind of notification")
            continue
        info = KINDS[kind]
        try:
            way = Delivery(raw_way.strip())
        except ValueError:
            way = None
        if way not in info.ways:
            allowed = ", ".join(w.value for w in info.ways)
            why = " (it cannot be turned off)" if raw_way.strip() == Delivery.off else ""
            problems.append(f"{kind.value}: '{raw_way}' is not one of {allowed}{why}")
            continue
        wanted[kind] = way
    if problems:
        raise Invalid("Nothing was saved: the notification settings have problems", problems)
    existing = {
        NotificationKind(p.kind): p
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    changed = 0
    for kind, way in wanted.items():
        if _delivery_for(session, user_id, kind) == way:
            continue
        row = existing.get(kind) or NotificationPreference(user_id=user_id, kind=kind, delivery=way)
        row.delivery = way
        session.add(row)
        changed += 1
    session.flush()
    return changed
