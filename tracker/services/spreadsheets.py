"""Cells bound for a spreadsheet, made inert: every CSV and Excel export passes its tables here.

Contacts, engagements, criteria and Jira summaries are typed by people, and a spreadsheet runs a
cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
`=HYPERLINK(...)` in a contact's name would run on every colleague who opens the export. The
OWASP remedy is an apostrophe in front, which shows the text as it was typed. Imports take that
apostrophe off again, so a file exported and loaded back (a phone "+44 ...") is unchanged.
"""

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell a spreadsheet would run as a formula quoted."""

    def cell(value: object) -> object:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return QUOTE + value
        return value

    return frame.map(cell)


def restored(value: Any) -> Any:
    """An imported cell without the apostrophe `inert` put in front of it."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
