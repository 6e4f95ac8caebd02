"""'Who to engage now' widgets: the overview's summary and one deliverable's panel.

Other pages (the sprint review, the engagement map) call `who_to_engage_panel` with their own
session; gaps are always written out as words ("Gap: ..."), never shown by colour alone.
"""

from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from tracker.errors import count
from tracker.policy import Actor
from tracker.services.engagement.now import (
    EngageNow,
    summary_frame,
    who_to_engage,
    who_to_engage_all,
)
from tracker.services.lookups import visible_deliverable
from tracker.ui.markdown import plain
from tracker.ui.widgets import readable

#: in the order people use them: why to engage, whom and how to reach them, then the rest
CONTACT_LABELS = {
    "reason": "Why",
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "channel": "Preferred channel",
    "flags": "Flags",
    "status": "Status",
    "organisation": "Organisation",
    "job_title": "Job title",
    "raci": "RACI",
    "side": "Side",
}
SUMMARY_LABELS = {
    "ref": "Ref",
    "stage": "Stage",
    "gaps": "Gaps",
    "supplier_accountable": "1. Supplier accountable",
    "supplier_responsible": "2. Supplier responsible",
    "council_owner": "3. Council owner",
    "escalation": "4. Escalation path",
}


def _gaps(answer: EngageNow) -> None:
    if not answer.gaps:
        st.success(
            f"No gaps: {plain(answer.ref)} has an active supplier-side contact and an owner."
        )
    for gap in answer.gaps:
        st.warning(f"Gap ({gap.kind.value}): {plain(gap.message)}", icon=":material/warning:")


def contacts_table(answer: EngageNow, key: str) -> None:
    """The contacts in the order to engage them, numbered, with their flags in words."""
    table = readable(
        answer.contacts.reindex(columns=list(CONTACT_LABELS)).rename(columns=CONTACT_LABELS)
    )
    table.insert(0, "Order", range(1, len(table) + 1))
    st.dataframe(table, hide_index=True, key=key)


def who_to_engage_panel(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    *,
    stage: str | None = None,
    today: date | None = None,
    key: str = "engage_now",
) -> EngageNow:
    """Whom to engage on one deliverable now (or at `stage`), in order, with its gaps."""
    answer = who_to_engage(
        session,
        actor,
        deliverable=visible_deliverable(session, actor, deliverable_id=deliverable_id),
        stage=stage,
        today=today,
    )
    st.subheader(f"Who to engage now: {plain(answer.ref)} at {plain(answer.stage or 'no stage')}")
    st.caption(
        "Supplier-side accountable and responsible contacts first, then the council owner, "
        "then the escalation path."
    )
    _gaps(answer)
    contacts_table(answer, key=f"{key}_{deliverable_id}")
    return answer


def who_to_engage_summary(
    session: Session, actor: Actor, programme_id: int, today: date | None = None
) -> pd.DataFrame:
    """One line per visible deliverable: whom to engage first, then next, and its gaps."""
    summary = summary_frame(
        who_to_engage_all(session, actor, programme_id=programme_id, today=today)
    )
    gapped = int((summary["gaps"] != "none").sum()) if len(summary) else 0
    if gapped:
        st.warning(
            f"{count(gapped, 'deliverable')} {'has' if gapped == 1 else 'have'} engagement gaps: "
            "see the Gaps column.",
            icon=":material/warning:",
        )
    st.dataframe(summary.rename(columns=SUMMARY_LABELS), hide_index=True, key="who_to_engage_now")
    return summary
