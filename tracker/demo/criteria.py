"""The demo's acceptance criteria, replayed through the criteria service so the ledger is real.

data/demo/criteria.json lists each criterion with the moves made on it. Council moves are made by
the deliverable's owner (or by the user a move's "by" names, such as the admin covering for an
owner), supplier moves by the supplier's contact, so every ledger entry is one a person could have
made and `tracker audit verify` passes. A criterion whose title a deliverable already has is
skipped with its moves: the ledger is append-only, so loading twice must not replay history.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from tracker.models import (
    AcceptanceCriterion,
    CriterionMove,
    CriterionVersion,
    Deliverable,
    JiraSprint,
    Person,
    Role,
    Stage,
    User,
)
from tracker.policy import COUNCIL_CRITERION_MOVES, Actor
from tracker.services.acceptance.criteria import (
    Details,
    EvidenceLink,
    Saved,
    Wording,
    create_criterion,
    current_wording,
    edit_criterion,
    make_move,
)
from tracker.services.auth.users import actor_for_email, actor_for_user


def _supplier_contact(session: Session, deliverable: Deliverable) -> Actor:
    user_id = session.exec(
        select(User.id)
        .join(Person, Person.id == User.person_id)
        .where(
            Person.organisation_id == deliverable.supplier_org_id,
            User.role == Role.supplier_contact,
            User.active,
        )
        .order_by(User.id)
    ).first()
    if user_id is None:
        raise LookupError(f"{deliverable.ref}'s supplier has no supplier contact in the demo")
    return actor_for_user(session, user_id)


def _owner(session: Session, deliverable: Deliverable) -> Actor:
    person = session.get(Person, deliverable.owner_person_id)
    if person is None or person.email is None:
        raise LookupError(f"{deliverable.ref} has no owner in the demo")
    return actor_for_email(session, person.email)


def _details(session: Session, deliverable: Deliverable, spec: dict[str, Any]) -> Details:
    stage_id = session.exec(
        select(Stage.id).where(
            Stage.programme_id == deliverable.programme_id, Stage.name == spec["stage"]
        )
    ).one()
    sprint_id = None
    if spec.get("sprint"):
        sprint_id = session.exec(
            select(JiraSprint.id).where(JiraSprint.name == spec["sprint"])
        ).one()
    due = spec.get("due_on")
    return Details(
        stage_id=stage_id,
        sprint_id=sprint_id,
        due_on=date.fromisoformat(due) if due else None,
        jira_keys=tuple(spec.get("jira", ())),
    )


def _has_title(session: Session, deliverable_id: int, title: str) -> bool:
    found = session.exec(
        select(CriterionVersion.id)
        .join(AcceptanceCriterion, AcceptanceCriterion.id == CriterionVersion.criterion_id)
        .where(
            AcceptanceCriterion.deliverable_id == deliverable_id, CriterionVersion.title == title
        )
    ).first()
    return found is not None


def _replay(
    session: Session, saved: Saved, deliverable: Deliverable, details: Details, step: dict[str, Any]
) -> Saved:
    move = CriterionMove(step["move"])
    if step.get("by"):
        actor = actor_for_email(session, step["by"])
    elif move in COUNCIL_CRITERION_MOVES:
        actor = _owner(session, deliverable)
    else:
        actor = _supplier_contact(session, deliverable)
    if move is CriterionMove.edit:
        wording = current_wording(session, actor, criterion_id=saved.criterion_id)
        new = Wording(wording.title, step["text"], wording.sow_ref)
        return edit_criterion(
            session,
            actor,
            criterion_id=saved.criterion_id,
            expected_row_version=saved.row_version,
            wording=new,
            details=details,
            comment=step.get("comment"),
        )
    evidence = [EvidenceLink(e["url"], e.get("note")) for e in step.get("evidence", ())]
    return make_move(
        session,
        actor,
        criterion_id=saved.criterion_id,
        move=move,
        expected_row_version=saved.row_version,
        comment=step.get("comment"),
        evidence=evidence,
    )


def load_criteria(session: Session, path: Path) -> int:
    """Create the file's criteria that do not exist yet, with their history; returns how many."""
    specs = json.loads(Path(path).read_text(encoding="utf-8"))["criteria"]
    created = 0
    for spec in specs:
        deliverable = session.exec(
            select(Deliverable).where(Deliverable.ref == spec["deliverable"])
        ).one()
        if _has_title(session, deliverable.id or 0, spec["title"]):
            continue
        details = _details(session, deliverable, spec)
        saved = create_criterion(
            session,
            _owner(session, deliverable),
            deliverable_id=deliverable.id or 0,
            wording=Wording(spec["title"], spec["text"], spec.get("sow_ref")),
            details=details,
        )
        for step in spec["moves"]:
            saved = _replay(session, saved, deliverable, details, step)
        created += 1
    return created
