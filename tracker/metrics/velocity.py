"""Jira's Velocity Chart: committed against completed, sprint by sprint."""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tracker.metrics.sprint_report import SprintReport

#: The totals of each sprint, each given as `<name>_points` and `<name>_issues`.
TOTALS = ("committed", "completed", "added", "removed", "not_completed")
COLUMNS = [
    "sprint_id",
    "sprint",
    "start",
    *(f"{name}_{unit}" for name in TOTALS for unit in ("points", "issues")),
    "average_points",
    "average_issues",
]


def velocity(reports: Iterable[SprintReport], window: int = 3) -> pd.DataFrame:
    """One row per sprint in start order: `sprint_id`, `sprint`, `start`, then points and issue
    counts of each of TOTALS (`committed_points`, `committed_issues`, ...), and
    `average_points` / `average_issues`, the mean completed over the last `window` sprints up to
    that one. Points are NaN for a sprint counted in issues only (no estimation field).

    Built from sprint reports so the chart shows the very figures of each sprint's report; a
    team plans with the recent average, so it is given for every sprint, not only the last.
    """
    rows = []
    for report in reports:
        row: dict[str, object] = {
            "sprint_id": report.sprint.id,
            "sprint": report.sprint.name,
            "start": report.sprint.start,
        }
        for name in TOTALS:
            total = getattr(report, name)
            row[f"{name}_points"] = np.nan if total.points is None else total.points
            row[f"{name}_issues"] = total.issues
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS[:-2])
    frame = frame.sort_values("start", ignore_index=True).astype(
        {f"{name}_points": "float64" for name in TOTALS}
        | {f"{name}_issues": "int64" for name in TOTALS}
    )
    for unit in ("points", "issues"):
        completed = frame[f"completed_{unit}"].astype("float64")
        frame[f"average_{unit}"] = completed.rolling(window, min_periods=1).mean()
    return frame
