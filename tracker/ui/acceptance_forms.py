"""Forms that change acceptance criteria: edit, add, and each lifecycle move.

Each form remembers the criterion's `row_version` as it was when the form was drawn. If someone
else saved in between, the service refuses with StaleCriterion: the page shows who changed what,
the person's typed text stays in the form (widget state is keyed and never reset on failure), and
saving again replaces the other change knowingly. A successful save clears the form and reruns.
"""

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from tracker.models import CriterionMove, CriterionStatus
from tracker.policy import Actor
from tracker.services.acceptance.criteria import (
    Details,
    EvidenceLink,
    Saved,
    StaleCriterion,
    Wording,
    create_criterion,
    edit_criterion,
    make_move,
)
from tracker.services.acceptance.views import CriterionOptions, criterion_options
from tracker.ui.page import attempt
from tracker.ui.session import db

M = CriterionMove
FLASH_KEY = "criteria_flash"
#: what the comment box is for, per move, and whether it must be filled in
COMMENT_LABELS = {
    M.send: "Comment for the supplier (optional)",
    M.confirm: "Comment (optional)",
    M.query: "Your question for the council (required)",
    M.submit_evidence: "Comment (optional)",
    M.accept: "Comment (optional)",
    M.reject: "Reason for rejecting (required)",
}
ANSWER_LABEL = "Your answer to the supplier's question (required)"
AUDIT_HELP = (
    "Kept in the audit trail, which can never be changed: refer to people by their role, "
    "not by name."
)
BUTTON_LABELS = {
    M.send: "Send {code} to the supplier",
    M.confirm: "Confirm {code} as understood",
    M.query: "Query {code}",
    M.submit_evidence: "Submit evidence for {code}",
    M.accept: "Accept {code}",
    M.reject: "Reject {code}",
}


@st.cache_data(ttl=600, show_spinner=False)
def criterion_choices(actor: Actor, deliverable_id: int) -> CriterionOptions:
    """Stages and sprints for the criterion forms; sprints change only with a Jira sync, so a
    cached copy (ten minutes at most) spares mapping the programme's issues on every rerun."""
    with db() as session:
        return criterion_options(session, actor, deliverable_id=deliverable_id)


def show_flash(*, inline: Collection[int] = ()) -> None:
    """The outcome of the last save, carried across the rerun that followed it, at the top of
    the page, unless its criterion is among `inline` (drawn on this page with flash_for)."""
    flash = st.session_state.get(FLASH_KEY)
    if flash and flash[0] not in inline:
        st.session_state.pop(FLASH_KEY)
        st.success(flash[1])


def has_flash(criterion_id: int) -> bool:
    flash = st.session_state.get(FLASH_KEY)
    return bool(flash) and flash[0] == criterion_id


def flash_for(criterion_id: int) -> None:
    """The outcome of the last save on this criterion, where the person pressed the button
    (not out of view at the top of a long page)."""
    if has_flash(criterion_id):
        st.success(st.session_state.pop(FLASH_KEY)[1], icon=":material/check_circle:")


def _keys(form: str, *fields: str) -> dict[str, str]:
    return {field: f"{form}_{field}" for field in fields}


def _default(key: str, value: Any) -> None:
    """Set a widget's starting value once; afterwards the person's input is kept."""
    if key not in st.session_state:
        st.session_state[key] = value


def _base_version(form: str, shown: int, submitted: bool) -> int:
    """The row version the person saw when the form was last drawn (see the module docstring)."""
    key = f"{form}_base"
    base = st.session_state.get(key, shown)
    if not submitted:
        st.session_state[key] = shown
    return base


def _save(form: str, keys: dict[str, str], action: Callable[[Session], Saved]) -> None:
    def call(session: Session) -> Saved:
        try:
            return action(session)
        except StaleCriterion as exc:
            # saving again replaces the other change knowingly
            st.session_state[f"{form}_base"] = exc.row_version
            raise

    outcome = attempt(call)
    if not outcome or outcome.value is None:
        return
    saved = outcome.value
    for key in [*keys.values(), f"{form}_base"]:
        st.session_state.pop(key, None)
    st.session_state[FLASH_KEY] = (
        saved.criterion_id,
        f"Saved: {saved.code} is now '{saved.status.value}', version {saved.version}.",
    )
    st.rerun()


def _evidence(text: str) -> list[EvidenceLink]:
    """One link per line: the address, then an optional note after a space."""
    links = []
    for line in text.splitlines():
        if line.strip():
            url, _, note = line.strip().partition(" ")
            links.append(EvidenceLink(url, note.strip() or None))
    return links


