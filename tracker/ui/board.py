"""Streamlit glue of the Board pack page: the cached report, its tables, and the forms that
write notes, thresholds and publications.

The page draws the very document the exports and publication use
(tracker.services.board.highlight), so what the board reads on screen is what it can download.
Every rating is a word; the colour behind it only adds to the word.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from tracker.metrics.rag import Dimension, Thresholds
from tracker.policy import Action, Actor, can
from tracker.services.board.exports import LABELS, TRENDS, export
from tracker.services.board.highlight import build_report
from tracker.services.board.notes import period_notes, save_note
from tracker.services.board.period import Period
from tracker.services.board.publish import (
    pack_version,
    publish_report,
    published_content,
    published_reports,
    stamp_of,
)
from tracker.services.board.ratings import forecast_against_target
from tracker.services.board.thresholds import programme_thresholds, save_thresholds
from tracker.ui.markdown import plain
from tracker.ui.page import attempt
from tracker.ui.session import db
from tracker.ui.widgets import RAG_STYLES

#: the pack's inputs change through other pages and other processes; the version key sees most
#: of them at once (tracker.services.board.publish.pack_version) and the TTL bounds the rest
CACHE_TTL = timedelta(minutes=15)
RATING_STYLES = RAG_STYLES | {"No data": "background-color: #505a5f; color: #ffffff"}
NOT_DECLARED = "not declared"


def current_pack_version(actor: Actor, programme_id: int) -> str:
    with db() as session:
        return pack_version(session, actor, programme_id=programme_id)


#: a resource, not data: the page only reads the report, and a large programme's report is too big
#: to copy on every visit
@st.cache_resource(ttl=CACHE_TTL, show_spinner="Deriving the ratings...")
def load_report(
    actor: Actor, programme_id: int, start: date | None, end: date | None, version: str
) -> dict[str, Any]:
    with db() as session:
        return build_report(session, actor, programme_id=programme_id, start=start, end=end)


@st.cache_data(ttl=CACHE_TTL, show_spinner="Forecasting against the targets...")
def load_forecasts(actor: Actor, programme_id: int, version: str) -> pd.DataFrame:
    with db() as session:
        return forecast_against_target(session, actor, programme_id=programme_id)


def forecast_columns(deliverables: pd.DataFrame, forecasts: pd.DataFrame) -> pd.DataFrame:
    """The overview's rows with the 85% likely date and its slip past the target, in words."""
    found = forecasts.set_index("deliverable_id").reindex(deliverables["id"])
    return deliverables.assign(
        likely=found["p85"].dt.strftime("%d %b %Y").fillna("no date").to_numpy(),
        slip=found["slip_weeks"].map(lambda w: "no date" if pd.isna(w) else f"{w:+.1f}").to_numpy(),
    )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def load_published(actor: Actor, programme_id: int, version: str) -> pd.DataFrame:
    with db() as session:
        return published_reports(session, actor, programme_id=programme_id)


def published_file(actor: Actor, report_id: int, kind: str) -> str:
    """A published report as one of its files, exactly as frozen (read when downloaded)."""
    with db() as session:
        content = published_content(session, actor, report_id=report_id)
        stamp = stamp_of(session, actor, report_id=report_id)
    return export(content, kind, stamp)


def published_table(published: pd.DataFrame) -> pd.DataFrame:
    """Published reports, newest period first, with what superseded what, in UK time."""
    return pd.DataFrame(
        {
            "Report": published["id"],
            "Period": published["period_start"].map("{:%d %b %Y}".format)
            + " to "
            + published["period_end"].map("{:%d %b %Y}".format),
            "Publication": published["publication"],
            "Published": published["published_at"]
            .dt.tz_convert("Europe/London")
            .dt.strftime("%d %b %Y %H:%M UK time"),
            "Status": published["superseded_by"].map(
                lambda s: "in force" if pd.isna(s) else f"superseded by report {s}"
            ),
            "SHA-256": published["content_sha256"],
        }
    )


