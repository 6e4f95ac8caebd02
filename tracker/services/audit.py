"""The audit ledger: append-only, hash-chained entries, and the check that proves it untouched.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its fields,
the previous entry's hash among them, so changing, removing or reordering an entry breaks the chain
at that entry. Entries name people by user, person and organisation id only: names are looked up
when a page or an evidence pack is drawn, so erasing a person changes no hash.

Appends are serialised by the unique `seq` and `prev_hash` columns: two writers that read the same
tail cannot both insert, and the loser retries on the new tail inside a savepoint, keeping the rest
of its transaction. On PostgreSQL a transaction-level advisory lock also queues appenders, so under
load they wait their turn instead of retrying; SQLite has one writer at a time anyway.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from tracker.errors import Conflict
from tracker.models import (
    AcceptanceCriterion,
    AuditEntry,
    CriterionEvidence,
    CriterionVersion,
    Decision,
    Dependency,
    HighlightReport,
    Organisation,
    Person,
    RaidItem,
)
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require

GENESIS_HASH = "0" * 64
CRITERION = "acceptance criterion"
RAID_ITEM = "raid item"
DECISION = "decision"
DEPENDENCY = "dependency"
#: `deliverable_id` of an entry about something of the whole programme (a programme-level risk, a
#: decision on no deliverable). The column predates them and is NOT NULL; the ledger has no
#: foreign keys, and no deliverable has id 0.
PROGRAMME_LEVEL = 0
#: Subjects whose current row the ledger vouches for whole: each change's entry holds the digest
#: of the row as saved (record_digest), so verify_ledger finds a row edited behind tracker's back.
RECORDED: dict[str, type[RaidItem] | type[Decision] | type[Dependency]] = {
    RAID_ITEM: RaidItem,
    DECISION: Decision,
    DEPENDENCY: Dependency,
}
#: bookkeeping columns left out of a record's digest
UNDIGESTED = frozenset({"row_version", "created_at", "updated_at"})
APPEND_ATTEMPTS = 8
#: the PostgreSQL advisory lock key that queues appenders ("trak")
APPEND_LOCK_KEY = 0x7472616B

HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "at",
    "actor_user_id",
    "actor_person_id",
    "actor_role",
    "actor_org_id",
    "subject",
    "subject_id",
    "deliverable_id",
    "action",
    "from_status",
    "to_status",
    "version",
    "comment",
    "content_sha256",
)

LEDGER_COLUMNS = [
    "seq",
    "at",
    "criterion_id",
    "action",
    "from_status",
    "to_status",
    "version",
    "comment",
    "who",
    "role",
    "organisation",
    "entry_hash",
]


class LedgerBusy(Conflict):
    """Appends kept colliding with other writers; nothing was saved."""


def sha256_json(value: Any) -> str:
    """SHA-256 of the canonical JSON of a value: the one serialisation every digest here uses."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def wording_digest(title: str, text: str, sow_ref: str | None) -> str:
    return sha256_json({"title": title, "text": text, "sow_ref": sow_ref})


def evidence_digest(links: Iterable[tuple[str, str | None]]) -> str:
    return sha256_json([{"url": url, "note": note} for url, note in links])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def record_digest(row: SQLModel) -> str:
    """The digest of a recorded row's content. Empty columns are left out, so a column added
    later (empty on old rows) leaves the digests of rows recorded before it unchanged."""
    table = type(row).__table__  # type: ignore[attr-defined]
    values = {
        column.name: _plain(getattr(row, column.name))
        for column in table.columns
        if column.name not in UNDIGESTED and getattr(row, column.name) is not None
    }
    return sha256_json(values)


def entry_hash(entry: AuditEntry) -> str:
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["at"] = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    return sha256_json(fields)


@dataclass(frozen=True)
class Change:
    """What a move did to one subject, as the ledger records it."""

    subject_id: int
    deliverable_id: int
    action: str
    from_status: str | None
    to_status: str | None
    version: int | None
    comment: str | None = None
    content_sha256: str | None = None
    subject: str = CRITERION


