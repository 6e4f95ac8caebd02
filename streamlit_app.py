"""Entry point: page configuration, who is acting, and the navigation for their role.

Without a way to sign people in (an [auth] section in .streamlit/secrets.toml, or TRACKER_DEMO=1)
the app shows one line saying so and nothing else: it never falls open.
"""

import streamlit as st

from tracker.models import Role
from tracker.ui.navigation import build_navigation
from tracker.ui.session import signed_in_actor

st.set_page_config(page_title="tracker: shared services programme", layout="wide")

actor = signed_in_actor()
if actor is None:
    st.stop()
st.navigation(build_navigation(Role(actor.role)), position="top").run()
