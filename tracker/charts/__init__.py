"""DataFrames in, plotly Figures out, nothing else; one module per area.

Accessibility (WCAG 2.2 AA, required of UK public-sector services): every figure has a title and
axis titles; no meaning rests on colour alone (each series also differs by dash style, marker
symbol, pattern or a label); colours come from the Okabe-Ito palette, which stays
distinguishable with the common colour-vision deficiencies.
"""

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "grey": "#555555",
}
