"""The programme's stage timeline as a plotly figure (DataFrame in, Figure out)."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from tracker.charts import DARK_TEXT, OKABE_ITO, text_colour_on

# Colour is never the only cue: every bar carries its stage name, and planned bars are hatched
# while actual bars are solid.
STAGE_COLOURS = tuple(
    OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky", "vermillion")
)


def stage_timeline(plan: pd.DataFrame, today: date) -> go.Figure:
    """Planned (hatched) and actual (solid) bars per deliverable and stage, with a 'today' line."""
    figure = go.Figure()
    frame = plan.copy()
    frame["label"] = frame["ref"] + " " + frame["title"]
    actual_end = pd.to_datetime(frame["actual_end"]).fillna(pd.Timestamp(today))
    # Planned bars: the stage's colour as a hatch on white, dark labels; actual bars: solid
    # colour, with whichever label colour contrasts with it (WCAG 1.4.3).
    kinds = {
        "Planned": (frame["planned_start"], frame["planned_end"]),
        "Actual": (frame["actual_start"], actual_end),
    }
    for kind, (starts, ends) in kinds.items():
        start = pd.to_datetime(starts)
        end = pd.to_datetime(ends)
        shown = start.notna() & end.notna()
        duration_ms = (end - start).dt.total_seconds() * 1000
        colours = [STAGE_COLOURS[p % len(STAGE_COLOURS)] for p in frame.loc[shown, "position"]]
        if kind == "Planned":
            marker = {
                "color": "#ffffff",
                "pattern": {
                    "shape": "/",
                    "fgcolor": colours,
                    "bgcolor": "#ffffff",
                    "solidity": 0.3,
                },
                "line": {"color": colours, "width": 2},
            }
            labels = [DARK_TEXT] * len(colours)
        else:
            marker = {"color": colours, "line": {"color": "#1a1a1a", "width": 1}}
            labels = [text_colour_on(c) for c in colours]
        figure.add_trace(
            go.Bar(
                name=kind,
                orientation="h",
                y=frame.loc[shown, "label"],
                base=start[shown].dt.strftime("%Y-%m-%d"),
                x=duration_ms[shown],
                text=frame.loc[shown, "stage"],
                textposition="inside",
                insidetextanchor="middle",
                insidetextfont={"color": labels},
                marker=marker,
                customdata=frame.loc[shown, ["stage"]].assign(
                    start=start[shown].dt.strftime("%d %b %Y"),
                    end=end[shown].dt.strftime("%d %b %Y"),
                ),
                hovertemplate=(
                    f"{kind} %{{customdata[0]}}: %{{customdata[1]}} to %{{customdata[2]}}"
                    "<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line_dash="dash", line_width=2)
    figure.add_annotation(
        x=pd.Timestamp(today).timestamp() * 1000,
        y=1.02,
        yref="paper",
        text="Today",
        showarrow=False,
    )
    figure.update_layout(
        title="Stage timeline: planned (hatched) and actual (solid)",
        xaxis={"type": "date", "title": "Date"},
        yaxis={"title": "Deliverable", "autorange": "reversed"},
        barmode="group",
        height=120 + 70 * frame["ref"].nunique(),
        legend={"title": "Dates"},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return figure
