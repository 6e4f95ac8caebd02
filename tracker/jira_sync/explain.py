"""Turning a failed request into one sentence a council's admin can act on.

The sentence names the site and what the sync was doing (which board), says what Jira answered,
and never repeats a credential: only the names of the variables that hold them.
"""

from tracker.jira_sync.addresses import without_credentials
from tracker.jira_sync.credentials import variable_names
from tracker.jira_sync.errors import SyncError
from tracker.jira_sync.gateway import TRANSIENT, JiraHttpError
from tracker.models import JiraSite


def explain(exc: JiraHttpError, site: JiraSite, during: str) -> SyncError:
    """`during` completes "while ...", e.g. "syncing board 'REV board' (1)"."""
    name = f"Jira site '{site.name}'"
    status = exc.status
    if status == 401:
        variables = " and ".join(variable_names(site)) or "its credential variables"
        return SyncError(
            f"{name} did not accept the credentials in {variables} (HTTP 401) while {during}."
        )
    if status == 403:
        return SyncError(
            f"{name} refused this account access (HTTP 403) while {during}; "
            "ask a Jira administrator to grant it permission to browse the board's projects."
        )
    if status == 404:
        return SyncError(
            f"{name} answered not found (HTTP 404) for {exc.path} while {during}; "
            "it may have been deleted or hidden from this account."
        )
    if status is None:
        return SyncError(
            f"cannot reach {name} at {without_credentials(site.url)} ({exc.reason or 'no answer'}, "
            f"{exc.attempts} attempts) while {during}."
        )
    if status < 400:
        return SyncError(
            f"{name} answered {exc.path} with something other than JSON while {during}; "
            f"is {without_credentials(site.url)} the address of the Jira site?"
        )
    if status in TRANSIENT:
        return SyncError(
            f"{name} kept answering HTTP {status} ({exc.attempts} attempts) while {during}."
        )
    detail = f": {exc.reason.rstrip('.')}" if exc.reason else ""
    return SyncError(
        f"{name} rejected a request to {exc.path} (HTTP {status}) while {during}{detail}."
    )