def _tail(session: Session) -> tuple[int, str]:
    """The next sequence number and the hash it must chain to."""
    last = session.exec(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)  # type: ignore[union-attr]
    ).first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)


def append(session: Session, actor: Actor, *, change: Change) -> AuditEntry:
    """Add one entry at the end of the chain, in the caller's transaction.

    Callers have already checked the actor may make the change; the ledger only records it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=APPEND_LOCK_KEY))  # type: ignore[call-overload]
    for _attempt in range(APPEND_ATTEMPTS):
        seq, prev_hash = _tail(session)
        entry = AuditEntry(
            seq=seq,
            prev_hash=prev_hash,
            entry_hash="",
            at=utcnow(),
            actor_user_id=actor.user_id,
            actor_person_id=actor.person_id,
            actor_role=actor.role.value,
            actor_org_id=actor.organisation_id,
            subject=change.subject,
            subject_id=change.subject_id,
            deliverable_id=change.deliverable_id,
            action=change.action,
            from_status=change.from_status,
            to_status=change.to_status,
            version=change.version,
            comment=change.comment,
            content_sha256=change.content_sha256,
        )
        entry.entry_hash = entry_hash(entry)
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue  # another writer took this place in the chain: read the new tail
        return entry
    raise LedgerBusy("The audit ledger is busy with other changes; nothing was saved. Try again.")


@dataclass(frozen=True)
class LedgerProblem:
    """One thing wrong; `seq` is the entry concerned, None for a row with no entry at all."""

    seq: int | None
    problem: str

    def __str__(self) -> str:
        return self.problem if self.seq is None else f"entry {self.seq}: {self.problem}"


@dataclass(frozen=True)
class LedgerCheck:
    """The result of walking the chain; `problems` are in ledger order, the first broken first."""

    entries: int
    head_hash: str | None
    problems: tuple[LedgerProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One sentence for people: intact with its head hash, or the first broken entry."""
        if self.intact:
            return (
                f"Audit ledger verified: all {self.entries} entries intact; head hash "
                f"{self.head_hash or 'none (empty ledger)'}."
            )
        more = f" ({len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        return f"AUDIT LEDGER BROKEN: {self.problems[0]}{more}."


def _chain_problems(entries: list[AuditEntry]) -> list[LedgerProblem]:
    problems = []
    expected_seq, expected_prev = 1, GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                LedgerProblem(entry.seq, f"entries {expected_seq}-{entry.seq - 1} are missing")
            )
        elif entry.prev_hash != expected_prev:
            problems.append(LedgerProblem(entry.seq, "does not chain to the entry before it"))
        if entry_hash(entry) != entry.entry_hash:
            problems.append(LedgerProblem(entry.seq, "was changed after it was written"))
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash
    return problems


