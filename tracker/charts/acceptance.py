"""Acceptance across deliverables as a plotly figure (summary DataFrame in, Figure out)."""

import pandas as pd
import plotly.graph_objects as go

from tracker.charts import OKABE_ITO

# Colour is never the only cue: confirmed bars are hatched, accepted bars solid, and every bar
# is labelled with its percentage and count.
SERIES = (
    ("Confirmed by supplier", "confirmed", OKABE_ITO["blue"], "/"),
    ("Accepted by council", "accepted", OKABE_ITO["green"], ""),
)


def acceptance_chart(summary: pd.DataFrame) -> go.Figure:
    """Confirmed and accepted shares of each deliverable's criteria, from acceptance_summary."""
    frame = summary[summary["criteria"] > 0]
    labels = frame["deliverable"] + " " + frame["title"]
    figure = go.Figure()
    for name, column, colour, pattern in SERIES:
        share = frame[f"{column}_pct"]
        figure.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                y=labels,
                x=share,
                text=[
                    f"{pct:.0f}% ({count} of {total})"
                    for pct, count, total in zip(
                        share, frame[column], frame["criteria"], strict=True
                    )
                ],
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "#ffffff", "fillmode": "overlay"},
                    "line": {"color": "#1a1a1a", "width": 1},
                },
                hovertemplate=f"{name}: %{{text}}<extra></extra>",
            )
        )
    figure.update_layout(
        title="Acceptance criteria: confirmed (hatched) and accepted (solid)",
        # room right of 100% for the bar labels
        xaxis={
            "title": "Share of the deliverable's criteria (%)",
            "range": [0, 128],
            "tickvals": [0, 20, 40, 60, 80, 100],
        },
        yaxis={"title": "Deliverable", "autorange": "reversed"},
        barmode="group",
        height=140 + 70 * len(frame),
        legend={"title": "Criteria"},
    )
    return figure
