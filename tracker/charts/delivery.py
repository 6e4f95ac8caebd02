"""The sprint metrics' frames as figures: burndown, burnup, velocity, programme progress."""

import pandas as pd
import plotly.graph_objects as go

from tracker.charts import OKABE_ITO

# Each burndown event that is not a plain burn gets its own marker, so a reader can tell an
# addition from a removal without seeing colour.
EVENT_MARKERS = {
    "added": ("Added to the sprint", "triangle-up", OKABE_ITO["orange"]),
    "removed": ("Removed from the sprint", "triangle-down", OKABE_ITO["vermillion"]),
    "estimate_change": ("Estimate changed", "diamond", OKABE_ITO["purple"]),
    "reopen": ("Reopened", "circle-open", OKABE_ITO["sky"]),
}


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        hovermode="closest",
    )
    return figure


def burndown_figure(
    burndown: pd.DataFrame,
    guideline: pd.DataFrame | None = None,
    *,
    title: str = "Sprint burndown",
    unit: str = "points",
) -> go.Figure:
    """Remaining work as steps, scope changes marked and explained on hover, and the guideline."""
    figure = go.Figure()
    if guideline is not None:
        figure.add_trace(
            go.Scatter(
                x=guideline["at"],
                y=guideline["remaining"],
                name="Guideline",
                mode="lines",
                line={"color": OKABE_ITO["grey"], "dash": "dash", "width": 2},
                hovertemplate="Guideline: %{y:.1f}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=burndown["at"],
            y=burndown["remaining"],
            name="Remaining work",
            mode="lines+markers",
            line={"color": OKABE_ITO["blue"], "width": 3, "shape": "hv"},
            marker={"symbol": "circle", "size": 5},
            text=burndown["explanation"],
            hovertemplate="%{text}<br>%{y:g} remaining<extra></extra>",
        )
    )
    for event, (label, symbol, colour) in EVENT_MARKERS.items():
        rows = burndown.loc[burndown["event"] == event]
        if rows.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=rows["at"],
                y=rows["remaining"],
                name=label,
                mode="markers",
                marker={"symbol": symbol, "size": 12, "color": colour, "line": {"width": 1}},
                text=rows["explanation"],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return _layout(figure, title, "Date", f"Remaining work ({unit})")


def burnup_figure(
    burnup: pd.DataFrame, *, title: str = "Sprint burnup", unit: str = "points"
) -> go.Figure:
    """Work done climbing towards a scope line that moves when the sprint's scope changes."""
    figure = go.Figure(
        [
            go.Scatter(
                x=burnup["at"],
                y=burnup["scope"],
                name="Scope",
                mode="lines",
                line={"color": OKABE_ITO["orange"], "dash": "dash", "width": 2, "shape": "hv"},
            ),
            go.Scatter(
                x=burnup["at"],
                y=burnup["done"],
                name="Done",
                mode="lines+markers",
                line={"color": OKABE_ITO["blue"], "width": 3, "shape": "hv"},
                marker={"symbol": "circle", "size": 5},
            ),
        ]
    )
    return _layout(figure, title, "Date", f"Work ({unit})")


def velocity_figure(
    velocity: pd.DataFrame,
    *,
    title: str = "Velocity: committed and completed per sprint",
    unit: str = "points",
) -> go.Figure:
    """Committed (hatched) beside completed (solid) per sprint, values printed on the bars, and the
    recent average as a dotted line with its own markers; `unit` "points" or "issues" picks the
    velocity frame's columns (tracker.metrics.velocity)."""
    bars = {
        "Committed": (f"committed_{unit}", OKABE_ITO["sky"], "/"),
        "Completed": (f"completed_{unit}", OKABE_ITO["blue"], ""),
    }
    figure = go.Figure(
        [
            go.Bar(
                x=velocity["sprint"],
                y=velocity[column],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern}, "line": {"width": 1}},
                text=velocity[column],
                texttemplate="%{text:~g}",  # 28 and 2.5, not 28.0000 and 2.50000
                textposition="outside",
            )
            for name, (column, colour, pattern) in bars.items()
        ]
    )
    figure.add_trace(
        go.Scatter(
            x=velocity["sprint"],
            y=velocity[f"average_{unit}"],
            name="Average completed (recent sprints)",
            mode="lines+markers",
            line={"color": OKABE_ITO["vermillion"], "dash": "dot", "width": 2},
            marker={"symbol": "diamond", "size": 9},
        )
    )
    figure.update_layout(barmode="group")
    return _layout(figure, title, "Sprint", "Estimate (points)" if unit == "points" else "Issues")


def programme_figure(
    burnup: pd.DataFrame,
    forecast: pd.DataFrame | None = None,
    *,
    measure: str = "issues",
    title: str = "Programme burnup",
) -> go.Figure:
    """A programme's (or one deliverable's) daily burnup, with the forecast completion dates
    marked and labelled on the scope line; when no forecast is possible, the reason is shown."""
    figure = go.Figure(
        [
            go.Scatter(
                x=burnup["date"],
                y=burnup[f"scope_{measure}"],
                name="Scope",
                mode="lines",
                line={"color": OKABE_ITO["orange"], "dash": "dash", "width": 2},
            ),
            go.Scatter(
                x=burnup["date"],
                y=burnup[f"done_{measure}"],
                name="Done",
                mode="lines",
                line={"color": OKABE_ITO["blue"], "width": 3},
            ),
        ]
    )
    if forecast is not None:
        dated = forecast.loc[forecast["date"].notna()]
        if dated.empty:
            figure.add_annotation(
                text=forecast["note"].iloc[0],
                xref="paper",
                yref="paper",
                x=0.5,
                y=1.05,
                showarrow=False,
            )
        else:
            labels = [
                f"{p}% likely by {d:%d %b %Y}"
                for p, d in zip(dated["percentile"], dated["date"], strict=True)
            ]
            figure.add_trace(
                go.Scatter(
                    x=dated["date"],
                    y=[burnup[f"scope_{measure}"].iloc[-1]] * len(dated),
                    name="Forecast completion",
                    mode="markers+text",
                    marker={"symbol": "star", "size": 14, "color": OKABE_ITO["green"]},
                    text=labels,
                    # Dates a week apart sit close together: each star is labelled with its
                    # percentage only, above and below in turn; the full label is the hover
                    # text (and the page's forecast table).
                    customdata=dated["percentile"],
                    texttemplate="%{customdata}%",
                    textposition=(["top center", "bottom center"] * len(labels))[: len(labels)],
                    hovertemplate="%{text}<extra></extra>",
                )
            )
            # room after the last star, so neither it nor its label is cut off at the edge
            figure.update_xaxes(
                range=[burnup["date"].min(), dated["date"].max() + pd.Timedelta(days=10)]
            )
    y_title = "Estimate (points)" if measure == "points" else "Issues"
    return _layout(figure, title, "Date", y_title)
