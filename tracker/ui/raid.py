"""The RAID, decision and dependency pages' tables and forms: Streamlit glue over the services.

Status is always a word; colour only adds to it (HEALTH_STYLES). Forms send what was typed to the
services, which check it and name every problem; `attempt` shows them and keeps the input.
"""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from sqlmodel import Session

from tracker.models import (
    DependencyKind,
    Escalation,
    Person,
    Priority,
    RaidKind,
    RaidStatus,
    RiskResponse,
)
from tracker.policy import Actor
from tracker.services.raid.decisions import decide, propose_decision, supersede
from tracker.services.raid.dependencies import declare_dependency, update_dependency
from tracker.services.raid.exchange import export_raid, import_raid
from tracker.services.raid.register import add_item, item_by_code, item_values, update_item
from tracker.ui.page import attempt
from tracker.ui.session import db
from tracker.ui.widgets import readable

WHOLE_PROGRAMME = "Whole programme"
NOT_SET = "(not set)"
#: GOV.UK colours with text that passes 4.5:1; the cell always holds the word as well
HEALTH_STYLES = {
    "Red": "background-color: #d4351c; color: #ffffff",
    "Amber": "background-color: #ffdd00; color: #0b0c0c",
    "Green": "background-color: #00703c; color: #ffffff",
    "Unknown": "background-color: #505a5f; color: #ffffff",
}
REGISTER_COLUMNS = {
    "code": "Code",
    "kind": "Kind",
    "status": "Status",
    "score": "Score",
    "title": "Title",
    "deliverable": "Deliverable",
    "owner_organisation": "Owner organisation",
    "owner": "Owner",
    "review_date": "Review by",
    "escalation": "Escalated to",
    "attention": "Needs the board because",
    "residual_score": "Residual score",
    "proximity": "Proximity",
    "response": "Response",
    "priority": "Priority",
    "due_date": "Due",
    "raised_from": "Raised from",
}


def health_styled(frame: pd.DataFrame, columns: list[str]) -> Styler:
    """Health words ("Red") on a matching background, in the given columns."""
    return frame.style.map(lambda value: HEALTH_STYLES.get(value, ""), subset=columns)


