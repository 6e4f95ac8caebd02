"""An editable table whose Save goes through a service, all or nothing.

st.data_editor keeps its pending edits in session state as a diff by row position; here they
become `RowEdit`s (full rows, numbered as the person sees them) for the service to check. A
rejected save shows every problem and leaves the edits on screen so nothing typed is lost; a
successful one starts a fresh editor (a new key), so saved rows are not applied twice.
"""

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from tracker.errors import TrackerError, count
from tracker.services.validation import RowEdit
from tracker.ui.page import show_refusal
from tracker.ui.session import db

#: A service call: (session, rows, deleted ids) -> rows written.
Saver = Callable[[Session, list[RowEdit], list[int]], int]


def editor_key(base: str) -> str:
    """The current key of an editor; it changes after each successful save."""
    return f"{base}_{st.session_state.get(f'{base}_version', 0)}"


def editor_rows(
    frame: pd.DataFrame, state: Mapping[str, Any] | None
) -> tuple[list[RowEdit], list[int]]:
    """Turn a data editor's diff into full rows (row n is the n-th row on screen, new rows after
    the existing ones) and the ids of deleted rows."""
    state = state or {}
    rows = []
    for position, changes in sorted((int(p), c) for p, c in state.get("edited_rows", {}).items()):
        current = frame.iloc[position]
        rows.append(
            RowEdit(
                row=position + 1, values={**current.to_dict(), **changes}, id=int(current["id"])
            )
        )
    for i, added in enumerate(state.get("added_rows", [])):
        rows.append(RowEdit(row=len(frame) + i + 1, values=dict(added)))
    deleted = [int(frame.iloc[int(p)]["id"]) for p in state.get("deleted_rows", [])]
    return rows, deleted


def _save(frame: pd.DataFrame, base: str, save: Saver) -> None:
    key = editor_key(base)
    rows, deleted = editor_rows(frame, st.session_state.get(key))
    if not rows and not deleted:
        st.session_state[f"{base}_outcome"] = ("info", "There were no changes to save.")
        return
    try:
        with db() as session:
            written = save(session, rows, deleted)
    except TrackerError as exc:
        # shown after the form is drawn again, below it (a callback's output would go above)
        st.session_state[f"{base}_outcome"] = ("refused", exc)
        return
    st.session_state.pop(key, None)
    st.session_state[f"{base}_version"] = st.session_state.get(f"{base}_version", 0) + 1
    st.session_state[f"{base}_outcome"] = ("saved", f"Saved: {count(written, 'row')} written.")


def editable_table(
    frame: pd.DataFrame,
    *,
    base: str,
    label: str,
    save: Saver,
    column_config: dict[str, Any],
    num_rows: str = "dynamic",
) -> None:
    """Draw `frame` (which has an `id` column, hidden) in an editor with a Save button."""
    with st.form(f"{base}_form", border=False):
        st.data_editor(
            frame,
            key=editor_key(base),
            column_config={"id": None, **column_config},
            num_rows=num_rows,  # type: ignore[arg-type]
            hide_index=True,
            # an empty cell stays blank: the default grey "None" reads as a typed value
            placeholder="",
            alt=label,
        )
        st.form_submit_button(
            f"Save {label.lower()}", on_click=_save, args=(frame, base, save), type="primary"
        )
    outcome = st.session_state.pop(f"{base}_outcome", None)
    if outcome is None:
        return
    kind, detail = outcome
    if kind == "refused":
        show_refusal(detail)
    elif kind == "saved":
        st.success(detail)
    else:
        st.info(detail)
