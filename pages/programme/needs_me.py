"""What needs me: the signed-in person's own open work, one card per item, where people land.

The sections come from tracker.services.programme.needs_me (also `tracker needs-me`); each card
says what to do and links to the page where it is done. Overdue is a word, never only a colour.
"""

import streamlit as st

from tracker.errors import count
from tracker.services.programme.needs_me import needs_me
from tracker.ui.markdown import plain
from tracker.ui.navigation import PAGES_BY_URL
from tracker.ui.page import page_setup
from tracker.ui.session import db

#: where each kind of work is done (url path of the page)
WHERE = {
    "queries": "criteria",
    "evidence": "criteria",
    "overdue_confirmations": "criteria",
    "waiting_on_supplier": "criteria",
    "engagement_gaps": "engagement",
    "to_confirm": "my-criteria",
    "evidence_requested": "my-criteria",
    "open_queries": "my-criteria",
    "expiring_accreditations": "assurance",
    "blocked_gates": "assurance",
    "waiting_for_account": "users",
}

actor = page_setup("needs-me").actor

with db() as session:
    found = needs_me(session, actor)

if not found.sections:
    st.info("Nothing here is yours to act on: your role reads the programme.")
    st.stop()

st.markdown(
    f"**{count(found.total, 'item')} waiting on you.** The most pressing come first in each "
    "section; each card links to the page where you act on it."
)
for section in found.sections:
    st.subheader(f"{section.heading} ({len(section.items)})")
    if section.items.empty:
        st.caption(section.empty)
        continue
    target = PAGES_BY_URL[WHERE[section.key]]
    for row in section.items.itertuples():
        with st.container(border=True):
            overdue = ":red-badge[:material/schedule: Overdue] " if row.overdue else ""
            st.markdown(f"{overdue}**{plain(str(row.ref))}** · {plain(str(row.item))}")
            st.text(row.detail)
    st.page_link(target.path, label=f"Go to {target.title}", icon=target.icon)
