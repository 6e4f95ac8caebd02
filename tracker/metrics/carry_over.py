"""Where a closed sprint's unfinished work went: Jira's carry-over.

Closing a sprint in Jira moves each issue that is not done to a sprint the closer picks, or leaves
it for the backlog, and keeps the closed sprint in its Sprint field (which is why the sprint report
counts it as not completed rather than removed). A sprint review asks where that work went, and
the answer is in the Sprint changes Jira records with the close.
"""

import pandas as pd

from tracker.metrics.frames import EVENT_COLUMNS, mentions, validate
from tracker.metrics.sprint_report import SprintReport

#: Jira writes the Sprint changes of a close in the same request as the close itself; a change
#: this long after it is a later re-planning from the backlog, not the carry-over.
CLOSE_WINDOW = pd.Timedelta(minutes=1)

COLUMNS = ["issue_id", "key", "remaining", "to_sprint_id"]


def _first_new(from_value: str | None, to_value: str | None) -> int | None:
    before = {part.strip() for part in (from_value or "").split(",")}
    added = [part.strip() for part in (to_value or "").split(",") if part.strip() not in before]
    return int(added[0]) if added else None


def carry_over(report: SprintReport, events: pd.DataFrame) -> pd.DataFrame:
    """One row per issue not completed in the report's closed sprint, in the report's order.

    Columns: `issue_id`, `key`, `remaining` (its final estimate, NaN when unset) and
    `to_sprint_id` (Int64): the sprint it was moved to at the close, or NA when it went to the
    backlog. A sprint that has not closed has carried nothing over yet: the frame is empty.
    """
    validate(events, EVENT_COLUMNS, "events")
    sprint = report.sprint
    unfinished = report.issues.loc[report.issues["outcome"] == "not_completed"]
    if sprint.complete is None:
        unfinished = unfinished.iloc[:0]
    moves = events.loc[
        (events["field"] == "sprint").to_numpy()
        & events["issue_id"].isin(unfinished["issue_id"]).to_numpy()
        & (events["at"] >= report.close).to_numpy()
        & (events["at"] < report.close + CLOSE_WINDOW).to_numpy()
    ]
    moves = moves.loc[mentions(moves["from_value"], sprint.id)].sort_values(["at", "seq"])
    first = moves.drop_duplicates("issue_id").set_index("issue_id")
    destination = pd.Series(
        [_first_new(f, t) for f, t in zip(first["from_value"], first["to_value"], strict=True)],
        index=first.index,
        dtype="Int64",
    )
    return carried_to(report, destination)


def carried_to(report: SprintReport, destination: pd.Series) -> pd.DataFrame:
    """`carry_over`'s frame from where each issue went (`destination`: an Int64 sprint id by
    issue_id; an issue missing went to the backlog), as stored for a closed sprint."""
    unfinished = report.issues.loc[report.issues["outcome"] == "not_completed"]
    if report.sprint.complete is None:
        unfinished = unfinished.iloc[:0]
    return pd.DataFrame(
        {
            "issue_id": unfinished["issue_id"].to_numpy(),
            "key": unfinished["key"].to_numpy(),
            "remaining": unfinished["final_estimate"].to_numpy(dtype=float),
            "to_sprint_id": destination.reindex(unfinished["issue_id"]).to_numpy(),
        },
        columns=COLUMNS,
    ).astype({"issue_id": "int64", "to_sprint_id": "Int64"})
