"""Email notifications, for everyone: how each kind reaches you (at once, in the daily digest,
or not at all for the optional kinds), and what you would receive if the jobs ran now."""

import streamlit as st

from tracker.services.notify.history import preview
from tracker.services.notify.preferences import preferences_frame, set_preferences
from tracker.ui.markdown import plain
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db

actor = page_setup("notifications").actor

with db() as session:
    choices = preferences_frame(session, actor)

st.caption(
    "tracker emails you when something needs you. Choose how each kind reaches you: at once, or "
    "gathered into one email a day (the daily digest). Kinds that ask you to act on acceptance "
    "criteria cannot be turned off."
)
with st.form("notification_preferences", border=False):
    chosen = {}
    for row in choices.itertuples():
        chosen[row.kind] = st.radio(
            f"{row.kind.capitalize()}: when {row.about}",
            row.choices,
            index=row.choices.index(row.delivery),
            horizontal=True,
            key=f"notify_{row.kind}",
        )
    if st.form_submit_button("Save my notification settings", type="primary"):
        attempt(
            lambda session: set_preferences(session, actor, choices=chosen),
            done=lambda changed: f"Saved: {changed} setting(s) changed.",
            refused="Not saved: ",
        )

st.subheader("What you would receive now")
st.caption(
    "If tracker's email jobs ran now, this is what they would send you. Nothing here is sent or "
    "kept: it is worked out as you open the page."
)
with db() as session:
    shown = preview(session, actor)
if not (shown.immediate or shown.digest):
    st.info("Nothing is waiting for you.")
for message in shown.immediate:
    with st.expander(f"At once: {plain(message.subject)}"):
        st.text(message.text())
if shown.digest is not None:
    with st.expander(f"In your daily digest: {plain(shown.digest.subject)}"):
        st.text(shown.digest.text())
if shown.not_sent:
    st.caption(plain("Waiting but not sent: " + "; ".join(shown.not_sent) + "."))
