"""The highlight report as files: a printable HTML pack (A4, a page per deliverable, charts as
static SVG), CSV and JSON. Each is drawn from the report document alone, so a published report
exports the same bytes whenever it is exported.

Owners' text is escaped in the HTML and made inert in the CSV (a cell starting with =, +, -, @,
a tab or a carriage return is prefixed with an apostrophe so a spreadsheet shows it as text).
Ratings are words in every format; in the HTML the colour only adds to the word.
"""

import io
import json
from html import escape
from typing import Any

import pandas as pd

from tracker.services.board.svg import burnup_svg
from tracker.services.spreadsheets import inert

LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "no data": "No data"}
TRENDS = {
    "better": ("↑", "better"),
    "worse": ("↓", "worse"),
    "same": ("→", "same"),
    "new": ("•", "no rating last period"),
}
CSV_COLUMNS = ["ref", "title", "dimension", "declared", "derived", "last_period", "trend"]
CSV_COLUMNS += ["declared_better", "reason", "summary", "next_period"]

STYLE = """
@page { size: A4; margin: 15mm; }
body { font-family: Arial, sans-serif; color: #0b0c0c; margin: 0 auto; max-width: 60rem;
       line-height: 1.4; font-size: 11pt; }
main { padding: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #505a5f; padding: 0.25rem 0.4rem; vertical-align: top;
         text-align: left; overflow-wrap: anywhere; }
th { background: #f3f2f1; }
.rag { display: inline-block; padding: 0 0.4rem; font-weight: bold; border-radius: 2px; }
.rag-red { background: #d4351c; color: #ffffff; }
.rag-amber { background: #ffdd00; color: #0b0c0c; }
.rag-green { background: #00703c; color: #ffffff; }
.rag-no-data { background: #505a5f; color: #ffffff; }
.flag { font-weight: bold; }
.owner-text { white-space: pre-wrap; border-left: 4px solid #505a5f; padding-left: 0.6rem; }
.deliverable { break-before: page; page-break-before: always; }
svg { max-width: 40rem; }
dt { font-weight: bold; }
dd { margin: 0 0 0.3rem 0; }
"""


def _rag(value: str | None) -> str:
    if not value:
        return "not declared"
    css = value.replace(" ", "-")
    return f'<span class="rag rag-{css}">{escape(LABELS.get(value, value))}</span>'


def _trend(value: str) -> str:
    arrow, words = TRENDS.get(value, ("", value))
    return f'<span aria-hidden="true">{arrow}</span> {escape(words)}'


def _day(value: str | None) -> str:
    return pd.Timestamp(value).strftime("%d %b %Y") if value else "none"


def _uk(instant: str) -> str:
    """An instant stored in UTC, as people in the UK read it."""
    when = pd.Timestamp(instant).tz_convert("Europe/London")
    return f"{when:%d %b %Y at %H:%M} UK time"


def _table(caption: str, head: list[str], rows: list[list[str]], empty: str) -> str:
    """A table of already-escaped cells, or a sentence when there are no rows."""
    if not rows:
        return f"<p><strong>{escape(caption)}</strong>: {escape(empty)}</p>"
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _text(value: str, empty: str) -> str:
    if not value:
        return f"<p>{escape(empty)}</p>"
    return f'<p class="owner-text">{escape(value)}</p>'


def _overall(deliverable: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in deliverable["ratings"] if r["dimension"] == "Overall")


def _risk_tables(risks: dict[str, list[str]]) -> str:
    """Top risks and the decisions needed, from the RAID and decision logs."""
    return _table(
        "Top open risks", ["Risk"], [[escape(t)] for t in risks["top_risks"]], "none open"
    ) + _table("Decisions needed", ["Decision"], [[escape(t)] for t in risks["decisions"]], "none")


