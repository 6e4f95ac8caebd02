"""Supplier assurance: what each data sensitivity needs, who lacks it, and the gate.

Councils may not share a sensitive service with a charity or supplier lacking the accreditations
its data needs. The rules live in `accreditation_rule` (admins edit them); an accreditation counts
only between its start and expiry dates; Cyber Essentials Plus meets a Cyber Essentials rule; and
councils, who own the data, are never gated. The gate blocks by default; an admin may override it
for one deliverable and organisation with a recorded reason.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlmodel import Session, col, select

from tracker.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
)
from tracker.models import (
    Accreditation,
    AccreditationRule,
    AssuranceOverride,
    Deliverable,
    Engagement,
    Organisation,
    OrgKind,
    Person,
    Scheme,
    Sensitivity,
    Side,
)
from tracker.models.types import utcnow
from tracker.policy import (
    Action,
    Actor,
    can_edit_deliverable,
    can_read_deliverable,
    deliverable_filter,
    organisation_filter,
    require,
    sees_organisation,
)
from tracker.services.validation import RowEdit, RowProblem, RowsRejected, text

#: Days before expiry at which an accreditation is flagged, nearest first.
EXPIRY_WINDOWS = (30, 60)
#: DSPT statuses from worst to best; a rule for one is met by it or any better one.
DSPT_STATUSES = (
    "Standards Not Met",
    "Approaching Standards",
    "Standards Met",
    "Standards Exceeded",
)
#: Schemes that meet a rule for another: Cyber Essentials Plus is Cyber Essentials, audited.
_MEETS = {Scheme.cyber_essentials: {Scheme.cyber_essentials, Scheme.cyber_essentials_plus}}
#: Organisations that own the data being shared, so are never gated.
COUNCIL_KINDS = frozenset({OrgKind.council, OrgKind.county_council})


class AssuranceBlocked(Conflict):
    """The organisation lacks accreditations the deliverable's data needs, and no admin has
    overridden the gate."""


class Expiry(StrEnum):
    expired = "expired"
    within_30 = "expires within 30 days"
    within_60 = "expires within 60 days"


def expiry_flag(expires_on: date | None, today: date) -> Expiry | None:
    """Flag an accreditation expiring within 30 or 60 days (inclusive), or already expired; an
    accreditation is valid up to and including its expiry date."""
    if expires_on is None:
        return None
    days = (expires_on - today).days
    if days < 0:
        return Expiry.expired
    if days <= EXPIRY_WINDOWS[0]:
        return Expiry.within_30
    if days <= EXPIRY_WINDOWS[1]:
        return Expiry.within_60
    return None


@dataclass(frozen=True)
class Requirement:
    scheme: Scheme
    min_level: str | None = None

    def __str__(self) -> str:
        return f"{self.scheme.value} ({self.min_level})" if self.min_level else self.scheme.value


def dspt_rank(level: str | None) -> int:
    """Where a DSPT level ("Standards Met 2025/26") sits among the statuses; -1 if unknown."""
    found = (level or "").strip().lower()
    for rank, status in sorted(enumerate(DSPT_STATUSES), key=lambda s: -len(s[1])):
        if found.startswith(status.lower()):
            return rank
    return -1


def meets(held: Accreditation, requirement: Requirement, today: date) -> bool:
    """Whether one accreditation, on this day, meets one requirement."""
    if held.scheme not in _MEETS.get(requirement.scheme, {requirement.scheme}):
        return False
    if (held.valid_from and held.valid_from > today) or (
        held.expires_on and held.expires_on < today
    ):
        return False
    if not requirement.min_level:
        return True
    if requirement.scheme is Scheme.dspt:
        return dspt_rank(held.level) >= dspt_rank(requirement.min_level)
    return requirement.min_level.lower() in (held.level or "").lower()


def _requirements(session: Session) -> dict[Sensitivity, list[Requirement]]:
    """The current rule table, by sensitivity."""
    rules: dict[Sensitivity, list[Requirement]] = {s: [] for s in Sensitivity}
    for rule in session.exec(select(AccreditationRule).order_by(AccreditationRule.scheme)):
        rules[Sensitivity(rule.sensitivity)].append(
            Requirement(Scheme(rule.scheme), rule.min_level)
        )
    return rules


def _holdings(session: Session, organisation_ids: Iterable[int]) -> dict[int, list[Accreditation]]:
    """Accreditations of some organisations, by organisation."""
    held: dict[int, list[Accreditation]] = {id_: [] for id_ in organisation_ids}
    for acc in session.exec(
        select(Accreditation).where(col(Accreditation.organisation_id).in_(list(held)))
    ):
        held[acc.organisation_id].append(acc)
    return held


@dataclass(frozen=True)
class Standing:
    """How one organisation stands against one deliverable's requirements on one day."""

    required: list[Requirement]
    missing: list[Requirement]
    #: requirements met only by an accreditation that is about to expire, with that flag
    expiring: list[tuple[Requirement, Accreditation, Expiry]]


