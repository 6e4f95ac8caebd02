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

DARK_TEXT = "#0b0c0c"
LIGHT_TEXT = "#ffffff"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str) -> str:
    """Dark or white text, whichever reads better on `fill`: plotly's own choice ignores
    opacity and patterns, and left white labels on pale hatched bars."""
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda text: contrast(text, fill))
