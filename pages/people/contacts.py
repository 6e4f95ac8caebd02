"""Contacts: the directory with search and filters, editing, CSV/Excel import and export, and
personal data requests (export everything about a person, or erase them)."""

import json

import streamlit as st

from tracker.errors import count
from tracker.policy import Action, can
from tracker.services.people.contacts import (
    CONTACT_COLUMNS,
    ContactStatus,
    contacts_frame,
    organisation_names,
    save_contacts,
)
from tracker.services.people.exchange import Table, account_changes, export_file, import_file
from tracker.services.people.personal_data import erase_person, export_person
from tracker.ui.editor import editable_table
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db
from tracker.ui.widgets import readable

LABELS = {
    "name": "Name",
    "job_title": "Job title",
    "organisation": "Organisation",
    "email": "Email",
    "phone": "Phone",
    "status": "Status",
}

actor = page_setup("contacts").actor

with db() as session:
    organisations = organisation_names(session, actor)

search_column, org_column, status_column = st.columns([3, 3, 2])
search = search_column.text_input(
    "Search contacts", placeholder="Name, job title, email or organisation", key="contact_search"
)
chosen_orgs = org_column.multiselect(
    "Organisations", list(organisations), format_func=organisations.__getitem__, key="contact_orgs"
)
statuses = status_column.multiselect(
    "Status",
    [s.value for s in ContactStatus],
    default=[ContactStatus.active.value, ContactStatus.left.value],
    key="contact_status",
)

with db() as session:
    contacts = contacts_frame(
        session, actor, search=search, organisation_ids=chosen_orgs, statuses=statuses
    )
st.caption(f"{len(contacts)} contact(s) match.")

if can(actor, Action.edit_contacts):
    editable = contacts[contacts["status"] != ContactStatus.erased]
    editable_table(
        editable[["id", *CONTACT_COLUMNS]],
        base="contacts_editor",
        label="Contacts",
        save=lambda session, rows, _deleted: save_contacts(session, actor, rows=rows),
        num_rows="add",
        column_config={
            "name": st.column_config.TextColumn("Name", required=True, max_chars=200),
            "job_title": st.column_config.TextColumn("Job title", max_chars=200),
            "organisation": st.column_config.SelectboxColumn(
                "Organisation", options=list(organisations.values()), required=True
            ),
            "email": st.column_config.TextColumn("Email", max_chars=320),
            "phone": st.column_config.TextColumn("Phone (UK)", max_chars=40),
            "status": st.column_config.SelectboxColumn(
                "Status",
                options=[ContactStatus.active.value, ContactStatus.left.value],
                default=ContactStatus.active.value,
                required=True,
            ),
        },
    )
    erased = contacts[contacts["status"] == ContactStatus.erased]
    if len(erased):
        st.caption("Erased people (placeholders kept so history stays consistent; read only):")
        st.dataframe(readable(erased[CONTACT_COLUMNS].rename(columns=LABELS)), hide_index=True)
else:
    st.dataframe(
        readable(contacts[CONTACT_COLUMNS].rename(columns=LABELS)), hide_index=True, key="directory"
    )

if can(actor, Action.edit_contacts):
    st.subheader("Import and export")
    st.caption(
        "CSV files hold one table (contacts, or engagements with a 'raci' column); Excel "
        "workbooks hold a Contacts sheet, an Engagements sheet, or both. An import with any bad "
        "row is rejected with every bad row listed, and nothing is written."
    )
    with db() as session:
        workbook = export_file(session, actor, filename="contacts.xlsx")
        contacts_csv = export_file(session, actor, filename="contacts.csv", table=Table.contacts)
        engagements_csv = export_file(
            session, actor, filename="engagements.csv", table=Table.engagements
        )
    downloads = st.columns(3)
    downloads[0].download_button(
        "Download both as Excel", workbook, "contacts-and-engagements.xlsx", key="export_xlsx"
    )
    downloads[1].download_button(
        "Download contacts as CSV", contacts_csv, "contacts.csv", "text/csv", key="export_contacts"
    )
    downloads[2].download_button(
        "Download engagements as CSV",
        engagements_csv,
        "engagements.csv",
        "text/csv",
        key="export_engagements",
    )
    upload = st.file_uploader(
        "Import contacts or engagements (CSV or Excel)", type=["csv", "xlsx"], key="import_file"
    )
    confirmed = False
    if upload is not None:
        with db() as session:
            changes = account_changes(session, actor, filename=upload.name, data=upload.getvalue())
        if changes:
            st.warning(
                f"This file changes {count(len(changes), 'person', 'people')} who "
                f"{'signs' if len(changes) == 1 else 'sign'} in to tracker. An email change "
                "moves their sign-in to the new address: check each."
            )
            st.dataframe({"Change": changes}, hide_index=True, key="import_changes")
            confirmed = st.checkbox(
                "Apply these changes to people who sign in", key="import_confirm"
            )
    if upload is not None and st.button("Import this file", key="import_button"):
        attempt(
            lambda session: import_file(
                session, actor, filename=upload.name, data=upload.getvalue(), confirmed=confirmed
            ),
            done=lambda counts: (
                "Imported: "
                + ", ".join(f"{t.value.lower()}: {count(n, 'row')}" for t, n in counts.items())
            ),
        )

if can(actor, Action.manage_personal_data):
    st.subheader("Personal data requests (UK GDPR)")
    with db() as session:
        everyone = contacts_frame(session, actor)
    people = dict(
        zip(everyone["id"], everyone["name"] + " (" + everyone["organisation"] + ")", strict=True)
    )
    person_id = st.selectbox(
        "Person", list(people), format_func=people.__getitem__, key="gdpr_person"
    )
    with db() as session:
        held = export_person(session, actor, person_id=person_id)
    st.download_button(
        "Download everything held about them (JSON)",
        json.dumps(held, indent=2),
        f"person-{person_id}.json",
        "application/json",
        key="gdpr_export",
    )
    confirmed = st.checkbox(
        "I understand that erasure replaces their details with a placeholder and cannot be undone",
        key="gdpr_confirm",
    )
    if st.button("Erase this person", disabled=not confirmed, key="gdpr_erase"):
        attempt(
            lambda session: erase_person(session, actor, person_id=person_id),
            done=lambda erased_person: f"Erased: they now appear as '{erased_person.name}'.",
        )
