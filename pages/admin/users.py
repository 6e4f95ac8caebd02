"""Users and sign-ins, for the programme admin: who may sign in and as what, and the record of
sign-ins, sign-outs and refused identities."""

import streamlit as st

from tracker.models import Role
from tracker.services.auth.sign_in import sign_in_events
from tracker.services.auth.users import save_users, user_candidates, users_frame
from tracker.services.validation import RowEdit
from tracker.ui.editor import editable_table
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db, in_demo_mode
from tracker.uk_time import UK, uk_times

#: least privilege first
ROLES = [
    r.value for r in (Role.board_member, Role.supplier_contact, Role.project_owner, Role.admin)
]

actor = page_setup("users").actor

with db() as session:
    candidates = user_candidates(session, actor)

st.subheader("Let someone in")
if not candidates:
    st.info("Every current contact with an email address has an account. Add people on Contacts.")
else:
    # nothing is preselected: the admin names the person and the role, least privilege first
    with st.form("new_user", border=False):
        person_id = st.selectbox(
            "Contact",
            list(candidates),
            index=None,
            placeholder="Choose a contact",
            format_func=candidates.__getitem__,
            key="new_user_person",
            help="Not listed? Add them on the Contacts page, with the email they sign in with.",
        )
        role = st.selectbox(
            "Role",
            ROLES,
            index=None,
            placeholder="Choose a role",
            key="new_user_role",
            help="What they may see and change: see the README's table of roles.",
        )
        if st.form_submit_button("Give them an account", type="primary"):
            missing = [
                what
                for what, value in (("a contact", person_id), ("a role", role))
                if value is None
            ]
            if missing:
                st.error(f"Not saved: choose {' and '.join(missing)}.")
            else:
                attempt(
                    lambda session: save_users(
                        session, actor, rows=[RowEdit(1, {"person_id": person_id, "role": role})]
                    ),
                    done=f"{candidates[person_id]} can now sign in as a {role}.",
                )

with db() as session:
    users = users_frame(session, actor)
    events = sign_in_events(session, actor)

st.subheader("Users")
st.caption(
    "People sign in with their organisation's account, and tracker matches the email address to "
    "one of these users. Untick Active to stop someone signing in; their history keeps their name."
)
editable_table(
    users.assign(contact=users["name"] + " (" + users["organisation"] + ")")[
        ["id", "contact", "email", "role", "active", "last_sign_in"]
    ],
    base="users_editor",
    label="Users",
    save=lambda session, rows, deleted: save_users(session, actor, rows=rows, deleted=deleted),
    num_rows="fixed",
    column_config={
        "contact": st.column_config.TextColumn("Contact", disabled=True),
        "email": st.column_config.TextColumn("Signs in as", disabled=True),
        "role": st.column_config.SelectboxColumn("Role", options=ROLES, required=True),
        "active": st.column_config.CheckboxColumn("Active"),
        "last_sign_in": st.column_config.DatetimeColumn(
            "Last sign-in (UK time)", format="D MMM YYYY HH:mm", timezone=UK.key, disabled=True
        ),
    },
)

st.subheader("Sign-ins")
st.caption(
    "The latest 200 sign-ins, sign-outs and refusals, newest first. A refused identity shows only "
    "the domain of its address: tracker keeps nothing else about someone it does not know."
)
if events.empty and in_demo_mode():
    st.info(
        "Demo mode records no sign-ins: people act as a demo user without signing in. A "
        "deployment with sign-in lists each sign-in, sign-out and refusal here."
    )
elif events.empty:
    st.info("Nobody has signed in yet.")
else:
    st.dataframe(
        events.assign(at=uk_times(events["at"])).rename(
            columns={
                "at": "When (UK time)",
                "event": "What",
                "name": "Who",
                "organisation": "Organisation",
                "role": "Role now",
                "email_domain": "Refused domain",
            }
        ),
        hide_index=True,
        key="sign_in_events",
    )
