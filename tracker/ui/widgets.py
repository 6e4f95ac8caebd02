"""Widgets several pages share, built for WCAG 2.2 AA: status is always a word, colour only adds."""

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from tracker.services.programme.overview import ProgrammeInfo

# GOV.UK design system colours; each pair passes 4.5:1 text contrast.
RAG_STYLES = {
    "Red": "background-color: #d4351c; color: #ffffff",
    "Amber": "background-color: #ffdd00; color: #0b0c0c",
    "Green": "background-color: #00703c; color: #ffffff",
}


def rag_styled(frame: pd.DataFrame, column: str = "RAG") -> Styler:
    """The RAG column shows its word ("Red") on a matching background."""
    return frame.style.map(lambda value: RAG_STYLES.get(value, ""), subset=[column])


def readable(frame: pd.DataFrame, blanks: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A read-only table as people read it: nothing shows as None, nan or NaT. A missing value is
    blank, or the word given for its column in `blanks` ("not yet", "never"); whole numbers held
    as floats because of a gap (an escalation order) show without ".0"."""
    blanks = blanks or {}
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if not values.isna().any():
            continue
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")
        # one type per column (text), so Arrow need not guess
        text = values.astype(object).map(str, na_action="ignore")
        shown[column] = text.where(values.notna(), blanks.get(column, ""))
    return shown


def choose_deliverable(
    labels: Mapping[int, str], key: str, *, own: Sequence[int] = ()
) -> int | None:
    """A deliverable by id, opening on the one a link names (`?deliverable=REF`, as emailed
    notifications link), if it is among those offered, else on the first of the actor's own (a
    project owner's council's, a supplier contact's organisation's:
    tracker.services.lookups.own_deliverable_ids), so people start from their own work rather
    than another council's."""
    if not labels:
        return None
    ids = list(labels)
    mine = set(own)
    first = next((i for i, d in enumerate(ids) if d in mine), 0)
    linked = st.query_params.get("deliverable")
    first = next((i for i, d in enumerate(ids) if labels[d].split(" ")[0] == linked), first)
    return st.selectbox("Deliverable", ids, index=first, format_func=labels.__getitem__, key=key)


def choose_programme(programmes: list[ProgrammeInfo]) -> ProgrammeInfo | None:
    if not programmes:
        st.info("You have no programmes to see yet. Ask your programme admin for access.")
        return None
    if len(programmes) == 1:
        return programmes[0]
    by_id = {p.id: p for p in programmes}
    chosen = st.selectbox(
        "Programme", list(by_id), format_func=lambda i: by_id[i].name, key="programme_id"
    )
    return by_id[chosen]
