"""Engagement maps: who is engaged on each deliverable at each stage, and how.

A row with no stage holds at every stage; a person's own row for a stage replaces their every-stage
row there. That one reading (`effective_at`) drives the RACI matrix, the one-Accountable rule and
"who to engage now", so the three never disagree.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from tracker.errors import NotAllowed
from tracker.models import Channel, Deliverable, Engagement, Organisation, Person, Side, Stage
from tracker.policy import (
    Action,
    Actor,
    can_edit_deliverable,
    contact_details_shown,
    deliverable_filter,
    organisation_filter,
    require,
)
from tracker.services.auth.users import email_is
from tracker.services.people.contacts import STATUS_COLUMN
from tracker.services.validation import (
    RowEdit,
    RowProblem,
    RowsRejected,
    raci,
    text,
    whole_number,
)

ALL_STAGES = "All stages"
ENGAGEMENT_COLUMNS = [
    "id",
    "deliverable_id",
    "ref",
    "stage",
    "stage_position",
    "person_id",
    "name",
    "job_title",
    "organisation_id",
    "organisation",
    "organisation_kind",
    "side",
    "raci",
    "escalation_order",
    "power",
    "interest",
    "channel",
    "notes",
    "email",
    "phone",
    "status",
]


def map_deliverables(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Deliverables whose maps the actor may open, with their current stage and whether the
    actor may change the map (project owners: their council's; admins: all)."""
    rows = session.exec(
        select(Deliverable, Stage.name)
        .outerjoin(Stage, Stage.id == Deliverable.stage_id)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref)
    ).all()
    return pd.DataFrame(
        [
            {
                "id": d.id,
                "ref": d.ref,
                "title": d.title,
                "stage": stage,
                "editable": can_edit_deliverable(actor, d),
            }
            for d, stage in rows
        ],
        columns=["id", "ref", "title", "stage", "editable"],
    )


def engagement_frame(
    session: Session, actor: Actor, *, programme_id: int, deliverable_id: int | None = None
) -> pd.DataFrame:
    """Every engagement on the deliverables the actor may see, names resolved; email and phone
    are blank where the actor may not see that organisation's contact details."""
    statement = (
        select(
            Engagement.id,
            Deliverable.id,
            Deliverable.ref,
            Stage.name,
            Stage.position,
            Person.id,
            Person.name,
            Person.job_title,
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Engagement.side,
            Engagement.raci,
            Engagement.escalation_order,
            Engagement.power,
            Engagement.interest,
            Engagement.channel,
            Engagement.notes,
            Person.email,
            Person.phone,
            STATUS_COLUMN,
        )
        .join(Deliverable, Deliverable.id == Engagement.deliverable_id)
        .join(Person, Person.id == Engagement.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Stage, Stage.id == Engagement.stage_id)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref, col(Stage.position).nulls_first(), Engagement.id)
    )
    if deliverable_id is not None:
        statement = statement.where(Deliverable.id == deliverable_id)
    frame = pd.DataFrame(session.exec(statement).all(), columns=ENGAGEMENT_COLUMNS)
    frame["stage"] = frame["stage"].fillna(ALL_STAGES)
    frame["escalation_order"] = frame["escalation_order"].astype("Int64")
    shown = [
        contact_details_shown(actor, org, side=side, channel=channel)
        for org, side, channel in zip(
            frame["organisation_id"], frame["side"], frame["channel"], strict=True
        )
    ]
    for detail in ("email", "phone"):
        frame[detail] = frame[detail].where([detail in s for s in shown], None)
    return frame


def effective_at(frame: pd.DataFrame, stage: str | None) -> pd.DataFrame:
    """The rows in force at one stage: that stage's rows, plus every-stage rows of people who have
    no row of their own for it (per deliverable). `stage` None means only every-stage rows."""
    own = frame[frame["stage"] == stage] if stage else frame.iloc[0:0]
    general = frame[frame["stage"] == ALL_STAGES]
    keys = pd.MultiIndex.from_frame(own[["deliverable_id", "person_id"]])
    shadowed = pd.MultiIndex.from_frame(general[["deliverable_id", "person_id"]]).isin(keys)
    return pd.concat([own, general[~shadowed]]).sort_index()