def _deliverable(d: dict[str, Any]) -> str:
    e = escape
    f = d["forecast"]
    slip = "none" if f["slip_weeks"] is None else f"{f['slip_weeks']:+.1f} weeks"
    facts = {
        "Stage": d["stage"] or "none",
        "Owning council": d["owner"],
        "Supplier": d["supplier"] or "none",
        "Target date": _day(d["target_date"]),
        "Likely by": f"50% {_day(f['p50'])}, 85% {_day(f['p85'])}, 95% {_day(f['p95'])}",
        "Slip of the 85% date": slip,
        "Declared RAG reason": d["declared_reason"] or "none given",
    }
    details = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts.items())
    ratings = [
        [
            e(r["dimension"]),
            _rag(r["declared"]),
            _rag(r["derived"]),
            _rag(r["previous"]) if r["previous"] else "none",
            _trend(r["trend"]),
            e(r["reason"])
            + (
                '<br><span class="flag">Declared better than derived</span>'
                if r["declared_better"]
                else ""
            ),
        ]
        for r in d["ratings"]
    ]
    sprints = [
        [
            e(s["sprint"]),
            e(_day(s["closed"])),
            str(s["committed"]),
            str(s["completed"]),
            str(s["not_done"]),
        ]
        for s in d["work_done"]["sprints"]
    ]
    stages = [
        [e(_day(c["at"][:10])), e(c["from"] or ""), e(c["to"] or "")]
        for c in d["work_done"]["stage_changes"]
    ]
    upcoming = [
        [e(u["sprint"]), e(u["state"]), e(u["goal"] or "none"), str(u["issues"])]
        for u in d["work_next"]
    ]
    acceptance = [
        [e(_day(m["at"][:10])), e(m["code"]), e(m["action"]), e(m["from"] or ""), e(m["to"])]
        for m in d["acceptance"]
    ]
    gates = [
        [
            e(g["organisation"]),
            e(g["relationship"]),
            e(g["decision"]),
            e(g["missing"] or "none"),
            e(g["expiring"] or "none"),
        ]
        for g in d["assurance"]["gates"]
    ]
    movements = [[e(_day(m["at"][:10])), e(m["event"])] for m in d["assurance"]["movements"]]
    risk_html = _risk_tables(d["risks"])
    chart = burnup_svg(
        f"burnup-{d['id']}",
        f"Burnup of {d['ref']} {d['title']}",
        d["burnup"],
        target=d["target_date"],
        likely=f["p85"],
    )
    return f"""<section class="deliverable" aria-labelledby="d-{d["id"]}">
<h2 id="d-{d["id"]}">{e(d["ref"])} {e(d["title"])}</h2>
<dl>{details}</dl>
{
        _table(
            "Ratings: declared by the owner, derived from the data",
            ["Dimension", "Declared", "Derived", "Last period", "Trend", "Why"],
            ratings,
            "none",
        )
    }
<h3>Summary</h3>
{_text(d["summary"], "The owner has not written a summary for this period.")}
<h3>Next period</h3>
{_text(d["next_period"], "The owner has not written the plan for the next period.")}
<h3>Work done</h3>
{
        _table(
            "Sprints closed in the period (issues)",
            ["Sprint", "Closed", "Committed", "Completed", "Committed, not completed"],
            sprints,
            "no sprint closed in the period",
        )
    }
{_table("Stage changes", ["On", "From", "To"], stages, "no stage change in the period")}
<h3>Work next</h3>
{
        _table(
            "Next sprints",
            ["Sprint", "State", "Goal", "Issues in it"],
            upcoming,
            "no sprint planned yet",
        )
    }
<h3>Acceptance</h3>
{
        _table(
            "Acceptance criteria moved in the period",
            ["On", "Criterion", "Move", "From", "To"],
            acceptance,
            "no criterion moved in the period",
        )
    }
<h3>Assurance</h3>
{
        _table(
            "Assurance gates",
            ["Organisation", "Handles it as", "Gate", "Missing", "Expiring"],
            gates,
            "no charity or supplier handles its data",
        )
    }
{_table("Assurance changes in the period", ["On", "What"], movements, "none")}
<h3>Risks and decisions</h3>
{risk_html}
<h3>Burnup</h3>
{chart or "<p>No Jira issues synced: no burnup to draw.</p>"}
</section>"""


