"""Acceptance criteria through their lifecycle, each move checked and written to the ledger.

    draft -> sent to supplier -> confirmed (or queried, with the question)
          -> evidence submitted -> accepted, or rejected with a reason

The council (a project owner of the owning council, or an admin) creates, edits, sends, accepts
and rejects; a supplier contact of the deliverable's supplier confirms, queries and submits
evidence (tracker.policy says who; TRANSITIONS here says from which status). Changing the wording
of a criterion makes a new version; unless the criterion is still a draft, the new version goes
back to the supplier to be confirmed again. Accepted criteria are closed.

Every move names the `row_version` the person saw: a move based on a stale read is refused with
StaleCriterion, so two people editing one criterion cannot overwrite each other unseen.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from tracker.errors import Conflict, Invalid, NotAllowed, NotFound
from tracker.models import (
    AcceptanceCriterion,
    AuditEntry,
    CriterionEvidence,
    CriterionMove,
    CriterionStatus,
    CriterionVersion,
    Deliverable,
    JiraSprint,
    Stage,
)
from tracker.models.types import utcnow
from tracker.policy import (
    SUPPLIER_CRITERION_MOVES,
    Actor,
    can_move_criterion,
    criteria_filter,
)
from tracker.services.audit import (
    CRITERION,
    Change,
    _person_names,
    append,
    evidence_digest,
    wording_digest,
)
from tracker.services.notify.outbox import criterion_moved
from tracker.uk_time import uk_time

S = CriterionStatus
M = CriterionMove

#: move -> (the statuses it starts from, the status it leads to)
TRANSITIONS: dict[CriterionMove, tuple[frozenset[CriterionStatus], CriterionStatus]] = {
    M.send: (frozenset({S.draft, S.queried}), S.sent),
    M.confirm: (frozenset({S.sent}), S.confirmed),
    M.query: (frozenset({S.sent}), S.queried),
    M.submit_evidence: (frozenset({S.confirmed, S.rejected}), S.evidence_submitted),
    M.accept: (frozenset({S.evidence_submitted}), S.accepted),
    M.reject: (frozenset({S.evidence_submitted}), S.rejected),
}
EDITABLE = frozenset(S) - {S.accepted}
#: statuses in which a criterion waits for its supplier
SUPPLIER_WAITS = frozenset(
    status for move in SUPPLIER_CRITERION_MOVES for status in TRANSITIONS[move][0]
)
#: moves that need a comment, and what the comment is to the reader
COMMENT_NEEDED = {M.query: "the question", M.reject: "the reason for rejecting"}

JIRA_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")
TITLE_MAX, SOW_MAX, URL_MAX, NOTE_MAX, COMMENT_MAX = 200, 100, 2000, 500, 5000


class StaleCriterion(Conflict):
    """Someone else changed the criterion since the actor read it; nothing was saved."""

    def __init__(self, message: str, row_version: int) -> None:
        super().__init__(message)
        #: the criterion's row version now: saving again against it overwrites deliberately
        self.row_version = row_version


@dataclass(frozen=True)
class Wording:
    """What the supplier confirms: changing any of it makes a new version."""

    title: str
    text: str
    sow_ref: str | None = None


@dataclass(frozen=True)
class Details:
    """Planning details: changing them is recorded but needs no new confirmation."""

    stage_id: int | None = None
    sprint_id: int | None = None
    due_on: date | None = None
    jira_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceLink:
    url: str
    note: str | None = None


@dataclass(frozen=True)
class Saved:
    """The criterion after a move; `row_version` is what the next move must name."""

    criterion_id: int
    code: str
    status: CriterionStatus
    version: int
    row_version: int
    moves: tuple[CriterionMove, ...]


def code(number: int) -> str:
    return f"AC-{number}"


# The _clean_* functions add what is wrong to `problems` rather than raising, so a person fixing
# a form hears about every problem at once (_refuse raises them together).


def _clean_wording(wording: Wording, problems: list[str]) -> Wording:
    title, text = wording.title.strip(), wording.text.strip()
    sow_ref = (wording.sow_ref or "").strip() or None
    if not title or len(title) > TITLE_MAX:
        problems.append(f"Give the criterion a title of 1 to {TITLE_MAX} characters.")
    if not text:
        problems.append("Write the criterion's text: what must be true for acceptance.")
    if sow_ref and len(sow_ref) > SOW_MAX:
        problems.append(f"The Statement of Work reference is over {SOW_MAX} characters.")
    return Wording(title, text, sow_ref)


def _clean_details(
    session: Session, deliverable: Deliverable, details: Details, problems: list[str]
) -> Details:
    keys = tuple(dict.fromkeys(k.strip().upper() for k in details.jira_keys if k.strip()))
    bad = [k for k in keys if not JIRA_KEY.match(k)]
    if bad:
        problems.append(f"Not Jira issue keys (like RB-12): {', '.join(bad)}.")
    if details.stage_id is not None:
        stage = session.get(Stage, details.stage_id)
        if stage is None or stage.programme_id != deliverable.programme_id:
            problems.append("That stage is not one of this programme's stages.")
    if details.sprint_id is not None and session.get(JiraSprint, details.sprint_id) is None:
        problems.append("That sprint is not known to tracker.")
    return Details(details.stage_id, details.sprint_id, details.due_on, keys)


def _clean_comment(comment: str | None, problems: list[str]) -> str | None:
    cleaned = (comment or "").strip() or None
    if cleaned and len(cleaned) > COMMENT_MAX:
        problems.append(f"Keep the comment under {COMMENT_MAX} characters.")
    return cleaned


def _clean_evidence(links: Sequence[EvidenceLink], problems: list[str]) -> list[EvidenceLink]:
    cleaned = []
    for link in links:
        url, note = link.url.strip(), (link.note or "").strip() or None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
            problems.append(f"Evidence links must be web addresses (https://...): {url!r}.")
        if note and len(note) > NOTE_MAX:
            problems.append(f"Keep each evidence note under {NOTE_MAX} characters.")
        cleaned.append(EvidenceLink(url, note))
    if not cleaned:
        problems.append("Give at least one link to the evidence.")
    return cleaned


def _refuse(problems: list[str]) -> None:
    if problems:
        raise Invalid.of(problems, "Nothing was saved")


def moves_for(
    actor: Actor, deliverable: Deliverable, status: CriterionStatus
) -> tuple[CriterionMove, ...]:
    """The moves this actor may make on a criterion in this status, in lifecycle order."""
    possible = [M.edit] if status in EDITABLE else []
    possible += [move for move, (sources, _) in TRANSITIONS.items() if status in sources]
    return tuple(m for m in possible if can_move_criterion(actor, deliverable, m))


def _deliverable(session: Session, actor: Actor, deliverable_id: int) -> Deliverable:
    deliverable = session.get(Deliverable, deliverable_id)
    if deliverable is None or not can_move_criterion(actor, deliverable, M.create):
        raise NotAllowed(f"{actor.role.value}s may not add acceptance criteria to this deliverable")
    return deliverable


def _load(
    session: Session, actor: Actor, criterion_id: int, move: CriterionMove
) -> tuple[AcceptanceCriterion, Deliverable]:
    row = session.exec(
        select(AcceptanceCriterion, Deliverable)
        .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
        .where(AcceptanceCriterion.id == criterion_id, criteria_filter(actor))
    ).first()
    if row is None:
        raise NotFound(f"There is no acceptance criterion {criterion_id} you can see.")
    criterion, deliverable = row
    if not can_move_criterion(actor, deliverable, move):
        raise NotAllowed(
            f"{actor.role.value}s may not {move.value} the acceptance criteria of {deliverable.ref}"
        )
    return criterion, deliverable


def _stale(session: Session, criterion: AcceptanceCriterion) -> StaleCriterion:
    last = session.exec(
        select(AuditEntry)
        .where(AuditEntry.subject == CRITERION, AuditEntry.subject_id == criterion.id)
        .order_by(AuditEntry.seq.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    who = "someone else"
    if last is not None:
        name = _person_names(session, [last.actor_person_id]).get(last.actor_person_id, who)
        who = f"{name} ({last.actor_role}, {last.action} at {uk_time(last.at)})"
    return StaleCriterion(
        f"{code(criterion.number)} was changed by {who} since you opened it; it is now "
        f"'{criterion.status}', version {criterion.version}. Nothing was saved: your text is kept. "
        "Check their change, then save again to replace it.",
        row_version=criterion.row_version,
    )


def _check_fresh(
    session: Session, criterion: AcceptanceCriterion, expected_row_version: int
) -> None:
    if criterion.row_version != expected_row_version:
        raise _stale(session, criterion)


def _flush_update(session: Session, criterion: AcceptanceCriterion) -> None:
    """Write the criterion's UPDATE; the row version in its WHERE clause catches a change that
    landed between our read and this write."""
    criterion.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        current = session.get(AcceptanceCriterion, criterion.id)
        raise _stale(session, current or criterion) from None


def _saved(actor: Actor, criterion: AcceptanceCriterion, deliverable: Deliverable) -> Saved:
    status = S(criterion.status)
    return Saved(
        criterion.id or 0,
        code(criterion.number),
        status,
        criterion.version,
        criterion.row_version,
        moves_for(actor, deliverable, status),
    )


def _add_version(
    session: Session, criterion: AcceptanceCriterion, wording: Wording, entry: AuditEntry
) -> None:
    session.add(
        CriterionVersion(
            criterion_id=criterion.id or 0,
            version=criterion.version,
            title=wording.title,
            text=wording.text,
            sow_ref=wording.sow_ref,
            audit_entry_id=entry.id or 0,
        )
    )
    session.flush()


def create_criterion(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    wording: Wording,
    details: Details | None = None,
) -> Saved:
    """A new draft criterion, numbered next for its deliverable."""
    deliverable = _deliverable(session, actor, deliverable_id)
    problems: list[str] = []
    wording = _clean_wording(wording, problems)
    details = _clean_details(session, deliverable, details or Details(), problems)
    _refuse(problems)
    # Two people adding criteria at once must get different numbers: PostgreSQL queues them on
    # the deliverable's row; SQLite reads before it takes its write lock, so the second insert
    # may collide once, and then retries holding the lock.
    session.exec(select(Deliverable.id).where(Deliverable.id == deliverable_id).with_for_update())
    for _attempt in range(3):
        highest = session.exec(
            select(func.max(AcceptanceCriterion.number)).where(
                AcceptanceCriterion.deliverable_id == deliverable_id
            )
        ).one()
        criterion = AcceptanceCriterion(
            deliverable_id=deliverable_id,
            number=(highest or 0) + 1,
            stage_id=details.stage_id,
            sprint_id=details.sprint_id,
            due_on=details.due_on,
            jira_keys=list(details.jira_keys),
        )
        try:
            with session.begin_nested():
                session.add(criterion)
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Others are adding criteria to this deliverable; try again.")
    entry = append(
        session,
        actor,
        change=Change(
            subject_id=criterion.id or 0,
            deliverable_id=deliverable_id,
            action=M.create.value,
            from_status=None,
            to_status=S.draft.value,
            version=1,
            content_sha256=wording_digest(wording.title, wording.text, wording.sow_ref),
        ),
    )
    _add_version(session, criterion, wording, entry)
    return _saved(actor, criterion, deliverable)


def _describe_details(old: Details, new: Details, stages: dict[int, str]) -> str:
    changes = []
    if old.stage_id != new.stage_id:
        old_stage, new_stage = (stages.get(i or 0, "none") for i in (old.stage_id, new.stage_id))
        changes.append(f"stage {old_stage} to {new_stage}")
    if old.sprint_id != new.sprint_id:
        changes.append(f"sprint {old.sprint_id or 'none'} to {new.sprint_id or 'none'}")
    if old.due_on != new.due_on:
        changes.append(f"due date {old.due_on or 'none'} to {new.due_on or 'none'}")
    if old.jira_keys != new.jira_keys:
        changes.append(
            f"Jira issues {', '.join(old.jira_keys) or 'none'} to "
            f"{', '.join(new.jira_keys) or 'none'}"
        )
    return "Changed " + "; ".join(changes) + "." if changes else ""


def current_wording(session: Session, actor: Actor, *, criterion_id: int) -> Wording:
    """The wording of a criterion's current version, if the actor may read the criterion."""
    row = session.exec(
        select(AcceptanceCriterion)
        .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
        .where(AcceptanceCriterion.id == criterion_id, criteria_filter(actor))
    ).first()
    if row is None:
        raise NotFound(f"There is no acceptance criterion {criterion_id} you can see.")
    return _wording(session, row)


