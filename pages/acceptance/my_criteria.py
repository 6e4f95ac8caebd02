"""Criteria waiting for me: a supplier contact's side of acceptance across their organisation's
deliverables, one card per criterion. First what needs them (confirm or query what was sent,
submit evidence for what was confirmed or rejected), soonest due first with overdue said in
words; then what waits for the council (their open queries, evidence they sent), so a criterion
never vanishes once they act on it. A save's outcome shows on the card whose button was pressed.
"""

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from tracker.errors import count
from tracker.metrics.acceptance import soonest_due_first
from tracker.services.acceptance.views import waiting_for_council, waiting_for_supplier
from tracker.ui.acceptance_forms import flash_for, move_form, show_flash
from tracker.ui.acceptance_panel import status_label
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.session import db

actor = page_setup("my-criteria").actor
today = date.today()

with db() as session:
    waiting = soonest_due_first(waiting_for_supplier(session, actor), today)
    council = soonest_due_first(waiting_for_council(session, actor), today)

show_flash(inline={*waiting["id"], *council["id"]})
if waiting.empty and council.empty:
    st.info("Nothing is waiting for you. Criteria appear here when a council sends them to you.")
    st.stop()


def due_words(row: Any) -> str:
    due = row.due
    if due is None or pd.isna(due):
        return "no due date"
    return f"overdue: was due {due:%d %b %Y}" if row.overdue else f"due {due:%d %b %Y}"


def card(r: Any, *, act: bool) -> None:
    """One criterion: what it is, its status and due date, the text, the latest comment, and
    (when `act`) the forms for the moves the supplier may make, with the outcome of the last.
    `r` is a row of a criteria frame."""
    with st.container(border=True, key=f"criterion_card_{r.id}"):
        overdue = ":red-badge[:material/schedule: Overdue] " if r.overdue else ""
        st.markdown(f"{overdue}**{r.deliverable} {r.code}**: {plain(r.title)}")
        facts = [
            r.deliverable_title,
            f"{status_label(r.status)}, version {r.version}",
            due_words(r),
        ]
        if isinstance(r.sow_ref, str) and r.sow_ref:
            facts.append(f"Statement of Work {r.sow_ref}")
        st.caption(" · ".join(plain(str(f)) for f in facts))
        st.text(r.text)
        if isinstance(r.last_comment, str) and r.last_comment:
            st.markdown("**Latest comment**")
            st.text(r.last_comment)
        if act:
            for move in r.moves:
                move_form(actor, r, move)
        flash_for(int(r.id))


overdue_now = int(waiting["overdue"].sum())
st.markdown(
    f"**{count(len(waiting), 'criterion', 'criteria')} "
    f"{'needs' if len(waiting) == 1 else 'need'} you**"
    + (f", {overdue_now} of them overdue" if overdue_now else "")
    + f"; {count(len(council), 'criterion', 'criteria')} "
    f"{'waits' if len(council) == 1 else 'wait'} for the council."
)

st.subheader(f"Needs you ({len(waiting)})")
if waiting.empty:
    st.caption("Nothing needs you now.")
for row in waiting.itertuples():
    card(row, act=True)

st.subheader(f"Waiting for the council ({len(council)})")
st.caption("Your open queries and the evidence you sent, until the council answers or decides.")
if council.empty:
    st.caption("Nothing is waiting for the council.")
for row in council.itertuples():
    card(row, act=False)