def register_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The register as people read it: named columns, UK dates, blanks for what is not set."""
    shown = frame[list(REGISTER_COLUMNS)].copy()
    for column in ("review_date", "proximity", "due_date"):
        shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d %b %Y")
    shown["deliverable"] = shown["deliverable"].fillna(WHOLE_PROGRAMME)
    shown["escalation"] = shown["escalation"].replace("none", "")
    return readable(shown.rename(columns=REGISTER_COLUMNS))


def _choice(label: str, options: list[str], current: Any, key: str) -> str | None:
    """A select box with "(not set)" first; None when that is chosen."""
    values = [NOT_SET, *options]
    index = values.index(str(current)) if current is not None and str(current) in values else 0
    chosen = st.selectbox(label, values, index=index, key=key)
    return None if chosen == NOT_SET else chosen


def _rating(label: str, current: Any, key: str) -> str | None:
    said = None if current is None or pd.isna(current) else str(int(current))
    return _choice(label, ["1", "2", "3", "4", "5"], said, key)


def _day(label: str, current: Any, key: str) -> str:
    chosen = st.date_input(label, value=current, format="DD/MM/YYYY", key=key)
    return chosen.isoformat() if isinstance(chosen, date) else ""


def item_fields(
    kind: str,
    deliverables: list[str],
    organisations: list[str],
    current: Mapping[str, Any],
    key: str,
) -> dict[str, Any]:
    """The fields of one kind of item, filled with `current`; their values as register values
    ('' clears a value)."""
    values: dict[str, Any] = {
        "title": st.text_input("Title", current.get("title") or "", key=f"{key}_title"),
        "description": st.text_area(
            "Description", current.get("description") or "", key=f"{key}_description"
        ),
    }
    where = st.selectbox(
        "Deliverable",
        [WHOLE_PROGRAMME, *deliverables],
        index=([WHOLE_PROGRAMME, *deliverables].index(current["deliverable"])
               if current.get("deliverable") in deliverables else 0),
        key=f"{key}_deliverable",
    )  # fmt: skip
    values["deliverable"] = "" if where == WHOLE_PROGRAMME else where
    values["owner_organisation"] = (
        _choice(
            "Owner organisation", organisations, current.get("owner_organisation"), f"{key}_org"
        )
        or ""
    )
    values["owner"] = st.text_input(
        "Owner (their email, or their name in the owner organisation)",
        current.get("owner_label") or "",
        key=f"{key}_owner",
    )
    if kind == RaidKind.risk:
        left, right = st.columns(2)
        with left:
            values["likelihood"] = (
                _rating("Likelihood (1-5)", current.get("likelihood"), f"{key}_l") or ""
            )
            values["residual_likelihood"] = (
                _rating(
                    "Residual likelihood (1-5)", current.get("residual_likelihood"), f"{key}_rl"
                )
                or ""
            )
            values["proximity"] = _day(
                "Proximity (when it would hit)", current.get("proximity"), f"{key}_prox"
            )
        with right:
            values["impact"] = _rating("Impact (1-5)", current.get("impact"), f"{key}_i") or ""
            values["residual_impact"] = (
                _rating("Residual impact (1-5)", current.get("residual_impact"), f"{key}_ri") or ""
            )
            values["response"] = (
                _choice("Response", list(RiskResponse), current.get("response"), f"{key}_response")
                or ""
            )
        values["mitigation"] = st.text_area(
            "Mitigation", current.get("mitigation") or "", key=f"{key}_mitigation"
        )
    else:
        values["priority"] = (
            _choice("Priority", list(Priority), current.get("priority"), f"{key}_priority") or ""
        )
        values["due_date"] = _day("Due", current.get("due_date"), f"{key}_due")
        values["resolution"] = st.text_area(
            "Resolution", current.get("resolution") or "", key=f"{key}_resolution"
        )
    values["review_date"] = _day("Review by", current.get("review_date"), f"{key}_review")
    values["escalation"] = st.selectbox(
        "Escalated to",
        list(Escalation),
        index=list(Escalation).index(current.get("escalation") or Escalation.none),
        key=f"{key}_escalation",
    )
    return values


def raise_form(
    actor: Actor, programme_id: int, deliverables: list[str], organisations: list[str]
) -> None:
    """Raise a risk, assumption or issue."""
    kind = st.radio("Kind", list(RaidKind), horizontal=True, key="raise_kind")
    with st.form("raise_item"):
        values = item_fields(kind, deliverables, organisations, {}, f"raise_{kind}")
        submitted = st.form_submit_button("Raise")
    if submitted:
        outcome = attempt(
            lambda session: add_item(
                session, actor, programme_id=programme_id, values={"kind": kind, **values}
            ),
            done=lambda item: f"Raised {item.title}.",
            refused="Not raised: ",
        )
        if outcome:
            st.rerun()


def change_form(
    actor: Actor,
    programme_id: int,
    codes: list[str],
    deliverables: list[str],
    organisations: list[str],
) -> None:
    """Change an item the actor may change; a stale save is refused, keeping what was typed."""
    code = st.selectbox("Item to change", codes, key="change_code")
    with db() as session:
        item = item_by_code(session, actor, programme_id=programme_id, code=code)
        current = item_values(session, actor, programme_id=programme_id, code=code)
        owner = item.owner_person_id
        current["owner_label"] = _owner_label(session, owner)
        kind, seen = str(item.kind), item.row_version
    with st.form(f"change_{code}"):
        values = item_fields(kind, deliverables, organisations, current, f"change_{code}")
        statuses = [
            s.value for s in RaidStatus if kind == RaidKind.risk or s != RaidStatus.occurred
        ]
        values["status"] = st.selectbox(
            "Status",
            statuses,
            index=statuses.index(str(item.status)),
            key=f"change_{code}_status",
            help="A risk that occurred becomes an issue linked to it.",
        )
        submitted = st.form_submit_button(f"Save {code}")
    if submitted:
        if values["owner"] == current["owner_label"]:
            values["owner"] = owner
        outcome = attempt(
            lambda session: update_item(
                session, actor, programme_id=programme_id, code=code, values=values,
                row_version=seen,
            ),
            done=lambda saved: f"Saved {code}."
            + (" It occurred: the issue it became is in the log." if len(saved) > 1 else ""),
            refused=f"{code} not saved: ",
        )  # fmt: skip
        if outcome:
            st.rerun()


def _owner_label(session: Session, person_id: int | None) -> str:
    person = session.get(Person, person_id) if person_id else None
    return person.name if person else ""


def export_section(actor: Actor, programme_id: int, filters: Mapping[str, Any]) -> None:
    """Download the register as filtered, as CSV and as Excel (made when clicked)."""

    def exported(filename: str) -> Callable[[], bytes]:
        def make() -> bytes:
            with db() as session:
                return export_raid(
                    session, actor, programme_id=programme_id, filename=filename, **filters
                )

        return make

    left, right = st.columns(2)
    for column, suffix, mime in (
        (left, "csv", "text/csv"),
        (right, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        column.download_button(
            f"Download the RAID log (.{suffix})",
            exported(f"raid.{suffix}"),
            f"raid.{suffix}",
            mime,
            key=f"raid_download_{suffix}",
        )


def import_section(actor: Actor, programme_id: int) -> None:
    """Raise and change items from a file, all or nothing."""
    upload = st.file_uploader(
        "Import a RAID log (.csv or .xlsx, the columns of the download)",
        type=["csv", "xlsx"],
        key="raid_upload",
    )
    if upload is not None and st.button("Import", key="raid_import"):
        attempt(
            lambda session: import_raid(
                session, actor, programme_id=programme_id, filename=upload.name,
                data=upload.getvalue(),
            ),
            done=lambda saved: f"{upload.name}: {len(saved)} RAID items saved.",
        )  # fmt: skip


# -- decisions ----------------------------------------------------------------------------------

DECISION_COLUMNS = {
    "code": "Code",
    "status": "Status",
    "title": "Decision",
    "deliverable": "Deliverable",
    "raid_item": "RAID item",
    "owner_organisation": "Brought by",
    "needed_by": "Needed by",
    "outcome": "Outcome",
    "body": "Decided by",
    "decided_on": "On",
    "minute_ref": "Minute",
    "replaced_by": "Replaced by",
    "replaces": "Replaces",
}


def decisions_table(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame[list(DECISION_COLUMNS)].copy()
    for column in ("needed_by", "decided_on"):
        shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d %b %Y")
    shown["deliverable"] = shown["deliverable"].fillna(WHOLE_PROGRAMME)
    return readable(shown.rename(columns=DECISION_COLUMNS))


def propose_form(
    actor: Actor, programme_id: int, deliverables: list[str], items: list[str]
) -> None:
    with st.form("propose_decision"):
        title = st.text_input("Decision needed", key="propose_title")
        detail = st.text_area("What is to be decided, with the options", key="propose_detail")
        where = st.selectbox("Deliverable", [WHOLE_PROGRAMME, *deliverables], key="propose_where")
        item = _choice("RAID item it answers", items, None, "propose_item")
        needed = _day("Needed by", None, "propose_needed")
        submitted = st.form_submit_button("Propose")
    if submitted:
        values = {
            "title": title,
            "detail": detail,
            "deliverable": "" if where == WHOLE_PROGRAMME else where,
            "raid_item": item or "",
            "needed_by": needed,
        }
        if attempt(
            lambda session: propose_decision(
                session, actor, programme_id=programme_id, values=values
            ),
            done=lambda d: f"Proposed D-{d.number}.",
            refused="Not proposed: ",
        ):
            st.rerun()


def _minute(key: str) -> dict[str, Any]:
    return {
        "outcome": st.text_area("What was decided", key=f"{key}_outcome"),
        "body": st.selectbox(
            "Decided by", ["programme board", "joint committee", "project board"], key=f"{key}_body"
        ),
        "decided_on": _day("Date of the meeting", None, f"{key}_on"),
        "minute_ref": st.text_input("Minute reference", key=f"{key}_minute"),
    }


def decide_form(actor: Actor, programme_id: int, proposed: list[str]) -> None:
    code = st.selectbox("Proposed decision", proposed, key="decide_code")
    with st.form("decide_decision"):
        values = _minute("decide")
        submitted = st.form_submit_button(f"Record the decision on {code}")
    if submitted and attempt(
        lambda session: decide(session, actor, programme_id=programme_id, code=code, values=values),
        done=f"{code} decided.",
        refused=f"{code} not recorded: ",
    ):
        st.rerun()


def supersede_form(actor: Actor, programme_id: int, decided: list[str]) -> None:
    code = st.selectbox("Decided decision", decided, key="supersede_code")
    with st.form("supersede_decision"):
        title = st.text_input("Title of the new decision (empty: the same)", key="supersede_title")
        reverse = st.checkbox("It reverses the old decision", key="supersede_reverse")
        values = _minute("supersede")
        submitted = st.form_submit_button(f"Record the decision replacing {code}")
    if submitted:
        if title.strip():
            values["title"] = title
        if attempt(
            lambda session: supersede(
                session, actor, programme_id=programme_id, code=code, values=values,
                reverse=reverse,
            ),
            done=lambda d: f"D-{d.number} {'reverses' if reverse else 'supersedes'} {code}.",
            refused="Not recorded: ",
        ):  # fmt: skip
            st.rerun()


# -- dependencies -------------------------------------------------------------------------------

DEPENDENCY_COLUMNS = {
    "health": "Health",
    "consumer": "Waiting",
    "consumer_org": "Waiting council",
    "provider": "Waits on",
    "provider_org": "Provider",
    "what": "What",
    "needed_by": "Needed by",
    "expected_by": "Expected by",
    "why": "Why",
    "in_cycle": "In a cycle",
    "code": "Reference",
    "source": "From",
}


def dependencies_table(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame[list(DEPENDENCY_COLUMNS)].copy()
    shown["health"] = shown["health"].str.capitalize()
    for column in ("needed_by", "expected_by"):
        shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d %b %Y")
    shown["in_cycle"] = shown["in_cycle"].map({True: "yes", False: ""})
    return readable(
        shown.rename(columns=DEPENDENCY_COLUMNS), {"Needed by": "no date", "Expected by": "no date"}
    )


def matrix_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Waiting organisations (rows) by providers (columns), each cell its worst health's word."""
    shown = matrix.map(lambda value: value.capitalize() if isinstance(value, str) else "")
    shown.index.name = "Waits (row) on (column)"
    return shown.reset_index()


