"""The demo programme's organisations, people, deliverables and stages, loaded idempotently.

Rows are matched on their natural keys (names, emails, references), so loading twice leaves the
same rows as loading once, and a demo edited by hand is brought back to the file's values.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from tracker.models import (
    Accreditation,
    Deliverable,
    DeliverableScope,
    DeliverableStage,
    JiraSite,
    Organisation,
    Person,
    Programme,
    ProgrammeMember,
    Stage,
    User,
)

Model = TypeVar("Model", bound=SQLModel)


def _upsert(session: Session, model: type[Model], keys: dict[str, Any], **values: Any) -> Model:
    statement = select(model)
    for name, value in keys.items():
        statement = statement.where(getattr(model, name) == value)
    row = session.exec(statement).first()
    if row is None:
        row = model(**keys, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_programme(session: Session, path: Path) -> Programme:
    """Load one programme file (see data/demo/programme.json); Jira sites must already exist."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    spec = data["programme"]
    programme = _upsert(
        session, Programme, {"name": spec["name"]}, description=spec.get("description")
    )
    stages = {
        name: _upsert(session, Stage, {"programme_id": programme.id, "name": name}, position=i)
        for i, name in enumerate(spec["stages"])
    }
    orgs: dict[str, Organisation] = {}
    for org in data["organisations"]:
        orgs[org["name"]] = _upsert(session, Organisation, {"name": org["name"]}, kind=org["kind"])
        _upsert(
            session,
            ProgrammeMember,
            {"programme_id": programme.id, "organisation_id": orgs[org["name"]].id},
            role=org.get("role"),
        )
    for acc in data["accreditations"]:
        _upsert(
            session,
            Accreditation,
            {
                "organisation_id": orgs[acc["organisation"]].id,
                "scheme": acc["scheme"],
                "certificate_ref": acc.get("certificate_ref"),
            },
            scope=acc.get("scope"),
            level=acc.get("level"),
            valid_from=_day(acc.get("valid_from")),
            expires_on=_day(acc.get("expires_on")),
        )
    people: dict[str, Person] = {}
    for p in data["people"]:
        person = _upsert(
            session,
            Person,
            {"email": p["email"]},
            name=p["name"],
            organisation_id=orgs[p["organisation"]].id,
            job_title=p.get("job_title"),
            phone=p.get("phone"),
            active=p.get("active", True),
        )
        people[p["email"]] = person
        if p.get("role"):
            _upsert(session, User, {"person_id": person.id}, role=p["role"], active=True)
    sites = {site.name: site for site in session.exec(select(JiraSite))}
    for d in data["deliverables"]:
        deliverable = _upsert(
            session,
            Deliverable,
            {"ref": d["ref"]},
            programme_id=programme.id,
            title=d["title"],
            owner_org_id=orgs[d["owner"]].id,
            supplier_org_id=orgs[d["supplier"]].id if d.get("supplier") else None,
            owner_person_id=people[d["owner_person"]].id if d.get("owner_person") else None,
            sensitivity=d["sensitivity"],
            stage_id=stages[d["stage"]].id,
            rag=d["rag"],
            rag_reason=d.get("rag_reason"),
            target_date=_day(d.get("target_date")),
        )
        for stage_name, (p_start, p_end, a_start, a_end) in d["stages"].items():
            _upsert(
                session,
                DeliverableStage,
                {"deliverable_id": deliverable.id, "stage_id": stages[stage_name].id},
                planned_start=_day(p_start),
                planned_end=_day(p_end),
                actual_start=_day(a_start),
                actual_end=_day(a_end),
            )
        for scope in d["scopes"]:
            _upsert(
                session,
                DeliverableScope,
                {
                    "deliverable_id": deliverable.id,
                    "site_id": sites[scope["site"]].id,
                    "kind": scope["kind"],
                    "value": scope["value"],
                },
            )
    return programme