def standing(
    held: Sequence[Accreditation], required: Sequence[Requirement], today: date
) -> Standing:
    missing, expiring = [], []
    for requirement in required:
        meeting = [a for a in held if meets(a, requirement, today)]
        if not meeting:
            missing.append(requirement)
            continue
        longest = max(meeting, key=lambda a: a.expires_on or date.max)
        flag = expiry_flag(longest.expires_on, today)
        if flag is not None:
            expiring.append((requirement, longest, flag))
    return Standing(list(required), missing, expiring)


def _active_overrides(session: Session) -> dict[tuple[int, int], AssuranceOverride]:
    """Overrides in force, by (deliverable id, organisation id)."""
    rows = session.exec(
        select(AssuranceOverride).where(col(AssuranceOverride.revoked_at).is_(None))
    )
    return {(o.deliverable_id, o.organisation_id): o for o in rows}


class Decision(StrEnum):
    compliant = "compliant"
    blocked = "blocked"
    overridden = "overridden"


@dataclass(frozen=True)
class GateResult:
    deliverable_ref: str
    organisation: str
    sensitivity: Sensitivity
    missing: list[str]
    override_reason: str | None

    @property
    def decision(self) -> Decision:
        if not self.missing:
            return Decision.compliant
        return Decision.overridden if self.override_reason else Decision.blocked

    @property
    def message(self) -> str:
        if not self.missing:
            return f"{self.organisation} holds what {self.deliverable_ref} needs."
        lacking = (
            f"{self.organisation} lacks {', '.join(self.missing)}, which {self.sensitivity} needs"
        )
        if self.override_reason:
            return f"{lacking}; an admin overrode the gate: {self.override_reason}"
        return f"{lacking}, so it may not be given {self.deliverable_ref} unless an admin overrides"


def assignable_organisations(session: Session, actor: Actor) -> dict[int, str]:
    """Charities, suppliers and others a deliverable may be given to (not councils), by id, for
    those who give deliverables to them."""
    require(actor, Action.edit_deliverable)
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.kind).not_in(list(COUNCIL_KINDS)))
        .order_by(Organisation.name)
    )
    return dict(rows.all())


def check_gate(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    organisation_id: int,
    today: date | None = None,
) -> GateResult:
    """What giving this deliverable to this organisation would meet or lack, today (for a
    supplier contact, only their own organisation: what another one lacks is not theirs)."""
    deliverable = session.get(Deliverable, deliverable_id)
    organisation = session.get(Organisation, organisation_id)
    if (
        deliverable is None
        or organisation is None
        or not can_read_deliverable(actor, deliverable)
        or not sees_organisation(actor, organisation_id)
    ):
        raise NotFound("no such deliverable or organisation")
    today = today or date.today()
    missing: list[str] = []
    if organisation.kind not in COUNCIL_KINDS:
        required = _requirements(session)[Sensitivity(deliverable.sensitivity)]
        held = _holdings(session, [organisation_id])[organisation_id]
        missing = [str(r) for r in standing(held, required, today).missing]
    override = _active_overrides(session).get((deliverable_id, organisation_id))
    return GateResult(
        deliverable.ref,
        organisation.name,
        Sensitivity(deliverable.sensitivity),
        missing,
        override.reason if override and missing else None,
    )


