"""Acceptance criteria of one deliverable: status, wording and history, and the council's moves
(add, edit, send, accept, reject) for those who may make them; everyone else on staff reads."""

import pandas as pd
import streamlit as st

from tracker.services.acceptance.evidence_pack import build_evidence_pack, pack_html, pack_zip
from tracker.services.acceptance.views import (
    criteria_frame,
    evidence_frame,
    may_add_criteria,
    versions_frame,
)
from tracker.services.audit import ledger_frame
from tracker.services.file_names import file_name
from tracker.services.lookups import own_deliverable_ids
from tracker.services.programme.overview import deliverables_frame
from tracker.ui.acceptance_forms import (
    criterion_choices,
    edit_form,
    flash_for,
    has_flash,
    move_form,
    new_criterion_form,
    show_flash,
)
from tracker.ui.acceptance_panel import criteria_panel, history_table, status_label
from tracker.ui.markdown import plain
from tracker.ui.page import page_setup
from tracker.ui.session import db
from tracker.ui.widgets import choose_deliverable, readable

actor, programme = page_setup("criteria", programme=True)

with db() as session:
    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    own = own_deliverable_ids(session, actor, programme_id=programme.id)

names = dict(
    zip(deliverables["id"], deliverables["ref"] + " " + deliverables["title"], strict=True)
)
deliverable_id = choose_deliverable(names, "criteria_deliverable", own=own)
if deliverable_id is None:
    st.info("This programme has no deliverables yet.")
    st.stop()

with db() as session:
    criteria = criteria_frame(session, actor, deliverable_id=deliverable_id)
    ledger = ledger_frame(session, actor, deliverable_id=deliverable_id)
    versions = versions_frame(session, actor, deliverable_id=deliverable_id)
    evidence = evidence_frame(session, actor, deliverable_id=deliverable_id)
    may_add = may_add_criteria(session, actor, deliverable_id=deliverable_id)
    criteria_panel(session, actor, deliverable_id)

if not may_add:
    chosen = deliverables.set_index("id").loc[deliverable_id]
    st.info(
        f"You can read {plain(chosen['ref'])}'s criteria. {plain(chosen['owner'])} owns it: its "
        "project owners, or an admin, add, send, accept and reject them.",
        icon=":material/visibility:",
    )

if may_add or any("edit" in moves for moves in criteria["moves"]):
    options = criterion_choices(actor, deliverable_id)

# a save's outcome shows beside the form it came from, inside its criterion, opened
show_flash(inline=set(criteria["id"]))
for row in criteria.itertuples():
    label = f"{row.code} · {plain(row.title)} · {status_label(row.status)}, version {row.version}"
    with st.expander(label, expanded=has_flash(row.id)):
        st.text(row.text)
        facts = {
            "Statement of Work": row.sow_ref,
            "Stage": row.stage,
            "Sprint": row.sprint,
            "Due": row.due,
            "Jira issues": row.jira_keys,
        }
        st.text(" · ".join(f"{k}: {v}" for k, v in facts.items() if pd.notna(v) and v != ""))
        older = versions[(versions["criterion_id"] == row.id) & ~versions["current"]]
        for version in older.itertuples():
            st.markdown(f"**Version {version.version}** (superseded): {plain(version.title)}")
            st.text(version.text)
        links = evidence[evidence["criterion_id"] == row.id]
        if not links.empty:
            st.markdown("**Evidence**")
            st.dataframe(
                readable(
                    links[["version", "url", "note", "who"]].rename(
                        columns={"version": "Version", "url": "Link", "note": "Note", "who": "By"}
                    )
                ),
                hide_index=True,
                column_config={"Link": st.column_config.LinkColumn("Link")},
                key=f"evidence_{row.id}",
            )
        st.markdown("**History**")
        st.dataframe(history_table(ledger, row.id), hide_index=True, key=f"history_{row.id}")
        for move in row.moves:
            if move == "edit":
                edit_form(actor, row, options)
            else:
                move_form(actor, row, move)
        flash_for(row.id)

if may_add:
    st.subheader("Add a criterion")
    new_criterion_form(actor, deliverable_id, options)

st.subheader("Evidence pack")
st.write(
    "For a gate review: the criteria, every version, confirmations, decisions, evidence and the "
    "audit entries, with the ledger verified when the pack is made."
)
if st.button("Prepare the evidence pack", key="prepare_pack"):
    with db() as session:
        pack = build_evidence_pack(session, actor, deliverable_id=deliverable_id)
    left, right = st.columns(2)
    left.download_button(
        "Download the pack as a web page (HTML)",
        pack_html(pack),
        file_name=file_name(pack.ref, "evidence-pack", suffix=".html"),
        mime="text/html",
    )
    right.download_button(
        "Download the pack as CSV files (zip)",
        pack_zip(pack),
        file_name=file_name(pack.ref, "evidence-pack", suffix=".zip"),
        mime="application/zip",
    )