#: sprint-aligned periods offered besides the latest
EARLIER_PERIODS = 5


def choose_period(latest: Period) -> tuple[date | None, date | None]:
    """A recent two-week period, or dates typed in full (YYYY-MM-DD): typed dates are labelled
    text fields, which every assistive technology reads, rather than a segmented date picker."""
    periods = [latest]
    for _ in range(EARLIER_PERIODS):
        periods.append(periods[-1].previous)
    chosen = st.selectbox("Period", periods, format_func=str, key="pack_period")
    with st.expander("Other dates"):
        left, right = st.columns(2)
        typed = {
            "From": left.text_input("From (YYYY-MM-DD)", key="pack_from"),
            "To": right.text_input("To (YYYY-MM-DD)", key="pack_to"),
        }
    if not any(v.strip() for v in typed.values()):
        return chosen.start, chosen.end
    days, problems = {}, []
    for name, text in typed.items():
        try:
            days[name] = date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            problems.append(f"{name}: '{text}' is not a date written as YYYY-MM-DD")
    if problems:
        st.error(plain("No report for those dates: " + "; ".join(problems)))
        st.stop()
    return days["From"], days["To"]


def word(rating: str | None) -> str:
    return LABELS.get(rating, rating) if rating else NOT_DECLARED


def trend_words(value: str) -> str:
    arrow, words = TRENDS.get(value, ("", value))
    return f"{arrow} {words}"


def styled(frame: pd.DataFrame, columns: list[str]) -> Styler:
    """Rating columns show their word on a matching background."""
    return frame.style.map(lambda v: RATING_STYLES.get(v, ""), subset=columns)


def _day(value: str | None) -> str:
    return f"{date.fromisoformat(value):%d %b %Y}" if value else "none"


def exceptions_table(content: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [(e["ref"], e["exception"].capitalize(), e["detail"]) for e in content["exceptions"]],
        columns=["Ref", "Exception", "Detail"],
    )


def programme_table(content: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                r["dimension"],
                word(r["derived"]),
                word(r["previous"]) if r["previous"] else "none",
                trend_words(r["trend"]),
                r["reason"],
            )
            for r in content["programme_ratings"]
        ],
        columns=["Dimension", "Derived", "Last period", "Trend", "Why"],
    )


def deliverables_table(content: dict[str, Any]) -> pd.DataFrame:
    """One row per deliverable: forecast against target, declared and derived overall."""
    rows = []
    for d in content["deliverables"]:
        overall = next(r for r in d["ratings"] if r["dimension"] == "Overall")
        f = d["forecast"]
        rows.append(
            (
                d["ref"],
                d["title"],
                _day(d["target_date"]),
                _day(f["p50"]),
                _day(f["p85"]),
                "none" if f["slip_weeks"] is None else f"{f['slip_weeks']:+.1f}",
                word(overall["declared"]),
                word(overall["derived"]),
                trend_words(overall["trend"]),
                overall["reason"],
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Ref",
            "Deliverable",
            "Target",
            "50% likely by",
            "85% likely by",
            "Slip (weeks)",
            "Declared",
            "Derived",
            "Trend",
            "Derived from",
        ],
    )


def ratings_table(deliverable: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                r["dimension"],
                word(r["declared"]),
                word(r["derived"]),
                word(r["previous"]) if r["previous"] else "none",
                trend_words(r["trend"]),
                r["reason"] + (" (declared better than derived)" if r["declared_better"] else ""),
            )
            for r in deliverable["ratings"]
        ],
        columns=["Dimension", "Declared", "Derived", "Last period", "Trend", "Why"],
    )


def downloads(make: Callable[[str], str], name: str, key: str) -> None:
    """The pack as printable HTML, CSV and JSON, each made only when it is downloaded (a large
    programme's pack is a megabyte that most visits never ask for)."""
    kinds = {"html": "text/html", "csv": "text/csv", "json": "application/json"}
    columns = st.columns(len(kinds))
    for column, (kind, mime) in zip(columns, kinds.items(), strict=True):
        column.download_button(
            f"Download {kind.upper()}",
            lambda kind=kind: make(kind),
            file_name=f"{name}.{kind}",
            mime=mime,
            key=f"{key}_{kind}",
        )