def assign_supplier(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    organisation_id: int,
    override_reason: str | None = None,
    today: date | None = None,
) -> GateResult:
    """Give a deliverable to a supplier or charity, through the gate.

    Blocks (AssuranceBlocked) when the organisation lacks a required accreditation, unless an
    override is in force or an admin gives a reason now, which is recorded with their name.
    """
    deliverable = session.get(Deliverable, deliverable_id)
    if deliverable is None or not can_edit_deliverable(actor, deliverable):
        raise NotAllowed("you may not change this deliverable's supplier")
    result = check_gate(
        session, actor, deliverable_id=deliverable_id, organisation_id=organisation_id, today=today
    )
    if result.decision is Decision.blocked:
        if not (override_reason and override_reason.strip()):
            raise AssuranceBlocked(result.message)
        record_override(
            session,
            actor,
            deliverable_id=deliverable_id,
            organisation_id=organisation_id,
            reason=override_reason,
            today=today,
        )
        result = check_gate(
            session,
            actor,
            deliverable_id=deliverable_id,
            organisation_id=organisation_id,
            today=today,
        )
    deliverable.supplier_org_id = organisation_id
    session.add(deliverable)
    session.flush()
    return result


def record_override(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    organisation_id: int,
    reason: str,
    today: date | None = None,
) -> AssuranceOverride:
    """An admin lets this organisation handle this deliverable despite what it lacks."""
    require(actor, Action.manage_assurance)
    if not reason.strip():
        raise Invalid("an override needs a reason")
    result = check_gate(
        session, actor, deliverable_id=deliverable_id, organisation_id=organisation_id, today=today
    )
    if not result.missing:
        raise Conflict(f"{result.organisation} lacks nothing, so there is nothing to override")
    override = AssuranceOverride(
        deliverable_id=deliverable_id,
        organisation_id=organisation_id,
        missing=", ".join(result.missing),
        reason=reason.strip(),
        by_person_id=actor.person_id,
    )
    session.add(override)
    session.flush()
    return override


def revoke_override(session: Session, actor: Actor, *, override_id: int) -> None:
    """Withdraw an override; the row stays, with when it ended, for the audit."""
    require(actor, Action.manage_assurance)
    override = session.get(AssuranceOverride, override_id)
    if override is None or override.revoked_at is not None:
        raise NotFound(f"no override {override_id} in force")
    override.revoked_at = utcnow()
    session.add(override)
    session.flush()


def _handlers(session: Session, deliverables: Sequence[Deliverable]) -> set[tuple[int, int, str]]:
    """(deliverable, organisation, how) for each deliverable's supplier and each organisation
    with someone engaged on a supplier, charity or partner side of it."""
    pairs = {(d.id or 0, d.supplier_org_id, "supplier") for d in deliverables if d.supplier_org_id}
    ids = [d.id for d in deliverables]
    engaged = session.exec(
        select(Engagement.deliverable_id, Person.organisation_id)
        .join(Person, Person.id == Engagement.person_id)
        .where(col(Engagement.deliverable_id).in_(ids), Engagement.side != Side.council)
        .distinct()
    )
    supplied = {(d, o) for d, o, _ in pairs}
    pairs |= {(d, o, "engaged") for d, o in engaged if (d, o) not in supplied}
    return pairs


COMPLIANCE_COLUMNS = [
    "deliverable_id",
    "ref",
    "title",
    "sensitivity",
    "organisation_id",
    "organisation",
    "relationship",
    "required",
    "missing",
    "decision",
    "override_id",
    "override_reason",
    "expiring",
]


def compliance_frame(session: Session, actor: Actor, *, today: date | None = None) -> pd.DataFrame:
    """Each visible deliverable against each charity or supplier handling it: what its data needs,
    what is missing, the gate's decision, and needed accreditations about to expire. A supplier
    contact sees only their own organisation's rows, as with the accreditation register."""
    today = today or date.today()
    deliverables = list(session.exec(select(Deliverable).where(deliverable_filter(actor))))
    by_id = {d.id: d for d in deliverables}
    pairs = _handlers(session, deliverables)
    orgs = {o.id: o for o in session.exec(select(Organisation))}
    pairs = {
        p for p in pairs if orgs[p[1]].kind not in COUNCIL_KINDS and sees_organisation(actor, p[1])
    }
    rules = _requirements(session)
    held = _holdings(session, {o for _, o, _ in pairs})
    overrides = _active_overrides(session)
    rows = []
    for deliverable_id, org_id, relationship in sorted(pairs):
        deliverable = by_id[deliverable_id]
        result = standing(held[org_id], rules[Sensitivity(deliverable.sensitivity)], today)
        override = overrides.get((deliverable_id, org_id)) if result.missing else None
        decision = (
            Decision.compliant
            if not result.missing
            else (Decision.overridden if override else Decision.blocked)
        )
        rows.append(
            [
                deliverable_id,
                deliverable.ref,
                deliverable.title,
                str(deliverable.sensitivity),
                org_id,
                orgs[org_id].name,
                relationship,
                ", ".join(map(str, result.required)) or "nothing",
                ", ".join(map(str, result.missing)),
                decision.value,
                override.id if override else None,
                override.reason if override else None,
                "; ".join(
                    f"{acc.scheme} {flag.value} ({acc.expires_on:%d %b %Y})"
                    for _, acc, flag in result.expiring
                ),
            ]
        )
    frame = pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)
    frame["override_id"] = frame["override_id"].astype("Int64")
    return frame.sort_values(["ref", "relationship", "organisation"], ignore_index=True)


