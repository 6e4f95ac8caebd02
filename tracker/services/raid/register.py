"""The RAID log: a programme's risks, assumptions and issues, checked, recorded and read.

Items arrive as values keyed by the register's columns (RAID_COLUMNS), whether typed on the page,
given as command options or read from a CSV or Excel file: one check (`plan_items`) serves all
three, lists every problem, and nothing is written while any remains. Every change is an entry
in the audit ledger. A risk that occurs becomes an issue linked to it.

Who may do what is tracker.policy's (`raid_filter`, `can_raise_raid`, `can_edit_raid`): supplier
contacts see and raise items only on the deliverables their organisation supplies.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker.errors import Conflict, Invalid, NotAllowed, NotFound, count
from tracker.metrics.raid import HIGH_SCORE, attention, open_risks
from tracker.models import (
    RAID_PREFIX,
    Deliverable,
    Escalation,
    Organisation,
    Person,
    Priority,
    ProgrammeMember,
    RaidItem,
    RaidKind,
    RaidStatus,
    RiskResponse,
)
from tracker.models.types import utcnow
from tracker.policy import Actor, can_edit_raid, can_raise_raid, raid_filter
from tracker.services.raid.ledger import describe_changes, record, snapshot
from tracker.services.validation import RowProblem, day, text, whole_number

UK = ZoneInfo("Europe/London")
TITLE_MAX = 200
#: the register's columns, in the order of the page, the command line and the files
RAID_COLUMNS = [
    "code",
    "kind",
    "title",
    "description",
    "deliverable",
    "owner_organisation",
    "owner",
    "likelihood",
    "impact",
    "score",
    "proximity",
    "response",
    "mitigation",
    "review_date",
    "residual_likelihood",
    "residual_impact",
    "escalation",
    "status",
    "priority",
    "due_date",
    "resolution",
    "raised_from",
]
#: what only risks carry, and what only assumptions and issues carry
RISK_ONLY = ("likelihood", "impact", "proximity", "response", "residual_likelihood",
             "residual_impact", "mitigation")  # fmt: skip
NOT_RISK = ("priority", "due_date", "resolution")
DATES = ("proximity", "review_date", "due_date")
RATINGS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
TEXTS = ("description", "mitigation", "resolution")
#: frame columns besides RAID_COLUMNS: ids for filters and the row version edits must name
FRAME_COLUMNS = [
    "id",
    *RAID_COLUMNS,
    "deliverable_id",
    "owner_org_id",
    "owner_person_id",
    "row_version",
    "updated_at",
]
_CODE = re.compile(r"^\s*([RAI])\s*-?\s*(\d+)\s*$", re.IGNORECASE)
IMPACT_PRIORITY = {5: Priority.critical, 4: Priority.high, 3: Priority.medium}


def today_in_uk() -> date:
    """Today's date in the UK, where review dates fall due."""
    return datetime.now(UK).date()


def code_of(kind: str, number: int) -> str:
    return f"{RAID_PREFIX[RaidKind(kind)]}-{number}"


def parse_code(code: str) -> tuple[RaidKind, int] | None:
    """'R-3' (or 'r3') as (risk, 3); None when it is not a RAID code."""
    found = _CODE.match(code or "")
    if not found:
        return None
    kind = next(k for k, prefix in RAID_PREFIX.items() if prefix == found.group(1).upper())
    return kind, int(found.group(2))


# -- reading ------------------------------------------------------------------------------------


