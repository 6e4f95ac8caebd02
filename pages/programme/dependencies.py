"""Dependencies between councils and suppliers: who waits on whom, organisation by organisation
(each cell the worst health, in words and colour), any loop of waiting, and the list behind it;
admins and project owners declare dependencies and mark them done here."""

import streamlit as st

from tracker.metrics.dependencies import organisation_matrix
from tracker.policy import may_record_decisions
from tracker.services.programme.overview import deliverables_frame
from tracker.services.raid.dependencies import dependency_cycles, dependency_frame
from tracker.services.raid.register import programme_organisations
from tracker.ui.page import page_setup
from tracker.ui.raid import (
    declare_form,
    dependencies_table,
    done_form,
    health_styled,
    matrix_table,
)
from tracker.ui.session import db

actor, programme = page_setup("dependencies", programme=True)

with db() as session:
    rated = dependency_frame(session, actor, programme_id=programme.id)
    refs = deliverables_frame(session, actor, programme_id=programme.id)["ref"].tolist()
    organisations = list(
        programme_organisations(session, actor, programme_id=programme.id).values()
    )

st.caption(
    "Red: the provider's date (its forecast, or its sprint's end) is after it is needed. Amber: "
    "in the same sprint, on the day, or a side has no date. Unknown: the other end is on no "
    "synced Jira board. Green: scheduled earlier. Done dependencies are left out."
)
cycles = dependency_cycles(rated)
if cycles:
    st.warning("Waiting in a loop: " + "; ".join(cycles) + ".")

st.header("Who waits on whom")
if rated.empty:
    st.info("No open dependencies to show.")
else:
    matrix = matrix_table(organisation_matrix(rated))
    st.dataframe(
        health_styled(matrix, [c for c in matrix.columns if c != matrix.columns[0]]),
        hide_index=True,
        key="dependency_matrix",
    )
    st.header("Every open dependency")
    table = dependencies_table(rated)
    st.dataframe(health_styled(table, ["Health"]), hide_index=True, key="dependency_list")

if may_record_decisions(actor):
    st.header("Declare a dependency")
    declare_form(actor, programme.id, refs, organisations)
    declared = rated[rated["source"] == "declared"]["code"].tolist()
    if declared:
        st.header("A dependency has come")
        done_form(actor, programme.id, declared)
