"""The assurance check run by `tracker assurance check` (and a scheduled job): what is lacking,
what is blocked, and what is about to expire, on one day."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.policy import Actor
from tracker.services.assurance.accreditations import expiries_frame
from tracker.services.assurance.gates import Decision, compliance_frame

GAP_COLUMNS = [
    "ref",
    "organisation",
    "relationship",
    "sensitivity",
    "required",
    "missing",
    "decision",
    "override_reason",
]
EXPIRY_COLUMNS = ["organisation", "scheme", "certificate_ref", "expires_on", "days_left", "status"]


@dataclass(frozen=True)
class AssuranceReport:
    today: date
    #: every charity or supplier lacking something for a deliverable it handles
    gaps: pd.DataFrame
    #: accreditations expiring within 60 days, or expired and not renewed
    expiries: pd.DataFrame

    @property
    def blocks(self) -> pd.DataFrame:
        """Gaps no admin has overridden: the gate refuses these."""
        return self.gaps[self.gaps["decision"] == Decision.blocked.value]

    def as_json(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(frame.to_json(orient="records", date_format="iso"))

        expiries = self.expiries.assign(expires_on=self.expiries["expires_on"].astype(str))
        return {
            "date": self.today.isoformat(),
            "gaps": records(self.gaps),
            "blocks": records(self.blocks),
            "expiries": records(expiries),
        }


def assurance_report(
    session: Session, actor: Actor, *, today: date | None = None
) -> AssuranceReport:
    """The check as the actor may see it, relative to `today` (default: the real today)."""
    today = today or date.today()
    compliance = compliance_frame(session, actor, today=today)
    gaps = compliance[compliance["missing"] != ""][GAP_COLUMNS].reset_index(drop=True)
    expiries = expiries_frame(session, actor, today=today)[EXPIRY_COLUMNS]
    return AssuranceReport(today, gaps, expiries)