def _wording(session: Session, criterion: AcceptanceCriterion) -> Wording:
    version = session.exec(
        select(CriterionVersion).where(
            CriterionVersion.criterion_id == criterion.id,
            CriterionVersion.version == criterion.version,
        )
    ).one()
    return Wording(version.title, version.text, version.sow_ref)


def edit_criterion(
    session: Session,
    actor: Actor,
    *,
    criterion_id: int,
    expected_row_version: int,
    wording: Wording,
    details: Details,
    comment: str | None = None,
) -> Saved:
    """Change a criterion's wording or details. A new wording is a new version; once the
    criterion has left draft, the new version is sent to the supplier to confirm again."""
    criterion, deliverable = _load(session, actor, criterion_id, M.edit)
    _check_fresh(session, criterion, expected_row_version)
    if S(criterion.status) not in EDITABLE:
        raise Conflict(
            f"{code(criterion.number)} is accepted, so it is closed; add a new criterion instead."
        )
    problems: list[str] = []
    wording = _clean_wording(wording, problems)
    details = _clean_details(session, deliverable, details, problems)
    comment = _clean_comment(comment, problems)
    _refuse(problems)
    old_details = Details(
        criterion.stage_id, criterion.sprint_id, criterion.due_on, tuple(criterion.jira_keys)
    )
    reworded = wording != _wording(session, criterion)
    if not reworded and details == old_details:
        raise Invalid("Nothing to save: the wording and the details are unchanged.")
    stages = dict(session.exec(select(Stage.id, Stage.name)).all())
    note = " ".join(filter(None, [comment, _describe_details(old_details, details, stages)]))
    from_status = S(criterion.status)
    if reworded:
        criterion.version += 1
        if from_status is not S.draft:
            criterion.status = S.sent
    criterion.stage_id, criterion.sprint_id = details.stage_id, details.sprint_id
    criterion.due_on, criterion.jira_keys = details.due_on, list(details.jira_keys)
    _flush_update(session, criterion)
    entry = append(
        session,
        actor,
        change=Change(
            subject_id=criterion.id or 0,
            deliverable_id=deliverable.id or 0,
            action=M.edit.value,
            from_status=from_status.value,
            to_status=S(criterion.status).value,
            version=criterion.version,
            comment=note or None,
            content_sha256=(
                wording_digest(wording.title, wording.text, wording.sow_ref) if reworded else None
            ),
        ),
    )
    if reworded:
        _add_version(session, criterion, wording, entry)
        # a sent criterion reworded goes back to its supplier to confirm again
        criterion_moved(
            session,
            actor,
            deliverable=deliverable,
            criterion_id=criterion.id or 0,
            entry_id=entry.id or 0,
            move=M.edit,
            to_status=S(criterion.status),
            version=criterion.version,
        )
    return _saved(actor, criterion, deliverable)