def overrides_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """Every override ever recorded on a visible deliverable, newest first, for the audit (for a
    supplier contact, only overrides for their own organisation)."""
    rows = session.exec(
        select(
            AssuranceOverride.id,
            Deliverable.ref,
            Organisation.name,
            AssuranceOverride.missing,
            AssuranceOverride.reason,
            Person.name,
            AssuranceOverride.at,
            AssuranceOverride.revoked_at,
        )
        .join(Deliverable, Deliverable.id == AssuranceOverride.deliverable_id)
        .join(Organisation, Organisation.id == AssuranceOverride.organisation_id)
        .join(Person, Person.id == AssuranceOverride.by_person_id)
        .where(
            deliverable_filter(actor), organisation_filter(actor, AssuranceOverride.organisation_id)
        )
        .order_by(col(AssuranceOverride.at).desc())
    ).all()
    return pd.DataFrame(
        rows,
        columns=["id", "ref", "organisation", "missing", "reason", "by", "at", "revoked_at"],
    )


def rules_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The rule table, sensitivity by sensitivity, for everyone to read."""
    require(actor, Action.read_deliverables)
    order = {s.value: i for i, s in enumerate(Sensitivity)}
    rows = session.exec(
        select(
            AccreditationRule.id,
            AccreditationRule.sensitivity,
            AccreditationRule.scheme,
            AccreditationRule.min_level,
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "sensitivity", "scheme", "min_level"])
    return frame.sort_values(
        ["sensitivity", "scheme"], key=lambda c: c.map(order) if c.name == "sensitivity" else c
    ).reset_index(drop=True)


def save_rules(
    session: Session, actor: Actor, *, rows: Sequence[RowEdit], deleted: Sequence[int] = ()
) -> int:
    """An admin's edit of the rule table, all or none."""
    require(actor, Action.manage_assurance)
    problems: list[RowProblem] = []
    writes = []
    seen: dict[tuple[str, str], int] = {}
    kept = {
        (r.sensitivity, r.scheme): r.id
        for r in session.exec(select(AccreditationRule))
        if r.id not in deleted and r.id not in {e.id for e in rows}
    }
    for edit in rows:
        sensitivity = text(edit.values.get("sensitivity"))
        scheme = text(edit.values.get("scheme"))
        level = text(edit.values.get("min_level"))
        found = []
        if sensitivity not in set(Sensitivity):
            found.append(f"sensitivity '{sensitivity or ''}' is not one tracker knows")
        if scheme not in set(Scheme) or scheme == Scheme.other:
            found.append(f"scheme '{scheme or ''}' cannot be required (choose a named scheme)")
        if scheme == Scheme.dspt and level and dspt_rank(level) < 0:
            found.append(f"DSPT level '{level}' must be one of {', '.join(DSPT_STATUSES)}")
        key = (sensitivity or "", scheme or "")
        if key in seen:
            found.append(f"the same sensitivity and scheme as row {seen[key]}")
        elif key in kept:
            found.append(f"{scheme} is already required for {sensitivity}")
        seen.setdefault(key, edit.row)
        problems += [RowProblem("Rules", edit.row, p) for p in found]
        writes.append((edit.id, {"sensitivity": sensitivity, "scheme": scheme, "min_level": level}))
    if problems:
        raise RowsRejected(problems)
    for rule_id in deleted:
        if rule := session.get(AccreditationRule, rule_id):
            session.delete(rule)
    session.flush()
    for rule_id, values in writes:
        rule = session.get(AccreditationRule, rule_id) if rule_id else AccreditationRule(**values)
        if rule is None:
            raise NotFound(f"no rule {rule_id}")
        for name, value in values.items():
            setattr(rule, name, value)
        session.add(rule)
    session.flush()
    return len(writes) + len(deleted)
