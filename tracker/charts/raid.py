"""The RAID log's 5x5 heatmap as a plotly figure (heatmap_counts in, Figure out).

Colour is never the only cue: every cell shows its count and its band in words ("2 high"), and
the hover gives likelihood, impact and score.
"""

import pandas as pd
import plotly.graph_objects as go

from tracker.charts import text_colour_on
from tracker.metrics.raid import band

# GOV.UK design system colours, as the RAG cells elsewhere
BAND_COLOURS = {"low": "#00703c", "medium": "#ffdd00", "high": "#d4351c"}
BAND_ORDER = ("low", "medium", "high")


def heatmap_chart(grid: pd.DataFrame) -> go.Figure:
    """Open risks by likelihood (rows, 5 at the top) and impact (columns)."""
    likelihoods, impacts = list(grid.index), list(grid.columns)
    bands = [[band(int(lik) * int(imp)) for imp in impacts] for lik in likelihoods]
    steps = len(BAND_ORDER) - 1
    scale = [
        [edge, BAND_COLOURS[word]]
        for i, word in enumerate(BAND_ORDER)
        for edge in (max(0.0, (i - 0.5) / steps), min(1.0, (i + 0.5) / steps))
    ]
    figure = go.Figure(
        go.Heatmap(
            z=[[BAND_ORDER.index(word) for word in row] for row in bands],
            x=[str(i) for i in impacts],
            y=[str(lik) for lik in likelihoods],
            zmin=0,
            zmax=steps,
            colorscale=scale,
            showscale=False,
            xgap=3,
            ygap=3,
            customdata=[
                [
                    [int(grid.loc[lik, imp]), int(lik) * int(imp), word]
                    for imp, word in zip(impacts, row, strict=True)
                ]
                for lik, row in zip(likelihoods, bands, strict=True)
            ],
            hovertemplate=(
                "Likelihood %{y}, impact %{x}: score %{customdata[1]} (%{customdata[2]})<br>"
                "%{customdata[0]} open risks<extra></extra>"
            ),
        )
    )
    for lik, row in zip(likelihoods, bands, strict=True):
        for imp, word in zip(impacts, row, strict=True):
            count = int(grid.loc[lik, imp])
            figure.add_annotation(
                x=str(imp),
                y=str(lik),
                text=f"<b>{count}</b> {word}",
                showarrow=False,
                font={"color": text_colour_on(BAND_COLOURS[word]), "size": 14},
            )
    figure.update_layout(
        title="Open risks by likelihood and impact (count and band in each cell)",
        xaxis={"title": "Impact (1 to 5)", "type": "category"},
        yaxis={"title": "Likelihood (1 to 5)", "type": "category"},
        height=420,
        margin={"t": 60},
    )
    return figure
