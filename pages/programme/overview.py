"""Programme overview: every deliverable's stage and RAG, headline counts, the stage timeline."""

from datetime import date

import streamlit as st

from tracker.charts.stages import stage_timeline
from tracker.services.programme.overview import deliverables_frame, headline_counts, stage_plan
from tracker.ui.board import current_pack_version, forecast_columns, load_forecasts
from tracker.ui.engagement import who_to_engage_summary
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.programme_status import deliverable_status_form
from tracker.ui.session import db
from tracker.ui.widgets import rag_styled, readable
from tracker.uk_time import uk_times

#: the columns people act on first: what it is, its rating and why, who owns and supplies it, when
DELIVERABLE_LABELS = {
    "ref": "Ref",
    "title": "Deliverable",
    "RAG": "RAG",
    "rag_reason": "RAG reason",
    "target_date": "Target date",
    "likely": "85% likely by",
    "slip": "Slip (weeks)",
    "owner": "Owning council",
    "supplier": "Supplier",
    "stage": "Stage",
    "sensitivity": "Data sensitivity",
    "last_sync": "Last Jira sync (UK time)",
}
#: three lines of a wrapped reason
ROW_HEIGHT = 70
PLAN_LABELS = {
    "ref": "Ref",
    "title": "Deliverable",
    "stage": "Stage",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "actual_start": "Actual start",
    "actual_end": "Actual end",
}

actor, programme = page_setup("overview", programme=True)

with db() as session:
    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    plan = stage_plan(session, actor, programme_id=programme.id)

st.subheader(plain(programme.name))
if programme.description:
    st.markdown(plain(programme.description))

today = date.today()
counts = headline_counts(deliverables, today)
columns = st.columns(5)
columns[0].metric("Deliverables", counts["deliverables"])
columns[1].metric("Red", counts["red"], help="Deliverables rated red: needs intervention")
columns[2].metric("Amber", counts["amber"], help="Deliverables rated amber: at risk")
columns[3].metric("Green", counts["green"], help="Deliverables rated green: on track")
columns[4].metric("Past target date", counts["past_target"], help="Not live and past target")

st.subheader("Deliverables")
shown = forecast_columns(
    deliverables, load_forecasts(actor, programme.id, current_pack_version(actor, programme.id))
)
table = readable(
    shown.assign(
        RAG=shown["rag"].str.capitalize(),
        last_sync=uk_times(shown["last_sync"], "never"),
    )[list(DELIVERABLE_LABELS)].rename(columns=DELIVERABLE_LABELS),
    {"Target date": "none set", "Supplier": "none yet", "RAG reason": ""},
)
st.dataframe(
    rag_styled(table),
    hide_index=True,
    key="deliverables_table",
    # reasons wrap onto three lines rather than run off the right of the table
    row_height=ROW_HEIGHT,
    height=(len(table) + 1) * ROW_HEIGHT + 3,  # every deliverable in view, no inner scrolling
    # widths (pixels) that keep the columns people act on within a laptop's screen
    column_config={
        "Ref": st.column_config.TextColumn("Ref", width=65),
        "Deliverable": st.column_config.TextColumn("Deliverable", width=170),
        "RAG": st.column_config.TextColumn("RAG", width=60),
        "RAG reason": st.column_config.TextColumn("RAG reason", width=250),
        "Target date": st.column_config.TextColumn("Target date", width=95),
        "85% likely by": st.column_config.TextColumn(
            "85% likely by", width=95, help="Monte Carlo forecast from recent weeks' throughput"
        ),
        "Slip (weeks)": st.column_config.TextColumn(
            "Slip (weeks)", width=70, help="Weeks the 85% likely date passes the target"
        ),
        "Owning council": st.column_config.TextColumn("Owning council", width=125),
        "Supplier": st.column_config.TextColumn("Supplier", width=125),
    },
)

with db() as session:
    deliverable_status_form(session, actor, programme.id)

st.subheader("Who to engage now")
st.caption(
    "For each deliverable at its current stage: the supplier side first, then the council owner, "
    "then the escalation path. Details on the Engagement map page."
)
with db() as session:
    who_to_engage_summary(session, actor, programme.id, today)

st.subheader("Stage timeline")
if plan.empty:
    st.info("No stage dates recorded yet.")
else:
    st.plotly_chart(stage_timeline(plan, today), key="stage_timeline")
    with st.expander("Stage dates as a table"):
        st.dataframe(
            readable(
                plan.drop(columns=["position"]).rename(columns=PLAN_LABELS),
                {"Actual start": "not yet", "Actual end": "not yet"},
            ),
            hide_index=True,
        )