def make_move(
    session: Session,
    actor: Actor,
    *,
    criterion_id: int,
    move: CriterionMove,
    expected_row_version: int,
    comment: str | None = None,
    evidence: Sequence[EvidenceLink] = (),
) -> Saved:
    """Send, confirm, query, submit evidence for, accept or reject a criterion."""
    if move not in TRANSITIONS:
        raise Invalid(f"'{move.value}' is not a lifecycle move.")
    criterion, deliverable = _load(session, actor, criterion_id, move)
    _check_fresh(session, criterion, expected_row_version)
    sources, target = TRANSITIONS[move]
    from_status = S(criterion.status)
    if from_status not in sources:
        allowed = " or ".join(f"'{s.value}'" for s in S if s in sources)
        raise Conflict(
            f"{code(criterion.number)} is '{from_status.value}': '{move.value}' is possible only "
            f"when it is {allowed}."
        )
    if move is M.send and deliverable.supplier_org_id is None:
        raise Conflict(f"{deliverable.ref} has no supplier to send criteria to.")
    problems: list[str] = []
    comment = _clean_comment(comment, problems)
    needed = COMMENT_NEEDED.get(move) or (
        "your answer to the supplier's question"
        if move is M.send and from_status is S.queried
        else None
    )
    if needed and not comment:
        problems.append(f"Give {needed}.")
    links = _clean_evidence(evidence, problems) if move is M.submit_evidence else []
    _refuse(problems)
    criterion.status = target
    _flush_update(session, criterion)
    entry = append(
        session,
        actor,
        change=Change(
            subject_id=criterion.id or 0,
            deliverable_id=deliverable.id or 0,
            action=move.value,
            from_status=from_status.value,
            to_status=target.value,
            version=criterion.version,
            comment=comment,
            content_sha256=evidence_digest((x.url, x.note) for x in links) if links else None,
        ),
    )
    for link in links:
        session.add(
            CriterionEvidence(
                criterion_id=criterion.id or 0,
                version=criterion.version,
                url=link.url,
                note=link.note,
                audit_entry_id=entry.id or 0,
            )
        )
    session.flush()
    criterion_moved(
        session,
        actor,
        deliverable=deliverable,
        criterion_id=criterion.id or 0,
        entry_id=entry.id or 0,
        move=move,
        to_status=target,
        version=criterion.version,
    )
    return _saved(actor, criterion, deliverable)
