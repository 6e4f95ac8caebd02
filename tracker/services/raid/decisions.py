"""The decision log: proposed -> decided (by a body, on a date, with a minute reference) ->
superseded or reversed by a later decision, which it links to.

A decided decision is never edited: what a board decided stays as it was minuted, and a change of
mind is a new decision that supersedes (or reverses) it. Proposed decisions are the "decisions
needed" of the board's highlight report. Admins and project owners (for their own council) record
decisions; board members and suppliers read them (suppliers only those on deliverables their
organisation supplies). Every change is an entry in the audit ledger.
"""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from tracker.errors import Conflict, Invalid, NotAllowed, NotFound, count
from tracker.models import (
    Decision,
    DecisionStatus,
    Deliverable,
    Organisation,
    ProgrammeMember,
    RaidItem,
)
from tracker.models.types import utcnow
from tracker.policy import Actor, can_record_decision, raid_filter
from tracker.services.raid.ledger import describe_changes, record, snapshot
from tracker.services.raid.register import code_of as raid_code
from tracker.services.raid.register import parse_code
from tracker.services.validation import day, text

S = DecisionStatus
TITLE_MAX, BODY_MAX, MINUTE_MAX = 200, 100, 100
_CODE = re.compile(r"^\s*D\s*-?\s*(\d+)\s*$", re.IGNORECASE)
#: what a proposal holds; a decision adds outcome, body, decided_on and minute_ref
PROPOSAL_FIELDS = ("title", "detail", "deliverable", "raid_item", "owner_organisation", "needed_by")
RECORD_FIELDS = ("outcome", "body", "decided_on", "minute_ref")
COLUMNS = [
    "code",
    "title",
    "detail",
    "deliverable",
    "raid_item",
    "owner_organisation",
    "needed_by",
    "status",
    "outcome",
    "body",
    "decided_on",
    "minute_ref",
    "replaced_by",
    "replaces",
    "row_version",
]


def code_of(number: int) -> str:
    return f"D-{number}"


def decision_by_code(session: Session, actor: Actor, *, programme_id: int, code: str) -> Decision:
    """A decision the actor may see, by its code (D-4); one message whether missing or hidden."""
    found = _CODE.match(code or "")
    row = None
    if found:
        row = session.exec(
            select(Decision).where(
                Decision.programme_id == programme_id,
                Decision.number == int(found.group(1)),
                raid_filter(actor, Decision.deliverable_id),
            )
        ).first()
    if row is None:
        raise NotFound(f"no decision '{code}' that you can see in this programme")
    return row


def decisions_frame(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    statuses: list[str] | None = None,
) -> pd.DataFrame:
    """The decision log as the actor may see it (COLUMNS), newest first."""
    rows = list(
        session.exec(
            select(Decision)
            .where(
                Decision.programme_id == programme_id, raid_filter(actor, Decision.deliverable_id)
            )
            .order_by(Decision.number.desc())  # type: ignore[attr-defined]
        )
    )
    refs = dict(session.exec(select(Deliverable.id, Deliverable.ref)).all())
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    numbers = dict(session.exec(select(Decision.id, Decision.number)).all())
    items = {
        i.id: raid_code(i.kind, i.number)
        for i in session.exec(select(RaidItem).where(RaidItem.programme_id == programme_id))
    }
    replaces = {d.replaced_by_id: d.number for d in rows if d.replaced_by_id}
    frame = pd.DataFrame(
        [
            {
                "code": code_of(d.number),
                "title": d.title,
                "detail": d.detail,
                "deliverable": refs.get(d.deliverable_id),
                "raid_item": items.get(d.raid_item_id),
                "owner_organisation": orgs.get(d.owner_org_id),
                "needed_by": d.needed_by,
                "status": str(d.status),
                "outcome": d.outcome,
                "body": d.body,
                "decided_on": d.decided_on,
                "minute_ref": d.minute_ref,
                "replaced_by": code_of(numbers[d.replaced_by_id]) if d.replaced_by_id else None,
                "replaces": code_of(replaces[d.id]) if d.id in replaces else None,
                "row_version": d.row_version,
            }
            for d in rows
        ],
        columns=COLUMNS,
    )
    if statuses is not None:
        frame = frame[frame["status"].isin(statuses)].reset_index(drop=True)
    return frame


