"""Sprint review: one sprint of a deliverable or a board, counted as Jira's sprint report counts it,
with who to engage on the deliverable and its acceptance criteria."""

import streamlit as st

from tracker.charts.delivery import burndown_figure
from tracker.errors import TrackerError
from tracker.services.delivery.sprints import review_boards, review_deliverables
from tracker.services.file_names import file_name
from tracker.services.lookups import own_deliverable_ids
from tracker.ui.acceptance_panel import criteria_panel
from tracker.ui.delivery import (
    burndown_table,
    carry_over_table,
    choices_list,
    choose_board,
    choose_deliverable,
    choose_sprint,
    current_data_version,
    issues_csv,
    load_board_sprints,
    load_deliverable_boards,
    load_review,
    outcome_tables,
    report_options,
    review_warnings,
    shows_not_started,
    totals_csv,
    totals_metrics,
)
from tracker.ui.engagement import who_to_engage_panel
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.session import db
from tracker.uk_time import uk_time

actor, programme = page_setup("sprint-review", programme=True)

with db() as session:
    deliverables = review_deliverables(session, actor, programme_id=programme.id)
    own = own_deliverable_ids(session, actor, programme_id=programme.id)
    whole_boards = review_boards(session, actor)

by = "Deliverable"
if whole_boards:
    by = st.radio("Review", ["Deliverable", "Board"], horizontal=True, key="review_by")
deliverable = (
    choose_deliverable(deliverables, "review_deliverable", own=own) if by == "Deliverable" else None
)
if by == "Deliverable" and deliverable is None:
    st.info("You have no deliverables to review yet.")
    st.stop()

version = current_data_version(actor)
boards = load_deliverable_boards(actor, deliverable.id, version) if deliverable else whole_boards
if not boards:
    st.info("None of this deliverable's issues are on a synced Jira board yet.")
    st.stop()
board = boards[0] if len(boards) == 1 else choose_board(boards, "review_board")
sprints = load_board_sprints(actor, board.id, version)
sprint = choose_sprint(
    sprints,
    "review_sprint",
    running_first=False,
    context=(deliverable.id if deliverable else None, board.id),
)
if sprint is None or shows_not_started(sprint):
    st.stop()
options = report_options("review")
try:
    review = load_review(
        actor, board.id, sprint.id, options, deliverable.id if deliverable else None, version
    )
except TrackerError as exc:
    st.error(plain(exc))
    st.stop()

report = review.report
scope = f"{deliverable.ref}'s issues on {board.label}" if deliverable else board.label
st.subheader(f"{plain(sprint.name)}: {plain(scope)}")
st.markdown(f"**Sprint goal:** {plain(sprint.goal) if sprint.goal else 'none set in Jira'}")
closed = (
    f"closed {uk_time(sprint.complete)}"
    if sprint.complete is not None
    else f"still running: figures as at {uk_time(report.close)}"
)
st.caption(f"Started {uk_time(sprint.start)}, planned to end {uk_time(sprint.end)}, {closed}.")
if report.issues.empty:
    st.info(
        f"None of {plain(deliverable.ref)}'s issues were in {plain(sprint.name)}."
        if deliverable
        else f"{plain(sprint.name)} had no issues."
    )

review_warnings(review)
totals_metrics(review)
if report.amount(report.committed):
    share = report.amount(report.completed) / report.amount(report.committed)
    st.caption(f"Completed is {share:.0%} of committed ({report.measure}).")

st.subheader("Issues by outcome")
deliverable_ref = deliverable.ref if deliverable else ""
outcome_tables(review, "review_issues")
st.download_button(
    "Download the sprint's issues (CSV)",
    issues_csv(review),
    file_name=file_name(board.site, "sprint", sprint.id, deliverable_ref, suffix=".csv"),
    mime="text/csv",
    key="review_csv",
)
st.download_button(
    "Download the sprint's totals (CSV)",
    totals_csv(review),
    file_name=file_name(board.site, "sprint", sprint.id, deliverable_ref, "totals", suffix=".csv"),
    mime="text/csv",
    key="review_totals_csv",
)

st.subheader("Carried over")
carry_over_table(review, "review_carry_over")

st.subheader("Burndown")
st.plotly_chart(
    burndown_figure(
        review.burndown,
        review.guideline,
        title=f"{sprint.name} burndown",
        unit=review.report.measure,
    ),
    key="review_burndown",
)
with st.expander("Burndown steps as a table"):
    st.dataframe(burndown_table(review), hide_index=True, key="review_burndown_table")

st.subheader("How these figures were counted")
choices_list(review)

if deliverable is not None:
    with db() as session:
        who_to_engage_panel(session, actor, deliverable.id, key="review_engage")
        st.subheader(f"Acceptance criteria of {plain(deliverable.ref)}")
        criteria_panel(session, actor, deliverable.id)
else:
    st.caption(
        "Review a deliverable instead of a board to see who to engage and its acceptance criteria."
    )
