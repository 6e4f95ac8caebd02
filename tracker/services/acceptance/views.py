"""What the acceptance pages, the CLI and the evidence pack read: criteria as DataFrames.

Every query goes through `tracker.policy.criteria_filter`, so a supplier contact never receives a
draft or another supplier's criteria, whichever view asks. Names are resolved here, at read time,
from `person`; the ledger itself holds only ids.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, false
from sqlmodel import Session, select

from tracker.models import (
    AcceptanceCriterion,
    AuditEntry,
    CriterionEvidence,
    CriterionMove,
    CriterionStatus,
    CriterionVersion,
    Deliverable,
    DeliverableStage,
    JiraIssue,
    JiraSprint,
    Role,
    Stage,
)
from tracker.policy import (
    SUPPLIER_CRITERION_MOVES,
    Action,
    Actor,
    can_move_criterion,
    criteria_filter,
    require,
)
from tracker.services.acceptance.criteria import SUPPLIER_WAITS, code, moves_for
from tracker.services.audit import CRITERION, _person_names
from tracker.services.delivery.issues import _deliverable_issue_map
from tracker.services.lookups import visible_deliverable

S = CriterionStatus
CRITERIA_COLUMNS = [
    "id",
    "deliverable_id",
    "deliverable",
    "deliverable_title",
    "owner_org_id",
    "supplier_org_id",
    "code",
    "title",
    "text",
    "sow_ref",
    "status",
    "version",
    "row_version",
    "stage_id",
    "stage",
    "sprint_id",
    "sprint",
    "due_on",
    "due",
    "jira_keys",
    "updated_at",
    "last_action",
    "last_comment",
    "moves",
]
VERSION_COLUMNS = ["criterion_id", "code", "version", "title", "text", "sow_ref", "current"]
EVIDENCE_COLUMNS = ["criterion_id", "code", "version", "url", "note", "submitted_at", "who"]


def _latest_entries(session: Session, criterion_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(last action, last comment) per criterion, the comment being the latest one given."""
    if not criterion_ids:
        return {}
    rows = session.exec(
        select(AuditEntry.subject_id, AuditEntry.action, AuditEntry.comment)
        .where(AuditEntry.subject == CRITERION, AuditEntry.subject_id.in_(criterion_ids))  # type: ignore[attr-defined]
        .order_by(AuditEntry.seq)  # type: ignore[arg-type]
    ).all()
    latest: dict[int, tuple[str, str]] = {}
    for subject_id, action, comment in rows:
        previous = latest.get(subject_id, ("", ""))[1]
        latest[subject_id] = (action, comment or previous)
    return latest


def _criteria(session: Session, actor: Actor, *conditions: object) -> pd.DataFrame:
    """Criteria the actor may read, current wording and effective due date, oldest first.

    The due date is the criterion's own, else the end of its sprint, else the planned end of its
    stage for that deliverable: a criterion tied to a sprint is due when the sprint ends.
    """
    rows = session.exec(
        select(
            AcceptanceCriterion,
            CriterionVersion,
            Deliverable,
            Stage.name,
            JiraSprint.name,
            JiraSprint.end_at,
            DeliverableStage.planned_end,
        )
        .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
        .join(
            CriterionVersion,
            and_(
                CriterionVersion.criterion_id == AcceptanceCriterion.id,
                CriterionVersion.version == AcceptanceCriterion.version,
            ),
        )
        .outerjoin(Stage, Stage.id == AcceptanceCriterion.stage_id)
        .outerjoin(JiraSprint, JiraSprint.id == AcceptanceCriterion.sprint_id)
        .outerjoin(
            DeliverableStage,
            and_(
                DeliverableStage.deliverable_id == Deliverable.id,
                DeliverableStage.stage_id == AcceptanceCriterion.stage_id,
            ),
        )
        .where(criteria_filter(actor), *conditions)
        .order_by(Deliverable.ref, AcceptanceCriterion.number)
    ).all()
    latest = _latest_entries(session, [c.id for c, *_ in rows])
    records = []
    for criterion, wording, deliverable, stage, sprint, sprint_end, stage_end in rows:
        status = CriterionStatus(criterion.status)
        action, comment = latest.get(criterion.id, ("", ""))
        records.append(
            (
                criterion.id,
                deliverable.id,
                deliverable.ref,
                deliverable.title,
                deliverable.owner_org_id,
                deliverable.supplier_org_id,
                code(criterion.number),
                wording.title,
                wording.text,
                wording.sow_ref,
                status.value,
                criterion.version,
                criterion.row_version,
                criterion.stage_id,
                stage,
                criterion.sprint_id,
                sprint,
                criterion.due_on,
                criterion.due_on or (sprint_end.date() if sprint_end else None) or stage_end,
                ", ".join(criterion.jira_keys),
                criterion.updated_at,
                action,
                comment or None,
                [m.value for m in moves_for(actor, deliverable, status)],
            )
        )
    frame = pd.DataFrame(records, columns=CRITERIA_COLUMNS)
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
    return frame


def criteria_frame(session: Session, actor: Actor, *, deliverable_id: int) -> pd.DataFrame:
    """One deliverable's criteria, as far as the actor may read them, with the moves they may
    make on each (the `moves` column)."""
    visible_deliverable(session, actor, deliverable_id=deliverable_id)
    return _criteria(session, actor, AcceptanceCriterion.deliverable_id == deliverable_id)