def decisions_needed(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Proposed decisions, the soonest needed first (those with no date last): what the board
    must decide."""
    frame = decisions_frame(session, actor, programme_id=programme_id, statuses=[S.proposed.value])
    return frame.sort_values(["needed_by", "code"], na_position="last").reset_index(drop=True)


def _proposal(
    session: Session, actor: Actor, programme_id: int, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str], Deliverable | None]:
    problems: list[str] = []
    row: dict[str, Any] = {}
    title = text(values.get("title"))
    if not title or len(title) > TITLE_MAX:
        problems.append(f"title is required, up to {TITLE_MAX} characters")
    row["title"], row["detail"] = title, text(values.get("detail"))
    ref = text(values.get("deliverable"))
    deliverable = (
        session.exec(
            select(Deliverable).where(
                Deliverable.programme_id == programme_id,
                func.lower(Deliverable.ref) == ref.lower(),
                raid_filter(actor, Deliverable.id),
            )
        ).first()
        if ref
        else None
    )
    if ref and deliverable is None:
        problems.append(f"deliverable '{ref}': no deliverable of this programme that you can see")
    row["deliverable_id"] = deliverable.id if deliverable else None
    item_code = text(values.get("raid_item"))
    parsed = parse_code(item_code or "")
    item = (
        session.exec(
            select(RaidItem).where(
                RaidItem.programme_id == programme_id,
                RaidItem.kind == parsed[0],
                RaidItem.number == parsed[1],
                raid_filter(actor, RaidItem.deliverable_id),
            )
        ).first()
        if parsed
        else None
    )
    if item_code and item is None:
        problems.append(f"raid_item '{item_code}': no RAID item with that code that you can see")
    row["raid_item_id"] = item.id if item else None
    org = text(values.get("owner_organisation"))
    owner = (
        session.exec(
            select(Organisation.id)
            .join(ProgrammeMember, ProgrammeMember.organisation_id == Organisation.id)
            .where(
                ProgrammeMember.programme_id == programme_id,
                func.lower(Organisation.name) == org.lower(),
            )
        ).first()
        if org
        else actor.organisation_id
    )
    if owner is None:
        problems.append(f"owner_organisation '{org}' is not an organisation of this programme")
    row["owner_org_id"] = owner
    try:
        row["needed_by"] = day(values.get("needed_by"))
    except ValueError:
        problems.append(f"needed_by '{text(values.get('needed_by'))}' is not a date (YYYY-MM-DD)")
    return row, problems, deliverable


def _record_problems(values: Mapping[str, Any], row: dict[str, Any]) -> list[str]:
    """What recording a decision needs: the outcome, the body, the date and the minute."""
    problems = []
    row["outcome"] = text(values.get("outcome"))
    if not row["outcome"]:
        problems.append("outcome (what was decided) is required")
    for name, limit, what in (
        ("body", BODY_MAX, "the body that decided, e.g. programme board"),
        ("minute_ref", MINUTE_MAX, "the minute reference"),
    ):
        row[name] = text(values.get(name))
        if not row[name] or len(row[name]) > limit:
            problems.append(f"{name} ({what}) is required, up to {limit} characters")
    try:
        row["decided_on"] = day(values.get("decided_on"))
    except ValueError:
        row["decided_on"] = None
        problems.append(f"decided_on '{text(values.get('decided_on'))}' is not a date (YYYY-MM-DD)")
    else:
        if row["decided_on"] is None:
            problems.append("decided_on (the date of the meeting) is required")
        elif row["decided_on"] > date.today():
            problems.append(f"decided_on {row['decided_on']} is in the future")
    return problems


def _refuse(actor: Actor, deliverable: Deliverable | None, owner_org_id: int | None) -> None:
    if owner_org_id is not None and not can_record_decision(actor, deliverable, owner_org_id):
        raise NotAllowed(
            f"{actor.role.value}s may not record decisions for this council or deliverable"
        )


def _invalid(what: str, problems: list[str]) -> Invalid:
    return Invalid(f"{what} was not saved: {count(len(problems), 'problem')}", problems)


def _next_number(session: Session, programme_id: int) -> int:
    latest = session.exec(
        select(func.max(Decision.number)).where(Decision.programme_id == programme_id)
    ).one()
    return (latest or 0) + 1


def propose_decision(
    session: Session, actor: Actor, *, programme_id: int, values: Mapping[str, Any]
) -> Decision:
    """Log a decision the programme needs (PROPOSAL_FIELDS); every problem listed."""
    row, problems, deliverable = _proposal(session, actor, programme_id, values)
    _refuse(actor, deliverable, row["owner_org_id"])
    if problems:
        raise _invalid("the decision", problems)
    decision = Decision(
        programme_id=programme_id, number=_next_number(session, programme_id), **row
    )
    record(session, actor, row=decision, action="propose", from_status=None)
    return decision


def _load(
    session: Session, actor: Actor, programme_id: int, code: str, row_version: int | None
) -> Decision:
    decision = decision_by_code(session, actor, programme_id=programme_id, code=code)
    deliverable = session.get(Deliverable, decision.deliverable_id or 0)
    _refuse(actor, deliverable, decision.owner_org_id)
    if row_version is not None and row_version != decision.row_version:
        raise Conflict(
            f"{code_of(decision.number)} was changed by someone else after you opened it; "
            "nothing was saved."
        )
    return decision


def _never_edited(decision: Decision) -> None:
    if decision.status != S.proposed:
        raise Conflict(
            f"{code_of(decision.number)} is {decision.status}: a decided decision is never "
            "edited, only superseded by a new one (tracker decision supersede)."
        )


def edit_decision(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    code: str,
    values: Mapping[str, Any],
    row_version: int | None = None,
) -> Decision:
    """Change a proposed decision's proposal; a decided one is refused (Conflict)."""
    decision = _load(session, actor, programme_id, code, row_version)
    _never_edited(decision)
    current = {
        "title": decision.title,
        "detail": decision.detail,
        "deliverable": getattr(session.get(Deliverable, decision.deliverable_id or 0), "ref", None),
        "raid_item": None,
        "owner_organisation": getattr(
            session.get(Organisation, decision.owner_org_id), "name", None
        ),
        "needed_by": decision.needed_by,
    }
    item = session.get(RaidItem, decision.raid_item_id or 0)
    current["raid_item"] = raid_code(item.kind, item.number) if item else None
    unknown = sorted(set(values) - set(PROPOSAL_FIELDS))
    if unknown:
        raise Invalid(
            f"{code_of(decision.number)} was not saved: a proposal holds only "
            f"{', '.join(PROPOSAL_FIELDS)}",
            [f"{name} is not part of a proposal" for name in unknown],
        )
    row, problems, deliverable = _proposal(session, actor, programme_id, {**current, **values})
    _refuse(actor, deliverable, row["owner_org_id"])
    if problems:
        raise _invalid(code_of(decision.number), problems)
    before = snapshot(decision)
    for name, value in row.items():
        setattr(decision, name, value)
    comment = describe_changes(before, snapshot(decision))
    if comment is not None:
        decision.updated_at = utcnow()
        record(
            session,
            actor,
            row=decision,
            action="edit",
            from_status=S.proposed.value,
            comment=comment,
        )
    return decision


def decide(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    code: str,
    values: Mapping[str, Any],
    row_version: int | None = None,
) -> Decision:
    """Record what a body decided on a proposed decision (RECORD_FIELDS)."""
    decision = _load(session, actor, programme_id, code, row_version)
    _never_edited(decision)
    row: dict[str, Any] = {}
    problems = _record_problems(values, row)
    problems += [
        f"{name} is not part of a decision's record"
        for name in sorted(set(values) - set(RECORD_FIELDS))
    ]
    if problems:
        raise _invalid(code_of(decision.number), problems)
    for name, value in row.items():
        setattr(decision, name, value)
    decision.status, decision.updated_at = S.decided, utcnow()
    record(
        session,
        actor,
        row=decision,
        action="decide",
        from_status=S.proposed.value,
        comment=f"decided by {row['body']}",
    )
    return decision


def supersede(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    code: str,
    values: Mapping[str, Any],
    reverse: bool = False,
    row_version: int | None = None,
) -> Decision:
    """Replace a decided decision with a new one, decided as `values` say (a title and the
    RECORD_FIELDS; the rest of the proposal defaults to the old one's). The old one becomes
    superseded (or reversed) and links to the new, which is returned."""
    old = _load(session, actor, programme_id, code, row_version)
    if old.status != S.decided:
        raise Conflict(
            f"{code_of(old.number)} is {old.status}: only a decided decision can be "
            + ("reversed" if reverse else "superseded")
            + (" (decide it first)" if old.status == S.proposed else "")
        )
    inherited = {
        "title": old.title,
        "detail": old.detail,
        "deliverable": getattr(session.get(Deliverable, old.deliverable_id or 0), "ref", None),
        "owner_organisation": getattr(session.get(Organisation, old.owner_org_id), "name", None),
    }
    item = session.get(RaidItem, old.raid_item_id or 0)
    inherited["raid_item"] = raid_code(item.kind, item.number) if item else None
    merged = {**inherited, **{k: v for k, v in values.items() if k in PROPOSAL_FIELDS}}
    row, problems, deliverable = _proposal(session, actor, programme_id, merged)
    _refuse(actor, deliverable, row["owner_org_id"])
    problems += _record_problems(values, row)
    if problems:
        raise _invalid(f"the decision replacing {code_of(old.number)}", problems)
    new = Decision(
        programme_id=programme_id,
        number=_next_number(session, programme_id),
        status=S.decided,
        **row,
    )
    action = "reverses" if reverse else "supersedes"
    record(
        session,
        actor,
        row=new,
        action="decide",
        from_status=None,
        comment=f"{action} {code_of(old.number)}",
    )
    old.status = S.reversed if reverse else S.superseded
    old.replaced_by_id, old.updated_at = new.id, utcnow()
    record(
        session,
        actor,
        row=old,
        action="reverse" if reverse else "supersede",
        from_status=S.decided.value,
        comment=f"{'reversed' if reverse else 'superseded'} by {code_of(new.number)}",
    )
    return new
