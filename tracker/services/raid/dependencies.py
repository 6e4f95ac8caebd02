"""Dependencies between deliverables, councils and suppliers: declared ones and Jira's links.

A declared dependency is a deliverable waiting on another deliverable, or on an organisation (a
data feed, an environment, a contract), by a date; the provider's forecast (`expected_by`, else
the provider deliverable's target date) says when it will come. Jira's blocking links between
issues of different deliverables come from tracker.services.raid.jira_links. Both are rated by
tracker.metrics.dependencies (red, amber, unknown, green; done ones drop out; cycles flagged).

Declaring and changing a dependency is for the waiting deliverable's council (its project owner)
or an admin; each change is an entry in the audit ledger. Supplier contacts read only the
dependencies that touch a deliverable their organisation supplies.
"""

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from tracker.errors import Conflict, Invalid, NotAllowed, NotFound, count
from tracker.metrics.dependencies import by_consumer, health, in_cycle, organisation_matrix
from tracker.models import (
    Deliverable,
    Dependency,
    DependencyKind,
    DependencyStatus,
    Organisation,
    ProgrammeMember,
)
from tracker.models.types import utcnow
from tracker.policy import Actor, can_edit_raid, raid_filter
from tracker.services.raid.jira_links import _deliverable_names, _jira_dependencies
from tracker.services.raid.ledger import describe_changes, record, snapshot
from tracker.services.validation import day, text

DESCRIPTION_MAX = 500
_CODE = re.compile(r"^\s*DEP\s*-?\s*(\d+)\s*$", re.IGNORECASE)
NOT_SYNCED = "not synced"
NO_DELIVERABLE = "no deliverable"
#: the rated list behind the page's matrix, `tracker deps` and the board pack
COLUMNS = [
    "code",
    "source",
    "consumer",
    "consumer_org",
    "provider",
    "provider_org",
    "what",
    "needed_by",
    "expected_by",
    "health",
    "why",
    "in_cycle",
    "consumer_deliverable_id",
    "provider_deliverable_id",
]


def code_of(number: int) -> str:
    return f"DEP-{number}"


# -- declaring ----------------------------------------------------------------------------------


def dependency_by_code(
    session: Session, actor: Actor, *, programme_id: int, code: str
) -> Dependency:
    """A declared dependency the actor may see, by its code (DEP-2)."""
    found = _CODE.match(code or "")
    row = None
    if found:
        row = session.exec(
            select(Dependency).where(
                Dependency.programme_id == programme_id,
                Dependency.number == int(found.group(1)),
                raid_filter(actor, Dependency.consumer_id, Dependency.provider_deliverable_id),
            )
        ).first()
    if row is None:
        raise NotFound(f"no dependency '{code}' that you can see in this programme")
    return row


def _check(
    session: Session, programme_id: int, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str], Deliverable | None]:
    """Columns of a declared dependency from values keyed consumer (a ref), provider (a ref),
    provider_organisation (a name), kind, description, needed_by, expected_by and status."""
    problems: list[str] = []
    refs = {
        d.ref.casefold(): d
        for d in session.exec(select(Deliverable).where(Deliverable.programme_id == programme_id))
    }
    members = {
        name.casefold(): org_id
        for org_id, name in session.exec(
            select(Organisation.id, Organisation.name)
            .join(ProgrammeMember, ProgrammeMember.organisation_id == Organisation.id)
            .where(ProgrammeMember.programme_id == programme_id)
        )
    }
    row: dict[str, Any] = {}
    consumer_ref = text(values.get("consumer"))
    consumer = refs.get(consumer_ref.casefold()) if consumer_ref else None
    if consumer is None:
        problems.append(
            f"consumer '{consumer_ref}' is not a deliverable of this programme"
            if consumer_ref
            else "consumer (the deliverable that waits) is required"
        )
    row["consumer_id"] = consumer.id if consumer else None
    provider_ref = text(values.get("provider"))
    provider = refs.get(provider_ref.casefold()) if provider_ref else None
    if provider_ref and provider is None:
        problems.append(f"provider '{provider_ref}' is not a deliverable of this programme")
    row["provider_deliverable_id"] = provider.id if provider else None
    org = text(values.get("provider_organisation"))
    row["provider_org_id"] = members.get(org.casefold()) if org else None
    if org and row["provider_org_id"] is None:
        problems.append(f"provider_organisation '{org}' is not an organisation of this programme")
    if provider_ref and org:
        problems.append("name either a provider deliverable or a provider organisation, not both")
    elif not provider_ref and not org:
        problems.append("name what it waits on: a provider deliverable or organisation")
    if consumer is not None and provider is not None and consumer.id == provider.id:
        problems.append(f"{consumer.ref} cannot wait on itself")
    said = text(values.get("kind")) or (DependencyKind.deliverable.value if provider_ref else None)
    try:
        row["kind"] = DependencyKind((said or "").lower())
    except ValueError:
        problems.append(f"kind '{said or ''}' must be one of {', '.join(DependencyKind)}")
    if provider_ref and row.get("kind") not in (None, DependencyKind.deliverable):
        problems.append("a dependency on a deliverable has kind 'deliverable'")
    if org and row.get("kind") is DependencyKind.deliverable:
        problems.append(
            "a dependency on an organisation is a data feed, environment, contract or other"
        )
    description = text(values.get("description"))
    if not description or len(description) > DESCRIPTION_MAX:
        problems.append(f"description is required, up to {DESCRIPTION_MAX} characters")
    row["description"] = description
    for name in ("needed_by", "expected_by"):
        try:
            row[name] = day(values.get(name))
        except ValueError:
            problems.append(f"{name} '{text(values.get(name))}' is not a date (YYYY-MM-DD)")
            row[name] = None
    if row["needed_by"] is None and not any(p.startswith("needed_by") for p in problems):
        problems.append("needed_by (the date it is needed) is required")
    status = text(values.get("status")) or DependencyStatus.open.value
    try:
        row["status"] = DependencyStatus(status.lower())
    except ValueError:
        problems.append(f"status '{status}' must be one of {', '.join(DependencyStatus)}")
    return row, problems, consumer