def _frame(session: Session, actor: Actor, programme_id: int) -> pd.DataFrame:
    items = list(
        session.exec(
            select(RaidItem)
            .where(
                RaidItem.programme_id == programme_id, raid_filter(actor, RaidItem.deliverable_id)
            )
            .order_by(RaidItem.kind, RaidItem.number)  # type: ignore[arg-type]
        )
    )
    refs = dict(session.exec(select(Deliverable.id, Deliverable.ref)).all())
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    wanted = {i.owner_person_id for i in items if i.owner_person_id}
    names = dict(
        session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted))).all()
    )
    codes = {i.id: code_of(i.kind, i.number) for i in items}
    risk_codes = dict(
        session.exec(
            select(RaidItem.id, RaidItem.number).where(
                RaidItem.programme_id == programme_id, RaidItem.kind == RaidKind.risk
            )
        ).all()
    )
    rows = []
    for item in items:
        row = {name: getattr(item, name, None) for name in FRAME_COLUMNS}
        row |= {
            "code": codes[item.id],
            "deliverable": refs.get(item.deliverable_id),
            "owner_organisation": orgs.get(item.owner_org_id),
            "owner": names.get(item.owner_person_id),
            "raised_from": code_of(RaidKind.risk, risk_codes[item.risk_id])
            if item.risk_id in risk_codes
            else None,
        }
        rows.append(row)
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for name in DATES:
        frame[name] = pd.to_datetime(frame[name]).dt.date
    for name in RATINGS:
        frame[name] = frame[name].astype("Int64")
    return frame