def notes_form(actor: Actor, programme_id: int, period: Period) -> None:
    """The owner's note for a deliverable they may edit: summary, next period, declared ratings."""
    with db() as session:
        notes = period_notes(session, actor, programme_id=programme_id, period=period)
    mine = notes.loc[notes["may_edit"]].set_index("deliverable_id")
    if mine.empty:
        return
    st.subheader("Your highlight notes")
    st.caption(
        f"For {period}. Your declared rating per dimension is compared with the derived one; "
        "publishing needs every dimension declared."
    )
    chosen = st.selectbox(
        "Deliverable to write for", list(mine.index), format_func=mine["ref"].get, key="note_of"
    )
    note = mine.loc[chosen]
    options = [NOT_DECLARED, "red", "amber", "green"]
    with st.form(f"note_{chosen}_{period.start}_{period.end}"):
        summary = st.text_area(
            "Summary of the period", note["summary"], max_chars=4000, key=f"note_summary_{chosen}"
        )
        next_period = st.text_area(
            "Plan for the next period",
            note["next_period"],
            max_chars=4000,
            key=f"note_next_{chosen}",
        )
        columns = st.columns(3)
        declared = {}
        for i, dimension in enumerate(Dimension):
            held = note["declared"].get(dimension.value, NOT_DECLARED)
            declared[dimension.value] = columns[i % 3].selectbox(
                f"Declared {dimension.value}",
                options,
                index=options.index(held),
                format_func=lambda v: v.capitalize(),
                key=f"note_{dimension.name}_{chosen}",
            )
        if st.form_submit_button("Save note") and attempt(
            lambda session: save_note(
                session,
                actor,
                deliverable_id=int(chosen),
                period=period,
                summary=summary,
                next_period=next_period,
                declared={k: ("" if v == NOT_DECLARED else v) for k, v in declared.items()},
            ),
            refused="Not saved: ",
        ):
            st.rerun()


def thresholds_section(actor: Actor, programme_id: int) -> None:
    """The limits the ratings use: shown to everyone, changed by admins."""
    with db() as session:
        current = programme_thresholds(session, actor, programme_id=programme_id)
    st.subheader("Thresholds")
    st.dataframe(
        pd.DataFrame(
            [(Thresholds.MEANINGS[k], f"{v:g}") for k, v in current.as_dict().items()],
            columns=["Rule", "Limit"],
        ),
        hide_index=True,
        key="thresholds_table",
    )
    if not can(actor, Action.manage_programme):
        return
    with st.form("thresholds_form"):
        st.caption("Change the limits for this programme (admins).")
        columns = st.columns(2)
        values = {
            key: columns[i % 2].number_input(
                Thresholds.MEANINGS[key], value=float(value), min_value=0.0, step=1.0
            )
            for i, (key, value) in enumerate(current.as_dict().items())
        }
        if st.form_submit_button("Save thresholds") and attempt(
            lambda session: save_thresholds(
                session, actor, programme_id=programme_id, values=values
            ),
            refused="Not saved: ",
        ):
            st.rerun()


def publish_button(actor: Actor, programme_id: int, period: Period) -> None:
    if not can(actor, Action.manage_programme):
        return
    st.caption(
        "Publishing freezes this report as it stands: later edits and syncs never change it, and "
        "its SHA-256 goes into the audit ledger. Publishing the period again supersedes it."
    )
    if st.button(f"Publish the report for {period}", key="publish") and attempt(
        lambda session: publish_report(
            session, actor, programme_id=programme_id, start=period.start, end=period.end
        ),
        done=lambda p: f"Published: publication {p.publication} for {period}.",
        refused="",
    ):
        st.rerun()
