"""The demo's stakeholder maps and the accreditations beyond the programme file, loaded
idempotently (matched on natural keys, like the programme) after the programme exists."""

import json
from pathlib import Path

from sqlmodel import Session, select

from tracker.models import Accreditation, Deliverable, Engagement, Organisation, Person, Stage
from tracker.services.programme.file import _day, _upsert


def load_engagements(session: Session, path: Path) -> int:
    """Load data/demo/engagements.json; returns how many engagements the file holds."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    orgs = {o.name: o.id for o in session.exec(select(Organisation))}
    people = {p.email: p.id for p in session.exec(select(Person)) if p.email}
    deliverables = {d.ref: d for d in session.exec(select(Deliverable))}
    stages = {(s.programme_id, s.name): s.id for s in session.exec(select(Stage))}
    for acc in data["accreditations"]:
        _upsert(
            session,
            Accreditation,
            {
                "organisation_id": orgs[acc["organisation"]],
                "scheme": acc["scheme"],
                "certificate_ref": acc["certificate_ref"],
            },
            scope=acc.get("scope"),
            level=acc.get("level"),
            valid_from=_day(acc.get("valid_from")),
            expires_on=_day(acc.get("expires_on")),
        )
    for row in data["engagements"]:
        deliverable = deliverables[row["deliverable"]]
        stage = row["stage"]
        _upsert(
            session,
            Engagement,
            {
                "deliverable_id": deliverable.id,
                "stage_id": stages[(deliverable.programme_id, stage)] if stage else None,
                "person_id": people[row["person"]],
            },
            raci=row["raci"],
            side=row["side"],
            escalation_order=row.get("escalation"),
            power=row["power"],
            interest=row["interest"],
            channel=row.get("channel"),
            notes=row.get("notes"),
        )
    return len(data["engagements"])