def move_form(actor: Actor, row: Any, move_name: str) -> None:
    """One lifecycle move on one criterion (`row` is a row of a criteria frame, `move_name` one
    of its `moves`)."""
    move = CriterionMove(move_name)
    form = f"move_{row.id}_{move.name}"
    keys = _keys(form, "comment", "evidence")
    with st.form(form):
        answering = move is M.send and row.status == CriterionStatus.queried.value
        comment = st.text_area(
            ANSWER_LABEL if answering else COMMENT_LABELS[move],
            key=keys["comment"],
            height=80,
            help=AUDIT_HELP,
        )
        evidence = ""
        if move is M.submit_evidence:
            evidence = st.text_area(
                "Evidence links, one per line: the web address, then an optional note",
                key=keys["evidence"],
                placeholder="https://sharepoint.example.gov.uk/uat-report.pdf UAT report",
            )
        submitted = st.form_submit_button(BUTTON_LABELS[move].format(code=row.code))
    base = _base_version(form, int(row.row_version), submitted)
    if submitted:
        _save(
            form,
            keys,
            lambda session: make_move(
                session,
                actor,
                criterion_id=int(row.id),
                move=move,
                expected_row_version=base,
                comment=comment,
                evidence=_evidence(evidence),
            ),
        )


def _criterion_fields(form: str, options: CriterionOptions, row: Any | None) -> dict[str, Any]:
    """The wording and detail widgets, starting from the criterion's values (or empty)."""
    keys = _keys(form, "title", "text", "sow_ref", "stage", "sprint", "due", "jira", "comment")
    _default(keys["title"], _text(row, "title"))
    _default(keys["text"], _text(row, "text"))
    _default(keys["sow_ref"], _text(row, "sow_ref"))
    _default(keys["stage"], _id(row, "stage_id"))
    _default(keys["sprint"], _id(row, "sprint_id"))
    _default(keys["due"], _date(row, "due_on"))
    _default(keys["jira"], _text(row, "jira_keys"))
    values = {
        "title": st.text_input("Title", key=keys["title"], max_chars=200),
        "text": st.text_area(
            "Criterion (Given / When / Then welcome)", key=keys["text"], height=140
        ),
        "sow_ref": st.text_input("Statement of Work reference", key=keys["sow_ref"]),
    }
    left, middle, right = st.columns(3)
    values["stage"] = left.selectbox(
        "Stage", [None, *options.stages], key=keys["stage"],
        format_func=lambda i: "none" if i is None else options.stages[i],
    )  # fmt: skip
    values["sprint"] = middle.selectbox(
        "Sprint", [None, *options.sprints], key=keys["sprint"],
        format_func=lambda i: "none" if i is None else options.sprints[i],
    )  # fmt: skip
    values["due"] = right.date_input(
        "Due date (optional)", key=keys["due"], format="DD/MM/YYYY",
        help="Leave empty when the criterion is due with its sprint or stage.",
    )  # fmt: skip
    values["jira"] = st.text_input(
        "Jira issues (keys, separated by commas)", key=keys["jira"], placeholder="RB-12, RB-13"
    )
    if row is not None:
        values["comment"] = st.text_input(
            "Why the change (optional)", key=keys["comment"], help=AUDIT_HELP
        )
    values["keys"] = keys
    return values


def _text(row: Any | None, field: str) -> str:
    """A frame value as a widget's text: pandas gives None or NaN for nothing."""
    value = None if row is None else getattr(row, field)
    return "" if value is None or pd.isna(value) else str(value)


def _date(row: Any | None, field: str) -> date | None:
    value = None if row is None else getattr(row, field)
    return None if value is None or pd.isna(value) else value


def _id(row: Any | None, field: str) -> int | None:
    value = None if row is None else getattr(row, field)
    return None if value is None or pd.isna(value) else int(value)


def _wording_and_details(values: dict[str, Any]) -> tuple[Wording, Details]:
    wording = Wording(values["title"], values["text"], values["sow_ref"])
    details = Details(
        stage_id=values["stage"],
        sprint_id=values["sprint"],
        due_on=values["due"],
        jira_keys=tuple(k for k in values["jira"].replace(";", ",").split(",")),
    )
    return wording, details


def edit_form(actor: Actor, row: Any, options: CriterionOptions) -> None:
    form = f"edit_{row.id}"
    with st.form(form):
        if row.status != CriterionStatus.draft.value:
            st.markdown(
                "**Changing the title, text or Statement of Work reference makes a new version "
                "that goes back to the supplier to confirm again.**"
            )
        values = _criterion_fields(form, options, row)
        submitted = st.form_submit_button(f"Save changes to {row.code}")
    base = _base_version(form, int(row.row_version), submitted)
    if submitted:

        def action(session: Session) -> Saved:
            wording, details = _wording_and_details(values)
            return edit_criterion(
                session,
                actor,
                criterion_id=int(row.id),
                expected_row_version=base,
                wording=wording,
                details=details,
                comment=values["comment"],
            )

        _save(form, values["keys"], action)


def new_criterion_form(actor: Actor, deliverable_id: int, options: CriterionOptions) -> None:
    form = f"new_criterion_{deliverable_id}"
    with st.form(form):
        values = _criterion_fields(form, options, None)
        submitted = st.form_submit_button("Add the criterion as a draft")
    if submitted:

        def action(session: Session) -> Saved:
            wording, details = _wording_and_details(values)
            return create_criterion(
                session, actor, deliverable_id=deliverable_id, wording=wording, details=details
            )

        _save(form, values["keys"], action)