def declare_form(
    actor: Actor, programme_id: int, deliverables: list[str], organisations: list[str]
) -> None:
    on = st.radio("Waits on", ["a deliverable", "an organisation"], horizontal=True, key="dep_on")
    with st.form("declare_dependency"):
        consumer = st.selectbox("Deliverable that waits", deliverables, key="dep_consumer")
        values: dict[str, Any] = {"consumer": consumer}
        if on == "a deliverable":
            values["provider"] = st.selectbox(
                "Deliverable it waits on", deliverables, key="dep_provider"
            )
        else:
            values["provider_organisation"] = st.selectbox(
                "Organisation it waits on", organisations, key="dep_org"
            )
            values["kind"] = st.selectbox(
                "What", [k.value for k in DependencyKind if k != DependencyKind.deliverable],
                key="dep_kind",
            )  # fmt: skip
        values["description"] = st.text_input("Description", key="dep_description")
        values["needed_by"] = _day("Needed by", None, "dep_needed")
        values["expected_by"] = _day(
            "Expected by (the provider's forecast; empty: its target date)", None, "dep_expected"
        )
        submitted = st.form_submit_button("Declare")
    if submitted and attempt(
        lambda session: declare_dependency(
            session, actor, programme_id=programme_id, values=values
        ),
        done=lambda d: f"Declared DEP-{d.number}.",
        refused="Not declared: ",
    ):
        st.rerun()


def done_form(actor: Actor, programme_id: int, codes: list[str]) -> None:
    with st.form("dependency_done"):
        code = st.selectbox("Declared dependency", codes, key="dep_done_code")
        submitted = st.form_submit_button("Mark as done (it has come)")
    if submitted and attempt(
        lambda session: update_dependency(
            session, actor, programme_id=programme_id, code=code, values={"status": "done"}
        ),
        done=f"{code} done.",
    ):
        st.rerun()
