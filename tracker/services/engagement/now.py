"""Who to engage now: a deliverable's contacts at its stage, in the order to engage them, and gaps.

The order is the one a project owner works through: the supplier side's Accountable, then its
Responsible (charities delivering a service count as the supplier side), then the council owner,
then the escalation path. A supplier contact works the other way round: the council's side first,
their own side after, themselves last and marked "(you)"; they see a council contact's email or
phone when it is that contact's preferred channel (tracker.policy.contact_details_shown). Gaps are
flagged rather than hidden: nobody active on the supplier side
at this stage, a listed contact who has left, a listed contact whose charity or supplier lacks an
accreditation the deliverable's data needs, no council owner.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlmodel import Session, select

from tracker.errors import NotFound
from tracker.models import Deliverable, Organisation, Person, Role, Sensitivity, Side, Stage
from tracker.policy import (
    Actor,
    can_see_contact_details,
    deliverable_filter,
    sees_organisation,
)
from tracker.services.assurance.gates import (
    COUNCIL_KINDS,
    _active_overrides,
    _holdings,
    _requirements,
    standing,
)
from tracker.services.engagement.maps import (
    effective_at,
    engagement_frame,
)
from tracker.services.lookups import visible_deliverable
from tracker.services.people.contacts import ContactStatus

SUPPLIER_SIDES = frozenset({Side.supplier, Side.charity})
CONTACT_COLUMNS = [
    "reason",
    "name",
    "status",
    "job_title",
    "organisation",
    "side",
    "raci",
    "channel",
    "email",
    "phone",
    "flags",
]


class GapKind(StrEnum):
    no_supplier_contact = "no supplier-side contact"
    left = "contact has left"
    unaccredited = "organisation lacks an accreditation"
    no_owner = "no council owner"


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    message: str


@dataclass(frozen=True)
class EngageNow:
    """The answer for one deliverable: contacts in the order to engage them, and the gaps."""

    deliverable_id: int
    ref: str
    title: str
    stage: str | None
    contacts: pd.DataFrame
    gaps: list[Gap]

    def names(self, reason: str, separator: str = ", ") -> str:
        """ "Name (Organisation)" of each contact whose reason contains `reason` ("responsible"
        also finds "Supplier accountable and responsible"), for one-line summaries."""
        rows = self.contacts[self.contacts["reason"].str.contains(reason, regex=False)]
        named = [
            f"{r.name} ({r.organisation})"
            if r.status == ContactStatus.active
            else f"{r.name} ({r.organisation}, {r.status})"
            for r in rows.itertuples()
        ]
        return separator.join(named) or "none"


def _owner_row(session: Session, actor: Actor, deliverable: Deliverable) -> dict | None:
    if deliverable.owner_person_id is None:
        return None
    person = session.get(Person, deliverable.owner_person_id)
    assert person is not None  # a foreign key
    org = session.get(Organisation, person.organisation_id)
    shown = can_see_contact_details(actor, person.organisation_id)
    status = ContactStatus.erased if person.erased else ContactStatus.active
    if not person.active and not person.erased:
        status = ContactStatus.left
    return {
        "person_id": person.id,
        "name": person.name,
        "job_title": person.job_title,
        "organisation_id": person.organisation_id,
        "organisation": org.name if org else "",
        "organisation_kind": org.kind if org else None,
        "side": Side.council.value,
        "raci": "",
        "channel": None,
        "email": person.email if shown else None,
        "phone": person.phone if shown else None,
        "status": status.value,
    }


def _ordered(at: pd.DataFrame, owner: dict | None) -> pd.DataFrame:
    supplier = at[at["side"].isin(SUPPLIER_SIDES) & at["raci"].str.contains("[AR]", regex=True)]
    supplier = supplier.assign(
        reason=supplier["raci"].map(
            lambda r: (
                "Supplier "
                + " and ".join(w for w, c in (("accountable", "A"), ("responsible", "R")) if c in r)
            )
        ),
        rank=~supplier["raci"].str.contains("A"),
    ).sort_values(["rank", "name"])
    parts = [supplier]
    if owner is not None:
        engaged = at[at["person_id"] == owner["person_id"]]
        if len(engaged):
            # the map's row says how to reach them, and which details the actor may see for it
            details = ["raci", "channel", "email", "phone"]
            owner = {**owner, **engaged.iloc[0][details].to_dict()}
        parts.append(pd.DataFrame([{**owner, "reason": "Council owner"}]))
    escalation = at[at["escalation_order"].notna()].sort_values("escalation_order")
    parts.append(
        escalation.assign(reason=[f"Escalation {int(n)}" for n in escalation["escalation_order"]])
    )
    return pd.concat(parts, ignore_index=True)


def _for_supplier_contact(contacts: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The order a supplier contact works through: the council's side first (the owner, then
    the escalation path), then their own side, and themselves last, marked: nobody needs telling
    to engage themselves."""
    own = contacts["person_id"] == actor.person_id
    supplier = contacts["reason"].str.startswith("Supplier")
    ordered = pd.concat([contacts[~own & ~supplier], contacts[~own & supplier], contacts[own]])
    ordered.loc[own, "reason"] = ordered.loc[own, "reason"] + " (you)"
    return ordered.reset_index(drop=True)


