"""What a notification says, composed when it is sent, for the recipient's own view.

Every message is read through the recipient's Actor, with the same services and policy as the
app, so it holds nothing about another organisation beyond what that person may see there (a
supplier contact's message never names another supplier's work). A notification whose subject has
moved on (the criterion confirmed before the email went, the accreditation renewed, the block
lifted) is not sent: `Outdated` says why, and the row is skipped with that reason.

Each message has plain text and HTML with the same content: the HTML is a simple document with a
language, a title, one heading per item, facts as a description list and a link whose text says
where it goes; nothing depends on colour or images.
"""

import html
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.errors import Conflict, TrackerError, count
from tracker.metrics.sprint_report import Total
from tracker.models import (
    AcceptanceCriterion,
    Accreditation,
    AuditEntry,
    CriterionEvidence,
    CriterionStatus,
    Deliverable,
    GateBlock,
    JiraSprint,
    Notification,
    NotificationKind,
    Organisation,
    Role,
)
from tracker.policy import Actor, criteria_filter, sees_organisation
from tracker.services.acceptance.criteria import SUPPLIER_WAITS, _wording, code
from tracker.services.audit import CRITERION, _person_names
from tracker.services.delivery.sprints import sprint_report_for
from tracker.services.engagement.now import who_to_engage
from tracker.services.lookups import visible_deliverable
from tracker.uk_time import uk_time

K = NotificationKind
PREFERENCES_PATH = "notifications"


class Outdated(Conflict):
    """The notification no longer applies (or is no longer the recipient's to see)."""


@dataclass(frozen=True)
class Item:
    """One notification as read: a heading, what happened, facts, and where to act."""

    subject: str
    heading: str
    paragraphs: tuple[str, ...]
    link_text: str
    url: str
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Message:
    subject: str
    intro: str
    items: tuple[Item, ...]
    footer: str
    preferences_url: str
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        parts = [self.intro, ""]
        for item in self.items:
            parts += [item.heading, "-" * min(len(item.heading), 72), ""]
            parts += [p for paragraph in item.paragraphs for p in (paragraph, "")]
            parts += [f"{name}: {value}" for name, value in item.facts]
            parts += ["" if item.facts else None, f"{item.link_text}: {item.url}", ""]
        parts += ["--", self.footer, f"Your notification settings: {self.preferences_url}"]
        return "\n".join(p for p in parts if p is not None) + "\n"

    def html(self) -> str:
        e = html.escape
        body = [f"<p>{e(self.intro)}</p>"]
        many = len(self.items) > 1
        for item in self.items:
            level = "h2" if many else "h1"
            body.append(f"<section><{level}>{e(item.heading)}</{level}>")
            body += [f"<p>{e(p).replace(chr(10), '<br>')}</p>" for p in item.paragraphs]
            if item.facts:
                body.append("<dl>")
                body += [f"<dt>{e(n)}</dt><dd>{e(v)}</dd>" for n, v in item.facts]
                body.append("</dl>")
            body.append(f'<p><a href="{e(item.url)}">{e(item.link_text)}</a></p></section>')
        heading = f"<h1>{e(self.subject)}</h1>" if many else ""
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
            f"<title>{e(self.subject)}</title></head>\n"
            '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; '
            'color: #0b0c0c; background: #ffffff">\n'
            f"<main>{heading}{''.join(body)}</main>\n"
            f"<footer><p>{e(self.footer)} "
            f'<a href="{e(self.preferences_url)}">Change your notification settings</a>.'
            "</p></footer>\n</body>\n</html>\n"
        )


@dataclass(frozen=True)
class Context:
    """Where links point and which day it is for the message."""

    base_url: str
    today: date


def uk_day(value: date | str | None) -> str:
    if value is None:
        return "no due date"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _url(base: str, path: str, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}/{path}{query}"


def _deliverable(session: Session, reader: Actor, deliverable_id: int | None) -> Deliverable:
    try:
        return visible_deliverable(session, reader, deliverable_id=deliverable_id or 0)
    except TrackerError:
        raise Outdated("the recipient can no longer see the deliverable") from None


def _criterion(session: Session, reader: Actor, criterion_id: int) -> AcceptanceCriterion:
    found = session.exec(
        select(AcceptanceCriterion)
        .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
        .where(AcceptanceCriterion.id == criterion_id, criteria_filter(reader))
    ).first()
    if found is None:
        raise Outdated("the recipient can no longer see the criterion")
    return found


