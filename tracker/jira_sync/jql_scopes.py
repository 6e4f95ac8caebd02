"""Re-evaluating deliverables' JQL scopes at sync time (DeliverableJqlMatch).

Only Jira can run JQL, so each sync of a site runs every JQL scope on it with `fields=key` (cheap
however many issues match) and replaces that scope's matches. Matches are kept only for issues
the sync holds, i.e. issues on a synced board of the site: the reports have no data for others.
"""

from sqlalchemy import Engine, delete, insert
from sqlmodel import select

from tracker.db import session_scope
from tracker.jira_sync.explain import explain
from tracker.jira_sync.gateway import JiraGateway, JiraHttpError
from tracker.jira_sync.store import issue_ids
from tracker.models import (
    Deliverable,
    DeliverableJqlMatch,
    DeliverableScope,
    JiraSite,
    ScopeKind,
)


def jql_scopes(engine: Engine, site_id: int) -> list[tuple[int, str, str]]:
    """(scope id, deliverable ref, JQL) of every JQL scope on the site."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(DeliverableScope.id, Deliverable.ref, DeliverableScope.value)
            .join(Deliverable, Deliverable.id == DeliverableScope.deliverable_id)
            .where(DeliverableScope.site_id == site_id, DeliverableScope.kind == ScopeKind.jql)
            .order_by(Deliverable.ref)
        ).all()
    return [(scope_id or 0, ref, jql) for scope_id, ref, jql in rows]


def refresh_jql_matches(
    engine: Engine, site: JiraSite, gateway: JiraGateway, scopes: list[tuple[int, str, str]]
) -> tuple[int, str | None]:
    """Run each scope's JQL and store its matches; returns (matches stored, first error).

    A scope whose JQL Jira rejects keeps its previous matches; the others are still refreshed.
    """
    found: dict[int, set[int]] = {}
    errors: list[str] = []
    for scope_id, ref, jql in scopes:
        try:
            found[scope_id] = gateway.keys(jql)
        except JiraHttpError as exc:
            errors.append(str(explain(exc, site, f"running the JQL scope of deliverable {ref}")))
    matched = 0
    with session_scope(engine) as session:
        for scope_id, jira_ids in found.items():
            ids = issue_ids(session, site.id or 0, sorted(jira_ids))
            session.execute(
                delete(DeliverableJqlMatch).where(DeliverableJqlMatch.scope_id == scope_id)
            )  # type: ignore[arg-type]
            if ids:
                session.execute(
                    insert(DeliverableJqlMatch),
                    [
                        {"scope_id": scope_id, "issue_id": issue_id}
                        for issue_id in sorted(ids.values())
                    ],
                )
            matched += len(ids)
    return matched, errors[0] if errors else None
