"""The limits of the derived RAG rules, per programme: set by an admin, shown on the pack.

A programme nobody has set limits for uses tracker.metrics.rag.Thresholds' defaults, the ones
the issue that asked for the pack named.
"""

from dataclasses import fields
from typing import Any

from sqlmodel import Session, select

from tracker.errors import Invalid, count
from tracker.metrics.rag import Thresholds
from tracker.models import BoardThresholds
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.delivery.sprints import NotFound
from tracker.services.programme.overview import list_programmes

NAMES = tuple(f.name for f in fields(Thresholds))


def _visible_programme(session: Session, actor: Actor, programme_id: int) -> None:
    if not any(p.id == programme_id for p in list_programmes(session, actor)):
        raise NotFound("no such programme that you can see")


def programme_thresholds(session: Session, actor: Actor, *, programme_id: int) -> Thresholds:
    """The limits the programme's ratings are derived with (defaults if none were set)."""
    _visible_programme(session, actor, programme_id)
    row = session.exec(
        select(BoardThresholds).where(BoardThresholds.programme_id == programme_id)
    ).first()
    return Thresholds() if row is None else Thresholds(**{n: getattr(row, n) for n in NAMES})


def _number(name: str, value: Any, problems: list[str]) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{name}: must be a number, not {value!r}")
        return None
    return int(number) if name.endswith("_days") and number.is_integer() else number


def save_thresholds(
    session: Session, actor: Actor, *, programme_id: int, values: dict[str, Any]
) -> Thresholds:
    """Set some or all of a programme's limits (admins): every problem is listed and nothing is
    saved unless there are none."""
    require(actor, Action.manage_programme)
    current = programme_thresholds(session, actor, programme_id=programme_id)
    problems = [f"{name}: no such threshold" for name in values if name not in NAMES]
    numbers = {
        name: _number(name, value, problems) for name, value in values.items() if name in NAMES
    }
    wanted = Thresholds(**(current.as_dict() | {n: v for n, v in numbers.items() if v is not None}))
    problems += wanted.problems()
    if problems:
        raise Invalid(f"thresholds not saved: {count(len(problems), 'problem')}", problems)
    row = session.exec(
        select(BoardThresholds).where(BoardThresholds.programme_id == programme_id)
    ).first() or BoardThresholds(programme_id=programme_id)
    for name, value in wanted.as_dict().items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = utcnow(), actor.user_id or None
    session.add(row)
    session.flush()
    return wanted
