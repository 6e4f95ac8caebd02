"""Checking rows that people type or import, so one bad row rejects a whole save or file.

An editor's save and a file import both arrive as `RowEdit`s: the full row as it would be saved,
with the number the person sees beside it. The services check every row, collect every problem,
and write nothing unless there are none, so a person can fix the whole file in one go.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.errors import Conflict, Invalid, count

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is not checkable here.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# A UK number without spaces, hyphens or brackets: 0 or +44, then 9 or 10 digits, not 0 first.
_UK_PHONE = re.compile(r"^(?:\+44|0)[1-9]\d{8,9}$")
RACI_LETTERS = "RACI"
# A deliverable's reference. It names files (evidence packs, downloads), so it is kept to letters,
# digits and dashes; 30 is the column's width.
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")
REF_FORMAT = "letters, digits and dashes, at most 30, starting with a letter or digit, e.g. RB-01"


@dataclass(frozen=True)
class RowEdit:
    """One row to save: `id` names an existing row (None: new, or matched on a natural key)."""

    row: int
    values: dict[str, Any]
    id: int | None = None


@dataclass(frozen=True)
class RowProblem:
    table: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row}: {self.message}"


class RowsRejected(Invalid):
    """Some rows are invalid, so nothing was saved; `problems` lists each one as a RowProblem
    (its table and row), which pages show as a table."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"nothing was saved: {count(len(problems), 'problem')}", problems)


class Unconfirmed(Conflict):
    """A file that would change people who sign in (their email, name, organisation, status or
    role), not confirmed: nothing was written. `changes` lists each, naming its place; `confirm`
    says how to confirm (the command's --yes)."""

    def __init__(self, source: str, changes: list[Any], *, confirm: str, note: str = "") -> None:
        self.changes = list(changes)
        headline = (
            f"{source}: nothing was written: it changes "
            f"{count(len(self.changes), 'person', 'people')} who "
            f"{'signs' if len(self.changes) == 1 else 'sign'} in to tracker{note}; "
            f"check each and confirm to apply ({confirm})"
        )
        super().__init__("\n".join([headline, *(f"  {c}" for c in self.changes)]))


def blank(value: Any) -> bool:
    """Empty cells arrive as None, NaN, NaT or whitespace depending on the editor or file."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaT and pandas' NA
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str | None:
    """A cell as stripped text, or None when empty."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def is_ref(value: str) -> bool:
    """A deliverable reference in the format REF_FORMAT describes."""
    return bool(_REF.match(value))


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_uk_phone(value: str) -> bool:
    """UK landline, mobile or non-geographic number, with spaces, hyphens or brackets allowed."""
    compact = re.sub(r"[\s\-]", "", value).replace("+44(0)", "+44")
    return bool(_UK_PHONE.match(compact.replace("(", "").replace(")", "")))


def raci(value: Any) -> str | None:
    """Letters R, A, C, I in canonical order ("a/r" becomes "RA"); None when anything else."""
    cleaned = re.sub(r"[\s/,+]", "", text(value) or "").upper()
    if (
        not cleaned
        or any(c not in RACI_LETTERS for c in cleaned)
        or len(set(cleaned)) < len(cleaned)
    ):
        return None
    return "".join(c for c in RACI_LETTERS if c in cleaned)


def whole_number(value: Any, low: int, high: int | None = None) -> int | None:
    """An integer within bounds, or None; "3", 3.0 and 3 are all 3."""
    try:
        number = float(text(value) or "")
    except ValueError:
        return None
    if not number.is_integer() or number < low or (high is not None and number > high):
        return None
    return int(number)


def day(value: Any) -> date | None:
    """A date from an ISO string, a date or a timestamp; raises ValueError on anything else."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])