def _values(session: Session, row: Dependency) -> dict[str, Any]:
    consumer = session.get(Deliverable, row.consumer_id)
    provider = session.get(Deliverable, row.provider_deliverable_id or 0)
    org = session.get(Organisation, row.provider_org_id or 0)
    return {
        "consumer": consumer.ref if consumer else None,
        "provider": provider.ref if provider else None,
        "provider_organisation": org.name if org else None,
        "kind": row.kind,
        "description": row.description,
        "needed_by": row.needed_by,
        "expected_by": row.expected_by,
        "status": row.status,
    }


def _allowed(actor: Actor, consumer: Deliverable | None) -> None:
    if consumer is not None and not can_edit_raid(actor, consumer, consumer.owner_org_id):
        raise NotAllowed(
            f"only a project owner of the council that owns {consumer.ref}, or an admin, may "
            "declare or change what it waits on"
        )


def declare_dependency(
    session: Session, actor: Actor, *, programme_id: int, values: Mapping[str, Any]
) -> Dependency:
    """Declare that a deliverable waits on another or on an organisation; every problem listed."""
    row, problems, consumer = _check(session, programme_id, values)
    _allowed(actor, consumer)
    if problems:
        raise Invalid(f"the dependency was not saved: {count(len(problems), 'problem')}", problems)
    number = (
        session.exec(
            select(func.max(Dependency.number)).where(Dependency.programme_id == programme_id)
        ).one()
        or 0
    ) + 1
    dependency = Dependency(programme_id=programme_id, number=number, **row)
    record(session, actor, row=dependency, action="declare", from_status=None)
    return dependency


def update_dependency(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    code: str,
    values: Mapping[str, Any],
    row_version: int | None = None,
) -> Dependency:
    """Change the given values of a declared dependency (status 'done' when it has come)."""
    dependency = dependency_by_code(session, actor, programme_id=programme_id, code=code)
    _allowed(actor, session.get(Deliverable, dependency.consumer_id))
    row, problems, consumer = _check(
        session, programme_id, {**_values(session, dependency), **values}
    )
    _allowed(actor, consumer)
    if problems:
        raise Invalid(
            f"{code_of(dependency.number)} was not saved: {count(len(problems), 'problem')}",
            problems,
        )
    if row_version is not None and row_version != dependency.row_version:
        raise Conflict(
            f"{code_of(dependency.number)} was changed by someone else after you opened it; "
            "nothing was saved."
        )
    before, status = snapshot(dependency), str(dependency.status)
    for name, value in row.items():
        setattr(dependency, name, value)
    comment = describe_changes(before, snapshot(dependency))
    if comment is not None:
        dependency.updated_at = utcnow()
        record(session, actor, row=dependency, action="update", from_status=status, comment=comment)
    return dependency


# -- reading and rating -------------------------------------------------------------------------


_MERGED = [
    "code",
    "source",
    "consumer_deliverable_id",
    "provider_deliverable_id",
    "what",
    "needed_by",
    "expected_by",
    "same_sprint",
    "known",
    "done",
]


def _declared(session: Session, actor: Actor, programme_id: int) -> pd.DataFrame:
    rows = session.exec(
        select(Dependency).where(
            Dependency.programme_id == programme_id,
            raid_filter(actor, Dependency.consumer_id, Dependency.provider_deliverable_id),
        )
    )
    targets = dict(session.exec(select(Deliverable.id, Deliverable.target_date)).all())
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    records = [
        {
            "code": code_of(d.number),
            "source": "declared",
            "consumer_deliverable_id": d.consumer_id,
            "provider_deliverable_id": d.provider_deliverable_id,
            "provider_name": orgs.get(d.provider_org_id or 0),
            "what": f"{d.kind}: {d.description}",
            "needed_by": d.needed_by,
            "expected_by": d.expected_by or targets.get(d.provider_deliverable_id or 0),
            "same_sprint": False,
            "known": True,
            "done": d.status == DependencyStatus.done,
        }
        for d in rows
    ]
    return pd.DataFrame(records, columns=[*_MERGED, "provider_name"])