def may_add_criteria(session: Session, actor: Actor, *, deliverable_id: int) -> bool:
    """Whether the actor may add criteria to this deliverable (its council, or an admin)."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    return can_move_criterion(actor, deliverable, CriterionMove.create)


def waiting_for_supplier(session: Session, actor: Actor) -> pd.DataFrame:
    """For a supplier contact: the criteria across their deliverables waiting for them to
    confirm or query, or to submit evidence; for anyone else, nothing."""
    frame = _criteria(session, actor, AcceptanceCriterion.status.in_(SUPPLIER_WAITS))  # type: ignore[attr-defined]
    theirs = frame["moves"].map(lambda moves: any(m in SUPPLIER_CRITERION_MOVES for m in moves))
    # bool: an empty object-dtype mask would select columns, leaving a frame without any
    return frame.loc[theirs.astype(bool)].reset_index(drop=True)


def waiting_for_council(session: Session, actor: Actor) -> pd.DataFrame:
    """For a supplier contact: their organisation's criteria waiting on the council (queried,
    or evidence submitted), so a question asked or evidence sent stays in sight until the
    council answers; for anyone else, nothing."""
    if Role(actor.role) is not Role.supplier_contact:
        return _criteria(session, actor, false())
    return _criteria(
        session,
        actor,
        AcceptanceCriterion.status.in_([S.queried.value, S.evidence_submitted.value]),  # type: ignore[attr-defined]
        Deliverable.supplier_org_id == actor.organisation_id,
    )


def criteria_in(
    session: Session, actor: Actor, *, statuses: Iterable[CriterionStatus]
) -> pd.DataFrame:
    """Every criterion the actor may read, across programmes, in one of these statuses: what
    "needs me" sorts into what waits for the council, for the supplier, and what is overdue."""
    wanted = sorted(CriterionStatus(s).value for s in statuses)
    return _criteria(session, actor, AcceptanceCriterion.status.in_(wanted))  # type: ignore[attr-defined]


def programme_criteria(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Every criterion of a programme, for the board's roll-up (staff only)."""
    require(actor, Action.read_programme)
    return _criteria(session, actor, Deliverable.programme_id == programme_id)


def versions_frame(session: Session, actor: Actor, *, deliverable_id: int) -> pd.DataFrame:
    """Every wording of every criterion of a deliverable, old versions included (staff only)."""
    require(actor, Action.read_programme)
    rows = session.exec(
        select(AcceptanceCriterion, CriterionVersion)
        .join(CriterionVersion, CriterionVersion.criterion_id == AcceptanceCriterion.id)
        .where(AcceptanceCriterion.deliverable_id == deliverable_id)
        .order_by(AcceptanceCriterion.number, CriterionVersion.version)  # type: ignore[arg-type]
    ).all()
    return pd.DataFrame(
        [
            (c.id, code(c.number), v.version, v.title, v.text, v.sow_ref, v.version == c.version)
            for c, v in rows
        ],
        columns=VERSION_COLUMNS,
    )


def evidence_frame(session: Session, actor: Actor, *, deliverable_id: int) -> pd.DataFrame:
    """Evidence links offered for a deliverable's criteria, with who offered them (staff only)."""
    require(actor, Action.read_programme)
    rows = session.exec(
        select(AcceptanceCriterion.id, AcceptanceCriterion.number, CriterionEvidence, AuditEntry)
        .join(CriterionEvidence, CriterionEvidence.criterion_id == AcceptanceCriterion.id)
        .join(AuditEntry, AuditEntry.id == CriterionEvidence.audit_entry_id)
        .where(AcceptanceCriterion.deliverable_id == deliverable_id)
        .order_by(AcceptanceCriterion.number, CriterionEvidence.id)  # type: ignore[arg-type]
    ).all()
    names = _person_names(session, (entry.actor_person_id for *_, entry in rows))
    frame = pd.DataFrame(
        [
            (
                cid,
                code(number),
                e.version,
                e.url,
                e.note,
                entry.at,
                names.get(entry.actor_person_id),
            )
            for cid, number, e, entry in rows
        ],
        columns=EVIDENCE_COLUMNS,
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    return frame


@dataclass(frozen=True)
class CriterionOptions:
    """Choices for a criterion's stage and sprint on one deliverable, by id."""

    stages: dict[int, str]
    sprints: dict[int, str]


def criterion_options(session: Session, actor: Actor, *, deliverable_id: int) -> CriterionOptions:
    """The programme's stages, and the sprints the deliverable's Jira issues are or were in
    (their Sprint field; newest first), so a criterion is tied only to a sprint of its work."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    stages = session.exec(
        select(Stage.id, Stage.name)
        .where(Stage.programme_id == deliverable.programme_id)
        .order_by(Stage.position)  # type: ignore[arg-type]
    ).all()
    mapping = _deliverable_issue_map(session, deliverable.programme_id)
    issue_ids = [
        int(i) for i in mapping.loc[mapping["deliverable_id"] == deliverable_id, "issue_id"]
    ]
    held = session.exec(
        select(JiraIssue.site_id, JiraIssue.sprint_ids).where(JiraIssue.id.in_(issue_ids))  # type: ignore[union-attr]
    ).all()
    wanted = {(site, int(s)) for site, ids in held for s in ids.split(",") if s}
    sprints = session.exec(
        select(JiraSprint).order_by(JiraSprint.start_at.desc().nulls_first())  # type: ignore[union-attr]
    ).all()
    return CriterionOptions(
        stages=dict(stages),
        sprints={s.id or 0: s.name for s in sprints if (s.site_id, s.jira_id) in wanted},
    )
