"""Gates newly blocked: a charity or supplier handling a deliverable comes to lack an
accreditation the deliverable's data needs, with no admin override.

A gate becomes blocked through many changes (an accreditation edited, removed or expired, a rule
added, an override withdrawn, a deliverable's sensitivity or supplier changed, someone from
another organisation engaged, a programme file loaded) and through the clock. Rather than every
one of those services remembering to look, a commit that changed any of the tables the gate reads
re-checks the gates before it commits (the hook in tracker.services.notify.gate_hook), so the
notification is written in the same transaction as the change; `tracker notify send` re-checks
for the clock. The hook is registered when tracker.services is imported, and loads this module
and the gate's rules only when it fires.

`gate_block` holds the blocks already known: a block is new when it has no row, and its row goes
when it ends, so a later block is new again.
"""

from datetime import date

from sqlmodel import Session, select

from tracker.models import (
    Accreditation,
    AccreditationRule,
    AssuranceOverride,
    Deliverable,
    Engagement,
    GateBlock,
    NotificationKind,
    Organisation,
    Role,
)
from tracker.models.types import utcnow
from tracker.policy import Actor
from tracker.services.notify import recipients
from tracker.services.notify.outbox import _queue

#: Reads every gate, whoever's change made the check happen.
GATEKEEPER = Actor(
    user_id=0,
    person_id=0,
    name="tracker",
    role=Role.admin,
    organisation_id=0,
    organisation_name="tracker",
)
#: What the gate's decision depends on.
WATCHED = (
    Accreditation,
    AccreditationRule,
    AssuranceOverride,
    Deliverable,
    Engagement,
    Organisation,
)


def refresh_gate_blocks(session: Session, actor: Actor, *, today: date | None = None) -> int:
    """Record the gates blocked now, and queue a notification for each block that is new (to
    admins and the organisation's accountable contact); returns how many were queued."""
    # pandas, only when a commit touched what a gate reads: other commands start without it
    from tracker.services.assurance.gates import Decision, compliance_frame

    frame = compliance_frame(session, GATEKEEPER, today=today or date.today())
    blocked = {
        (int(row.deliverable_id), int(row.organisation_id)): row.missing
        for row in frame.itertuples()
        if row.decision == Decision.blocked.value
    }
    known = {(b.deliverable_id, b.organisation_id): b for b in session.exec(select(GateBlock))}
    for pair, block in known.items():
        if pair not in blocked:
            session.delete(block)
        elif block.missing != blocked[pair][:500]:
            block.missing = blocked[pair][:500]
            session.add(block)
    new = [pair for pair in blocked if pair not in known]
    now = utcnow()
    queued = 0
    for deliverable_id, organisation_id in new:
        session.add(
            GateBlock(
                deliverable_id=deliverable_id,
                organisation_id=organisation_id,
                since=now,
                missing=blocked[(deliverable_id, organisation_id)][:500],
            )
        )
        deliverable = session.get(Deliverable, deliverable_id)
        assert deliverable is not None  # from the compliance frame
        queued += _queue(
            session,
            event_key=f"gate:{deliverable_id}:{organisation_id}:blocked:{now.isoformat()}",
            kind=NotificationKind.gate_blocked,
            person_ids=recipients.union(
                recipients._admins(session),
                recipients._accountable_contacts(session, organisation_id, deliverable),
            ),
            deliverable_id=deliverable_id,
            facts={
                "organisation_id": organisation_id,
                "missing": blocked[(deliverable_id, organisation_id)],
                "since": now.isoformat(),
            },
        )
    session.flush()
    return queued
