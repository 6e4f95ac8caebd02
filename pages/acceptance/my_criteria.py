"""Criteria waiting for a supplier contact, across their organisation's deliverables: confirm or
query what was sent, submit evidence for what was confirmed or rejected. Nothing else is shown."""

import pandas as pd
import streamlit as st

from tracker.services.acceptance.views import waiting_for_supplier
from tracker.ui.acceptance_forms import move_form, show_flash
from tracker.ui.acceptance_panel import plain, status_label
from tracker.ui.page import page_setup
from tracker.ui.session import db

actor = page_setup("my-criteria").actor
show_flash()

with db() as session:
    waiting = waiting_for_supplier(session, actor)

if waiting.empty:
    st.info("Nothing is waiting for you. Criteria appear here when a council sends them to you.")
    st.stop()

needed = waiting["moves"].map(lambda moves: " or ".join(moves).capitalize())
st.dataframe(
    waiting.assign(status=waiting["status"].map(status_label), needed=needed)[
        ["deliverable", "code", "title", "status", "version", "due", "needed"]
    ].rename(
        columns={
            "deliverable": "Deliverable",
            "code": "Criterion",
            "title": "Title",
            "status": "Status",
            "version": "Version",
            "due": "Due",
            "needed": "Needed from you",
        }
    ),
    hide_index=True,
    key="waiting_table",
)

for row in waiting.itertuples():
    st.subheader(f"{row.deliverable} {row.code}: {plain(row.title)}")
    st.text(
        f"{row.deliverable_title} · {status_label(row.status)}, version {row.version}"
        + (f" · Statement of Work {row.sow_ref}" if row.sow_ref else "")
        + (f" · due {row.due}" if pd.notna(row.due) else "")
    )
    st.text(row.text)
    if row.last_comment:
        st.markdown("**Latest comment**")
        st.text(row.last_comment)
    for move in row.moves:
        move_form(actor, row, move)