def raci_matrix(frame: pd.DataFrame, plan: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    """Deliverable x person rows, one column per stage, each cell the RACI letters in force there
    ("" where the person has no part or the deliverable does not go through that stage).

    `plan` holds the (ref, stage) pairs each deliverable goes through (programme.stage_plan).
    """
    columns = ["ref", "name", "organisation", "side"]
    planned = pd.MultiIndex.from_frame(plan[["ref", "stage"]])
    parts = [effective_at(frame, stage).assign(stage=stage) for stage in stages]
    cells = pd.concat([frame.iloc[0:0], *parts])
    cells = cells[pd.MultiIndex.from_frame(cells[["ref", "stage"]]).isin(planned)]
    if cells.empty:
        return pd.DataFrame(columns=[*columns, *stages])
    matrix = cells.pivot_table(
        index=columns, columns="stage", values="raci", aggfunc="first", fill_value=""
    )
    matrix = matrix.reindex(columns=list(stages), fill_value="").reset_index()
    return matrix.rename_axis(None, axis=1)


def person_choices(
    session: Session, actor: Actor, *, include: Iterable[int] = ()
) -> dict[int, str]:
    """People who may be put on a map ("Name (Organisation)") by id, plus those in `include`
    (already on the map being edited, even if since erased)."""
    rows = session.exec(
        select(Person.id, Person.name, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(
            or_(
                and_(organisation_filter(actor, Person.organisation_id), ~col(Person.erased)),
                col(Person.id).in_([int(i) for i in include]),
            )
        )
        .order_by(Person.name)
    ).all()
    labels = [f"{name} ({org})" for _, name, org in rows]
    repeated = {label for label in labels if labels.count(label) > 1}
    return {
        id_: f"{label} #{id_}" if label in repeated else label
        for (id_, _, _), label in zip(rows, labels, strict=True)
    }


@dataclass
class EngagementPlan:
    """Checked engagement rows; `problems` empty means the whole save is good."""

    problems: list[RowProblem] = field(default_factory=list)
    writes: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)

    def apply(self, session: Session) -> int:
        """Write the plan; people named by an email added in the same import are looked up now."""
        for engagement_id in self.deletes:
            session.delete(session.get(Engagement, engagement_id))
        session.flush()
        for engagement_id, values in self.writes:
            values = dict(values)
            email = values.pop("person_email", None)
            if email:
                values["person_id"] = session.exec(select(Person.id).where(email_is(email))).one()
            row = session.get(Engagement, engagement_id) if engagement_id else Engagement(**values)
            assert row is not None  # checked while planning
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
        session.flush()
        return len(self.writes) + len(self.deletes)


@dataclass(frozen=True)
class _Context:
    """What checking a save needs, read once: deliverables, stages, people and the current map."""

    deliverables: dict[int, Deliverable]
    refs: dict[str, int]
    stages: dict[int, list[Stage]]
    people: dict[int, Person]
    emails: dict[str, int]
    existing: pd.DataFrame

    def stage_id(self, deliverable: Deliverable, name: str) -> int | None:
        for stage in self.stages.get(deliverable.programme_id, []):
            if stage.name.lower() == name.lower():
                return stage.id
        return None

    def name_of(self, person: Any) -> str:
        """A person's name, or the email of one added by the same import."""
        return self.people[person].name if person in self.people else str(person)


def _context(session: Session) -> _Context:
    deliverables = {d.id or 0: d for d in session.exec(select(Deliverable))}
    stages: dict[int, list[Stage]] = {}
    for stage in session.exec(select(Stage).order_by(Stage.position)):
        stages.setdefault(stage.programme_id, []).append(stage)
    people = {p.id or 0: p for p in session.exec(select(Person))}
    existing = pd.DataFrame(
        session.exec(
            select(
                Engagement.id,
                Engagement.deliverable_id,
                Engagement.stage_id,
                Engagement.person_id,
                Engagement.raci,
                Engagement.side,
            )
        ).all(),
        columns=["id", "deliverable_id", "stage_id", "person_id", "raci", "side"],
    )
    return _Context(
        deliverables=deliverables,
        refs={d.ref.lower(): id_ for id_, d in deliverables.items()},
        stages=stages,
        people=people,
        emails={p.email.lower(): id_ for id_, p in people.items() if p.email},
        existing=existing,
    )


def _where(values: dict[str, Any], ctx: _Context, actor: Actor, row: dict[str, Any]) -> list[str]:
    """Resolve the deliverable and stage of a row into `row`; the problems found."""
    deliverable_id = values.get("deliverable_id")
    ref = text(values.get("deliverable"))
    if deliverable_id is None and ref:
        deliverable_id = ctx.refs.get(ref.lower())
        if deliverable_id is None:
            return [f"deliverable '{ref}' is not known to tracker"]
    if deliverable_id is None:
        return ["deliverable is required"]
    deliverable = ctx.deliverables[int(deliverable_id)]
    row["deliverable_id"] = deliverable.id
    problems = []
    if not can_edit_deliverable(actor, deliverable):
        problems.append(f"you may not change the engagement map of {deliverable.ref}")
    stage = text(values.get("stage"))
    row["stage_id"] = None
    if stage is not None and stage.lower() != ALL_STAGES.lower():
        row["stage_id"] = ctx.stage_id(deliverable, stage)
        if row["stage_id"] is None:
            problems.append(f"stage '{stage}' is not a stage of this programme")
    return problems


def _who(
    values: dict[str, Any], ctx: _Context, new_emails: set[str], row: dict[str, Any], is_new: bool
) -> list[str]:
    """Resolve the person of a row (by id, or by email for imports) into `row`."""
    person_id = values.get("person_id")
    email = text(values.get("email"))
    if person_id is None and email:
        person_id = ctx.emails.get(email.lower())
        if person_id is None and email.lower() in new_emails:
            row["person_email"] = email
            return []
    if person_id is None:
        return [f"no contact with email '{email}'" if email else "person (their email) is required"]
    person = ctx.people.get(int(person_id))
    if person is None:
        return [f"no contact with id {person_id}"]
    row["person_id"] = person.id
    if person.erased and is_new:
        return ["this person's data has been erased; they cannot be engaged"]
    return []


def _how(values: dict[str, Any], row: dict[str, Any]) -> list[str]:
    """Check and clean the RACI letters, side, escalation, power, interest, channel and notes."""
    problems = []
    row["raci"] = raci(values.get("raci"))
    if row["raci"] is None:
        problems.append(
            f"RACI '{text(values.get('raci')) or ''}' must be one or more of R, A, C, I"
        )
    row["side"] = (text(values.get("side")) or "").lower()
    if row["side"] not in set(Side):
        problems.append(f"side '{row['side']}' must be one of {', '.join(Side)}")
    escalation = text(values.get("escalation_order"))
    row["escalation_order"] = whole_number(escalation, 1) if escalation else None
    if escalation and row["escalation_order"] is None:
        problems.append(f"escalation order '{escalation}' must be a whole number from 1")
    for name in ("power", "interest"):
        row[name] = whole_number(values.get(name), 1, 5)
        if row[name] is None:
            problems.append(f"{name} '{text(values.get(name)) or ''}' must be a whole number 1-5")
    row["channel"] = (text(values.get("channel")) or "").lower() or None
    if row["channel"] is not None and row["channel"] not in set(Channel):
        problems.append(f"channel '{row['channel']}' must be one of {', '.join(Channel)}")
    row["notes"] = text(values.get("notes"))
    if row["notes"] and len(row["notes"]) > 1000:
        problems.append("notes are longer than 1000 characters")
    return problems


def _accountable_problems(state: pd.DataFrame, ctx: _Context, table: str) -> list[RowProblem]:
    """Rows of this save that would give a side more than one Accountable at some stage: one
    problem per row and side, naming the stages and the people."""
    clashes: dict[tuple[int, str, str], tuple[list[str], list[str]]] = {}
    for deliverable_id, rows in state.groupby("deliverable_id"):
        deliverable = ctx.deliverables[int(deliverable_id)]
        names = {s.id: s.name for s in ctx.stages.get(deliverable.programme_id, [])}
        frame = rows.assign(stage=rows["stage_id"].map(names).fillna(ALL_STAGES))
        for stage in names.values():
            at = effective_at(frame, stage)
            for side, holders in at[at["raci"].str.contains("A")].groupby("side"):
                if len(holders) < 2:
                    continue
                for number in holders["row"].dropna().unique():
                    stages, people = clashes.setdefault(
                        (int(number), deliverable.ref, str(side)), ([], [])
                    )
                    stages.append(stage)
                    people += [
                        ctx.name_of(p) for p in holders["person_id"] if ctx.name_of(p) not in people
                    ]
    return [
        RowProblem(
            table,
            number,
            f"{ref} would have {len(people)} Accountables on the {side} side at "
            f"{', '.join(stages)} ({', '.join(people)}); each side has exactly one",
        )
        for (number, ref, side), (stages, people) in sorted(clashes.items())
    ]


def plan_engagements(
    session: Session,
    actor: Actor,
    *,
    rows: Sequence[RowEdit],
    deleted: Sequence[int] = (),
    new_emails: set[str] | None = None,
    table: str = "Engagements",
) -> EngagementPlan:
    """Check every row, then the one-Accountable rule on the map as it would be after the save.

    A row without an id updates the engagement with the same deliverable, stage and person, or
    adds one. `new_emails` are contacts added by the same import, not yet in the database.
    """
    ctx = _context(session)
    existing = ctx.existing.set_index("id")
    plan = EngagementPlan(deletes=[int(i) for i in deleted if i in existing.index])
    for engagement_id in plan.deletes:
        deliverable = ctx.deliverables[int(existing.at[engagement_id, "deliverable_id"])]
        if not can_edit_deliverable(actor, deliverable):
            raise NotAllowed(f"you may not change the engagement map of {deliverable.ref}")
    replaced = set(plan.deletes)
    prospective = []
    seen: dict[tuple[Any, Any, Any], int] = {}
    for edit in rows:
        values: dict[str, Any] = {}
        problems = _where(edit.values, ctx, actor, values)
        problems += _who(edit.values, ctx, new_emails or set(), values, edit.id is None)
        problems += _how(edit.values, values)
        person = values.get("person_id") or values.get("person_email")
        key = (values.get("deliverable_id"), values.get("stage_id"), person)
        same = existing[
            (existing["deliverable_id"] == key[0])
            & (existing["stage_id"].fillna(-1) == (-1 if key[1] is None else key[1]))
            & (existing["person_id"] == key[2])
            & ~existing.index.isin(plan.deletes)
        ]
        target = edit.id if edit.id is not None else (int(same.index[0]) if len(same) else None)
        if edit.id is not None and edit.id not in existing.index:
            problems.append(f"no engagement with id {edit.id}")
        elif edit.id is not None:
            current = ctx.deliverables[int(existing.at[edit.id, "deliverable_id"])]
            if not can_edit_deliverable(actor, current):
                problems.append(f"you may not change the engagement map of {current.ref}")
            if len(same) and int(same.index[0]) != edit.id:
                problems.append(f"{ctx.name_of(person)} already has a row for this stage")
        if key in seen:
            problems.append(f"the same deliverable, stage and person as row {seen[key]}")
        seen.setdefault(key, edit.row)
        if target is not None:
            replaced.add(target)
        plan.problems += [RowProblem(table, edit.row, p) for p in problems]
        plan.writes.append((target, values))
        prospective.append({**values, "person_id": person, "row": edit.row})
    if plan.problems:
        return plan
    touched = {values["deliverable_id"] for _, values in plan.writes}
    kept = ctx.existing[~ctx.existing["id"].isin(replaced)].assign(row=None)
    state = pd.concat([kept, pd.DataFrame(prospective)], ignore_index=True)
    plan.problems += _accountable_problems(state[state["deliverable_id"].isin(touched)], ctx, table)
    return plan


def save_engagements(
    session: Session, actor: Actor, *, rows: Sequence[RowEdit], deleted: Sequence[int] = ()
) -> int:
    """Save a map edit, all or none; returns how many rows were written or deleted."""
    require(actor, Action.edit_deliverable)
    plan = plan_engagements(session, actor, rows=rows, deleted=deleted)
    if plan.problems:
        raise RowsRejected(plan.problems)
    return plan.apply(session)


#: The classic stakeholder grid, by (high power, high interest); 3 and above count as high.
QUADRANTS = {
    (True, True): "Manage closely",
    (True, False): "Keep satisfied",
    (False, True): "Keep informed",
    (False, False): "Monitor",
}


def power_interest(at: pd.DataFrame) -> pd.DataFrame:
    """One row per person in force (see `effective_at`) with their power, interest and quadrant,
    for the grid and the table beside it."""
    frame = at[["name", "organisation", "side", "raci", "power", "interest"]].copy()
    frame["quadrant"] = [
        QUADRANTS[(p >= 3, i >= 3)] for p, i in zip(frame["power"], frame["interest"], strict=True)
    ]
    return frame.sort_values(["power", "interest", "name"], ascending=[False, False, True])
