"""Jira's Velocity Chart: committed against completed, sprint by sprint."""

from collections.abc import Iterable

import pandas as pd

from tracker.metrics.sprint_report import SprintReport


def velocity(reports: Iterable[SprintReport], window: int = 3) -> pd.DataFrame:
    """One row per sprint in start order: `sprint_id`, `sprint`, `start`, `committed`,
    `completed`, and `average`, the mean completed over the last `window` sprints up to that one.

    Built from sprint reports so the chart shows the very figures of each sprint's report; a
    team plans with the recent average, so it is given for every sprint, not only the last.
    """
    frame = pd.DataFrame(
        [
            {
                "sprint_id": report.sprint.id,
                "sprint": report.sprint.name,
                "start": report.sprint.start,
                "committed": report.committed.points,
                "completed": report.completed.points,
            }
            for report in reports
        ],
        columns=["sprint_id", "sprint", "start", "committed", "completed"],
    )
    frame = frame.sort_values("start", ignore_index=True)
    frame["average"] = frame["completed"].rolling(window, min_periods=1).mean()
    return frame
