"""Every table, by name: `from tracker.models import Deliverable` as before, but each module of
tables is imported only when one of its names is first asked for.

Building a SQLModel class costs a few milliseconds, and a command that imported every table paid
about a fifth of a second before doing anything (docs/benchmarks.md, "Start-up"); a report now
builds only the tables it reads. A module imports the modules of the tables its foreign keys
reference, so the tables loaded are always closed under foreign keys, as SQLAlchemy needs to sort
a flush. Whatever needs the whole schema (Alembic, a scan of every table) calls `all_tables()`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

#: Each module of tables and the names it gives to `from tracker.models import ...`.
MODULES: dict[str, tuple[str, ...]] = {
    "acceptance": (
        "AcceptanceCriterion",
        "AuditEntry",
        "CriterionEvidence",
        "CriterionVersion",
    ),
    "assurance": ("AccreditationRule", "AssuranceOverride", "Scheme"),
    "auth": ("SignInEvent", "SignInEventKind"),
    "board": ("BoardThresholds", "HighlightNote", "HighlightReport"),
    "criterion_states": ("CriterionMove", "CriterionStatus"),
    "delivery": (
        "DEFAULT_STAGES",
        "Deliverable",
        "DeliverableScope",
        "DeliverableStage",
        "DeliverableStatusChange",
        "Rag",
        "ScopeKind",
        "Sensitivity",
        "Stage",
    ),
    "engagement": ("Channel", "Engagement", "Side"),
    "jira": (
        "BoardIssue",
        "ChangelogEvent",
        "JiraBoard",
        "JiraIssue",
        "JiraIssueLink",
        "JiraSite",
        "JiraSprint",
        "SiteKind",
        "StoredBurnup",
        "StoredSprintReport",
        "SyncOutcome",
        "SyncRun",
    ),
    "notifications": (
        "AttemptOutcome",
        "Delivery",
        "GateBlock",
        "Notification",
        "NotificationAttempt",
        "NotificationKind",
        "NotificationPreference",
        "NotificationStatus",
    ),
    "organisations": ("Accreditation", "Organisation", "OrgKind", "Programme", "ProgrammeMember"),
    "people": ("Person", "Role", "User"),
    "raid": (
        "RAID_PREFIX",
        "Decision",
        "DecisionStatus",
        "Dependency",
        "DependencyKind",
        "DependencyStatus",
        "Escalation",
        "Priority",
        "RaidItem",
        "RaidKind",
        "RaidStatus",
        "RiskResponse",
    ),
    "scope_matches": ("DeliverableJqlMatch",),
}

_HOME = {name: module for module, names in MODULES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """A table (or enum, or constant) by name, importing its module on first use."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def all_tables() -> MetaData:
    """The metadata holding every table, for Alembic and anything that must see the whole
    schema: imports every module of tables."""
    from sqlmodel import SQLModel

    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return SQLModel.metadata
