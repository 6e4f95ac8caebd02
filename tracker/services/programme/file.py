"""A programme file: a council's programme, organisations, people and deliverables, loaded
idempotently. The demo (data/demo/programme.json) is one such file and loads through this code.

Rows are matched on their natural keys (names, emails, references), so loading twice leaves the
same rows as loading once, and rows edited by hand are brought back to the file's values.

Loading is all-or-nothing: the whole file is checked first, and a file with any problem is
rejected with every problem named by its JSON path (`deliverables[2].supplier: ...`), writing
nothing. Organisations and people already in the database may be referred to by name or email;
Jira sites named in scopes must already exist. A file without "stages" gets DEFAULT_STAGES (or
keeps an existing programme's stages); every list but "programme" is optional.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from tracker.errors import Invalid, count
from tracker.json_files import UnreadableJson, parse
from tracker.models import (
    Accreditation,
    Deliverable,
    DeliverableScope,
    DeliverableStage,
    JiraSite,
    Organisation,
    OrgKind,
    Person,
    Programme,
    ProgrammeMember,
    Rag,
    Role,
    ScopeKind,
    Sensitivity,
    Stage,
    User,
)
from tracker.models.delivery import DEFAULT_STAGES
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.validation import REF_FORMAT, Unconfirmed, is_ref

Model = TypeVar("Model", bound=SQLModel)

_KEYS = {
    "": ({"programme"}, {"organisations", "accreditations", "people", "deliverables"}),
    "programme": ({"name"}, {"description", "stages"}),
    "organisations": ({"name", "kind"}, {"role"}),
    "accreditations": (
        {"organisation", "scheme"},
        {"scope", "level", "certificate_ref", "valid_from", "expires_on"},
    ),
    "people": ({"name", "organisation", "email"}, {"job_title", "phone", "active", "role"}),
    "deliverables": (
        {"ref", "title", "owner", "stage"},
        {
            "owner_person",
            "supplier",
            "sensitivity",
            "rag",
            "rag_reason",
            "target_date",
            "stages",
            "scopes",
        },
    ),
    "scopes": ({"site", "kind", "value"}, set()),
}


_PLURALS = {
    "programme": "programmes",
    "stage": "stages",
    "organisation": "organisations",
    "programme_member": "programme members",
    "accreditation": "accreditations",
    "person": "people",
    "user": "users",
    "deliverable": "deliverables",
    "deliverable_stage": "deliverable stages",
    "deliverable_scope": "deliverable scopes",
}


class ProgrammeFileError(Invalid):
    """The programme file has problems, so nothing was loaded; `problems` lists every one."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        super().__init__(
            f"{source}: nothing was loaded: {count(len(problems), 'problem')}", problems
        )


@dataclass
class ProgrammeLoad:
    """What loading a file did: rows created and updated per table, and rows left as they were."""

    programme: str
    programme_id: int
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    #: existing deliverables whose stage, RAG or target date differ from the file's: kept as
    #: people set them (with their history), never set back by a load
    kept_status: list[str] = field(default_factory=list)
    #: what the load changes of people who sign in (written only when confirmed)
    account_changes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        def listed(counts: Counter[str]) -> str:
            return (
                ", ".join(
                    f"{n} {_PLURALS[table] if n != 1 else table.replace('_', ' ')}"
                    for table, n in sorted(counts.items())
                )
                or "nothing"
            )

        kept = (
            f"; kept the stage, RAG and target date people set on {', '.join(self.kept_status)} "
            "(tracker deliverable update changes them, with their history)"
            if self.kept_status
            else ""
        )
        return (
            f"loaded programme {self.programme!r}: created {listed(self.created)}; "
            f"updated {listed(self.updated)}; {self.unchanged} unchanged{kept}"
        )


def _find_or_new(
    session: Session, model: type[Model], keys: dict[str, Any], values: dict[str, Any]
) -> tuple[Model, str]:
    statement = select(model)
    for name, value in keys.items():
        statement = statement.where(getattr(model, name) == value)
    row = session.exec(statement).first()
    if row is None:
        row, outcome = model(**keys, **values), "created"
    else:
        outcome = "unchanged"
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                outcome = "updated"
    session.add(row)
    session.flush()
    return row, outcome


def _upsert(session: Session, model: type[Model], keys: dict[str, Any], **values: Any) -> Model:
    return _find_or_new(session, model, keys, values)[0]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# -- checking ------------------------------------------------------------------------------------


