"""The errors meant for a person rather than a developer: one small family.

Every expected failure is one of four kinds, so the CLI and the pages treat them alike:

- `NotFound`: the thing asked for does not exist *or the actor may not see it* (one message for
  both, so nobody can probe for other organisations' work);
- `Invalid`: the input is wrong; `problems` lists every problem found (never only the first), each
  naming its place (a row, a field, a JSON path), and nothing was written;
- `Conflict`: someone else changed the thing first, or it is in a state that forbids the change
  (a decided decision, a stale edit); what the user typed is kept by the caller;
- `NotAllowed`: the actor's role may not do this.

A few failures are none of these: what tracker stands on is not as it needs to be (the database
unreachable or not upgraded, Jira refusing or unreachable, sign-in not configured). Those are
`TrackerError`s of their own (`DatabaseUnavailable`, `SchemaOutOfDate`, `SyncError`,
`SignInNotConfigured`, `MailNotConfigured`), and say what to fix.

The CLI prints any of them as one line (plus one line per problem) on stderr and exits 1; usage
errors are typer's and exit 2 (see `tracker.cli.app`). Pages show them through
`tracker.ui.page.attempt`. Anything else is a bug and keeps its traceback.
"""

from collections.abc import Iterable
from typing import Any


class TrackerError(Exception):
    """An expected failure whose message is a complete sentence for the user."""


class NotFound(TrackerError, LookupError):
    """Missing, or hidden from this actor: the same answer either way."""


class NotAllowed(TrackerError, PermissionError):
    """The actor's role does not allow this."""


class Conflict(TrackerError):
    """The change collides with another one or with the thing's state; nothing was written."""


class Invalid(TrackerError, ValueError):
    """Bad input; every problem is listed and nothing was written.

    `headline` is one sentence ("contacts.csv: nothing was saved: 2 problems"); `problems` are
    complete phrases that each name their place: strings, or objects whose `str()` is one (a
    `RowProblem` keeps its table and row, so a page can show the problems as a table). `str()`
    gives the headline and, indented below it, each problem, which is what the CLI prints.
    """

    def __init__(self, headline: str, problems: Iterable[Any] = ()) -> None:
        self.headline = headline
        self.problems: list[Any] = list(problems)
        super().__init__("\n".join([headline, *(f"  {p}" for p in self.problems)]))

    @classmethod
    def of(cls, problems: list[Any], headline: str) -> "Invalid":
        """The error for a form's problems: one problem is the whole message, on one line; several
        come under `headline` with their count ("RB-01 was not saved: 2 problems to fix")."""
        if len(problems) == 1:
            return cls(str(problems[0]))
        return cls(f"{headline}: {count(len(problems), 'problem')} to fix", problems)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 problem', '2 problems': messages never say '1 problems'."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
