"""How every page opens, and how it runs a change: one call each, so pages stay thin and alike.

A page script starts with `page_setup`, which gives the browser tab the page's own title (WCAG
2.4.2), refuses anyone whose role may not open the page (the same navigation table the menu is
built from, so a direct URL gets the menu's answer), draws the heading with whom the user acts as,
and, when asked, the programme chooser:

    actor, programme = page_setup("overview", programme=True)

A change (or any call whose failure the person should read) goes through `attempt`, which runs it
in its own short session, committed only if it succeeds, and reports the outcome: every problem of
a refused save as a table, any other expected failure as its sentence, and a success message:

    if attempt(lambda session: add_site(session, actor, name=name, ...), refused="Not added: "):
        st.rerun()

Bugs are not expected failures: they keep their traceback.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

import pandas as pd
import streamlit as st
from sqlmodel import Session

from tracker.errors import Invalid, TrackerError, count
from tracker.policy import Actor
from tracker.services.programme.overview import ProgrammeInfo, list_programmes
from tracker.services.validation import RowsRejected
from tracker.ui.markdown import plain
from tracker.ui.navigation import PAGES_BY_URL
from tracker.ui.session import db, page_actor
from tracker.ui.widgets import choose_programme

T = TypeVar("T")


class OpenedPage(NamedTuple):
    """What every page needs first: who is acting, and the programme chosen (when asked for)."""

    actor: Actor
    programme: ProgrammeInfo | None = None


def page_title(url_path: str) -> str:
    """The browser tab's title: the page's own name first, so tabs and history tell pages apart."""
    return f"{PAGES_BY_URL[url_path].title} · tracker"


def page_setup(url_path: str, *, programme: bool = False) -> OpenedPage:
    """Open the page registered as `url_path` in tracker.ui.navigation: its title, the access
    check, its heading and, with `programme=True`, the programme chooser (the page stops, saying
    why, when the user has no programme to see)."""
    spec = PAGES_BY_URL[url_path]
    st.set_page_config(page_title=page_title(url_path))
    actor = page_actor(url_path)
    st.title(spec.title)
    st.caption(f"Acting as {plain(actor.label)} · {date.today():%d %B %Y}")
    if not programme:
        return OpenedPage(actor)
    with db() as session:
        chosen = choose_programme(list_programmes(session, actor))
    if chosen is None:
        st.stop()
    return OpenedPage(actor, chosen)


def show_problems(problems: Sequence[Any]) -> None:
    """Every problem of a rejected save or import, as a table a screen reader can walk."""
    st.error(
        f"Nothing was saved: {count(len(problems), 'problem')} to fix. Your changes are still "
        "here; "
        "correct them and save again."
    )
    st.dataframe(
        pd.DataFrame([{"Where": p.table, "Row": p.row, "Problem": p.message} for p in problems]),
        hide_index=True,
    )


def show_refusal(exc: TrackerError, prefix: str = "") -> None:
    """An expected failure as the person should read it, after `prefix` (say, "Not saved: "):
    rows rejected as a table of every problem; other invalid input as its headline and a list of
    every problem; anything else as its sentence."""
    if isinstance(exc, RowsRejected):
        show_problems(exc.problems)
    elif isinstance(exc, Invalid) and exc.problems:
        st.error(f"{prefix}{exc.headline}. What you typed is still here; correct it and try again.")
        st.dataframe(pd.DataFrame({"Problem": exc.problems}), hide_index=True)
    else:
        st.error(f"{prefix}{plain(exc)}")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `attempt` did: true when the call succeeded, with its result in `value`."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(
    call: Callable[[Session], T],
    *,
    done: str | Callable[[T], str] | None = None,
    refused: str = "",
) -> Outcome[T]:
    """Run `call` in its own session (committed on success, rolled back on an expected failure:
    all or nothing) and report it: `done` (a message, or one made from the result) on success,
    the failure through show_refusal after `refused` otherwise."""
    try:
        with db() as session:
            result = call(session)
    except TrackerError as exc:
        show_refusal(exc, refused)
        return Outcome(False)
    if done is not None:
        st.success(done(result) if callable(done) else done)
    return Outcome(True, result)