def _resolve(
    deliverable: Deliverable,
    stage: str | None,
    contacts: pd.DataFrame,
    lacking: dict[int, str],
) -> EngageNow:
    """Flag each contact and list the gaps, given what each organisation lacks."""
    flags: list[str] = []
    gaps: list[Gap] = []
    where = f"{deliverable.ref} at {stage}" if stage else deliverable.ref
    supplier = contacts[contacts["reason"].str.startswith("Supplier")]
    if not (supplier["status"] == ContactStatus.active).any():
        gaps.append(
            Gap(GapKind.no_supplier_contact, f"No active supplier-side contact for {where}.")
        )
    if not (contacts["reason"] == "Council owner").any():
        gaps.append(Gap(GapKind.no_owner, f"No council owner is recorded for {deliverable.ref}."))
    left: dict[int, str] = {}
    unaccredited: dict[int, list[str]] = {}
    for row in contacts.itertuples():
        notes = []
        if row.status != ContactStatus.active:
            gone = "has been erased" if row.status == ContactStatus.erased else "has left"
            notes.append(gone)
            left.setdefault(
                row.person_id, f"{row.name} ({row.organisation}, {row.reason.lower()}) {gone}."
            )
        if row.organisation_id in lacking:
            notes.append(f"organisation lacks {lacking[row.organisation_id]}")
            names = unaccredited.setdefault(row.organisation_id, [])
            names += [row.name] if row.name not in names else []
        flags.append("; ".join(notes))
    gaps += [Gap(GapKind.left, message) for message in left.values()]
    organisations = dict(zip(contacts["organisation_id"], contacts["organisation"], strict=True))
    gaps += [
        Gap(
            GapKind.unaccredited,
            f"{organisations[org]} ({', '.join(names)}) lacks {lacking[org]}.",
        )
        for org, names in unaccredited.items()
    ]
    return EngageNow(
        deliverable_id=deliverable.id or 0,
        ref=deliverable.ref,
        title=deliverable.title,
        stage=stage,
        contacts=contacts.assign(flags=flags)[CONTACT_COLUMNS] if len(contacts) else contacts,
        gaps=gaps,
    )


def _lacking(
    session: Session, deliverable: Deliverable, organisations: set[int], today: date
) -> dict[int, str]:
    """What each charity or supplier among `organisations` lacks for this deliverable, in words
    (with any admin override noted)."""
    kinds = dict(session.exec(select(Organisation.id, Organisation.kind)).all())
    gated = {o for o in organisations if kinds[o] not in COUNCIL_KINDS}
    required = _requirements(session)[Sensitivity(deliverable.sensitivity)]
    overrides = _active_overrides(session)
    lacking = {}
    for org, held in _holdings(session, gated).items():
        missing = standing(held, required, today).missing
        if missing:
            words = f"{', '.join(map(str, missing))}, which {deliverable.sensitivity} needs"
            override = overrides.get((deliverable.id or 0, org))
            lacking[org] = f"{words} (admin override: {override.reason})" if override else words
    return lacking


def who_to_engage(
    session: Session,
    actor: Actor,
    *,
    deliverable: Deliverable,
    stage: str | None = None,
    today: date | None = None,
    frame: pd.DataFrame | None = None,
) -> EngageNow:
    """Whom to engage on one deliverable at `stage` (default: its current stage), in order.

    `frame` is the programme's engagement frame when the caller already has it. What a charity
    or supplier lacks is told only to those who may see its records (a supplier contact: their
    own organisation's), as on the accreditation register.
    """
    visible_deliverable(session, actor, deliverable_id=deliverable.id or 0)
    stages = dict(
        session.exec(
            select(Stage.id, Stage.name).where(Stage.programme_id == deliverable.programme_id)
        ).all()
    )
    if stage is not None and stage not in stages.values():
        raise NotFound(f"no stage '{stage}' in this programme ({', '.join(stages.values())})")
    stage = stage or stages.get(deliverable.stage_id)
    if frame is None:
        frame = engagement_frame(
            session, actor, programme_id=deliverable.programme_id, deliverable_id=deliverable.id
        )
    at = effective_at(frame[frame["deliverable_id"] == deliverable.id], stage)
    contacts = _ordered(at, _owner_row(session, actor, deliverable))
    if Role(actor.role) is Role.supplier_contact:
        contacts = _for_supplier_contact(contacts, actor)
    lacking = _lacking(
        session,
        deliverable,
        {int(o) for o in contacts["organisation_id"].dropna()},
        today or date.today(),
    )
    shown = {org: words for org, words in lacking.items() if sees_organisation(actor, org)}
    return _resolve(deliverable, stage, contacts, shown)


def who_to_engage_all(
    session: Session, actor: Actor, *, programme_id: int, today: date | None = None
) -> list[EngageNow]:
    """The answer for every deliverable the actor may see in a programme, by reference."""
    frame = engagement_frame(session, actor, programme_id=programme_id)
    deliverables = session.exec(
        select(Deliverable)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref)
    )
    return [
        who_to_engage(session, actor, deliverable=d, today=today, frame=frame) for d in deliverables
    ]


def summary_frame(answers: list[EngageNow]) -> pd.DataFrame:
    """One line per deliverable for the overview: whom to engage, in order, and the gaps."""
    return pd.DataFrame(
        [
            {
                "ref": a.ref,
                "stage": a.stage,
                "gaps": " ".join(g.message for g in a.gaps) or "none",
                "supplier_accountable": a.names("accountable"),
                "supplier_responsible": a.names("responsible"),
                "council_owner": a.names("Council owner"),
                "escalation": a.names("Escalation", ", then "),
            }
            for a in answers
        ]
    )
