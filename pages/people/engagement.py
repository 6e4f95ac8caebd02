"""Engagement map: whom to engage now, each deliverable's map, the RACI matrix and the
power/interest grid."""

import streamlit as st

from tracker.charts.engagement import power_interest_grid
from tracker.models import Channel, Side
from tracker.services.engagement.maps import (
    ALL_STAGES,
    effective_at,
    engagement_frame,
    map_deliverables,
    person_choices,
    power_interest,
    raci_matrix,
    save_engagements,
)
from tracker.services.lookups import own_deliverable_ids, stage_names
from tracker.services.programme.overview import stage_plan
from tracker.services.validation import RowEdit
from tracker.ui.editor import editable_table
from tracker.ui.engagement import who_to_engage_panel
from tracker.ui.page import page_setup
from tracker.ui.session import db
from tracker.ui.widgets import choose_deliverable, readable

#: how to reach someone first, then who they are: the columns people act on lead
MAP_LABELS = {
    "stage": "Stage",
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "channel": "Preferred channel",
    "raci": "RACI",
    "organisation": "Organisation",
    "job_title": "Job title",
    "side": "Side",
    "escalation_order": "Escalation order",
    "status": "Status",
    "power": "Power (1-5)",
    "interest": "Interest (1-5)",
    "notes": "Notes",
}
EDIT_COLUMNS = [
    "id",
    "stage",
    "person",
    "side",
    "raci",
    "escalation_order",
    "power",
    "interest",
    "channel",
    "notes",
]

actor, programme = page_setup("engagement", programme=True)

with db() as session:
    deliverables = map_deliverables(session, actor, programme_id=programme.id)
    stages = stage_names(session, actor, programme_id=programme.id)
    everyone = engagement_frame(session, actor, programme_id=programme.id)
    plan = stage_plan(session, actor, programme_id=programme.id)
    own = own_deliverable_ids(session, actor, programme_id=programme.id)

labels = dict(
    zip(deliverables["id"], deliverables["ref"] + " " + deliverables["title"], strict=True)
)
chosen = choose_deliverable(labels, "map_ref", own=own)
if chosen is None:
    st.info("You have no deliverables to see yet.")
    st.stop()
deliverable = deliverables.set_index("id").loc[chosen]
engagements = everyone[everyone["deliverable_id"] == chosen]

with db() as session:
    who_to_engage_panel(session, actor, chosen, key="map_engage_now")

map_tab, raci_tab, grid_tab = st.tabs(["Map", "RACI matrix", "Power and interest"])

with map_tab:
    st.subheader(f"Engagement map of {deliverable['ref']}")
    st.caption(
        f"A row for '{ALL_STAGES}' holds at every stage unless the person has a row of their own "
        "for that stage. Each side has exactly one Accountable (A) at each stage."
    )
    if deliverable["editable"]:
        with db() as session:
            choices = person_choices(session, actor, include=engagements["person_id"])
        ids = {label: id_ for id_, label in choices.items()}

        def save(session, rows: list[RowEdit], deleted: list[int]) -> int:
            """Name the deliverable and turn the chosen 'Name (Organisation)' into a person id."""
            rows = [
                RowEdit(
                    r.row,
                    {
                        **r.values,
                        "deliverable_id": chosen,
                        "person_id": ids.get(r.values.get("person")),
                    },
                    r.id,
                )
                for r in rows
            ]
            return save_engagements(session, actor, rows=rows, deleted=deleted)

        editable_table(
            engagements.assign(person=engagements["person_id"].map(choices))[EDIT_COLUMNS],
            base=f"map_editor_{chosen}",
            label="Engagements",
            save=save,
            column_config={
                "stage": st.column_config.SelectboxColumn(
                    "Stage", options=[ALL_STAGES, *stages], required=True, default=ALL_STAGES
                ),
                "person": st.column_config.SelectboxColumn(
                    "Person", options=list(ids), required=True
                ),
                "side": st.column_config.SelectboxColumn(
                    "Side", options=[s.value for s in Side], required=True
                ),
                "raci": st.column_config.TextColumn(
                    "RACI", help="One or more of R, A, C, I (e.g. A or RA)", required=True
                ),
                "escalation_order": st.column_config.NumberColumn(
                    "Escalation order", help="1 is contacted first", min_value=1, step=1
                ),
                "power": st.column_config.NumberColumn(
                    "Power (1-5)", min_value=1, max_value=5, step=1, default=3, required=True
                ),
                "interest": st.column_config.NumberColumn(
                    "Interest (1-5)", min_value=1, max_value=5, step=1, default=3, required=True
                ),
                "channel": st.column_config.SelectboxColumn(
                    "Preferred channel", options=[c.value for c in Channel]
                ),
                "notes": st.column_config.TextColumn("Notes", max_chars=1000),
            },
        )
    else:
        st.info(
            f"You can read {deliverable['ref']}'s map. A project owner of the council that owns "
            "it, or an admin, changes it.",
            icon=":material/visibility:",
        )
        st.dataframe(
            readable(engagements[list(MAP_LABELS)].rename(columns=MAP_LABELS)),
            hide_index=True,
            key="map_table",
        )

with raci_tab:
    st.subheader("RACI matrix")
    st.caption(
        "R responsible, A accountable, C consulted, I informed; a blank cell means no part at "
        "that stage, or a stage the deliverable does not go through."
    )
    matrix = raci_matrix(everyone, plan, stages)
    st.dataframe(
        readable(
            matrix.rename(
                columns={
                    "ref": "Ref",
                    "name": "Name",
                    "organisation": "Organisation",
                    "side": "Side",
                }
            )
        ),
        hide_index=True,
        key="raci_matrix",
    )

with grid_tab:
    current = deliverable["stage"] if deliverable["stage"] in stages else stages[0]
    stage = st.selectbox(
        "Stage for the grid", stages, index=stages.index(current), key="grid_stage"
    )
    grid = power_interest(effective_at(engagements, stage))
    if grid.empty:
        st.info(f"Nobody is engaged on {deliverable['ref']} at {stage}.")
    else:
        st.plotly_chart(
            power_interest_grid(grid, f"Power and interest: {deliverable['ref']} at {stage}"),
            key="power_interest",
        )
        st.caption("The same people and numbers as the grid:")
        st.dataframe(
            grid.rename(
                columns={
                    "name": "Name",
                    "organisation": "Organisation",
                    "side": "Side",
                    "raci": "RACI",
                    "power": "Power (1-5)",
                    "interest": "Interest (1-5)",
                    "quadrant": "Quadrant",
                }
            ),
            hide_index=True,
            key="power_interest_table",
        )
