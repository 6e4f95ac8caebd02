"""Burndown and progress: a board's sprint burndown and velocity, and the programme's burnup with
its forecast, for the programme board."""

import streamlit as st

from tracker.charts.delivery import burndown_figure, programme_figure, velocity_figure
from tracker.services.delivery.sprints import review_boards
from tracker.services.file_names import file_name
from tracker.ui.delivery import (
    amount,
    burndown_table,
    burnup_table,
    choices_list,
    choose_board,
    choose_sprint,
    current_data_version,
    forecast_table,
    load_board_sprints,
    load_progress,
    load_review,
    load_velocity,
    report_options,
    review_warnings,
    shows_not_started,
    velocity_csv,
    velocity_table,
    velocity_unit,
    velocity_warnings,
)
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.session import db

actor, programme = page_setup("burndown", programme=True)

with db() as session:
    boards = review_boards(session, actor)
if not boards:
    st.info("No synced Jira boards yet.")
    st.stop()

st.header("Sprint burndown")
board = choose_board(boards, "burndown_board")
version = current_data_version(actor)
sprint = choose_sprint(
    load_board_sprints(actor, board.id, version),
    "burndown_sprint",
    running_first=True,
    context=board.id,
)
options = report_options("burndown")
if sprint is not None and not shows_not_started(sprint):
    review = load_review(actor, board.id, sprint.id, options, None, version)
    report = review.report
    review_warnings(review)
    st.caption(
        f"Committed {amount(report.committed)}; {amount(report.completed)} completed"
        f"{'' if sprint.complete is not None else ' so far'}. Markers show scope changes "
        "(issues added or removed, estimates changed); hover over a step to see why it moved. "
        "The dashed guideline falls evenly over working days."
    )
    if review.standing is not None:
        standing = review.standing
        (st.success if standing.on_track else st.warning)(standing.sentence())
    st.plotly_chart(
        burndown_figure(
            review.burndown,
            review.guideline,
            title=f"{sprint.name} burndown",
            unit=review.report.measure,
        ),
        key="burndown_chart",
    )
    with st.expander("Burndown steps as a table"):
        st.dataframe(burndown_table(review), hide_index=True, key="burndown_table")
    with st.expander("How these figures were counted"):
        choices_list(review)

st.header("Velocity")
velocity = load_velocity(actor, board.id, options, version)
if velocity.empty:
    st.info(f"{plain(board.name)} has no closed sprints yet.")
else:
    unit = velocity_unit(velocity)
    st.plotly_chart(
        velocity_figure(
            velocity, title=f"{board.name} velocity: committed and completed", unit=unit
        ),
        key="velocity_chart",
    )
    if unit == "issues":
        st.caption(f"{plain(board.name)} has no estimation field: velocity is counted in issues.")
    st.dataframe(velocity_table(velocity), hide_index=True, key="velocity_table")
    velocity_warnings(velocity)
    st.download_button(
        "Download the velocity (CSV)",
        velocity_csv(velocity),
        file_name=file_name(board.site, "board", board.jira_id, "velocity", suffix=".csv"),
        mime="text/csv",
        key="velocity_csv",
    )

st.header(f"Programme burnup and forecast: {plain(programme.name)}")
measure = st.radio(
    "Measure work in",
    ["issues", "points"],
    format_func={"issues": "Issues (comparable across boards)", "points": "Estimate points"}.get,
    horizontal=True,
    key="burnup_measure",
)
progress = load_progress(actor, programme.id, measure, version)
refs = sorted(progress.deliverables["ref"].unique())
WHOLE = "The whole programme"
shown = st.selectbox("Burnup of", [WHOLE, *refs], key="burnup_of")
if shown == WHOLE:
    burnup, forecast = progress.burnup, progress.forecast
else:
    burnup = progress.deliverables.loc[progress.deliverables["ref"] == shown]
    forecasts = progress.deliverable_forecasts
    forecast = forecasts.loc[forecasts["ref"] == shown]
if burnup.empty:
    st.info("No Jira issues are mapped to this programme's deliverables yet.")
    st.stop()
title = "Burnup of the whole programme" if shown == WHOLE else f"Burnup of {shown}"
st.plotly_chart(
    programme_figure(burnup, forecast, measure=measure, title=title), key="programme_chart"
)
st.caption(
    "Forecast: 10,000 simulated futures drawing on the last 12 weeks' throughput; each date is "
    "when that share of them had finished the remaining scope."
)
st.dataframe(forecast_table(progress), hide_index=True, key="forecast_table")
with st.expander("Burnup as a table"):
    st.dataframe(burnup_table(burnup, measure), hide_index=True, key="burnup_table")