def _content_problems(session: Session, by_id: dict[int, AuditEntry]) -> list[LedgerProblem]:
    """Wordings, evidence, published highlight reports and each criterion's current state must
    match what the ledger says."""
    problems = []
    for version in session.exec(select(CriterionVersion)):
        entry = by_id.get(version.audit_entry_id)
        if entry is None:
            continue  # the FK makes this impossible short of disabling constraints
        if (
            entry.subject_id != version.criterion_id
            or entry.version != version.version
            or entry.content_sha256 != wording_digest(version.title, version.text, version.sow_ref)
        ):
            problems.append(
                LedgerProblem(
                    entry.seq, f"the wording of version {version.version} was changed since"
                )
            )
    submissions: dict[int, list[tuple[str, str | None]]] = {}
    for evidence in session.exec(select(CriterionEvidence).order_by(CriterionEvidence.id)):  # type: ignore[arg-type]
        submissions.setdefault(evidence.audit_entry_id, []).append((evidence.url, evidence.note))
    for entry_id, links in submissions.items():
        entry = by_id.get(entry_id)
        if entry is not None and entry.content_sha256 != evidence_digest(links):
            problems.append(LedgerProblem(entry.seq, "its evidence links were changed since"))
    for report in session.exec(select(HighlightReport)):
        entry = by_id.get(report.audit_entry_id)
        digest = hashlib.sha256(report.content.encode("utf-8")).hexdigest()
        if entry is not None and not entry.content_sha256 == report.content_sha256 == digest:
            problems.append(
                LedgerProblem(entry.seq, f"highlight report {report.id} was changed since")
            )
    last: dict[int, AuditEntry] = {}
    for entry in by_id.values():
        if entry.subject == CRITERION and (
            entry.subject_id not in last or entry.seq > last[entry.subject_id].seq
        ):
            last[entry.subject_id] = entry
    problems += _record_problems(session, by_id)
    for criterion in session.exec(select(AcceptanceCriterion)):
        entry = last.get(criterion.id or 0)
        if entry is None:
            problems.append(LedgerProblem(None, f"criterion {criterion.id} has no ledger entry"))
        elif (entry.to_status, entry.version) != (criterion.status, criterion.version):
            problems.append(
                LedgerProblem(
                    entry.seq,
                    f"criterion {criterion.id} is now '{criterion.status}' version "
                    f"{criterion.version}, but its last entry says '{entry.to_status}' version "
                    f"{entry.version}",
                )
            )
    return problems


def _record_problems(session: Session, by_id: dict[int, AuditEntry]) -> list[LedgerProblem]:
    """Each RAID item, decision and dependency must be as its last entry recorded it."""
    last: dict[tuple[str, int], AuditEntry] = {}
    for entry in by_id.values():
        key = (entry.subject, entry.subject_id)
        if entry.subject in RECORDED and (key not in last or entry.seq > last[key].seq):
            last[key] = entry
    problems = []
    for subject, model in RECORDED.items():
        for row in session.exec(select(model)):
            entry = last.get((subject, row.id or 0))
            if entry is None:
                problems.append(LedgerProblem(None, f"{subject} {row.id} has no ledger entry"))
            elif entry.content_sha256 != record_digest(row) or entry.to_status != row.status:
                problems.append(
                    LedgerProblem(entry.seq, f"{subject} {row.id} was changed since its last entry")
                )
    return problems


def verify_ledger(session: Session, actor: Actor) -> LedgerCheck:
    """Walk the whole chain, then check the rows the ledger vouches for against it."""
    require(actor, Action.read_programme)
    entries = list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)))  # type: ignore[arg-type]
    problems = _chain_problems(entries)
    problems += _content_problems(session, {e.id or 0: e for e in entries})
    return LedgerCheck(
        entries=len(entries),
        head_hash=entries[-1].entry_hash if entries else None,
        problems=tuple(sorted(problems, key=lambda p: p.seq or 0)),
    )


def _person_names(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Names for display, resolved now from `person`, so an erased person shows the placeholder
    erasure left in their row (tracker.services.people.personal_data)."""
    wanted = {i for i in person_ids if i}
    if not wanted:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(Person.id.in_(wanted)))  # type: ignore[union-attr]
    return dict(rows.all())


def ledger_frame(session: Session, actor: Actor, *, deliverable_id: int) -> pd.DataFrame:
    """A deliverable's entries, oldest first, with names resolved for reading (staff only)."""
    require(actor, Action.read_programme)
    entries = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.subject == CRITERION, AuditEntry.deliverable_id == deliverable_id)
            .order_by(AuditEntry.seq)  # type: ignore[arg-type]
        )
    )
    names = _person_names(session, (e.actor_person_id for e in entries))
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    rows = [
        (
            e.seq,
            e.at,
            e.subject_id,
            e.action,
            e.from_status,
            e.to_status,
            e.version,
            e.comment,
            names.get(e.actor_person_id, ""),
            e.actor_role,
            orgs.get(e.actor_org_id, ""),
            e.entry_hash,
        )
        for e in entries
    ]
    frame = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame
