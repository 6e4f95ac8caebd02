"""Streamlit glue of the delivery pages: what to review, the report's options, labelled tables.

Both pages choose a board and a sprint the same way and state how the figures were counted the
same way, so a project owner comparing them with Jira sees one set of choices. Words carry every
meaning (outcomes, events, states); nothing here relies on colour.
"""

from collections.abc import Sequence
from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker.errors import count
from tracker.metrics.forecast import Measure
from tracker.metrics.frames import Sprint
from tracker.metrics.rag import slip_weeks
from tracker.metrics.sprint_report import OUTCOMES, ReportOptions, Total
from tracker.policy import Actor
from tracker.services.delivery.sprints import (
    BoardRef,
    DeliverableRef,
    ProgrammeProgress,
    SprintReview,
    board_sprints,
    board_velocity,
    data_version,
    deliverable_boards,
    not_started,
    programme_progress,
    sprint_report_for,
)
from tracker.services.spreadsheets import inert
from tracker.ui import widgets
from tracker.ui.markdown import plain
from tracker.ui.session import db
from tracker.uk_time import uk_times

OUTCOME_LABELS = {
    "completed": "Completed",
    "not_completed": "Not completed",
    "removed": "Removed from the sprint",
    "completed_outside": "Completed outside this sprint",
}
EVENT_LABELS = {
    "start": "Sprint started",
    "burn": "Done",
    "reopen": "Reopened",
    "added": "Added to the sprint",
    "removed": "Removed from the sprint",
    "estimate_change": "Estimate changed",
    "end": "End",
}
DONE_AT_START = {
    "exclude": "Leave them out of committed",
    "include": "Count them in committed",
}
KEY_LINK = st.column_config.LinkColumn(
    "Key", display_text=r"/browse/(.+)$", help="Opens the issue in Jira"
)


#: The loaders below are keyed on the data's version (tracker.services.delivery.sprints
#: data_version), so a sync (from the app or the CLI), a programme load or a new target date
#: shows at once; the TTL bounds what else goes stale: a running sprint's "now".
CACHE_TTL = timedelta(minutes=15)


def current_data_version(actor: Actor) -> str:
    """Pass to the loaders: a new sync or import gives new keys, hence fresh figures."""
    with db() as session:
        return data_version(session, actor)


@st.cache_data(ttl=CACHE_TTL, show_spinner="Reading the board's sprints...")
def load_board_sprints(actor: Actor, board_id: int, version: str) -> list[Sprint]:
    with db() as session:
        return board_sprints(session, actor, board_id=board_id)


@st.cache_data(ttl=CACHE_TTL, show_spinner="Finding the deliverable's boards...")
def load_deliverable_boards(actor: Actor, deliverable_id: int, version: str) -> list[BoardRef]:
    with db() as session:
        return deliverable_boards(session, actor, deliverable_id=deliverable_id)


@st.cache_data(ttl=CACHE_TTL, show_spinner="Counting the sprint...")
def load_review(
    actor: Actor,
    board_id: int,
    sprint_id: int,
    options: ReportOptions,
    deliverable_id: int | None,
    version: str,
) -> SprintReview:
    with db() as session:
        return sprint_report_for(
            session,
            actor,
            board=board_id,
            sprint_jira_id=sprint_id,
            options=options,
            deliverable_id=deliverable_id,
        )


@st.cache_data(ttl=CACHE_TTL, show_spinner="Counting every closed sprint...")
def load_velocity(
    actor: Actor, board_id: int, options: ReportOptions, version: str
) -> pd.DataFrame:
    with db() as session:
        return board_velocity(session, actor, board_id=board_id, options=options)


@st.cache_data(ttl=CACHE_TTL, show_spinner="Rolling up the programme...")
def load_progress(
    actor: Actor, programme_id: int, measure: Measure, version: str
) -> ProgrammeProgress:
    with db() as session:
        return programme_progress(session, actor, programme_id=programme_id, measure=measure)


def points(value: float) -> str:
    """An estimate as a reader expects it: "5", "2.5", or "none" when it was never set."""
    return "none" if pd.isna(value) else f"{value:g}"


def points_phrase(value: float) -> str:
    """A total in words: "1 point", "2.5 points", "no estimate"."""
    if pd.isna(value):
        return "no estimate"
    return f"{value:g} point" + ("" if value == 1 else "s")


def amount(total: Total) -> str:
    """A report total as it reads beside Jira's: "18 points, 4 issues", or "4 issues" on a board
    without an estimation field (whose points would be a misleading zero)."""
    issues = count(total.issues, "issue")
    return issues if total.points is None else f"{points_phrase(total.points)}, {issues}"


#: The report totals as the pages name them, with what each counts.
TOTAL_LABELS = {
    "committed": ("Committed", "in the sprint when it started"),
    "completed": ("Completed", "done at the close, added ones included"),
    "added": ("Added", "added to the sprint after it started"),
    "removed": ("Removed", "taken out of the sprint before it closed"),
    "not_completed": ("Not completed", "in the sprint at the close and not done"),
}


def totals_metrics(review: SprintReview) -> None:
    """The five totals of Jira's sprint report, each with its points and its issue count."""
    report = review.report
    for column, (name, (label, meaning)) in zip(
        st.columns(len(TOTAL_LABELS)), TOTAL_LABELS.items(), strict=True
    ):
        total = getattr(report, name)
        column.metric(label, amount(total), help=f"Issues {meaning}.")


def totals_csv(review: SprintReview) -> bytes:
    """The sprint's totals, one row each, issues beside points, with the review's warnings, for
    a spreadsheet."""
    report = review.report
    rows = [
        {
            "total": name,
            "issues": getattr(report, name).issues,
            "points": getattr(report, name).points,
        }
        for name in TOTAL_LABELS
    ]
    frame = pd.DataFrame(rows).assign(
        sprint=review.sprint.name,
        board=review.board.name,
        site=review.board.site,
        warnings="; ".join(review.warnings),
    )
    return inert(frame).to_csv(index=False).encode("utf-8")


def velocity_unit(velocity: pd.DataFrame) -> Measure:
    """Points, unless the board has no estimation field and the sprints were counted in issues."""
    return "issues" if velocity["committed_points"].isna().all() else "points"


def velocity_table(velocity: pd.DataFrame) -> pd.DataFrame:
    """Each closed sprint's totals in points and issues, and the recent averages."""
    columns: dict[str, pd.Series] = {"Sprint": velocity["sprint"]}
    for name, (label, _) in TOTAL_LABELS.items():
        if velocity_unit(velocity) == "points":
            columns[f"{label} (points)"] = velocity[f"{name}_points"].round(1)
        columns[f"{label} (issues)"] = velocity[f"{name}_issues"]
    if velocity_unit(velocity) == "points":
        columns["Average completed, last 3 sprints (points)"] = velocity["average_points"].round(1)
    columns["Average completed, last 3 sprints (issues)"] = velocity["average_issues"].round(1)
    return pd.DataFrame(columns)


def velocity_csv(velocity: pd.DataFrame) -> bytes:
    """The velocity's figures, as the JSON and the table give them, for a spreadsheet."""
    export = velocity.assign(
        start=velocity["start"].map(lambda s: s.isoformat()),
        warnings=velocity["warnings"].map("; ".join),
    )
    return inert(export).to_csv(index=False).encode("utf-8")


def velocity_warnings(velocity: pd.DataFrame) -> None:
    """Each closed sprint's reasons its figures may not match Jira's, in words."""
    for name, warnings in zip(velocity["sprint"], velocity["warnings"], strict=True):
        for warning in warnings:
            st.warning(plain(f"{name}: {warning}"))


def shows_not_started(sprint: Sprint) -> bool:
    """Says so when the chosen sprint has not started (it has no report yet); True if so."""
    if sprint.started:
        return False
    st.info(plain(not_started(sprint)))
    return True


def sprint_label(sprint: Sprint) -> str:
    if not sprint.started:
        planned = "" if pd.isna(sprint.start) else f", planned for {sprint.start:%d %b %Y}"
        return f"{sprint.name} (future, not started{planned})"
    if sprint.complete is None:
        return f"{sprint.name} ({sprint.state}, started {sprint.start:%d %b %Y})"
    return f"{sprint.name} (closed {sprint.complete:%d %b %Y})"


