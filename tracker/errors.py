"""The base of every error meant for a person rather than a developer.

The CLI prints these as one line and exits non-zero; the app shows them with st.error. Anything
else is a bug and keeps its traceback.
"""


class TrackerError(Exception):
    """An expected failure whose message is a complete sentence for the user."""