class _Check:
    """Walks the parsed file, collecting every problem with its JSON path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def record(self, value: Any, path: str, kind: str) -> dict[str, Any] | None:
        """An object with the required keys and no unknown ones (typos are not ignored)."""
        if not isinstance(value, dict):
            self.problem(path or "(file)", "expected an object {...}")
            return None
        required, optional = _KEYS[kind]
        prefix = f"{path}." if path else ""
        for key in sorted(required - value.keys()):
            self.problem(f"{prefix}{key}", "required but missing")
        for key in sorted(value.keys() - required - optional):
            allowed = ", ".join(sorted(required | optional))
            self.problem(f"{prefix}{key}", f"unknown key (allowed: {allowed})")
        return value

    def rows(self, data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(key, "expected a list [...]")
            return []
        found = [
            (f"{key}[{i}]", self.record(row, f"{key}[{i}]", key)) for i, row in enumerate(value)
        ]
        return [(path, row) for path, row in found if row is not None]

    def text(
        self, row: dict[str, Any], key: str, path: str, limit: int, required: bool = False
    ) -> str | None:
        if key not in row:
            return None  # a missing required key is reported once, by record()
        value = row[key]
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(
                f"{path}.{key}", "expected a non-empty string" if required else "expected a string"
            )
            return None
        if len(value) > limit:
            self.problem(f"{path}.{key}", f"too long ({len(value)} characters; at most {limit})")
            return None
        if "\x00" in value:
            self.problem(
                f"{path}.{key}", "contains a NUL character (\\u0000), which cannot be stored"
            )
            return None
        return value.strip() if required else value

    def choice(self, row: dict[str, Any], key: str, path: str, enum: type[StrEnum]) -> Any:
        value = row.get(key)
        if value is None:
            return None
        allowed = [member.value for member in enum]
        if value not in allowed:
            listed = ", ".join(f'"{a}"' for a in allowed)
            self.problem(f"{path}.{key}", f"{json.dumps(value)} is not one of {listed}")
            return None
        return enum(value)

    def day(self, value: Any, path: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(path, f"{json.dumps(value)} is not a date (use YYYY-MM-DD)")
        return None


@dataclass
class _Plan:
    """The file, checked and with defaults applied: everything the write needs."""

    name: str
    description: str | None
    stages: list[str]
    organisations: list[dict[str, Any]]
    accreditations: list[dict[str, Any]]
    people: list[dict[str, Any]]
    deliverables: list[dict[str, Any]]
    sites: dict[str, int]


def _read(path: Path) -> Any:
    source = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgrammeFileError(source, [f"(file): cannot be read: {exc}"]) from exc
    try:
        return parse(raw)
    except UnreadableJson as exc:
        raise ProgrammeFileError(source, [f"(file) {exc}"]) from None


def _check(session: Session, data: Any, source: str) -> _Plan:
    check = _Check()
    top = check.record(data, "", "")
    if top is None:
        raise ProgrammeFileError(source, check.problems)
    spec = (
        check.record(top.get("programme"), "programme", "programme") if "programme" in top else None
    )
    name = check.text(spec, "name", "programme", 200, required=True) if spec else None
    description = check.text(spec, "description", "programme", 2000) if spec else None
    existing = (
        session.exec(select(Programme).where(Programme.name == name)).first() if name else None
    )

    stages: list[str] = []
    if spec is not None and "stages" in spec:
        given = spec["stages"]
        if not isinstance(given, list) or not given:
            check.problem("programme.stages", "expected a non-empty list of stage names")
        else:
            for i, stage in enumerate(given):
                if not isinstance(stage, str) or not stage.strip() or len(stage) > 60:
                    check.problem(
                        f"programme.stages[{i}]", "expected a stage name (1-60 characters)"
                    )
                elif stage in stages:
                    check.problem(f"programme.stages[{i}]", f'"{stage}" is listed twice')
                else:
                    stages.append(stage)
    else:  # an existing programme keeps its stages; a new one gets the GDS phases
        if existing is not None:
            stages = list(
                session.exec(
                    select(Stage.name)
                    .where(Stage.programme_id == existing.id)
                    .order_by(Stage.position)  # type: ignore[arg-type]
                )
            )
        stages = stages or list(DEFAULT_STAGES)

    db_orgs = set(session.exec(select(Organisation.name)))
    file_orgs: set[str] = set()
    organisations = []
    for path, row in check.rows(top, "organisations"):
        org_name = check.text(row, "name", path, 200, required=True)
        kind = check.choice(row, "kind", path, OrgKind)
        role = check.text(row, "role", path, 100)
        if org_name in file_orgs:
            check.problem(f"{path}.name", f'"{org_name}" is listed twice')
        elif org_name and kind:
            file_orgs.add(org_name)
            organisations.append({"name": org_name, "kind": kind, "role": role})

    def organisation(row: dict[str, Any], key: str, path: str) -> str | None:
        value = check.text(row, key, path, 200, required=True)
        if value is not None and value not in file_orgs and value not in db_orgs:
            check.problem(f"{path}.{key}", f'no organisation "{value}" in the file or database')
            return None
        return value

    accreditations = []
    for path, row in check.rows(top, "accreditations"):
        acc = {
            "organisation": organisation(row, "organisation", path),
            "scheme": check.text(row, "scheme", path, 60, required=True),
            "scope": check.text(row, "scope", path, 500),
            "level": check.text(row, "level", path, 100),
            "certificate_ref": check.text(row, "certificate_ref", path, 100),
            "valid_from": check.day(row.get("valid_from"), f"{path}.valid_from"),
            "expires_on": check.day(row.get("expires_on"), f"{path}.expires_on"),
        }
        if acc["valid_from"] and acc["expires_on"] and acc["expires_on"] < acc["valid_from"]:
            check.problem(f"{path}.expires_on", "is before valid_from")
        accreditations.append(acc)

    db_people = {e for e in session.exec(select(Person.email)) if e}
    file_people: set[str] = set()
    people = []
    for path, row in check.rows(top, "people"):
        email = check.text(row, "email", path, 320, required=True)
        if email is not None and "@" not in email:
            check.problem(f"{path}.email", f'"{email}" is not an email address')
        elif email in file_people:
            check.problem(f"{path}.email", f'"{email}" is listed twice')
        elif email:
            file_people.add(email)
        active = row.get("active", True)
        if not isinstance(active, bool):
            check.problem(f"{path}.active", "expected true or false")
        people.append(
            {
                "path": path,
                "email": email,
                "name": check.text(row, "name", path, 200, required=True),
                "organisation": organisation(row, "organisation", path),
                "job_title": check.text(row, "job_title", path, 200),
                "phone": check.text(row, "phone", path, 40),
                "active": active,
                "role": check.choice(row, "role", path, Role),
            }
        )

    sites = dict(session.exec(select(JiraSite.name, JiraSite.id)).all())
    site_names = (
        f"sites: {', '.join(sorted(sites))}"
        if sites
        else "no site is set up yet: add one with tracker site add"
    )
    other_programmes = {
        ref: programme_name
        for ref, programme_name in session.exec(
            select(Deliverable.ref, Programme.name).join(
                Programme,
                Programme.id == Deliverable.programme_id,  # type: ignore[arg-type]
            )
        )
        if programme_name != name
    }
    refs: set[str] = set()
    deliverables = []
    for path, row in check.rows(top, "deliverables"):
        ref = check.text(row, "ref", path, 30, required=True)
        if ref and len(ref) <= 30 and not is_ref(ref):
            check.problem(f"{path}.ref", f'"{ref}" is not a reference ({REF_FORMAT})')
        elif ref in refs:
            check.problem(f"{path}.ref", f'"{ref}" is listed twice')
        elif ref in other_programmes:
            check.problem(f"{path}.ref", f'"{ref}" belongs to programme "{other_programmes[ref]}"')
        elif ref:
            refs.add(ref)
        stage = check.text(row, "stage", path, 60, required=True)
        if stage is not None and stage not in stages:
            check.problem(f"{path}.stage", _unknown_stage(stage, stages))
        owner_person = check.text(row, "owner_person", path, 320)
        if owner_person and owner_person not in file_people and owner_person not in db_people:
            check.problem(
                f"{path}.owner_person",
                f'no person with email "{owner_person}" in the file or database',
            )
        d = {
            "ref": ref,
            "title": check.text(row, "title", path, 200, required=True),
            "owner": organisation(row, "owner", path),
            "supplier": organisation(row, "supplier", path) if row.get("supplier") else None,
            "owner_person": owner_person,
            "sensitivity": check.choice(row, "sensitivity", path, Sensitivity)
            or Sensitivity.official,
            "stage": stage,
            "rag": check.choice(row, "rag", path, Rag) or Rag.green,
            "rag_reason": check.text(row, "rag_reason", path, 500),
            "target_date": check.day(row.get("target_date"), f"{path}.target_date"),
            "stages": {},
            "scopes": [],
        }
        plan = row.get("stages", {})
        if not isinstance(plan, dict):
            check.problem(
                f"{path}.stages",
                "expected an object {stage: [planned start, planned end, actual start, "
                "actual end]}",
            )
            plan = {}
        for stage_name, dates in plan.items():
            where = f"{path}.stages.{stage_name}"
            if stage_name not in stages:
                check.problem(where, _unknown_stage(stage_name, stages))
            if not isinstance(dates, list) or len(dates) != 4:
                check.problem(
                    where,
                    "expected [planned start, planned end, actual start, actual end] "
                    "(dates or null)",
                )
                continue
            d["stages"][stage_name] = [check.day(v, f"{where}[{i}]") for i, v in enumerate(dates)]
        scopes = row.get("scopes", [])
        if not isinstance(scopes, list):
            check.problem(f"{path}.scopes", "expected a list [...]")
            scopes = []
        for i, scope in enumerate(scopes):
            where = f"{path}.scopes[{i}]"
            if check.record(scope, where, "scopes") is None:
                continue
            site = check.text(scope, "site", where, 100, required=True)
            if site is not None and site not in sites:
                check.problem(f"{where}.site", f'no Jira site "{site}" ({site_names})')
            kind = check.choice(scope, "kind", where, ScopeKind)
            value = check.text(scope, "value", where, 1000, required=True)
            if kind is ScopeKind.board and value is not None and not value.isdigit():
                check.problem(f"{where}.value", f'"{value}" is not a board id (a number)')
            d["scopes"].append({"site": site, "kind": kind, "value": value})
        deliverables.append(d)

    if check.problems or name is None:
        raise ProgrammeFileError(source, check.problems)
    return _Plan(
        name, description, stages, organisations, accreditations, people, deliverables, sites
    )


def _unknown_stage(stage: str, stages: list[str]) -> str:
    return f'no stage "{stage}" in the programme (stages: {", ".join(stages)})'


# -- writing -------------------------------------------------------------------------------------


def _write(session: Session, plan: _Plan) -> ProgrammeLoad:
    programme, outcome = _find_or_new(
        session, Programme, {"name": plan.name}, {"description": plan.description}
    )
    result = ProgrammeLoad(programme=plan.name, programme_id=programme.id or 0)

    def tally(table: str, outcome: str) -> None:
        if outcome == "unchanged":
            result.unchanged += 1
        else:
            getattr(result, outcome)[table] += 1

    def put(model: type[Model], keys: dict[str, Any], **values: Any) -> Model:
        row, outcome = _find_or_new(session, model, keys, values)
        tally(str(model.__tablename__), outcome)
        return row

    tally("programme", outcome)

    # Stages keep their unique positions while being reordered: move them out of the way first.
    current = list(session.exec(select(Stage).where(Stage.programme_id == programme.id)))
    if [s.name for s in sorted(current, key=lambda s: s.position)][
        : len(plan.stages)
    ] != plan.stages:
        for s in current:
            s.position = -1 - (s.id or 0)
            session.add(s)
        session.flush()
    stages = {
        name: put(Stage, {"programme_id": programme.id, "name": name}, position=i)
        for i, name in enumerate(plan.stages)
    }
    leftover = sorted((s for s in current if s.name not in stages), key=lambda s: s.position)
    for i, s in enumerate(leftover, start=len(plan.stages)):
        s.position = i
        session.add(s)
    session.flush()

    orgs = {o.name: o for o in session.exec(select(Organisation))}
    for org in plan.organisations:
        orgs[org["name"]] = put(Organisation, {"name": org["name"]}, kind=org["kind"])
        put(
            ProgrammeMember,
            {"programme_id": programme.id, "organisation_id": orgs[org["name"]].id},
            role=org["role"],
        )
    for acc in plan.accreditations:
        put(
            Accreditation,
            {
                "organisation_id": orgs[acc["organisation"]].id,
                "scheme": acc["scheme"],
                "certificate_ref": acc["certificate_ref"],
            },
            scope=acc["scope"],
            level=acc["level"],
            valid_from=acc["valid_from"],
            expires_on=acc["expires_on"],
        )
    people = {p.email: p for p in session.exec(select(Person)) if p.email}
    accounts = {u.person_id: u for u in session.exec(select(User))}
    account_changes: list[str] = []
    for p in plan.people:
        known = people.get(p["email"])
        if known is not None and known.id in accounts:
            change = _account_change(known, accounts[known.id], p, orgs)
            if change:
                account_changes.append(f"{p['path']}: {change}")
        person = put(
            Person,
            {"email": p["email"]},
            name=p["name"],
            organisation_id=orgs[p["organisation"]].id,
            job_title=p["job_title"],
            phone=p["phone"],
            active=p["active"],
        )
        people[p["email"]] = person
        if p["role"]:
            put(User, {"person_id": person.id}, role=p["role"], active=True)
    members = set(
        session.exec(
            select(ProgrammeMember.organisation_id).where(
                ProgrammeMember.programme_id == programme.id
            )
        )
    )
    for d in plan.deliverables:
        for key in ("owner", "supplier"):  # organisations already in the database join too
            org_id = orgs[d[key]].id if d[key] else None
            if org_id is not None and org_id not in members:
                put(ProgrammeMember, {"programme_id": programme.id, "organisation_id": org_id})
                members.add(org_id)
        status = {
            "stage_id": stages[d["stage"]].id,
            "rag": d["rag"],
            "rag_reason": d["rag_reason"],
            "target_date": d["target_date"],
        }
        existing = session.exec(select(Deliverable).where(Deliverable.ref == d["ref"])).first()
        if existing is not None:
            if any(getattr(existing, name) != value for name, value in status.items()):
                result.kept_status.append(d["ref"])
            status = {}
        deliverable = put(
            Deliverable,
            {"ref": d["ref"]},
            **status,
            programme_id=programme.id,
            title=d["title"],
            owner_org_id=orgs[d["owner"]].id,
            supplier_org_id=orgs[d["supplier"]].id if d["supplier"] else None,
            owner_person_id=people[d["owner_person"]].id if d["owner_person"] else None,
            sensitivity=d["sensitivity"],
        )
        for stage_name, (p_start, p_end, a_start, a_end) in d["stages"].items():
            put(
                DeliverableStage,
                {"deliverable_id": deliverable.id, "stage_id": stages[stage_name].id},
                planned_start=p_start,
                planned_end=p_end,
                actual_start=a_start,
                actual_end=a_end,
            )
        for scope in d["scopes"]:
            put(
                DeliverableScope,
                {
                    "deliverable_id": deliverable.id,
                    "site_id": plan.sites[scope["site"]],
                    "kind": scope["kind"],
                    "value": scope["value"],
                },
            )
    result.account_changes = account_changes
    return result


def _account_change(
    person: Person, account: User, row: dict[str, Any], orgs: dict[str, Organisation]
) -> str | None:
    """What the file changes of someone who signs in, in words; None when nothing their sign-in
    rests on or they are known by."""
    changes = []
    if person.name != row["name"]:
        changes.append(f"name {person.name} to {row['name']}")
    organisation = orgs[row["organisation"]]
    if person.organisation_id != organisation.id:
        before = next((o.name for o in orgs.values() if o.id == person.organisation_id), "?")
        changes.append(f"organisation {before} to {organisation.name}")
    if person.active != row["active"]:
        changes.append("status active to left" if person.active else "status left to active")
    if row["role"] and Role(account.role) != row["role"]:
        changes.append(f"role {Role(account.role).value} to {Role(row['role']).value}")
    if row["role"] and not account.active:
        changes.append("account switched off to may sign in")
    if not changes:
        return None
    return f"{person.name} ({person.email}) signs in: " + "; ".join(changes)


def _load(session: Session, path: Path, confirmed: bool = False) -> ProgrammeLoad:
    plan = _check(session, _read(path), str(path))
    result = _write(session, plan)
    if result.account_changes and not confirmed:
        raise Unconfirmed(str(path), result.account_changes, confirm="tracker programme load --yes")
    return result


def load_programme_file(
    session: Session, actor: Actor, *, path: Path, confirmed: bool = False
) -> ProgrammeLoad:
    """`tracker programme load`: an admin sets up (or updates) their own programme from a file
    of the demo's format. Everything is checked before anything is written; the caller's
    transaction (session_scope) commits it all or nothing.

    A load changing the name, organisation, status, role or account of someone who signs in
    raises Unconfirmed listing each change unless `confirmed` (the caller's transaction then
    rolls back). Existing deliverables keep the stage, RAG and target date people set: those
    change only with their history (`tracker deliverable update`)."""
    require(actor, Action.manage_programme)
    loaded = _load(session, path, confirmed)
    # its scope rules may have changed: the burnup page's figures are worked out again now
    from tracker.services.delivery.stored_burnup import _store_burnup

    _store_burnup(session, loaded.programme_id, utcnow())
    return loaded
