"""Widgets several pages share, built for WCAG 2.2 AA: status is always a word, colour only adds."""

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
