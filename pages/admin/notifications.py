"""Sent notifications, for the programme admin: what tracker emailed to whom (people by id, as
the rest of the audit) and when, every attempt with the mail server's answer, and resend."""

import streamlit as st

from tracker.models import NotificationStatus
from tracker.services.notify.history import (
    attempts_frame,
    outbox_summary,
    resend,
    sent_frame,
)
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db
from tracker.ui.widgets import readable
from tracker.uk_time import uk_times

LABELS = {
    "id": "Number",
    "created_at": "Queued (UK time)",
    "kind": "Kind",
    "person_id": "Person id",
    "deliverable": "Deliverable",
    "subject": "Subject",
    "status": "Status",
    "attempts": "Tries",
    "sent_at": "Sent (UK time)",
    "in_digest": "In a digest",
    "last_detail": "Mail server's last answer",
    "reason": "Why not sent",
}
ATTEMPT_LABELS = {
    "at": "When (UK time)",
    "outcome": "Outcome",
    "smtp_code": "Reply code",
    "detail": "Mail server's answer",
    "by_user_id": "Asked by user id",
}

actor = page_setup("notifications-sent").actor

with db() as session:
    summary = outbox_summary(session, actor)
st.caption(
    f"The outbox now: {summary}. `tracker notify send` sends what is due and `tracker notify "
    "digest` the daily digests, on the schedule the deployment sets (see the README's Running it "
    "for real). A notification left 'sending' was being handed to the mail server when a run "
    "stopped: tracker cannot know whether it arrived, so it never sends it again by itself."
)

left, right = st.columns(2)
status = left.selectbox(
    "Status",
    [s.value for s in NotificationStatus],
    index=None,
    placeholder="Every status",
    key="sent_status",
)
person = right.number_input(
    "Person id", min_value=1, value=None, step=1, placeholder="Everyone", key="sent_person"
)

with db() as session:
    sent = sent_frame(
        session, actor, status=status, person_id=int(person) if person else None, limit=500
    )

if sent.empty:
    st.info("No notification matches.")
    st.stop()
st.dataframe(
    readable(
        sent.assign(
            created_at=uk_times(sent["created_at"]),
            sent_at=uk_times(sent["sent_at"], missing="not sent"),
            in_digest=sent["in_digest"].map({True: "yes", False: "no"}),
        )[list(LABELS)].rename(columns=LABELS)
    ),
    hide_index=True,
    key="sent_table",
)

st.subheader("One notification")
labels = {
    row.id: f"#{row.id} to person {row.person_id}: {row.subject or row.kind} ({row.status})"
    for row in sent.itertuples()
}
chosen = st.selectbox(
    "Notification", list(labels), format_func=labels.__getitem__, key="sent_chosen"
)
with db() as session:
    tries = attempts_frame(session, actor, notification_id=chosen)
if tries.empty:
    st.info("No attempt yet: it waits for the next run.")
else:
    st.dataframe(
        readable(
            tries.assign(at=uk_times(tries["at"]))[list(ATTEMPT_LABELS)].rename(
                columns=ATTEMPT_LABELS
            )
        ),
        hide_index=True,
        key="sent_attempts",
    )
resend_it = st.button(
    "Resend it",
    key="sent_resend",
    help="It goes on its own at the next tracker notify send, whatever the person's settings.",
)
if resend_it:
    attempt(
        lambda session: resend(session, actor, notification_id=chosen),
        done=f"Notification #{chosen} goes again with the next tracker notify send.",
        refused="Not resent: ",
    )
