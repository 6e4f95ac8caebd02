"""What needs me: each person's own open work, gathered from every area, most pressing first.

People should not have to walk every page to find what is theirs to do. A project owner sees the
criteria of their council's deliverables waiting on the supplier (overdue confirmations apart),
the suppliers' queries to answer, the evidence to accept or reject, and the gaps in who to engage;
a supplier contact sees the criteria to confirm (soonest due first, overdue flagged), the evidence
asked of them, and the queries they raised that the council has not answered yet (so a queried
criterion stays in sight); an admin sees accreditations expiring, gates that block, and people
refused at sign-in who may be waiting for an account. Board members read the programme and own no
work here. The page and `tracker needs-me` both show this.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlmodel import Session, select

from tracker.metrics.acceptance import overdue, soonest_due_first
from tracker.models import CriterionMove, CriterionStatus, Deliverable, Role
from tracker.policy import Actor, deliverable_filter, is_own_deliverable
from tracker.services.acceptance.views import (
    criteria_in,
    waiting_for_council,
    waiting_for_supplier,
)
from tracker.services.assurance.accreditations import expiries_frame
from tracker.services.assurance.gates import Decision, compliance_frame
from tracker.services.auth.sign_in import waiting_for_an_account
from tracker.services.engagement.now import who_to_engage

S = CriterionStatus
#: one row of a section: what it is about, the thing, what to do or know, and when it is due
ITEM_COLUMNS = ["ref", "item", "detail", "due", "overdue", "criterion_id"]
#: how far back a refused sign-in still suggests someone waiting for an account
REFUSALS_WINDOW = timedelta(days=30)
#: what the supplier still owes on a criterion waiting for them, by its status
SUPPLIER_STEP = {
    S.sent: "to confirm or query",
    S.confirmed: "to submit evidence",
    S.rejected: "to submit new evidence after a rejection",
}


@dataclass(frozen=True)
class Section:
    """One kind of work: `key` for code, `heading` and `empty` (said when there is none) for
    people, and the items (ITEM_COLUMNS), most pressing first."""

    key: str
    heading: str
    empty: str
    items: pd.DataFrame

    def to_json(self) -> dict[str, object]:
        records = self.items.drop(columns="criterion_id").astype(object)
        records["due"] = [None if pd.isna(d) else d.isoformat() for d in self.items["due"]]
        return {
            "key": self.key,
            "heading": self.heading,
            "items": records.where(records.notna(), None).to_dict(orient="records"),
        }


@dataclass(frozen=True)
class NeedsMe:
    """Everything that needs the actor, as sections in the order to work through them."""

    role: Role
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_json(self) -> dict[str, object]:
        return {"role": self.role.value, "sections": [s.to_json() for s in self.sections]}


def _items(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["criterion_id"] = frame["criterion_id"].astype("Int64")
    return frame


def _said(text: object, missing: str) -> str:
    """Someone's comment quoted inside a sentence: without its own closing full stop."""
    words = str(text).strip() if text is not None and not pd.isna(text) else ""
    return words.rstrip(".") or missing


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _due_words(due: object, today: date) -> str:
    if due is None or pd.isna(due):
        return "no due date"
    return f"overdue since {due:%d %b %Y}" if due < today else f"due {due:%d %b %Y}"


def _criteria_items(
    criteria: pd.DataFrame, today: date, detail: Callable[[object], str]
) -> pd.DataFrame:
    """Criteria as items, soonest due first (overdue at the top, undated last)."""
    return _items(
        [
            {
                "ref": row.deliverable,
                "item": f"{row.code} {row.title}",
                "detail": detail(row),
                "due": row.due,
                "overdue": bool(row.overdue),
                "criterion_id": row.id,
            }
            for row in soonest_due_first(criteria, today).itertuples()
        ]
    )


def _own_deliverables(session: Session, actor: Actor) -> list[Deliverable]:
    rows = session.exec(
        select(Deliverable).where(deliverable_filter(actor)).order_by(Deliverable.ref)
    )
    return [d for d in rows if is_own_deliverable(actor, d)]


def _owner_sections(session: Session, actor: Actor, today: date) -> list[Section]:
    own = _own_deliverables(session, actor)
    ids = {d.id for d in own}
    criteria = criteria_in(
        session,
        actor,
        statuses=[S.queried, S.evidence_submitted, *SUPPLIER_STEP],
    )
    criteria = criteria[criteria["deliverable_id"].isin(ids)]
    late = overdue(criteria["due"], criteria["status"], today)
    sent = criteria["status"] == S.sent
    queries = criteria[criteria["status"] == S.queried]
    evidence = criteria[criteria["status"] == S.evidence_submitted]
    waiting = criteria[criteria["status"].isin(list(SUPPLIER_STEP)) & ~(sent & late)]
    gaps = [
        {"ref": d.ref, "item": gap.kind.value, "detail": gap.message}
        for d in own
        for gap in who_to_engage(session, actor, deliverable=d, today=today).gaps
    ]
    return [
        Section(
            "queries",
            "Queries to answer",
            "No supplier has a question waiting for your council.",
            _criteria_items(
                queries,
                today,
                lambda r: (
                    f"The supplier asks: {_said(r.last_comment, '(no question recorded)')}. "
                    "Answer it by sending the criterion again."
                ),
            ),
        ),
        Section(
            "evidence",
            "Evidence to accept or reject",
            "No evidence is waiting for your decision.",
            _criteria_items(
                evidence, today, lambda r: f"Evidence submitted: accept or reject it ({r.code})."
            ),
        ),
        Section(
            "overdue_confirmations",
            "Overdue confirmations",
            "No criterion sent to a supplier is past its due date.",
            _criteria_items(
                criteria[sent & late],
                today,
                lambda r: f"Sent to the supplier and not confirmed: {_due_words(r.due, today)}.",
            ),
        ),
        Section(
            "waiting_on_supplier",
            "Waiting on the supplier",
            "Nothing else is waiting on a supplier.",
            _criteria_items(
                waiting,
                today,
                lambda r: (
                    f"The supplier is {SUPPLIER_STEP[S(r.status)]}; {_due_words(r.due, today)}."
                ),
            ),
        ),
        Section(
            "engagement_gaps",
            "Gaps in who to engage",
            "Your deliverables have an active supplier-side contact and an owner.",
            _items([{**gap, "due": None, "overdue": False, "criterion_id": None} for gap in gaps]),
        ),
    ]


