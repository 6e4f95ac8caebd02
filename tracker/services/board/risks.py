"""The "Risks and dependencies" dimension's input: the RAID log and the dependencies between
deliverables (a separate piece of work). Until that log exists this input reports itself missing,
and the dimension shows "no data" without counting towards the overall rating; once it exists,
this module reads it and nothing else in the pack changes.
"""

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from tracker.policy import Actor


@dataclass(frozen=True)
class RiskMeasures:
    """Per deliverable (in the order asked): `risks_available` (True), `high_risks_past_review`,
    `escalated_issues` and `red_dependencies`; `top_risks` and `decisions` are what the highlight
    report lists for each deliverable (`deliverable_id`, `text`)."""

    frame: pd.DataFrame
    top_risks: pd.DataFrame
    decisions: pd.DataFrame


def risk_measures(
    session: Session, actor: Actor, *, deliverable_ids: list[int], as_of: pd.Timestamp
) -> RiskMeasures | None:
    """The risk measures of these deliverables at `as_of`, or None while tracker holds no RAID
    log to read them from."""
    return None
