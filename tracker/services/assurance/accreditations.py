"""The accreditation register: what each organisation holds, and when each expires.

Admins keep it; everyone reads it, supplier contacts only their own organisation's part.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from tracker.models import Accreditation, Organisation, Scheme
from tracker.policy import Action, Actor, organisation_filter, require
from tracker.services.assurance.gates import DSPT_STATUSES, Expiry, dspt_rank, expiry_flag
from tracker.services.validation import RowEdit, RowProblem, RowsRejected, day, text

REGISTER_COLUMNS = [
    "id",
    "organisation",
    "scheme",
    "scope",
    "level",
    "certificate_ref",
    "valid_from",
    "expires_on",
]
_DSPT_YEAR = re.compile(r"\b\d{4}/\d{2}\b")
_LIMITS = {"scope": 500, "level": 100, "certificate_ref": 100}
RENEWED = "expired, renewed"
NOT_YET_VALID = "not yet valid"
VALID = "valid"


def _status(row: pd.Series, frame: pd.DataFrame, today: date) -> str:
    if pd.notna(row["valid_from"]) and row["valid_from"] > today:
        return NOT_YET_VALID
    flag = expiry_flag(row["expires_on"] if pd.notna(row["expires_on"]) else None, today)
    if flag is not Expiry.expired:
        return flag.value if flag else VALID
    same = frame[
        (frame["organisation"] == row["organisation"]) & (frame["scheme"] == row["scheme"])
    ]
    renewed = (same["expires_on"].isna() | (same["expires_on"] >= today)) & (
        same["valid_from"].isna() | (same["valid_from"] <= today)
    )
    return RENEWED if renewed.any() else Expiry.expired.value


def register_frame(
    session: Session,
    actor: Actor,
    *,
    today: date | None = None,
    organisation_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Accreditations the actor may see, with days to expiry and a status in words: valid,
    expires within 30 or 60 days, expired, expired but renewed, or not yet valid."""
    today = today or date.today()
    statement = (
        select(
            Accreditation.id,
            Organisation.name,
            Accreditation.scheme,
            Accreditation.scope,
            Accreditation.level,
            Accreditation.certificate_ref,
            Accreditation.valid_from,
            Accreditation.expires_on,
        )
        .join(Organisation, Organisation.id == Accreditation.organisation_id)
        .where(organisation_filter(actor, Accreditation.organisation_id))
        .order_by(Organisation.name, Accreditation.scheme, Accreditation.expires_on)
    )
    if organisation_ids:
        statement = statement.where(Accreditation.organisation_id.in_(organisation_ids))  # type: ignore[attr-defined]
    frame = pd.DataFrame(session.exec(statement).all(), columns=REGISTER_COLUMNS)
    frame["days_left"] = pd.array(
        [(e - today).days if pd.notna(e) else None for e in frame["expires_on"]], dtype="Int64"
    )
    frame["status"] = [_status(row, frame, today) for _, row in frame.iterrows()]
    return frame


def expiries_frame(session: Session, actor: Actor, *, today: date | None = None) -> pd.DataFrame:
    """What needs renewing: accreditations expiring within 60 days, or expired and not renewed."""
    frame = register_frame(session, actor, today=today)
    flagged = frame["status"].isin([e.value for e in Expiry])
    return frame[flagged].sort_values("expires_on", ignore_index=True)


def _check(values: dict[str, Any], orgs: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    cleaned = {name: text(values.get(name)) for name in REGISTER_COLUMNS[1:6]}
    problems = []
    org = cleaned["organisation"]
    if not org:
        problems.append("organisation is required")
    elif org.lower() not in orgs:
        problems.append(f"organisation '{org}' is not known to tracker")
    scheme = cleaned["scheme"]
    if scheme not in set(Scheme):
        problems.append(f"scheme '{scheme or ''}' must be one of {', '.join(Scheme)}")
    if scheme in (Scheme.iso27001, Scheme.other) and not cleaned["scope"]:
        problems.append(f"{scheme} needs its scope (what the certificate covers)")
    level = cleaned["level"] or ""
    if scheme == Scheme.dspt and (dspt_rank(level) < 0 or not _DSPT_YEAR.search(level)):
        problems.append(
            f"NHS DSPT level '{level}' must be a status and year, e.g. 'Standards Met 2025/26' "
            f"(statuses: {', '.join(DSPT_STATUSES)})"
        )
    dates = {}
    for name in ("valid_from", "expires_on"):
        try:
            dates[name] = day(values.get(name))
        except ValueError:
            problems.append(f"{name.replace('_', ' ')} '{values.get(name)}' is not a date")
            dates[name] = None
    if dates["expires_on"] is None and not any("expires on" in p for p in problems):
        problems.append("expires on is required")
    elif dates["valid_from"] and dates["expires_on"] and dates["expires_on"] < dates["valid_from"]:
        problems.append("expires on is before valid from")
    for name, limit in _LIMITS.items():
        if cleaned[name] and len(cleaned[name]) > limit:
            problems.append(f"{name.replace('_', ' ')} is longer than {limit} characters")
    row = {
        "organisation_id": orgs.get((org or "").lower()),
        "scheme": scheme,
        "scope": cleaned["scope"],
        "level": cleaned["level"],
        "certificate_ref": cleaned["certificate_ref"],
        **dates,
    }
    return row, problems


def save_accreditations(
    session: Session, actor: Actor, *, rows: Sequence[RowEdit], deleted: Sequence[int] = ()
) -> int:
    """An admin's edit of the register, all or none; returns rows written or deleted."""
    require(actor, Action.manage_assurance)
    orgs = {
        name.lower(): id_ for id_, name in session.exec(select(Organisation.id, Organisation.name))
    }
    problems: list[RowProblem] = []
    writes = []
    for edit in rows:
        values, found = _check(edit.values, orgs)
        if edit.id is not None and session.get(Accreditation, edit.id) is None:
            found.append(f"no accreditation with id {edit.id}")
        problems += [RowProblem("Accreditations", edit.row, p) for p in found]
        writes.append((edit.id, values))
    if problems:
        raise RowsRejected(problems)
    for accreditation_id in deleted:
        if accreditation := session.get(Accreditation, accreditation_id):
            session.delete(accreditation)
    for accreditation_id, values in writes:
        row = session.get(Accreditation, accreditation_id) if accreditation_id else None
        row = row or Accreditation(**values)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    session.flush()
    return len(writes) + len(deleted)
