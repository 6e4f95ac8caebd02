"""A deliverable's burnup as a static SVG for the printable pack: drawn here, with no browser or
image renderer, so an export needs nothing installed and prints the same everywhere.

The figure says everything in words too: its title and description name the latest scope and
done, the target and the 85% likely date, and the lines are told apart by dash and label, not by
colour alone.
"""

from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
INK, DONE, SCOPE, TARGET, LIKELY = "#0b0c0c", "#1d70b8", "#505a5f", "#d4351c", "#00703c"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def burnup_svg(
    chart_id: str,
    title: str,
    points: list[dict],
    *,
    target: str | None,
    likely: str | None,
) -> str:
    """Scope and done (issues) week by week, with the target date and the 85% likely date marked.
    `points` are {"date", "scope", "done"} (ISO dates); an empty list draws nothing."""
    if not points:
        return ""
    days = [date.fromisoformat(p["date"]) for p in points]
    marks = {"Target": _day(target), "85% likely": _day(likely)}
    first = days[0]
    last = max([days[-1], *(d for d in marks.values() if d)])
    span = max((last - first).days, 1)
    top = max(max(p["scope"] for p in points), 1)

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)

    def line(key: str) -> str:
        return " ".join(f"{x(d):.1f},{y(p[key]):.1f}" for d, p in zip(days, points, strict=True))

    end = points[-1]
    described = f"On {days[-1]:%d %b %Y}: {end['done']} of {end['scope']} issues done. " + " ".join(
        f"{name}: {day:%d %b %Y}." for name, day in marks.items() if day
    )
    markers = "".join(
        f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{colour}" stroke-width="2" stroke-dasharray="2 3"/>'
        f'<text x="{x(day) + 3:.1f}" y="{TOP + 12 + 14 * i}" fill="{INK}" font-size="12">'
        f"{escape(name)} {day:%d %b %Y}</text>"
        for i, ((name, day), colour) in enumerate(zip(marks.items(), (TARGET, LIKELY), strict=True))
        if day
    )
    axis_y = HEIGHT - BOTTOM
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" y2="{axis_y}" stroke="{INK}"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{axis_y}" stroke="{INK}"/>'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" fill="{INK}" font-size="12">'
        f"{top}</text>"
        f'<text x="{LEFT - 6}" y="{axis_y}" text-anchor="end" fill="{INK}" font-size="12">0</text>'
        f'<text x="{LEFT}" y="{axis_y + 16}" fill="{INK}" font-size="12">{first:%d %b %Y}</text>'
        f'<text x="{WIDTH - RIGHT}" y="{axis_y + 16}" text-anchor="end" fill="{INK}" '
        f'font-size="12">{last:%d %b %Y}</text>'
        f'<polyline points="{line("scope")}" fill="none" stroke="{SCOPE}" stroke-width="2" '
        f'stroke-dasharray="6 4"/>'
        f'<polyline points="{line("done")}" fill="none" stroke="{DONE}" stroke-width="3"/>'
        f"{markers}"
        f'<text x="{LEFT}" y="{HEIGHT - 6}" fill="{INK}" font-size="12">'
        "Issues: scope (dashed grey line) and done (solid blue line), week by week</text>"
        "</svg>"
    )
