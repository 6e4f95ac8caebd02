"""Every table, imported in one place so that SQLModel.metadata (and Alembic) sees them all."""

from tracker.models.acceptance import (
    AcceptanceCriterion,
    AuditEntry,
    CriterionEvidence,
    CriterionMove,
    CriterionStatus,
    CriterionVersion,
)
from tracker.models.assurance import AccreditationRule, AssuranceOverride, Scheme
from tracker.models.auth import SignInEvent, SignInEventKind
from tracker.models.delivery import (
    DEFAULT_STAGES,
    Deliverable,
    DeliverableScope,
    DeliverableStage,
    DeliverableStatusChange,
    Rag,
    ScopeKind,
    Sensitivity,
    Stage,
)
from tracker.models.engagement import Channel, Engagement, Side
from tracker.models.jira import (
    BoardIssue,
    ChangelogEvent,
    JiraBoard,
    JiraIssue,
    JiraSite,
    JiraSprint,
    SiteKind,
    SyncOutcome,
    SyncRun,
)
from tracker.models.organisations import (
    Accreditation,
    Organisation,
    OrgKind,
    Programme,
    ProgrammeMember,
)
from tracker.models.people import Person, Role, User
from tracker.models.scope_matches import DeliverableJqlMatch

__all__ = [
    "DEFAULT_STAGES",
    "AcceptanceCriterion",
    "Accreditation",
    "AccreditationRule",
    "AssuranceOverride",
    "AuditEntry",
    "BoardIssue",
    "ChangelogEvent",
    "Channel",
    "CriterionEvidence",
    "CriterionMove",
    "CriterionStatus",
    "CriterionVersion",
    "Deliverable",
    "DeliverableJqlMatch",
    "DeliverableScope",
    "DeliverableStage",
    "DeliverableStatusChange",
    "Engagement",
    "JiraBoard",
    "JiraIssue",
    "JiraSite",
    "JiraSprint",
    "OrgKind",
    "Organisation",
    "Person",
    "Programme",
    "ProgrammeMember",
    "Rag",
    "Role",
    "Scheme",
    "ScopeKind",
    "Sensitivity",
    "Side",
    "SignInEvent",
    "SignInEventKind",
    "SiteKind",
    "Stage",
    "SyncOutcome",
    "SyncRun",
    "User",
]
