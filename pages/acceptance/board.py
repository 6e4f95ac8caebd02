"""Acceptance across deliverables, for the programme board: how much is confirmed by suppliers,
how much accepted, what is overdue and what is queried."""

from datetime import date

import streamlit as st

from tracker.charts.acceptance import acceptance_chart
from tracker.errors import count
from tracker.metrics.acceptance import acceptance_summary, acceptance_totals
from tracker.services.acceptance.views import programme_criteria
from tracker.services.programme.overview import deliverables_frame
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.session import db
from tracker.ui.widgets import readable

#: what needs acting on (overdue, queried, rejected) first, the shares after
SUMMARY_LABELS = {
    "deliverable": "Ref",
    "overdue": "Overdue",
    "queried": "Queried",
    "rejected": "Rejected",
    "criteria": "Criteria",
    "confirmed": "Confirmed",
    "accepted": "Accepted",
    "confirmed_pct": "Confirmed %",
    "accepted_pct": "Accepted %",
    "title": "Deliverable",
}

actor, programme = page_setup("acceptance-board", programme=True)

with db() as session:
    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    criteria = programme_criteria(session, actor, programme_id=programme.id)

today = date.today()
summary = acceptance_summary(deliverables, criteria, today)
totals = acceptance_totals(summary)


def share(key: str) -> str:
    return "none yet" if totals[key] is None else f"{totals[key]}%"


st.subheader(plain(programme.name))
columns = st.columns(5)
columns[0].metric("Criteria", totals["criteria"])
columns[1].metric(
    "Confirmed by suppliers",
    share("confirmed_pct"),
    help=count(totals["confirmed"], "criterion", "criteria"),
)
columns[2].metric(
    "Accepted", share("accepted_pct"), help=count(totals["accepted"], "criterion", "criteria")
)
columns[3].metric("Overdue", totals["overdue"], help="Past their due date and not accepted")
columns[4].metric("Queried", totals["queried"], help="Waiting for the council to answer")

if totals["criteria"]:
    st.plotly_chart(acceptance_chart(summary), key="acceptance_chart")

st.subheader("By deliverable")
st.dataframe(
    readable(
        summary[list(SUMMARY_LABELS)].rename(columns=SUMMARY_LABELS),
        {"Confirmed %": "none yet", "Accepted %": "none yet"},
    ),
    hide_index=True,
    key="acceptance_table",
)