def choose_board(boards: list[BoardRef], key: str) -> BoardRef | None:
    if not boards:
        return None
    by_id = {b.id: b for b in boards}
    chosen = st.selectbox("Board", list(by_id), format_func=lambda i: by_id[i].label, key=key)
    return by_id[chosen]


def choose_deliverable(
    deliverables: list[DeliverableRef], key: str, *, own: Sequence[int] = ()
) -> DeliverableRef | None:
    """A deliverable to review, opening on the first of the actor's own."""
    by_id = {d.id: d for d in deliverables}
    chosen = widgets.choose_deliverable({i: d.label for i, d in by_id.items()}, key, own=own)
    return None if chosen is None else by_id[chosen]


def choose_sprint(
    sprints: list[Sprint], key: str, *, running_first: bool, context: object
) -> Sprint | None:
    """A sprint: started ones most recent first, then future ones (which have no report yet). A
    review looks back at the last closed sprint; the burndown page follows the running one, so
    each page picks its own default.

    The options are sprint ids, and a new `context` (another deliverable or board) starts again
    from its own default: a list position kept from the previous board would name one sprint in
    the box while the report counted another.
    """
    if not sprints:
        st.info("This board has no sprints yet.")
        return None
    by_id = {s.id: s for s in sprints}
    closed = [s.id for s in sprints if s.complete is not None]
    default = sprints[0].id if running_first or not closed else closed[0]
    if st.session_state.get(f"{key}_context") != context or st.session_state.get(key) not in by_id:
        st.session_state[key] = default
    st.session_state[f"{key}_context"] = context
    chosen = st.selectbox(
        "Sprint", list(by_id), format_func=lambda i: sprint_label(by_id[i]), key=key
    )
    return by_id[chosen]


def report_options(key: str) -> ReportOptions:
    """The two counting choices Jira's documentation leaves open, as labelled controls."""
    left, right = st.columns(2)
    include_subtasks = left.checkbox(
        "Add sub-task estimates to their parent's",
        key=f"{key}_subtasks",
        help="Jira leaves sub-tasks out of sprint figures; some teams estimate on sub-tasks.",
    )
    done_at_start = right.radio(
        "Issues already done when the sprint started",
        list(DONE_AT_START),
        format_func=DONE_AT_START.__getitem__,
        horizontal=True,
        key=f"{key}_done_at_start",
        help="Jira's documentation is silent on this; leaving them out means the burndown "
        "starts from work that can still be done.",
    )
    return ReportOptions(include_subtasks=include_subtasks, done_at_start=done_at_start)


def review_warnings(review: SprintReview) -> None:
    """Why some figures may not match Jira's, each in words beside the figures."""
    for warning in review.warnings:
        st.warning(plain(warning))


def choices_list(review: SprintReview) -> None:
    """How the figures were counted, in words, so they can be checked against Jira's report."""
    st.markdown("\n".join(f"- {choice}" for choice in review.choices.values()))


def outcome_tables(review: SprintReview, key: str) -> None:
    """One table per outcome, as Jira's sprint report lists them, each issue linked to Jira.

    An issue not completed in a closed sprint may be done now (finished after the close): its
    status says so in words, so a Done issue is never listed as unfinished without a word.
    """
    outcomes = review.report.outcomes
    closed = review.sprint.complete is not None
    for outcome in OUTCOMES:
        rows = review.issues.loc[review.issues["outcome"] == outcome]
        if rows.empty:
            continue
        total = outcomes.loc[outcome, "final_estimate"]
        late = rows["done_now"] & (outcome == "not_completed") & closed
        label = f"**{OUTCOME_LABELS[outcome]}**: {count(len(rows), 'issue')}"
        if review.report.measure == "points":
            label += f", {points_phrase(total)}"
        if late.any():
            label += f"; {int(late.sum())} of them done since the sprint closed"
        st.markdown(label)
        table = pd.DataFrame(
            {
                "Key": rows["url"],
                "Summary": rows["summary"],
                "Type": rows["issue_type"],
                "Status now": rows["status"].where(
                    ~late, rows["status"] + " (done after the sprint closed)"
                ),
                "Added during the sprint": rows["added"].map({True: "Yes", False: "No"}),
                "Initial estimate": rows["initial_estimate"].map(points),
                "Final estimate": rows["final_estimate"].map(points),
            }
        )
        st.dataframe(
            table, hide_index=True, column_config={"Key": KEY_LINK}, key=f"{key}_{outcome}"
        )