def report_html(content: dict[str, Any], stamp: str | None = None) -> str:
    """The printable pack: one HTML file, no scripts, nothing fetched from elsewhere. `stamp`
    says which publication this is (None for a report not published)."""
    e = escape
    name = content["programme"]["name"]
    period = f"{_day(content['period']['start'])} to {_day(content['period']['end'])}"
    programme = [
        [
            e(r["dimension"]),
            _rag(r["derived"]),
            _rag(r["previous"]) if r["previous"] else "none",
            _trend(r["trend"]),
            e(r["reason"]),
        ]
        for r in content["programme_ratings"]
    ]
    exceptions = [[e(x["ref"]), e(x["exception"]), e(x["detail"])] for x in content["exceptions"]]
    glance = [
        [
            e(d["ref"]),
            e(d["title"]),
            e(_day(d["target_date"])),
            e(_day(d["forecast"]["p85"])),
            e(
                "none"
                if d["forecast"]["slip_weeks"] is None
                else f"{d['forecast']['slip_weeks']:+.1f}"
            ),
            _rag(_overall(d)["declared"]),
            _rag(_overall(d)["derived"]),
            _trend(_overall(d)["trend"]),
        ]
        for d in content["deliverables"]
    ]
    thresholds = [[e(k), e(f"{v:g}")] for k, v in sorted(content["thresholds"].items())]
    status = e(stamp) if stamp else "Not published: a draft, as the data stood when it was made."
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Highlight report: {e(name)}, {e(period)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>Highlight report: {e(name)}</h1>
<p>Period {e(period)}. Jira figures as at the end of {e(_day(content["as_of"][:10]))}; acceptance,
assurance and the RAID log as they stood when the report was made ({e(_uk(content["made_at"]))}).
{status}</p>
<h2>Exceptions</h2>
{
        _table(
            "Exceptions: declared better than derived, and forecasts past target",
            ["Deliverable", "Exception", "Detail"],
            exceptions,
            "none",
        )
    }
<h2>Programme dimensions</h2>
{
        _table(
            "Derived ratings across the programme",
            ["Dimension", "Derived", "Last period", "Trend", "Why"],
            programme,
            "no deliverables",
        )
    }
<h2>Programme risks and decisions needed</h2>
{_risk_tables(content["programme_risks"])}
<h2>Deliverables: forecast against target</h2>
{
        _table(
            "Each deliverable's target, 85% likely date and overall rating",
            [
                "Ref",
                "Deliverable",
                "Target",
                "85% likely by",
                "Slip (weeks)",
                "Declared",
                "Derived",
                "Trend",
            ],
            glance,
            "no deliverables",
        )
    }
{"".join(_deliverable(d) for d in content["deliverables"])}
<h2>How the ratings were derived</h2>
<p>Each dimension's rating is the worst rule that fired; no data is never green; the overall is the
worst counted dimension. The limits this programme uses:</p>
{_table("Thresholds", ["Threshold", "Value"], thresholds, "defaults")}
</main>
</body>
</html>
"""


def report_rows(content: dict[str, Any]) -> pd.DataFrame:
    """One row per programme dimension, then per deliverable and dimension (the overall row
    carries the owner's text)."""
    rows = [
        {
            "ref": "",
            "title": content["programme"]["name"],
            "dimension": r["dimension"],
            "declared": "",
            "derived": r["derived"],
            "last_period": r["previous"] or "",
            "trend": r["trend"],
            "declared_better": "",
            "reason": r["reason"],
            "summary": "",
            "next_period": "",
        }
        for r in content["programme_ratings"]
    ]
    for d in content["deliverables"]:
        for r in d["ratings"]:
            overall = r["dimension"] == "Overall"
            rows.append(
                {
                    "ref": d["ref"],
                    "title": d["title"],
                    "dimension": r["dimension"],
                    "declared": r["declared"] or "",
                    "derived": r["derived"],
                    "last_period": r["previous"] or "",
                    "trend": r["trend"],
                    "declared_better": "yes" if r["declared_better"] else "",
                    "reason": r["reason"],
                    "summary": d["summary"] if overall else "",
                    "next_period": d["next_period"] if overall else "",
                }
            )
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def report_csv(content: dict[str, Any]) -> str:
    buffer = io.StringIO()
    inert(report_rows(content)).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def report_json(content: dict[str, Any]) -> str:
    return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


EXPORTS = {"html": report_html, "csv": report_csv, "json": report_json}


def export(content: dict[str, Any], kind: str, stamp: str | None = None) -> str:
    """The report in one of EXPORTS' formats."""
    return report_html(content, stamp) if kind == "html" else EXPORTS[kind](content)
