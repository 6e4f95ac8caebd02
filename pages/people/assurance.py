"""Supplier assurance: who lacks what for the deliverables they handle, expiring accreditations,
the accreditation register, the rules, and the gate for giving a deliverable to a supplier."""

from datetime import date

import streamlit as st

from tracker.models import Scheme, Sensitivity
from tracker.policy import Action, can
from tracker.services.assurance.accreditations import (
    REGISTER_COLUMNS,
    expiries_frame,
    register_frame,
    save_accreditations,
)
from tracker.services.assurance.gates import (
    Decision,
    Expiry,
    assign_supplier,
    assignable_organisations,
    check_gate,
    compliance_frame,
    overrides_frame,
    revoke_override,
    rules_frame,
    save_rules,
)
from tracker.services.engagement.maps import map_deliverables
from tracker.services.people.contacts import organisation_names
from tracker.services.programme.overview import list_programmes
from tracker.ui.editor import editable_table
from tracker.ui.markdown import plain
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db
from tracker.ui.widgets import choose_programme, readable
from tracker.uk_time import uk_times

COMPLIANCE_LABELS = {
    "ref": "Ref",
    "organisation": "Organisation",
    "decision": "Gate",
    "missing": "Missing",
    "sensitivity": "Data sensitivity",
    "required": "Required",
    "expiring": "Expiring soon",
    "relationship": "Handles it as",
    "override_reason": "Override reason",
    "title": "Deliverable",
}
OVERRIDE_LABELS = {
    "ref": "Ref",
    "organisation": "Organisation",
    "missing": "Missing when overridden",
    "reason": "Reason",
    "by": "Overridden by",
    "at": "When (UK time)",
    "revoked_at": "Withdrawn (UK time)",
    "state": "State",
}
REGISTER_LABELS = {
    "organisation": "Organisation",
    "scheme": "Scheme",
    "scope": "Scope",
    "level": "Level",
    "certificate_ref": "Certificate",
    "valid_from": "Valid from",
    "expires_on": "Expires on",
    "days_left": "Days left",
    "status": "Status",
}

actor = page_setup("assurance").actor
today = date.today()
admin = can(actor, Action.manage_assurance)

with db() as session:
    compliance = compliance_frame(session, actor, today=today)
    expiries = expiries_frame(session, actor, today=today)
    register = register_frame(session, actor, today=today)
    rules = rules_frame(session, actor)
    overrides = overrides_frame(session, actor)
    organisations = organisation_names(session, actor)

columns = st.columns(4)
columns[0].metric("Blocked", int((compliance["decision"] == Decision.blocked).sum()))
columns[1].metric("Overridden", int((compliance["decision"] == Decision.overridden).sum()))
columns[2].metric("Expiring within 30 days", int((expiries["status"] == Expiry.within_30).sum()))
columns[3].metric("Expiring within 60 days", int((expiries["status"] == Expiry.within_60).sum()))

st.subheader("Deliverables and who handles them")
st.caption(
    "Each charity or supplier handling a deliverable (as its supplier, or with people engaged on "
    "it) against what the deliverable's data needs. Councils own the data and are not gated."
)
# what someone must act on, as cards that need no scrolling across a wide table
for row in compliance[compliance["decision"] == Decision.blocked].itertuples():
    st.warning(
        f"**{row.ref}** {plain(row.title)}: {plain(row.organisation)} is blocked, missing "
        f"{row.missing}.",
        icon=":material/block:",
    )
st.dataframe(
    readable(compliance[list(COMPLIANCE_LABELS)].rename(columns=COMPLIANCE_LABELS)),
    hide_index=True,
    key="compliance",
    row_height=60,
    column_config={"Missing": st.column_config.TextColumn("Missing", width="large")},
)

st.subheader("Expiring accreditations")
if expiries.empty:
    st.success("No accreditation expires within 60 days.")
else:
    st.dataframe(
        readable(expiries[list(REGISTER_LABELS)].rename(columns=REGISTER_LABELS)),
        hide_index=True,
        key="expiries",
    )

st.subheader("Accreditation register")
shown = st.multiselect(
    "Organisations",
    sorted(register["organisation"].unique()),
    key="register_orgs",
    placeholder="All organisations",
)
listed = register[register["organisation"].isin(shown)] if shown else register
if admin:
    editable_table(
        listed[[*REGISTER_COLUMNS, "days_left", "status"]],
        base="register_editor",
        label="Accreditations",
        save=lambda session, rows, deleted: save_accreditations(
            session, actor, rows=rows, deleted=deleted
        ),
        column_config={
            "organisation": st.column_config.SelectboxColumn(
                "Organisation", options=list(organisations.values()), required=True
            ),
            "scheme": st.column_config.SelectboxColumn(
                "Scheme", options=[s.value for s in Scheme], required=True
            ),
            "scope": st.column_config.TextColumn("Scope", help="Required for ISO/IEC 27001"),
            "level": st.column_config.TextColumn(
                "Level", help="For NHS DSPT: status and year, e.g. Standards Met 2025/26"
            ),
            "certificate_ref": st.column_config.TextColumn("Certificate"),
            "valid_from": st.column_config.DateColumn("Valid from", format="YYYY-MM-DD"),
            "expires_on": st.column_config.DateColumn(
                "Expires on", format="YYYY-MM-DD", required=True
            ),
            "days_left": st.column_config.NumberColumn("Days left", disabled=True),
            "status": st.column_config.TextColumn("Status today", disabled=True),
        },
    )