def _criteria_link(base: str, reader: Actor, deliverable: Deliverable) -> tuple[str, str]:
    if Role(reader.role) is Role.supplier_contact:
        return "Open the criteria waiting for you", _url(base, "my-criteria")
    return (
        f"Open the acceptance criteria of {deliverable.ref}",
        _url(base, "criteria", deliverable=deliverable.ref),
    )


def _named(deliverable: Deliverable) -> str:
    return f"{deliverable.ref} {deliverable.title}"


def _criterion_item(
    session: Session, reader: Actor, note: Notification, *, what: str
) -> tuple[Deliverable, AcceptanceCriterion, str, list[tuple[str, str]]]:
    deliverable = _deliverable(session, reader, note.deliverable_id)
    criterion = _criterion(session, reader, int(note.facts["criterion_id"]))
    wording = _wording(session, criterion)
    facts = [
        ("Deliverable", _named(deliverable)),
        ("Criterion", f"{code(criterion.number)} {wording.title}, version {criterion.version}"),
        ("Status", CriterionStatus(criterion.status).value),
        ("Due", uk_day(criterion.due_on)),
    ]
    if wording.sow_ref:
        facts.append(("Statement of Work", wording.sow_ref))
    due = f"due {uk_day(criterion.due_on)}" if criterion.due_on else "no due date"
    subject = f"{_named(deliverable)}: {code(criterion.number)} {what}, {due}"
    return deliverable, criterion, subject, facts


def _entry(session: Session, note: Notification) -> AuditEntry:
    """The ledger entry that was the event, if nothing has happened to the criterion since (a
    criterion queried and sent again needs confirming once, not twice)."""
    entry = session.get(AuditEntry, int(note.facts["entry_id"]))
    assert entry is not None  # the ledger keeps every entry
    latest = session.exec(
        select(func.max(AuditEntry.seq)).where(
            AuditEntry.subject == CRITERION, AuditEntry.subject_id == entry.subject_id
        )
    ).one()
    if latest != entry.seq:
        raise Outdated("the criterion has moved on since")
    return entry