def _from_jira(
    session: Session, actor: Actor, programme_id: int, mapping: pd.DataFrame | None
) -> pd.DataFrame:
    links = _jira_dependencies(session, programme_id, mapping)
    visible = set(
        session.exec(
            select(Deliverable.id).where(
                Deliverable.programme_id == programme_id, raid_filter(actor, Deliverable.id)
            )
        )
    )
    shown = links["consumer_deliverable_id"].isin(visible) | links["provider_deliverable_id"].isin(
        visible
    )
    links = links[shown]
    verb = links["link_type"].where(links["link_type"].str.casefold() != "blocks", "blocked by")
    summary = links["provider_summary"].fillna("").map(lambda s: f": {s}" if s else "")
    return pd.DataFrame(
        {
            "code": links["consumer_issue"] + " <- " + links["provider_issue"],
            "source": "Jira",
            "consumer_deliverable_id": links["consumer_deliverable_id"],
            "provider_deliverable_id": links["provider_deliverable_id"],
            "what": links["consumer_issue"] + " " + verb + " " + links["provider_issue"] + summary,
            "needed_by": links["needed_by"],
            "expected_by": links["expected_by"],
            "same_sprint": links["same_sprint"],
            "known": links["known"],
            "done": links["done"],
            "provider_name": links["provider_issue"],
        },
        columns=[*_MERGED, "provider_name"],
    )


def dependency_frame(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    include_done: bool = False,
    mapping: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every dependency of the programme the actor may see (declared and from Jira), rated:
    COLUMNS, worst first. Done ones are left out unless asked for (health 'done'). `mapping`:
    the programme's _deliverable_issue_map() when the caller has read it (the board pack)."""
    names = _deliverable_names(session, programme_id)
    refs = dict(zip(names["deliverable_id"], names["ref"], strict=True))
    owners = dict(zip(names["deliverable_id"], names["owner_org"], strict=True))
    parts = [
        frame
        for frame in (
            _declared(session, actor, programme_id),
            _from_jira(session, actor, programme_id, mapping),
        )
        if not frame.empty
    ]
    merged = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*_MERGED, "provider_name"])
    )
    provider_id = merged["provider_deliverable_id"].astype("Int64")
    merged = merged.assign(
        consumer=merged["consumer_deliverable_id"].map(refs),
        consumer_org=merged["consumer_deliverable_id"].map(owners),
        provider=provider_id.map(refs).fillna(merged["provider_name"]).astype(object),
        provider_org=provider_id.map(owners)
        .fillna(merged["provider_name"].where(merged["source"] == "declared"))
        .fillna(merged["known"].astype(bool).map({True: NO_DELIVERABLE, False: NOT_SYNCED})),
        needed_by=pd.to_datetime(merged["needed_by"]),
        expected_by=pd.to_datetime(merged["expected_by"]),
    )
    rated = health(merged)
    rated["in_cycle"] = in_cycle(rated) if not rated.empty else pd.Series(dtype=bool)
    if include_done:
        done = merged[merged["done"].astype(bool)].assign(health="done", why="done", in_cycle=False)
        rated = pd.concat([rated, done], ignore_index=True) if not done.empty else rated
    order = rated["health"].map({"red": 0, "amber": 1, "unknown": 2, "green": 3, "done": 4})
    rated = rated.assign(_order=order).sort_values(["_order", "consumer", "code"])
    for name in ("needed_by", "expected_by"):
        rated[name] = pd.to_datetime(rated[name]).dt.date
    return rated[COLUMNS].reset_index(drop=True)


def deliverable_dependency_health(
    session: Session, actor: Actor, *, programme_id: int, mapping: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per deliverable the actor may see: its open dependencies counted red, amber, unknown and
    green, the worst (None when it waits on nothing), and whether any is in a cycle. `mapping`:
    as dependency_frame takes it."""
    rated = dependency_frame(session, actor, programme_id=programme_id, mapping=mapping)
    refs = pd.Series(
        sorted(
            session.exec(
                select(Deliverable.ref).where(
                    Deliverable.programme_id == programme_id, raid_filter(actor, Deliverable.id)
                )
            )
        ),
        dtype=object,
    )
    return by_consumer(rated, refs)


def dependency_matrix(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Organisation by organisation: who waits (rows) on whom (columns), the worst health."""
    return organisation_matrix(dependency_frame(session, actor, programme_id=programme_id))


def dependency_cycles(rated: pd.DataFrame) -> list[str]:
    """Each loop of waiting, as 'A -> B -> A' lines, for a warning."""
    looped = rated[rated["in_cycle"].astype(bool)]
    return sorted({f"{row.consumer} waits on {row.provider}" for row in looped.itertuples()})
