"""The "Risks and dependencies" dimension's input, from the RAID log, the decision log and the
dependencies (tracker.services.raid), as the actor may see them.

Per deliverable: open high risks (scoring tracker.metrics.raid.HIGH_SCORE or more) past their
review date, open issues escalated to the board or the joint committee, and open dependencies it
waits on rated red. The highlight report also lists its top risks and the decisions it needs;
items of the whole programme (no deliverable) are listed for the programme. The log holds no
history of its states, so it is read once, as it stands, and each period judges review dates on
its own last day.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.metrics.raid import HIGH_SCORE, open_risks
from tracker.models import RaidKind, RaidStatus
from tracker.policy import Actor
from tracker.services.raid.decisions import decisions_needed
from tracker.services.raid.dependencies import deliverable_dependency_health
from tracker.services.raid.register import raid_frame

#: risks listed per deliverable (and for the programme) in the highlight report
TOP_RISKS = 3


@dataclass(frozen=True)
class RiskLog:
    """What the RAID services gave, read once: the register (with scores), each deliverable's
    open dependencies by health (by ref), and the decisions still needed."""

    register: pd.DataFrame
    dependencies: pd.DataFrame
    decisions: pd.DataFrame


@dataclass(frozen=True)
class RiskMeasures:
    """`frame`: per deliverable (in the order asked) `risks_available` (True),
    `high_risks_past_review`, `escalated_issues` and `red_dependencies`. `top_risks` and
    `decisions`: `deliverable_id` (NA for the programme's own) and `text`, in order."""

    frame: pd.DataFrame
    top_risks: pd.DataFrame
    decisions: pd.DataFrame


def read_risk_log(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    today: date,
    mapping: pd.DataFrame | None = None,
) -> RiskLog:
    """`mapping`: the programme's _deliverable_issue_map() when the caller has read it."""
    return RiskLog(
        register=raid_frame(session, actor, programme_id=programme_id, today=today),
        dependencies=deliverable_dependency_health(
            session, actor, programme_id=programme_id, mapping=mapping
        ),
        decisions=decisions_needed(session, actor, programme_id=programme_id),
    )


def _counts(flags: pd.Series, deliverable_ids: pd.Series, ids: list[int]) -> np.ndarray:
    counted = flags.astype(int).groupby(deliverable_ids).sum()
    return counted.reindex(ids, fill_value=0).to_numpy(dtype="int64")


def _day(value: object) -> str:
    return "none" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def risk_measures(log: RiskLog, deliverables: pd.DataFrame, day: date) -> RiskMeasures:
    """The measures of these deliverables (`id`, `ref`), review dates judged on `day`."""
    ids = [int(i) for i in deliverables["id"]]
    ref_to_id = dict(zip(deliverables["ref"], ids, strict=True))
    register = log.register
    owner = register["deliverable_id"].astype("Int64")
    is_open = register["status"].eq(RaidStatus.open.value)
    past_review = pd.to_datetime(register["review_date"]).lt(pd.Timestamp(day))
    high_past = register["kind"].eq(RaidKind.risk.value) & register["high"] & past_review
    escalated = register["kind"].eq(RaidKind.issue.value) & register["escalated"] & is_open
    red = log.dependencies.set_index("deliverable")["red"].rename(index=ref_to_id)
    frame = pd.DataFrame(
        {
            "risks_available": np.ones(len(ids), dtype=bool),
            "high_risks_past_review": _counts(high_past, owner, ids),
            "escalated_issues": _counts(escalated, owner, ids),
            "red_dependencies": red.reindex(ids, fill_value=0).to_numpy(dtype="int64"),
        }
    )
    risks = open_risks(register)
    risks = risks.assign(deliverable_id=risks["deliverable_id"].astype("Int64"))
    top = risks.groupby("deliverable_id", dropna=False, sort=False).head(TOP_RISKS)
    top_risks = pd.DataFrame(
        {
            "deliverable_id": top["deliverable_id"],
            "text": [
                f"{r.code} {r.title} (score {r.score}"
                + (", high" if pd.notna(r.score) and r.score >= HIGH_SCORE else "")
                + f"; review {_day(r.review_date)})"
                for r in top.itertuples()
            ],
        }
    )
    needed = log.decisions
    decisions = pd.DataFrame(
        {
            "deliverable_id": needed["deliverable"].map(ref_to_id).astype("Int64"),
            "text": [
                f"{d.code} {d.title} (needed by {_day(d.needed_by)})" for d in needed.itertuples()
            ],
        }
    )
    return RiskMeasures(frame, top_risks.reset_index(drop=True), decisions)