def _to_confirm(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    deliverable, criterion, subject, facts = _criterion_item(
        session, reader, note, what="to confirm"
    )
    entry = _entry(session, note)
    wording = _wording(session, criterion)
    again = entry.action != "send to supplier" or entry.from_status == CriterionStatus.queried
    said = (
        f"{deliverable.ref}'s owner changed acceptance criterion {code(criterion.number)}, so it "
        "needs confirming again."
        if again
        else f"{deliverable.ref}'s owner sent acceptance criterion {code(criterion.number)} to "
        "your organisation to confirm."
    )
    paragraphs = [said, f"{wording.title}: {wording.text}"]
    if entry.comment:
        paragraphs.append(f"Their note: {entry.comment}")
    paragraphs.append("Confirm it, or query it if it is not right, in tracker.")
    link_text, url = _criteria_link(ctx.base_url, reader, deliverable)
    return Item(subject, subject, tuple(paragraphs), link_text, url, tuple(facts))


def _supplier_move(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    queried = NotificationKind(note.kind) is K.query_raised
    deliverable, criterion, subject, facts = _criterion_item(
        session,
        reader,
        note,
        what="queried by the supplier" if queried else "has evidence to review",
    )
    entry = _entry(session, note)
    who = _person_names(session, [entry.actor_person_id]).get(entry.actor_person_id, "The supplier")
    organisation = session.get(Organisation, entry.actor_org_id)
    by = f"{who} ({organisation.name})" if organisation else who
    if queried:
        paragraphs = [
            f"{by} queried {code(criterion.number)} of {deliverable.ref}.",
            f"Their question: {entry.comment or '(none given)'}",
            "Answer by editing the criterion or sending it again with your answer.",
        ]
    else:
        links = session.exec(
            select(CriterionEvidence).where(CriterionEvidence.audit_entry_id == entry.id)
        ).all()
        paragraphs = [
            f"{by} submitted evidence that {code(criterion.number)} of {deliverable.ref} is met.",
            *[f"Evidence: {e.url}" + (f" ({e.note})" if e.note else "") for e in links],
            "Accept the criterion, or reject it with your reason.",
        ]
    link_text, url = _criteria_link(ctx.base_url, reader, deliverable)
    return Item(subject, subject, tuple(paragraphs), link_text, url, tuple(facts))


def _overdue(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    deliverable, criterion, _, facts = _criterion_item(session, reader, note, what="")
    due = note.facts["due_on"]
    status = CriterionStatus(criterion.status)
    if criterion.due_on is None or criterion.due_on.isoformat() != due:
        raise Outdated("the criterion's due date has changed")
    if status is CriterionStatus.accepted:
        raise Outdated("the criterion has been accepted")
    supplier = note.facts["audience"] == "supplier"
    if supplier and status not in SUPPLIER_WAITS:
        raise Outdated("the criterion no longer waits for the supplier")
    subject = (
        f"{_named(deliverable)}: {code(criterion.number)} is overdue, it was due {uk_day(due)}"
    )
    needed = {
        CriterionStatus.sent: "confirm or query it",
        CriterionStatus.confirmed: "submit the evidence that it is met",
        CriterionStatus.rejected: "submit new evidence",
    }
    if supplier:
        ask = f"Please {needed.get(status, 'act on it')} in tracker."
    else:
        ask = (
            f"It is '{status.value}'. You may need to chase the supplier, or agree a new due date."
        )
    paragraphs = (f"{code(criterion.number)} of {deliverable.ref} was due {uk_day(due)}.", ask)
    link_text, url = _criteria_link(ctx.base_url, reader, deliverable)
    return Item(subject, subject, paragraphs, link_text, url, tuple(facts))


def _accreditation(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    acc = session.get(Accreditation, int(note.facts["accreditation_id"]))
    if (
        acc is None
        or acc.expires_on is None
        or acc.expires_on.isoformat() != note.facts["expires_on"]
    ):
        raise Outdated("the accreditation has been renewed, changed or removed")
    if not sees_organisation(reader, acc.organisation_id):
        raise Outdated("the accreditation is not the recipient's to see")
    organisation = session.get(Organisation, acc.organisation_id)
    name = organisation.name if organisation else "An organisation"
    days = (acc.expires_on - ctx.today).days
    subject = f"{name}: {acc.scheme} expires on {uk_day(acc.expires_on)}"
    left = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
    needing = session.exec(
        select(Deliverable.ref)
        .where(Deliverable.supplier_org_id == acc.organisation_id)
        .order_by(Deliverable.ref)
    ).all()
    visible = [ref for ref in needing if _may_see_ref(session, reader, ref)]
    paragraphs = [
        f"{name}'s {acc.scheme} certificate expires {left}, on {uk_day(acc.expires_on)}.",
        "Once it expires, deliverables whose data needs it are blocked until it is renewed and "
        "the renewal is recorded in tracker.",
    ]
    facts = [("Organisation", name), ("Scheme", str(acc.scheme))]
    facts += [("Certificate", acc.certificate_ref)] if acc.certificate_ref else []
    facts += [("Expires", uk_day(acc.expires_on))]
    facts += [("Deliverables it supplies", ", ".join(visible))] if visible else []
    return Item(
        subject,
        subject,
        tuple(paragraphs),
        "Open supplier assurance",
        _url(ctx.base_url, "assurance"),
        tuple(facts),
    )


def _may_see_ref(session: Session, reader: Actor, ref: str) -> bool:
    deliverable = session.exec(select(Deliverable).where(Deliverable.ref == ref)).first()
    try:
        visible_deliverable(session, reader, deliverable_id=deliverable.id if deliverable else 0)
    except TrackerError:
        return False
    return True


def _gate(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    deliverable = _deliverable(session, reader, note.deliverable_id)
    organisation_id = int(note.facts["organisation_id"])
    if not sees_organisation(reader, organisation_id):
        raise Outdated("the organisation's records are not the recipient's to see")
    block = session.exec(
        select(GateBlock).where(
            GateBlock.deliverable_id == deliverable.id,
            GateBlock.organisation_id == organisation_id,
        )
    ).first()
    if block is None:
        raise Outdated("the gate is no longer blocked")
    organisation = session.get(Organisation, organisation_id)
    name = organisation.name if organisation else "An organisation"
    subject = f"{_named(deliverable)}: gate blocked for {name}"
    paragraphs = (
        f"{name} lacks {block.missing}, so it may not handle {_named(deliverable)} "
        "unless the accreditation is recorded or an admin overrides the gate with a reason.",
    )
    facts = (
        ("Deliverable", _named(deliverable)),
        ("Organisation", name),
        ("Lacking", block.missing),
        ("Blocked since", uk_time(block.since)),
    )
    return Item(
        subject,
        subject,
        paragraphs,
        "Open supplier assurance",
        _url(ctx.base_url, "assurance"),
        facts,
    )


def _total(total: Total) -> str:
    """ "4 issues (17 points)", or "4 issues" on a board that does not estimate in points.
    Completed can exceed committed (work added during the sprint counts), so each stands alone
    rather than reading "6 of 4"."""
    issues = count(total.issues, "issue")
    return issues if total.points is None else f"{issues} ({total.points:g} points)"


def _sprint(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    deliverable = _deliverable(session, reader, note.deliverable_id)
    sprint = session.get(JiraSprint, int(note.facts["sprint_id"]))
    if sprint is None or sprint.board_id is None:
        raise Outdated("the sprint is no longer synced")
    review = sprint_report_for(
        session,
        reader,
        board=sprint.board_id,
        sprint_jira_id=sprint.jira_id,
        deliverable_id=deliverable.id,
    )
    report = review.report
    if report.issues.empty:
        raise Outdated(f"none of {deliverable.ref}'s issues were in the sprint")
    subject = f"{_named(deliverable)}: {sprint.name} closed"
    outcome = (
        f"Committed {_total(report.committed)}; completed {_total(report.completed)}; "
        f"{report.added.issues} added, {report.removed.issues} removed, "
        f"{report.not_completed.issues} not completed."
    )
    carried = review.carry_over
    carry = (
        "Carried over: "
        + ", ".join(f"{row.key} to {row.to_sprint}" for row in carried.itertuples())
        + "."
        if len(carried)
        else "Nothing was carried over."
    )
    engage = who_to_engage(session, reader, deliverable=deliverable)
    next_people = engage.names("Supplier")
    paragraphs = (
        outcome,
        carry,
        f"Whom to engage next: {next_people}.",
        *(gap.message for gap in engage.gaps),
    )
    return Item(
        subject,
        subject,
        paragraphs,
        f"Open the sprint review of {deliverable.ref}",
        _url(ctx.base_url, "sprint-review", deliverable=deliverable.ref),
    )


def _board_pack(session: Session, reader: Actor, note: Notification, ctx: Context) -> Item:
    title = str(note.facts["title"])
    subject = f"Board pack published: {title}"
    paragraphs = (
        f"The board pack '{title}' was published on {uk_day(note.facts['published_on'])}.",
    )
    return Item(
        subject,
        subject,
        paragraphs,
        f"Open the board pack '{title}'",
        f"{ctx.base_url}/{note.facts['path']}",
    )


COMPOSERS = {
    K.criteria_to_confirm: _to_confirm,
    K.query_raised: _supplier_move,
    K.evidence_submitted: _supplier_move,
    K.criterion_overdue: _overdue,
    K.accreditation_expiring: _accreditation,
    K.gate_blocked: _gate,
    K.sprint_closed: _sprint,
    K.board_pack_published: _board_pack,
}


def _compose_item(session: Session, reader: Actor, note: Notification, *, ctx: Context) -> Item:
    """One notification as `reader` may read it; Outdated when it no longer applies."""
    return COMPOSERS[NotificationKind(note.kind)](session, reader, note, ctx)


FOOTER = (
    "tracker sent this because of your part in the programme. Reply to your programme admin, "
    "not to this address."
)


def single(item: Item, *, ctx: Context) -> Message:
    return Message(
        subject=item.subject,
        intro="Hello, this is tracker with something that needs your attention.",
        items=(item,),
        footer=FOOTER,
        preferences_url=_url(ctx.base_url, PREFERENCES_PATH),
    )


def digest(items: list[Item], *, ctx: Context) -> Message:
    n = len(items)
    return Message(
        subject=f"tracker daily digest for {uk_day(ctx.today)}: {n} update{'s' * (n != 1)}",
        intro=f"Hello, here is what happened in tracker since your last digest ({n}).",
        items=tuple(items),
        footer=FOOTER,
        preferences_url=_url(ctx.base_url, PREFERENCES_PATH),
    )