else:
    st.dataframe(
        readable(listed[list(REGISTER_LABELS)].rename(columns=REGISTER_LABELS)),
        hide_index=True,
        key="register",
    )

st.subheader("Rules: what each data sensitivity needs")
st.caption("Cyber Essentials Plus meets a Cyber Essentials rule; a DSPT level is a minimum.")
if admin:
    editable_table(
        rules,
        base="rules_editor",
        label="Rules",
        save=lambda session, rows, deleted: save_rules(session, actor, rows=rows, deleted=deleted),
        column_config={
            "sensitivity": st.column_config.SelectboxColumn(
                "Data sensitivity", options=[s.value for s in Sensitivity], required=True
            ),
            "scheme": st.column_config.SelectboxColumn(
                "Required scheme",
                options=[s.value for s in Scheme if s is not Scheme.other],
                required=True,
            ),
            "min_level": st.column_config.TextColumn("Minimum level", help="e.g. Standards Met"),
        },
    )
else:
    st.dataframe(
        readable(
            rules.drop(columns="id").rename(
                columns={
                    "sensitivity": "Data sensitivity",
                    "scheme": "Required scheme",
                    "min_level": "Minimum level",
                }
            ),
            {"Minimum level": "any"},
        ),
        hide_index=True,
        key="rules",
    )

if can(actor, Action.edit_deliverable):
    st.subheader("Give a deliverable to a supplier or charity")
    with db() as session:
        programme = choose_programme(list_programmes(session, actor))
        deliverables = (
            map_deliverables(session, actor, programme_id=programme.id) if programme else None
        )
        candidates = assignable_organisations(session, actor)
    if deliverables is not None:
        deliverables = deliverables[deliverables["editable"]]
        names = dict(
            zip(deliverables["id"], deliverables["ref"] + " " + deliverables["title"], strict=True)
        )
        st.caption(
            "Choose both to see whether the organisation holds what the deliverable's data needs."
        )
        # nothing is preselected: the gate speaks about a pairing someone chose
        target = st.selectbox(
            "Deliverable", list(names), index=None, placeholder="Choose a deliverable",
            format_func=names.__getitem__, key="gate_deliverable",
        )  # fmt: skip
        organisation = st.selectbox(
            "Organisation", list(candidates), index=None, placeholder="Choose an organisation",
            format_func=candidates.__getitem__, key="gate_org",
        )  # fmt: skip
        if target is not None and organisation is not None:
            with db() as session:
                gate = check_gate(
                    session, actor, deliverable_id=target, organisation_id=organisation, today=today
                )
            if gate.decision is Decision.blocked:
                st.error(f"Blocked: {gate.message}", icon=":material/block:")
            else:
                st.success(f"{gate.decision.value.capitalize()}: {gate.message}")
            reason = None
            if gate.decision is Decision.blocked and admin:
                reason = st.text_area(
                    "Override reason (recorded with your name and the time)", key="gate_reason"
                )
            blocked = gate.decision is Decision.blocked and not (reason and reason.strip())
            if st.button(
                "Give it to this organisation", disabled=blocked, key="gate_assign", type="primary"
            ):
                attempt(
                    lambda session: assign_supplier(
                        session,
                        actor,
                        deliverable_id=target,
                        organisation_id=organisation,
                        override_reason=reason,
                    ),
                    done=lambda result: (
                        f"{result.organisation} now supplies {result.deliverable_ref}."
                    ),
                )

st.subheader("Overrides")
if overrides.empty:
    st.info("No admin has overridden the gate.")
else:
    st.dataframe(
        overrides.assign(
            state=overrides["revoked_at"].isna().map({True: "in force", False: "withdrawn"}),
            at=uk_times(overrides["at"]),
            revoked_at=uk_times(overrides["revoked_at"]),
        )
        .drop(columns="id")
        .rename(columns=OVERRIDE_LABELS),
        hide_index=True,
        key="overrides",
    )
    active = overrides[overrides["revoked_at"].isna()]
    if admin and len(active):
        labels = dict(zip(active["id"], active["ref"] + ": " + active["organisation"], strict=True))
        withdraw = st.selectbox(
            "Override to withdraw", list(labels), format_func=labels.__getitem__, key="revoke_id"
        )
        if st.button("Withdraw this override", key="revoke_button"):
            attempt(
                lambda session: revoke_override(session, actor, override_id=withdraw),
                done="Override withdrawn: the gate blocks again until the gap is closed.",
            )
