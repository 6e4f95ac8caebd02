"""Acceptance across deliverables, for the programme board: pure pandas over criteria frames.

Percentages count every criterion, drafts included, so a deliverable whose criteria are still
being written shows as not yet agreed rather than as 100% of nothing.
"""

from datetime import date

import pandas as pd

from tracker.models import CriterionStatus

S = CriterionStatus
#: statuses in which the supplier has confirmed the current wording (a rejection is of the
#: evidence, not of the criterion, so it stays confirmed)
CONFIRMED = frozenset({S.confirmed, S.evidence_submitted, S.accepted, S.rejected})

COUNT_COLUMNS = ("criteria", "confirmed", "accepted", "queried", "rejected", "overdue")
SUMMARY_COLUMNS = [
    "deliverable",
    "title",
    "criteria",
    "confirmed",
    "confirmed_pct",
    "accepted",
    "accepted_pct",
    "queried",
    "rejected",
    "overdue",
]


def overdue(due: pd.Series, status: pd.Series, today: date) -> pd.Series:
    """Criteria past their due date and not accepted; no due date is never overdue."""
    past = pd.to_datetime(due).dt.date.lt(today).fillna(False).astype(bool)
    return past & status.ne(S.accepted.value)


def soonest_due_first(criteria: pd.DataFrame, today: date) -> pd.DataFrame:
    """Criteria in the order to work through them: by due date (overdue first, since they are
    the earliest), undated last, then by deliverable and number; `overdue` added."""
    undated = criteria["due"].isna()
    return (
        criteria.assign(
            overdue=overdue(criteria["due"], criteria["status"], today),
            _undated=undated,
            _due=pd.to_datetime(criteria["due"]),
        )
        .sort_values(["_undated", "_due", "deliverable", "code"], kind="stable")
        .drop(columns=["_undated", "_due"])
        .reset_index(drop=True)
    )


def acceptance_summary(
    deliverables: pd.DataFrame, criteria: pd.DataFrame, today: date
) -> pd.DataFrame:
    """One row per deliverable (`ref`, `title` in `deliverables`), from criteria with
    `deliverable` (the ref), `status` and `due`; deliverables without criteria show zeros and
    no percentage."""
    flags = pd.DataFrame(
        {
            "deliverable": criteria["deliverable"],
            "criteria": 1,
            "confirmed": criteria["status"].isin([s.value for s in CONFIRMED]),
            "accepted": criteria["status"].eq(S.accepted.value),
            "queried": criteria["status"].eq(S.queried.value),
            "rejected": criteria["status"].eq(S.rejected.value),
            "overdue": overdue(criteria["due"], criteria["status"], today),
        }
    )
    counts = flags.groupby("deliverable").sum().astype("int64")
    summary = (
        deliverables[["ref", "title"]]
        .rename(columns={"ref": "deliverable"})
        .merge(counts, left_on="deliverable", right_index=True, how="left")
    )
    summary[list(COUNT_COLUMNS)] = summary[list(COUNT_COLUMNS)].fillna(0).astype("int64")
    total = summary["criteria"].where(summary["criteria"] > 0)
    summary["confirmed_pct"] = (100 * summary["confirmed"] / total).round(0)
    summary["accepted_pct"] = (100 * summary["accepted"] / total).round(0)
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


def acceptance_totals(summary: pd.DataFrame) -> dict[str, float | int | None]:
    """The programme's headline numbers from a summary: counts, and percentages of all criteria
    (None when there are none)."""
    counts = {c: int(summary[c].sum()) for c in COUNT_COLUMNS}
    total = counts["criteria"]
    return counts | {
        "confirmed_pct": round(100 * counts["confirmed"] / total) if total else None,
        "accepted_pct": round(100 * counts["accepted"] / total) if total else None,
    }
