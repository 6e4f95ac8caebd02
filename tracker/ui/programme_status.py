"""The form a project owner uses to move a deliverable's stage and RAG, with its history.

What the person saw when the form opened is kept in session state, so a save that would overwrite
someone else's change in the meantime is refused (and what they typed stays in the form).
"""

import streamlit as st
from sqlmodel import Session

from tracker.models import Rag
from tracker.policy import Actor
from tracker.services.programme.status import (
    Status,
    current_status,
    deliverable_stage_names,
    editable_deliverables,
    status_history,
    update_status,
)
from tracker.ui.page import attempt
from tracker.ui.session import db

RAGS = [r.value for r in Rag]
SAVED_KEY = "status_saved_message"


def _seen_key(deliverable_id: int) -> str:
    return f"status_seen_{deliverable_id}"


def deliverable_status_form(session: Session, actor: Actor, programme_id: int) -> None:
    """Nothing for people who may change no deliverable of the programme."""
    editable = editable_deliverables(session, actor, programme_id=programme_id)
    if not editable:
        return
    st.subheader("Update a deliverable")
    chosen = st.selectbox(
        "Deliverable to update", list(editable), format_func=editable.__getitem__,
        key="status_deliverable",
    )  # fmt: skip
    seen = st.session_state.setdefault(
        _seen_key(chosen), current_status(session, actor, deliverable_id=chosen)
    )
    stages = deliverable_stage_names(session, actor, deliverable_id=chosen)
    with st.form(f"status_form_{chosen}", border=True):
        stage = st.selectbox(
            "Stage", stages, index=stages.index(seen.stage) if seen.stage in stages else 0,
            key=f"status_stage_{chosen}",
        )  # fmt: skip
        rag = st.radio(
            "RAG rating", RAGS, index=RAGS.index(seen.rag), horizontal=True,
            format_func=str.capitalize, key=f"status_rag_{chosen}",
        )  # fmt: skip
        reason = st.text_area(
            "Reason (required for red and amber)", value=seen.rag_reason or "",
            key=f"status_reason_{chosen}",
        )  # fmt: skip
        saved = st.form_submit_button("Save stage and RAG", type="primary")
    if saved:
        wanted = Status(stage, rag, reason, seen.target_date)
        # written in its own session, like every change; this one only reads
        outcome = attempt(
            lambda writer: update_status(
                writer, actor, deliverable_id=chosen, seen=seen, wanted=wanted
            ),
            refused="Not saved: ",
        )
        if outcome:
            del st.session_state[_seen_key(chosen)]
            # rerun so the table and timeline above show the new values; say so after it
            st.session_state[SAVED_KEY] = "Saved." if outcome.value else "Nothing had changed."
            st.rerun()
        # the next save is made against what is there now (read afresh), deliberately
        with db() as fresh:
            st.session_state[_seen_key(chosen)] = current_status(
                fresh, actor, deliverable_id=chosen
            )
    if SAVED_KEY in st.session_state:
        st.success(st.session_state.pop(SAVED_KEY))
    history = status_history(session, actor, deliverable_id=chosen)
    if not history.empty:
        st.caption("Changes so far, newest first")
        st.dataframe(history, hide_index=True, key="status_history")