def raid_frame(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    deliverable_ids: Sequence[int] | None = None,
    organisation_ids: Sequence[int] | None = None,
    kinds: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The register as the actor may see it, with scores and attention flags
    (tracker.metrics.raid.attention). Filters: the items' deliverables, owning organisations,
    kinds and statuses (None: all)."""
    frame = _frame(session, actor, programme_id)
    if deliverable_ids is not None:
        frame = frame[frame["deliverable_id"].isin(list(deliverable_ids))]
    if organisation_ids is not None:
        frame = frame[frame["owner_org_id"].isin(list(organisation_ids))]
    if kinds is not None:
        frame = frame[frame["kind"].isin(list(kinds))]
    if statuses is not None:
        frame = frame[frame["status"].isin(list(statuses))]
    rated = attention(frame.reset_index(drop=True), today or today_in_uk())
    rated["residual_score"] = rated["residual_likelihood"] * rated["residual_impact"]
    return rated


def open_risk_register(
    session: Session, actor: Actor, *, programme_id: int, today: date | None = None
) -> pd.DataFrame:
    """Open risks by score, highest first (the board pack's top risks)."""
    return open_risks(raid_frame(session, actor, programme_id=programme_id, today=today))


def needs_board_attention(
    session: Session, actor: Actor, *, programme_id: int, today: date | None = None
) -> pd.DataFrame:
    """Open items that need the board's attention: escalated, scoring 15 or more, or overdue for
    review, highest score first; `attention` says why in words."""
    frame = raid_frame(session, actor, programme_id=programme_id, today=today)
    return frame[frame["needs_attention"]].sort_values(
        ["score", "review_date"], ascending=[False, True], na_position="last"
    )


def programme_organisations(session: Session, actor: Actor, *, programme_id: int) -> dict[int, str]:
    """The programme's organisations (those that may own items), names by id."""
    return dict(
        session.exec(
            select(Organisation.id, Organisation.name)
            .join(ProgrammeMember, ProgrammeMember.organisation_id == Organisation.id)
            .where(ProgrammeMember.programme_id == programme_id)
            .order_by(Organisation.name)
        ).all()
    )


def editable_codes(session: Session, actor: Actor, *, programme_id: int) -> list[str]:
    """Codes of the items the actor may change, in register order."""
    items = session.exec(
        select(RaidItem)
        .where(RaidItem.programme_id == programme_id, raid_filter(actor, RaidItem.deliverable_id))
        .order_by(RaidItem.kind, RaidItem.number)  # type: ignore[arg-type]
    )
    deliverables = {d.id: d for d in session.exec(select(Deliverable))}
    return [
        code_of(item.kind, item.number)
        for item in items
        if can_edit_raid(actor, deliverables.get(item.deliverable_id), item.owner_org_id)
    ]


def item_by_code(session: Session, actor: Actor, *, programme_id: int, code: str) -> RaidItem:
    """An item the actor may see, by its code (R-3); one message whether missing or hidden."""
    parsed = parse_code(code)
    found = None
    if parsed:
        found = session.exec(
            select(RaidItem).where(
                RaidItem.programme_id == programme_id,
                RaidItem.kind == parsed[0],
                RaidItem.number == parsed[1],
                raid_filter(actor, RaidItem.deliverable_id),
            )
        ).first()
    if found is None:
        raise NotFound(f"no RAID item '{code}' that you can see in this programme")
    return found


def item_values(session: Session, actor: Actor, *, programme_id: int, code: str) -> dict[str, Any]:
    """An item the actor may see (by its code) as register values, as an edit form starts."""
    return _item_values(session, item_by_code(session, actor, programme_id=programme_id, code=code))


def _item_values(session: Session, item: RaidItem) -> dict[str, Any]:
    """An item as register values, the shape edits and files use; the owner is their person id
    (edits may name them by email or name instead)."""
    deliverable = session.get(Deliverable, item.deliverable_id) if item.deliverable_id else None
    org = session.get(Organisation, item.owner_org_id)
    risk = session.get(RaidItem, item.risk_id) if item.risk_id else None
    values = {name: getattr(item, name, None) for name in RAID_COLUMNS}
    return values | {
        "code": code_of(item.kind, item.number),
        "deliverable": deliverable.ref if deliverable else None,
        "owner_organisation": org.name if org else None,
        "owner": item.owner_person_id,
        "score": None,
        "raised_from": code_of(risk.kind, risk.number) if risk else None,
    }


# -- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemEdit:
    """One item to save: `values` keyed by RAID_COLUMNS; `code` names an existing item (None:
    new); `row_version` the version the person saw (None: overwrite, as a file import does);
    `place` how problems name it ("row 4", "R-3")."""

    place: str
    values: Mapping[str, Any]
    code: str | None = None
    row_version: int | None = None


@dataclass
class _Context:
    """What checking needs, read once per save."""

    programme_id: int
    deliverables: dict[str, Deliverable]
    members: dict[str, int]
    people: dict[int, Person]
    next_number: dict[RaidKind, int]
    risks: dict[int, RaidItem]


def _context(session: Session, actor: Actor, programme_id: int) -> _Context:
    deliverables = {
        d.ref.casefold(): d
        for d in session.exec(
            select(Deliverable).where(
                Deliverable.programme_id == programme_id, raid_filter(actor, Deliverable.id)
            )
        )
    }
    members = {
        name.casefold(): org_id
        for org_id, name in session.exec(
            select(Organisation.id, Organisation.name)
            .join(ProgrammeMember, ProgrammeMember.organisation_id == Organisation.id)
            .where(ProgrammeMember.programme_id == programme_id)
        )
    }
    numbers = dict(
        session.exec(
            select(RaidItem.kind, func.max(RaidItem.number))
            .where(RaidItem.programme_id == programme_id)
            .group_by(RaidItem.kind)
        ).all()
    )
    risks = {
        r.number: r
        for r in session.exec(
            select(RaidItem).where(
                RaidItem.programme_id == programme_id,
                RaidItem.kind == RaidKind.risk,
                raid_filter(actor, RaidItem.deliverable_id),
            )
        )
    }
    return _Context(
        programme_id=programme_id,
        deliverables=deliverables,
        members=members,
        people={p.id or 0: p for p in session.exec(select(Person))},
        next_number={k: (numbers.get(k.value) or 0) + 1 for k in RaidKind},
        risks=risks,
    )


def _choice(value: Any, allowed: type[Any], name: str, problems: list[str]) -> Any:
    said = text(value)
    if said is None:
        return None
    try:
        return allowed(said.lower())
    except ValueError:
        problems.append(f"{name} '{said}' must be one of {', '.join(allowed)}")
        return None


def _owner(ctx: _Context, said: Any, org_id: int | None, problems: list[str]) -> int | None:
    """The owner's person id, from an id (an item's own values) or an email or name."""
    if isinstance(said, int) and said in ctx.people:
        return said
    said = text(said)
    if said is None:
        return None
    wanted = said.casefold()
    living = [p for p in ctx.people.values() if not p.erased]
    found = [p for p in living if (p.email or "").casefold() == wanted] or [
        p for p in living if p.name.casefold() == wanted and p.organisation_id == org_id
    ]
    if not found:
        problems.append(
            f"owner '{said}': no person with that email, or of that name in the owning organisation"
        )
        return None
    if len(found) > 1:
        problems.append(f"owner '{said}': several people of that name; give their email")
        return None
    if org_id is not None and found[0].organisation_id != org_id:
        problems.append(f"owner '{said}' is not in the owning organisation")
    return found[0].id


def _check(
    ctx: _Context, actor: Actor, values: Mapping[str, Any], existing: RaidItem | None
) -> tuple[dict[str, Any], list[str], bool]:
    """The item's columns from register values, the problems found, and whether the actor was
    refused (rather than the values being wrong)."""
    problems: list[str] = []
    row: dict[str, Any] = {}
    kind = _choice(values.get("kind"), RaidKind, "kind", problems)
    if kind is None and not problems:
        problems.append(f"kind is required: one of {', '.join(RaidKind)}")
    if existing is not None and kind is not None and kind != existing.kind:
        problems.append(f"a {existing.kind} cannot become a {kind}: raise a new item instead")
    row["kind"] = kind
    title = text(values.get("title"))
    if not title or len(title) > TITLE_MAX:
        problems.append(f"title is required, up to {TITLE_MAX} characters")
    row["title"] = title
    for name in TEXTS:
        row[name] = text(values.get(name))
    ref = text(values.get("deliverable"))
    deliverable = ctx.deliverables.get(ref.casefold()) if ref else None
    if ref and deliverable is None:
        problems.append(f"deliverable '{ref}': no deliverable of this programme that you can see")
    row["deliverable_id"] = deliverable.id if deliverable else None
    org = text(values.get("owner_organisation"))
    row["owner_org_id"] = ctx.members.get(org.casefold()) if org else None
    if org is None:
        problems.append("owner_organisation is required")
    elif row["owner_org_id"] is None:
        problems.append(f"owner_organisation '{org}' is not an organisation of this programme")
    row["owner_person_id"] = _owner(ctx, values.get("owner"), row["owner_org_id"], problems)
    for name in RATINGS:
        said = text(values.get(name))
        row[name] = whole_number(said, 1, 5) if said is not None else None
        if said is not None and row[name] is None:
            problems.append(f"{name} '{said}' must be a whole number from 1 to 5")
    for name in DATES:
        try:
            row[name] = day(values.get(name))
        except ValueError:
            problems.append(f"{name} '{text(values.get(name))}' is not a date (YYYY-MM-DD)")
            row[name] = None
    row["response"] = _choice(values.get("response"), RiskResponse, "response", problems)
    row["priority"] = _choice(values.get("priority"), Priority, "priority", problems)
    row["escalation"] = (
        _choice(values.get("escalation"), Escalation, "escalation", problems) or Escalation.none
    )
    row["status"] = _choice(values.get("status"), RaidStatus, "status", problems) or (
        existing.status if existing else RaidStatus.open
    )
    problems += _rules(ctx, values, row, existing)
    refused = (
        row["owner_org_id"] is not None
        and not problems
        and not can_raise_raid(actor, deliverable, row["owner_org_id"])
    )
    if refused:
        problems.append(_refusal(actor, "change" if existing else "raise", ref))
    return row, problems, refused


def _refusal(actor: Actor, verb: str, ref: str | None) -> str:
    where = f"on {ref}" if ref else "for the whole programme"
    return f"{actor.role.value}s may not {verb} this RAID item {where}"


def _rules(
    ctx: _Context, values: Mapping[str, Any], row: dict[str, Any], existing: RaidItem | None
) -> list[str]:
    """The RAID log's rules over a row already parsed."""
    problems = []
    kind = row["kind"]
    if kind is None:
        return problems
    is_risk = kind is RaidKind.risk
    for name in RISK_ONLY if not is_risk else NOT_RISK:
        if row[name] is not None:
            problems.append(
                f"{name} is for {'risks' if name in RISK_ONLY else 'assumptions and issues'} only"
            )
    if is_risk:
        for name in ("likelihood", "impact"):
            if row[name] is None and text(values.get(name)) is None:
                problems.append(f"{name} is required for a risk: a whole number from 1 to 5")
        if (row["residual_likelihood"] is None) != (row["residual_impact"] is None):
            problems.append("give both residual likelihood and residual impact, or neither")
    score = (row["likelihood"] or 0) * (row["impact"] or 0)
    typed = text(values.get("score"))
    if (
        typed is not None
        and is_risk
        and row["likelihood"]
        and row["impact"]
        and whole_number(typed, 1, 25) != score
    ):
        problems.append(
            f"score is computed, never typed: {row['likelihood']} x {row['impact']} = "
            f"{score}, not {typed} (leave it empty)"
        )
    open_ = row["status"] is RaidStatus.open
    if open_ and score >= HIGH_SCORE:
        if row["owner_person_id"] is None and values.get("owner") in (None, ""):
            problems.append(f"a risk scoring {score} (15 or more) needs an owner")
        if row["review_date"] is None and text(values.get("review_date")) is None:
            problems.append(f"a risk scoring {score} (15 or more) needs a review date")
    if row["status"] is RaidStatus.occurred and not is_risk:
        problems.append("only a risk can occur; close an assumption or issue instead")
    if (
        existing is not None
        and existing.status == RaidStatus.occurred
        and row["status"] is not RaidStatus.occurred
    ):
        problems.append(
            f"{code_of(existing.kind, existing.number)} occurred and became an issue: "
            "change the issue instead"
        )
    if kind is RaidKind.issue and row["status"] is RaidStatus.closed and not row["resolution"]:
        problems.append("closing an issue needs its resolution")
    raised = text(values.get("raised_from"))
    row["risk_id"] = existing.risk_id if existing else None
    if raised is not None:
        parsed = parse_code(raised)
        risk = ctx.risks.get(parsed[1]) if parsed and parsed[0] is RaidKind.risk else None
        if kind is not RaidKind.issue:
            problems.append("raised_from is for issues only: the risk the issue came from")
        elif risk is None:
            problems.append(f"raised_from '{raised}': no risk with that code that you can see")
        else:
            row["risk_id"] = risk.id
    return problems


@dataclass
class ItemPlan:
    """Checked edits; `problems` ((place, message) pairs) empty means the whole save is good."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    #: every problem is a refusal: the actor may not, rather than the values being wrong
    refused: bool = False
    writes: list[tuple[RaidItem | None, dict[str, Any], int | None]] = field(default_factory=list)


def plan_items(
    session: Session, actor: Actor, *, programme_id: int, edits: Sequence[ItemEdit]
) -> ItemPlan:
    """Check every edit against the register and the rules; write nothing."""
    ctx = _context(session, actor, programme_id)
    plan = ItemPlan()
    refusals = 0
    for edit in edits:
        existing = None
        if edit.code is not None:
            try:
                existing = item_by_code(session, actor, programme_id=programme_id, code=edit.code)
            except NotFound as exc:
                plan.problems.append((edit.place, str(exc)))
                continue
            merged = {**_item_values(session, existing), **edit.values}
        else:
            merged = dict(edit.values)
        row, problems, refused = _check(ctx, actor, merged, existing)
        if existing is not None and not problems:
            old = (
                session.get(Deliverable, existing.deliverable_id)
                if existing.deliverable_id
                else None
            )
            if not can_edit_raid(actor, old, existing.owner_org_id):
                problems.append(_refusal(actor, "change", old.ref if old else None))
                refused = True
        refusals += refused
        plan.problems += [(edit.place, p) for p in problems]
        plan.writes.append((existing, row, edit.row_version))
    plan.refused = bool(plan.problems) and refusals == len(plan.problems)
    return plan


# -- writing ------------------------------------------------------------------------------------


def _new(ctx_numbers: dict[RaidKind, int], programme_id: int, row: dict[str, Any]) -> RaidItem:
    kind = RaidKind(row["kind"])
    number = ctx_numbers[kind]
    ctx_numbers[kind] += 1
    return RaidItem(programme_id=programme_id, number=number, **row)


def _occurred(
    session: Session, actor: Actor, risk: RaidItem, numbers: dict[RaidKind, int]
) -> RaidItem:
    """The issue a risk became, linked to it, with the risk's ownership and escalation."""
    issue = _new(
        numbers,
        risk.programme_id,
        {
            "kind": RaidKind.issue,
            "title": risk.title,
            "description": risk.description,
            "deliverable_id": risk.deliverable_id,
            "owner_org_id": risk.owner_org_id,
            "owner_person_id": risk.owner_person_id,
            "review_date": risk.review_date,
            "escalation": risk.escalation,
            "priority": IMPACT_PRIORITY.get(risk.impact or 0, Priority.low),
            "risk_id": risk.id,
        },
    )
    record(
        session,
        actor,
        row=issue,
        action="raise",
        from_status=None,
        comment=f"raised when {code_of(risk.kind, risk.number)} occurred",
    )
    return issue


def apply_plan(
    session: Session, actor: Actor, *, programme_id: int, plan: ItemPlan
) -> list[RaidItem]:
    """Write a plan with no problems, each change with its ledger entry; the items saved (and
    any issue a risk became)."""
    ctx = _context(session, actor, programme_id)
    numbers = ctx.next_number
    saved: list[RaidItem] = []
    for existing, row, row_version in plan.writes:
        if existing is None:
            item = _new(numbers, programme_id, row)
            record(session, actor, row=item, action="raise", from_status=None)
            saved.append(item)
            continue
        if row_version is not None and row_version != existing.row_version:
            raise Conflict(
                f"{code_of(existing.kind, existing.number)} was changed by someone else after "
                "you opened it; nothing was saved. Check the new values and save again."
            )
        before, status = snapshot(existing), str(existing.status)
        for name, value in row.items():
            setattr(existing, name, value)
        existing.updated_at = utcnow()
        comment = describe_changes(before, snapshot(existing))
        if comment is None:
            session.expire(existing)
            saved.append(existing)
            continue
        try:
            record(
                session, actor, row=existing, action="update", from_status=status, comment=comment
            )
        except StaleDataError:
            raise Conflict(
                f"{code_of(existing.kind, existing.number)} was changed by someone else while "
                "you saved; nothing was saved. Check the new values and save again."
            ) from None
        saved.append(existing)
        if status != RaidStatus.occurred and existing.status == RaidStatus.occurred:
            saved.append(_occurred(session, actor, existing, numbers))
    return saved


def _save(session: Session, actor: Actor, programme_id: int, edit: ItemEdit) -> list[RaidItem]:
    plan = plan_items(session, actor, programme_id=programme_id, edits=[edit])
    if plan.refused:
        raise NotAllowed(plan.problems[0][1])
    if plan.problems:
        raise Invalid(
            f"{edit.place} was not saved: {count(len(plan.problems), 'problem')}",
            [message for _, message in plan.problems],
        )
    return apply_plan(session, actor, programme_id=programme_id, plan=plan)


def add_item(
    session: Session, actor: Actor, *, programme_id: int, values: Mapping[str, Any]
) -> RaidItem:
    """Raise a risk, assumption or issue; Invalid lists every problem, NotAllowed a refusal."""
    return _save(session, actor, programme_id, ItemEdit("the new item", values))[0]


def update_item(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    code: str,
    values: Mapping[str, Any],
    row_version: int | None = None,
) -> list[RaidItem]:
    """Change the given columns of an item (an empty value clears one), if it still has the
    `row_version` the person saw. Setting a risk's status to occurred also raises the issue it
    became: both are returned."""
    return _save(session, actor, programme_id, ItemEdit(code, values, code, row_version))


def risk_occurred(
    session: Session, actor: Actor, *, programme_id: int, code: str, row_version: int | None = None
) -> RaidItem:
    """Record that a risk happened; returns the issue it became, linked to it."""
    saved = update_item(
        session,
        actor,
        programme_id=programme_id,
        code=code,
        values={"status": RaidStatus.occurred.value},
        row_version=row_version,
    )
    return saved[-1]


def row_problems(plan: ItemPlan, table: str) -> list[RowProblem]:
    """A file's plan's problems as numbered rows ("RAID row 4: ..."); places are row numbers."""
    return [RowProblem(table, int(place), message) for place, message in plan.problems]
