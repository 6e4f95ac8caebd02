"""Publishing a highlight report: the pack as it stands is frozen, its digest recorded in the
audit ledger, and later edits and syncs never change it. Board members are emailed a link to it
(queued in the same transaction: tracker.services.notify.outbox.board_pack_published).

The stored content is the canonical JSON (sorted keys, no spaces, UTF-8) of the report document
(tracker.services.board.highlight); its SHA-256 is the ledger entry's `content_sha256`, so
`tracker audit verify` proves a published report untouched. Publishing the same period again adds
a new report that supersedes the last; the old one stays readable. Every deliverable must carry
its owner's declared rating for each dimension first: a pack whose declarations are missing
cannot be compared with the data.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session, col, func, select

from tracker.errors import Invalid, count
from tracker.metrics.rag import OVERALL
from tracker.models import (
    Accreditation,
    AssuranceOverride,
    AuditEntry,
    BoardThresholds,
    DeliverableStatusChange,
    HighlightNote,
    HighlightReport,
)
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.audit import Change, append, sha256_json
from tracker.services.board.highlight import build_report, for_viewer
from tracker.services.board.period import UK
from tracker.services.board.ratings import find_visible_programme
from tracker.services.delivery.sprints import NotFound, data_version
from tracker.services.notify.outbox import BOARD_PACK_PAGE, board_pack_published

SUBJECT = "highlight report"
PUBLISH = "publish"
REPORT_COLUMNS = ["id", "period_start", "period_end", "publication", "published_at"]
REPORT_COLUMNS += ["superseded_by", "content_sha256"]


@dataclass(frozen=True)
class Published:
    id: int
    period_start: date
    period_end: date
    publication: int
    content_sha256: str
    supersedes_id: int | None


def canonical(content: dict[str, Any]) -> str:
    """The one serialisation a published report is stored, hashed and exported from."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def undeclared(content: dict[str, Any]) -> list[str]:
    """Each deliverable lacking a declared rating for a dimension that counts, by name."""
    problems = []
    for deliverable in content["deliverables"]:
        missing = [
            r["dimension"]
            for r in deliverable["ratings"]
            if r["counted"] and r["dimension"] != OVERALL and not r["declared"]
        ]
        if missing:
            problems.append(f"{deliverable['ref']}: no declared rating for {', '.join(missing)}")
    return problems


def _period_reports(session: Session, programme_id: int, start: date, end: date) -> list:
    return list(
        session.exec(
            select(HighlightReport)
            .where(
                HighlightReport.programme_id == programme_id,
                HighlightReport.period_start == start,
                HighlightReport.period_end == end,
            )
            .order_by(col(HighlightReport.id))
        )
    )


def publish_report(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    start: date | None = None,
    end: date | None = None,
    now: pd.Timestamp | None = None,
) -> Published:
    """Freeze the highlight report of the period (admins: the programme manager publishes for the
    board). Nothing is written when a declared rating is missing."""
    require(actor, Action.manage_programme)
    content = build_report(session, actor, programme_id=programme_id, start=start, end=end, now=now)
    problems = undeclared(content)
    if problems:
        raise Invalid(
            f"not published: {count(len(problems), 'deliverable')} without a declared rating for "
            "every dimension (write them in the highlight notes)",
            problems,
        )
    period_start = date.fromisoformat(content["period"]["start"])
    period_end = date.fromisoformat(content["period"]["end"])
    earlier = _period_reports(session, programme_id, period_start, period_end)
    digest = sha256_json(content)
    entry = append(
        session,
        actor,
        change=Change(
            subject=SUBJECT,
            subject_id=programme_id,
            deliverable_id=0,
            action=PUBLISH,
            from_status=None,
            to_status="published",
            version=len(earlier) + 1,
            comment=f"{content['programme']['name']}: {period_start} to {period_end}",
            content_sha256=digest,
        ),
    )
    session.flush()
    report = HighlightReport(
        programme_id=programme_id,
        period_start=period_start,
        period_end=period_end,
        published_at=utcnow(),
        published_by=actor.user_id,
        content=canonical(content),
        content_sha256=digest,
        audit_entry_id=entry.id or 0,
        supersedes_id=earlier[-1].id if earlier else None,
    )
    session.add(report)
    session.flush()
    board_pack_published(
        session,
        actor,
        pack_id=report.id or 0,
        title=f"{content['programme']['name']}, {period_start:%d %b %Y} to {period_end:%d %b %Y}",
        path=BOARD_PACK_PAGE,
        published_on=report.published_at.date(),
    )
    return Published(
        report.id or 0,
        period_start,
        period_end,
        len(earlier) + 1,
        digest,
        report.supersedes_id,
    )


