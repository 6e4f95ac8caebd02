"""Issues matched by a deliverable's JQL scope.

Only Jira can evaluate JQL, so each sync of a site runs every JQL scope on it (keys only) and
replaces that scope's rows here; the deliverable mapping then joins them like any other scope.
"""

from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import delivery, jira  # noqa: F401  (the tables its foreign keys name)


class DeliverableJqlMatch(SQLModel, table=True):
    __tablename__ = "deliverable_jql_match"
    __table_args__ = (UniqueConstraint("scope_id", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    scope_id: int = Field(foreign_key="deliverable_scope.id", index=True, ondelete="CASCADE")
    issue_id: int = Field(foreign_key="jira_issue.id", index=True, ondelete="CASCADE")
