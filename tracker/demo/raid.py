"""The demo's RAID log, decision log and declared dependencies, made through the services by the
people data/demo/raid.json names ("by"), so every ledger entry is one a person could have made.

Loading again skips what exists (matched by title, or a dependency's description): the ledger is
append-only, so a second load must not replay history.
"""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from tracker.models import Decision, Dependency, Programme, RaidItem
from tracker.services.auth.users import actor_for_email
from tracker.services.raid.decisions import code_of, decide, propose_decision, supersede
from tracker.services.raid.dependencies import declare_dependency
from tracker.services.raid.register import add_item, risk_occurred
from tracker.services.raid.register import code_of as raid_code

STEPS = ("by", "occurred", "decided", "superseded_by")


def _fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in spec.items() if name not in STEPS}


def load_raid(session: Session, path: Path) -> int:
    """Create what the file holds and does not exist yet; returns how many rows were made."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    pid = session.exec(select(Programme.id).where(Programme.name == data["programme"])).one()
    made = 0
    titles = set(session.exec(select(RaidItem.title).where(RaidItem.programme_id == pid)))
    for spec in data["items"]:
        if spec["title"] in titles:
            continue
        actor = actor_for_email(session, spec["by"])
        item = add_item(session, actor, programme_id=pid, values=_fields(spec))
        if spec.get("occurred"):
            risk_occurred(session, actor, programme_id=pid, code=raid_code(item.kind, item.number))
        made += 1
    titles = set(session.exec(select(Decision.title).where(Decision.programme_id == pid)))
    for spec in data["decisions"]:
        if spec["title"] in titles:
            continue
        actor = actor_for_email(session, spec["by"])
        decision = propose_decision(session, actor, programme_id=pid, values=_fields(spec))
        code = code_of(decision.number)
        if spec.get("decided"):
            decide(session, actor, programme_id=pid, code=code, values=spec["decided"])
        if spec.get("superseded_by"):
            supersede(session, actor, programme_id=pid, code=code, values=spec["superseded_by"])
        made += 1
    described = set(
        session.exec(select(Dependency.description).where(Dependency.programme_id == pid))
    )
    for spec in data["dependencies"]:
        if spec["description"] in described:
            continue
        actor = actor_for_email(session, spec["by"])
        declare_dependency(session, actor, programme_id=pid, values=_fields(spec))
        made += 1
    return made