def _supplier_sections(session: Session, actor: Actor, today: date) -> list[Section]:
    waiting = waiting_for_supplier(session, actor)
    moves = waiting["moves"]
    to_confirm = waiting[moves.map(lambda m: CriterionMove.confirm.value in m).astype(bool)]
    evidence = waiting[moves.map(lambda m: CriterionMove.submit_evidence.value in m).astype(bool)]
    council = waiting_for_council(session, actor)
    queries = council[council["status"] == S.queried]
    return [
        Section(
            "to_confirm",
            "Criteria to confirm",
            "No criterion is waiting for you to confirm.",
            _criteria_items(
                to_confirm,
                today,
                lambda r: f"Confirm it as understood, or query it; {_due_words(r.due, today)}.",
            ),
        ),
        Section(
            "evidence_requested",
            "Evidence requested",
            "No criterion is waiting for your evidence.",
            _criteria_items(
                evidence,
                today,
                lambda r: (
                    (
                        f"Rejected: {_said(r.last_comment, 'no reason recorded')}. "
                        "Submit new evidence."
                        if r.status == S.rejected
                        else "Confirmed: submit the evidence that it is met."
                    )
                    + f" {_upper_first(_due_words(r.due, today))}."
                ),
            ),
        ),
        Section(
            "open_queries",
            "Your open queries",
            "You have no query waiting for the council's answer.",
            _criteria_items(
                queries,
                today,
                lambda r: (
                    f"You asked: {_said(r.last_comment, '(no question recorded)')}. "
                    "Waiting for the council to answer."
                ),
            ),
        ),
    ]


def _admin_sections(session: Session, actor: Actor, today: date) -> list[Section]:
    expiring = expiries_frame(session, actor, today=today)
    compliance = compliance_frame(session, actor, today=today)
    blocked = compliance[compliance["decision"] == Decision.blocked]
    since = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - REFUSALS_WINDOW
    waiting = waiting_for_an_account(session, actor, since=since)
    return [
        Section(
            "expiring_accreditations",
            "Accreditations expiring",
            "No accreditation expires within 60 days.",
            _items(
                [
                    {
                        "ref": row.organisation,
                        "item": f"{row.scheme}"
                        + (f" ({row.level})" if pd.notna(row.level) and row.level else ""),
                        "detail": f"{_upper_first(str(row.status))} ({row.expires_on:%d %b %Y}).",
                        "due": row.expires_on,
                        "overdue": row.expires_on < today,  # already expired
                        "criterion_id": None,
                    }
                    for row in expiring.itertuples()
                ]
            ),
        ),
        Section(
            "blocked_gates",
            "Blocked gates",
            "No charity or supplier is blocked from a deliverable.",
            _items(
                [
                    {
                        "ref": row.ref,
                        "item": row.organisation,
                        "detail": f"Blocked: missing {row.missing}.",
                        "due": None,
                        "overdue": False,
                        "criterion_id": None,
                    }
                    for row in blocked.itertuples()
                ]
            ),
        ),
        Section(
            "waiting_for_account",
            "People waiting for an account",
            f"Nobody was refused at sign-in in the last {REFUSALS_WINDOW.days} days.",
            _items(
                [
                    {
                        "ref": row.domain,
                        "item": f"refused {row.refused} time{'s' * (row.refused != 1)}",
                        "detail": (
                            f"Contacts at {row.domain} without an account: {row.contacts}."
                            if row.contacts
                            else f"No contact at {row.domain} yet: add them on Contacts first."
                        ),
                        "due": None,
                        "overdue": False,
                        "criterion_id": None,
                    }
                    for row in waiting.itertuples()
                ]
            ),
        ),
    ]


SECTIONS: dict[Role, Callable[[Session, Actor, date], list[Section]]] = {
    Role.project_owner: _owner_sections,
    Role.supplier_contact: _supplier_sections,
    Role.admin: _admin_sections,
}


def needs_me(session: Session, actor: Actor, *, today: date | None = None) -> NeedsMe:
    """Everything waiting on the actor today (default: the current date), by kind; board members
    and anyone else with no work of their own here get no sections."""
    role = Role(actor.role)
    build = SECTIONS.get(role)
    return NeedsMe(role, build(session, actor, today or date.today()) if build else [])
