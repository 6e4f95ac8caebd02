"""The RAID log: the heatmap of open risks, what needs the board's attention, and the register,
filtered by deliverable and organisation, with downloads; those who raise items raise, change
and import them here."""

import streamlit as st

from tracker.charts.raid import heatmap_chart
from tracker.metrics.raid import heatmap_counts
from tracker.policy import may_raise_raid
from tracker.services.programme.overview import deliverables_frame
from tracker.services.raid.register import (
    editable_codes,
    programme_organisations,
    raid_frame,
    today_in_uk,
)
from tracker.ui.page import page_setup
from tracker.ui.raid import (
    change_form,
    export_section,
    import_section,
    raise_form,
    register_table,
)
from tracker.ui.session import db

actor, programme = page_setup("raid", programme=True)

with db() as session:
    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    organisations = programme_organisations(session, actor, programme_id=programme.id)
    codes = editable_codes(session, actor, programme_id=programme.id)

left, right = st.columns(2)
refs = deliverables["ref"].tolist()
deliverable_ids = dict(zip(refs, deliverables["id"], strict=True))
chosen_refs = left.multiselect("Deliverables (none chosen: all)", refs, key="raid_refs")
chosen_orgs = right.multiselect(
    "Owner organisations (none chosen: all)",
    list(organisations),
    format_func=organisations.__getitem__,
    key="raid_orgs",
)
filters = {
    "deliverable_ids": [int(deliverable_ids[r]) for r in chosen_refs] if chosen_refs else None,
    "organisation_ids": chosen_orgs or None,
}
with db() as session:
    register = raid_frame(session, actor, programme_id=programme.id, today=today_in_uk(), **filters)

open_items = register[register["status"] == "open"]
grid = heatmap_counts(register)
columns = st.columns(4)
columns[0].metric("Open risks", int(grid.to_numpy().sum()))
columns[1].metric("Scoring 15 or more", int(open_items["high"].sum()))
columns[2].metric("Need the board's attention", int(register["needs_attention"].sum()))
columns[3].metric("Open issues", int((open_items["kind"] == "issue").sum()))

st.header("Heatmap of open risks")
st.plotly_chart(heatmap_chart(grid), key="raid_heatmap")
with st.expander("The heatmap as a table"):
    st.dataframe(
        grid.rename(index=lambda i: f"likelihood {i}", columns=lambda i: f"impact {i}"),
        key="raid_heatmap_table",
    )

st.header("Needs the board's attention")
attention = register[register["needs_attention"]]
if attention.empty:
    st.success("Nothing is escalated, scoring 15 or more, or past its review date.")
else:
    st.dataframe(register_table(attention), hide_index=True, key="raid_attention")

st.header("Register")
if register.empty:
    st.info("No RAID items to show.")
else:
    st.dataframe(register_table(register), hide_index=True, key="raid_register")
export_section(actor, programme.id, filters)

if may_raise_raid(actor):
    st.header("Raise an item")
    names = list(organisations.values())
    raise_form(actor, programme.id, refs, names)
    if codes:
        st.header("Change an item")
        change_form(actor, programme.id, codes, refs, names)
    st.header("Import")
    import_section(actor, programme.id)
