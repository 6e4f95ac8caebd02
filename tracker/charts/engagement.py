"""The power/interest grid as a plotly figure (DataFrame in, Figure out).

Colour is never the only cue: each side has its own marker shape as well as colour, every point
carries the person's name, and each quadrant is named in words.
"""

import pandas as pd
import plotly.graph_objects as go

from tracker.charts import OKABE_ITO
from tracker.models import Side
from tracker.services.engagement.maps import QUADRANTS

# A colour and a distinct shape per side.
SIDE_MARKERS = {
    Side.council: (OKABE_ITO["blue"], "circle"),
    Side.supplier: (OKABE_ITO["vermillion"], "square"),
    Side.charity: (OKABE_ITO["green"], "diamond"),
    Side.partner: (OKABE_ITO["purple"], "triangle-up"),
}
_SPREAD = 0.2  # vertical gap between people who share a cell


def _spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Stack people who share a cell vertically and label each beside its marker (towards the
    middle of the grid), so every name stays readable and inside its quadrant."""
    frame = frame.copy()
    frame["x"] = frame["interest"].astype(float)
    frame["y"] = frame["power"].astype(float)
    frame["label_at"] = ["middle left" if i >= 4 else "middle right" for i in frame["interest"]]
    for _, cell in frame.groupby(["power", "interest"]):
        middle = (len(cell) - 1) / 2
        for k, index in enumerate(cell.index):
            frame.loc[index, "y"] += _SPREAD * (k - middle)
    return frame


def power_interest_grid(grid: pd.DataFrame, title: str) -> go.Figure:
    """People placed by interest (x) and power (y), 1 to 5, with the four quadrants named."""
    figure = go.Figure()
    placed = _spread(grid)
    for side, (colour, symbol) in SIDE_MARKERS.items():
        rows = placed[placed["side"] == side]
        if rows.empty:
            continue
        figure.add_trace(
            go.Scatter(
                name=f"{side.value.capitalize()} side",
                x=rows["x"],
                y=rows["y"],
                mode="markers+text",
                text=rows["name"],
                textposition=rows["label_at"],
                textfont={"color": "#0b0c0c"},
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 13,
                    "line": {"color": "#1a1a1a", "width": 1},
                },
                customdata=rows[["organisation", "raci", "power", "interest", "quadrant"]],
                hovertemplate=(
                    "%{text} (%{customdata[0]}), RACI %{customdata[1]}<br>"
                    "power %{customdata[2]}, interest %{customdata[3]}: %{customdata[4]}"
                    "<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=2.5, line_dash="dot", line_color="#505a5f")
    figure.add_hline(y=2.5, line_dash="dot", line_color="#505a5f")
    for (high_power, high_interest), name in QUADRANTS.items():
        figure.add_annotation(
            x=5.6 if high_interest else 0.4,
            y=5.6 if high_power else 0.4,
            text=f"<b>{name}</b>",
            showarrow=False,
            xanchor="right" if high_interest else "left",
            font={"color": "#0b0c0c"},
        )
    axis = {"range": [0.3, 5.7], "dtick": 1, "zeroline": False}
    figure.update_layout(
        title=title,
        xaxis={**axis, "title": "Interest (1 low to 5 high)"},
        yaxis={**axis, "title": "Power (1 low to 5 high)"},
        height=560,
        legend={"title": "Side (shape and colour)"},
    )
    return figure
