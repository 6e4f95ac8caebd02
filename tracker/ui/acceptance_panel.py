"""A deliverable's acceptance criteria as a read-only table, for any page that shows them.

The sprint review calls `criteria_panel(session, actor, deliverable_id)` with its own session;
the acceptance pages use the same table. Status is always a word; colour only adds to it. Text is
shown as plain text, never as Markdown or HTML, so criteria cannot inject markup into a page.
"""

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from sqlmodel import Session

from tracker.errors import count
from tracker.policy import Actor
from tracker.services.acceptance.views import criteria_frame
from tracker.ui.widgets import RAG_STYLES, readable
from tracker.uk_time import uk_times

TABLE_LABELS = {
    "code": "Criterion",
    "title": "Title",
    "status": "Status",
    "version": "Version",
    "sow_ref": "SoW reference",
    "stage": "Stage",
    "sprint": "Sprint",
    "due": "Due",
    "jira_keys": "Jira issues",
}
HISTORY_LABELS = {
    "at": "When (UK time)",
    "action": "Move",
    "from_status": "From",
    "to_status": "To",
    "version": "Version",
    "who": "Who",
    "role": "Role",
    "organisation": "Organisation",
    "comment": "Comment",
}
#: statuses that need attention get a GOV.UK tag colour behind their word
STATUS_STYLES = {
    "Accepted": RAG_STYLES["Green"],
    "Rejected": RAG_STYLES["Red"],
    "Queried": RAG_STYLES["Amber"],
}


def status_label(status: str) -> str:
    return status[:1].upper() + status[1:]


def criteria_table(frame: pd.DataFrame) -> Styler:
    """The display table of a criteria frame: labelled columns, status as a word."""
    table = frame[list(TABLE_LABELS)].assign(status=frame["status"].map(status_label))
    table = readable(table.rename(columns=TABLE_LABELS))
    return table.style.map(lambda value: STATUS_STYLES.get(value, ""), subset=["Status"])


def history_table(ledger: pd.DataFrame, criterion_id: int) -> pd.DataFrame:
    """One criterion's audit entries, oldest first, labelled for reading."""
    rows = ledger[ledger["criterion_id"] == criterion_id]
    table = rows[list(HISTORY_LABELS)].assign(at=uk_times(rows["at"]))
    return readable(table.rename(columns=HISTORY_LABELS))


def criteria_panel(session: Session, actor: Actor, deliverable_id: int) -> None:
    """A deliverable's criteria with their status, as far as the actor may see them."""
    frame = criteria_frame(session, actor, deliverable_id=deliverable_id)
    if frame.empty:
        st.info("No acceptance criteria have been agreed for this deliverable yet.")
        return
    counts = frame["status"].map(status_label).value_counts()
    st.caption(
        f"{count(len(frame), 'acceptance criterion', 'acceptance criteria')}: "
        + ", ".join(f"{count} {status.lower()}" for status, count in counts.items())
    )
    st.dataframe(criteria_table(frame), hide_index=True, key=f"criteria_panel_{deliverable_id}")
