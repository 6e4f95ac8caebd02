"""The one error a sync reports to a person."""

from tracker.errors import TrackerError


class SyncError(TrackerError):
    """A sync or connection check that cannot go on: one sentence naming the site (and board).

    Messages never carry a secret or a raw response: the `jira` client's own errors include
    request headers, so they are translated, not wrapped.
    """
