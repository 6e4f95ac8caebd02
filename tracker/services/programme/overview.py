"""The programme overview: deliverables, their stage and RAG, and the stage plan.

Returns DataFrames so the page, the CLI and the tests read the same numbers.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.models import (
    Deliverable,
    DeliverableScope,
    DeliverableStage,
    Organisation,
    Programme,
    Stage,
    SyncOutcome,
    SyncRun,
)
from tracker.policy import Actor, deliverable_filter

DELIVERABLE_COLUMNS = [
    "id",
    "ref",
    "title",
    "stage",
    "stage_position",
    "rag",
    "rag_reason",
    "owner",
    "supplier",
    "sensitivity",
    "target_date",
    "last_sync",
]


@dataclass(frozen=True)
class ProgrammeInfo:
    id: int
    name: str
    description: str | None


def list_programmes(session: Session, actor: Actor) -> list[ProgrammeInfo]:
    """Programmes in which the actor can see at least one deliverable (all of them for staff)."""
    visible = select(Deliverable.programme_id).where(deliverable_filter(actor))
    rows = session.exec(
        select(Programme).where(Programme.id.in_(visible)).order_by(Programme.name)  # type: ignore[union-attr]
    )
    return [ProgrammeInfo(p.id or 0, p.name, p.description) for p in rows]


def deliverables_frame(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """One row per deliverable the actor may see, with names resolved and the last good sync."""
    owner = aliased(Organisation)
    supplier = aliased(Organisation)
    rows = session.exec(
        select(
            Deliverable.id,
            Deliverable.ref,
            Deliverable.title,
            Stage.name,
            Stage.position,
            Deliverable.rag,
            Deliverable.rag_reason,
            owner.name,
            supplier.name,
            Deliverable.sensitivity,
            Deliverable.target_date,
        )
        .join(owner, owner.id == Deliverable.owner_org_id)
        .outerjoin(supplier, supplier.id == Deliverable.supplier_org_id)
        .outerjoin(Stage, Stage.id == Deliverable.stage_id)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref)
    ).all()
    frame = pd.DataFrame(rows, columns=DELIVERABLE_COLUMNS[:-1])
    last_good = (
        select(SyncRun.site_id, func.max(SyncRun.finished_at).label("finished"))
        .where(SyncRun.outcome == SyncOutcome.succeeded)
        .group_by(SyncRun.site_id)
        .subquery()
    )
    syncs = session.exec(
        select(DeliverableScope.deliverable_id, func.max(last_good.c.finished))
        .join(last_good, last_good.c.site_id == DeliverableScope.site_id)
        .group_by(DeliverableScope.deliverable_id)
    ).all()
    last_sync = dict(syncs)
    frame["last_sync"] = pd.to_datetime(frame["id"].map(last_sync), utc=True)
    return frame


def headline_counts(deliverables: pd.DataFrame, today: date) -> dict[str, int]:
    """The board's first questions: how many, how many at risk, how many past their date."""
    rag = deliverables["rag"].value_counts()
    past_target = (deliverables["target_date"].notna()) & (
        pd.to_datetime(deliverables["target_date"]).dt.date < today
    )
    not_live = deliverables["stage"] != "Live"
    return {
        "deliverables": len(deliverables),
        "red": int(rag.get("red", 0)),
        "amber": int(rag.get("amber", 0)),
        "green": int(rag.get("green", 0)),
        "past_target": int((past_target & not_live).sum()),
    }


def stage_plan(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Planned and actual stage dates per visible deliverable, for the timeline."""
    rows = session.exec(
        select(
            Deliverable.ref,
            Deliverable.title,
            Stage.name,
            Stage.position,
            DeliverableStage.planned_start,
            DeliverableStage.planned_end,
            DeliverableStage.actual_start,
            DeliverableStage.actual_end,
        )
        .join(DeliverableStage, DeliverableStage.deliverable_id == Deliverable.id)
        .join(Stage, Stage.id == DeliverableStage.stage_id)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref, Stage.position)
    ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "ref",
            "title",
            "stage",
            "position",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
        ],
    )