def published_reports(session: Session, actor: Actor, *, programme_id: int) -> pd.DataFrame:
    """Every published report of the programme, newest period first, with its publication number
    for the period and the report that superseded it (None for the one in force)."""
    find_visible_programme(session, actor, programme_id=programme_id)
    reports = list(
        session.exec(
            select(HighlightReport)
            .where(HighlightReport.programme_id == programme_id)
            .order_by(col(HighlightReport.id))
        )
    )
    superseded_by = {r.supersedes_id: r.id for r in reports if r.supersedes_id}
    numbers: dict[tuple[date, date], int] = {}
    rows = []
    for r in reports:
        key = (r.period_start, r.period_end)
        numbers[key] = numbers.get(key, 0) + 1
        rows.append(
            (
                r.id,
                r.period_start,
                r.period_end,
                numbers[key],
                r.published_at,
                superseded_by.get(r.id),
                r.content_sha256,
            )
        )
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    frame["superseded_by"] = frame["superseded_by"].astype("Int64")
    return frame.sort_values(["period_end", "id"], ascending=False, ignore_index=True)


def stamp_of(session: Session, actor: Actor, *, report_id: int) -> str:
    """Which publication a report is, in words that never change once it is published."""
    report = _readable(session, actor, report_id)
    number = len(
        [
            r
            for r in _period_reports(
                session, report.programme_id, report.period_start, report.period_end
            )
            if (r.id or 0) <= (report.id or 0)
        ]
    )
    when = pd.Timestamp(report.published_at).tz_convert(UK)
    return (
        f"Published report {report.id}, publication {number} for this period, on "
        f"{when:%d %b %Y at %H:%M} UK time; SHA-256 {report.content_sha256}."
    )


def _readable(session: Session, actor: Actor, report_id: int) -> HighlightReport:
    report = session.get(HighlightReport, report_id)
    try:
        if report is None:
            raise NotFound
        find_visible_programme(session, actor, programme_id=report.programme_id)
    except NotFound:
        raise NotFound(f"no published report {report_id} that you can see") from None
    return report


def published_content(session: Session, actor: Actor, *, report_id: int) -> dict[str, Any]:
    """A published report's document exactly as frozen, limited to the rows the actor may see."""
    report = _readable(session, actor, report_id)
    return for_viewer(session, actor, content=json.loads(report.content))


def pack_version(session: Session, actor: Actor, *, programme_id: int) -> str:
    """What a cached pack is keyed on: it changes with a sync, any ledger entry (criteria, RAID,
    decisions, publications), a note, the thresholds, a status change, an override or an
    accreditation. Pages that cache the pack need no other invalidation."""
    latest = [
        data_version(session, actor),
        session.exec(select(func.max(AuditEntry.seq))).one(),
        session.exec(select(func.max(HighlightNote.updated_at))).one(),
        session.exec(
            select(func.max(BoardThresholds.updated_at)).where(
                BoardThresholds.programme_id == programme_id
            )
        ).one(),
        session.exec(select(func.max(DeliverableStatusChange.id))).one(),
        session.exec(select(func.max(AssuranceOverride.id))).one(),
        session.exec(select(func.max(AssuranceOverride.revoked_at))).one(),
        session.exec(select(func.count()).select_from(Accreditation)).one(),
        session.exec(select(func.max(Accreditation.id))).one(),
    ]
    return "|".join(str(value) for value in latest)
