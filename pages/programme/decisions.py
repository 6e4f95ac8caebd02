"""The decision log: the decisions the board must take, then every decision with what replaced
what; admins and project owners propose, record and supersede decisions here."""

import streamlit as st

from tracker.policy import may_record_decisions
from tracker.services.programme.overview import deliverables_frame
from tracker.services.raid.decisions import decisions_frame, decisions_needed
from tracker.services.raid.register import raid_frame
from tracker.ui.page import page_setup
from tracker.ui.raid import decide_form, decisions_table, propose_form, supersede_form
from tracker.ui.session import db

actor, programme = page_setup("decisions", programme=True)

with db() as session:
    needed = decisions_needed(session, actor, programme_id=programme.id)
    log = decisions_frame(session, actor, programme_id=programme.id)
    refs = deliverables_frame(session, actor, programme_id=programme.id)["ref"].tolist()
    items = raid_frame(session, actor, programme_id=programme.id)["code"].tolist()

st.header("Decisions needed")
if needed.empty:
    st.success("No decision is waiting for the board.")
else:
    st.dataframe(decisions_table(needed), hide_index=True, key="decisions_needed")

st.header("All decisions")
st.caption("A decided decision is never edited: a later decision supersedes or reverses it.")
if log.empty:
    st.info("No decisions to show.")
else:
    st.dataframe(decisions_table(log), hide_index=True, key="decision_log")

if may_record_decisions(actor):
    st.header("Propose a decision")
    propose_form(actor, programme.id, refs, items)
    if not needed.empty:
        st.header("Record a decision")
        decide_form(actor, programme.id, needed["code"].tolist())
    decided = log[log["status"] == "decided"]["code"].tolist()
    if decided:
        st.header("Supersede or reverse a decision")
        supersede_form(actor, programme.id, decided)