def carry_over_table(review: SprintReview, key: str) -> None:
    carried = review.carry_over
    if review.sprint.complete is None:
        st.caption("The sprint is still running: nothing has been carried over yet.")
        return
    if carried.empty:
        st.caption("Nothing was left unfinished at the close.")
        return
    urls = carried["key"].map(review.board.browse_url)
    table = pd.DataFrame(
        {
            "Key": urls,
            "Summary": carried["summary"],
            "Estimate left": carried["remaining"].map(points),
            "Moved at the close to": carried["to_sprint"],
        }
    )
    st.dataframe(table, hide_index=True, column_config={"Key": KEY_LINK}, key=key)


def issues_csv(review: SprintReview) -> bytes:
    """Every issue of the review with its outcome and estimates, for a spreadsheet."""
    export = review.issues[
        [
            "key",
            "summary",
            "issue_type",
            "status",
            "outcome",
            "added",
            "done_at_start",
            "initial_estimate",
            "final_estimate",
            "url",
        ]
    ].assign(sprint=review.sprint.name, board=review.board.name, site=review.board.site)
    return inert(export).to_csv(index=False).encode("utf-8")


def burndown_table(review: SprintReview) -> pd.DataFrame:
    """The burndown's steps in words and numbers: the figure's data, readable without it."""
    steps = review.burndown
    return pd.DataFrame(
        {
            "When (UK time)": uk_times(steps["at"]),
            "Event": steps["event"].map(EVENT_LABELS),
            "Issue": steps["key"].fillna(""),
            "Change": steps["delta"].map(lambda d: f"{d:+g}" if d else ""),
            "Remaining": steps["remaining"].map(points),
            "Explanation": steps["explanation"],
        }
    )


def forecast_table(progress: ProgrammeProgress) -> pd.DataFrame:
    """One row for the programme and one per deliverable: remaining scope, the dates by which
    finishing it is 50%, 85% and 95% likely (or why there is no date), the target date and how
    many weeks the 85% date passes it (negative: ahead). The programme's target is its latest
    deliverable's."""
    unit = progress.measure
    whole = progress.forecast.assign(ref="Whole programme", title=progress.programme.name)
    rows = pd.concat([whole, progress.deliverable_forecasts], ignore_index=True)
    ends = pd.concat(
        [
            progress.burnup.tail(1).assign(ref="Whole programme"),
            progress.deliverables.groupby("ref").tail(1),
        ]
    ).set_index("ref")
    dates = rows.pivot(index="ref", columns="percentile", values="date")
    targets = pd.to_datetime(progress.targets.set_index("ref")["target_date"])
    targets["Whole programme"] = targets.max()
    slip = slip_weeks(pd.DataFrame({"p85": dates[85], "target": targets.reindex(dates.index)}))
    table = pd.DataFrame(
        {
            "Scope": ends[f"scope_{unit}"].map(points),
            "Done": ends[f"done_{unit}"].map(points),
            **{
                f"{p}% likely by": dates[p].dt.strftime("%d %b %Y").fillna("no date")
                for p in dates.columns
            },
            "Target date": targets.reindex(dates.index).dt.strftime("%d %b %Y").fillna("none set"),
            "Slip of the 85% date (weeks)": slip.map(
                lambda w: "no date" if pd.isna(w) else f"{w:+.1f}"
            ),
            "Note": rows.drop_duplicates("ref").set_index("ref")["note"],
        }
    )
    order = ["Whole programme", *sorted(progress.deliverables["ref"].unique())]
    return table.reindex(order).rename_axis(f"Deliverable ({unit})").reset_index()


def burnup_table(burnup: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The burnup figure's daily numbers."""
    return pd.DataFrame(
        {
            "Day": burnup["date"].dt.strftime("%d %b %Y"),
            f"Scope ({measure})": burnup[f"scope_{measure}"].map(points),
            f"Done ({measure})": burnup[f"done_{measure}"].map(points),
        }
    )
