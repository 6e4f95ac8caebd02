"""The period a highlight report covers: chosen by dates, by default the last two weeks up to
the latest sprint end, so a report reads whole sprints rather than half of one."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from tracker.errors import Invalid
from tracker.metrics.frames import Sprint

LENGTH = timedelta(days=14)
UK = "Europe/London"


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (UK dates)."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    @property
    def previous(self) -> "Period":
        """The period of the same length just before this one: what the trend compares with."""
        days = self.end - self.start + timedelta(days=1)
        return Period(self.start - days, self.start - timedelta(days=1))

    def as_of(self, now: pd.Timestamp) -> pd.Timestamp:
        """The instant the period's figures are taken at: the end of its last UK day, or now
        when that is still to come."""
        end = pd.Timestamp(self.end + timedelta(days=1)).tz_localize(UK).tz_convert("UTC")
        return min(end - pd.Timedelta(microseconds=1), now)

    def holds(self, instant: pd.Timestamp) -> bool:
        day = instant.tz_convert(UK).date()
        return self.start <= day <= self.end


def chosen_period(start: date | None, end: date | None, default: "Period") -> Period:
    """The period asked for: either date may be left out (the default's is used, and a start
    alone runs two weeks). A period ending before it starts is refused, saying both dates."""
    if start is not None and end is None:
        end = start + LENGTH - timedelta(days=1)
    chosen = Period(start or default.start, end or default.end)
    if start is None and end is not None:
        chosen = Period(end - LENGTH + timedelta(days=1), end)
    if chosen.end < chosen.start:
        raise Invalid(
            f"the period ends on {chosen.end:%d %b %Y}, before it starts on "
            f"{chosen.start:%d %b %Y}: nothing was done"
        )
    return chosen


def default_period(sprints: Iterable[Sprint], today: date) -> Period:
    """The two weeks up to the latest sprint end on or before today (today without sprints)."""
    ends = [
        s.complete.tz_convert(UK).date()
        for s in sprints
        if s.complete is not None and s.complete.tz_convert(UK).date() <= today
    ]
    end = max(ends, default=today)
    return Period(end - LENGTH + timedelta(days=1), end)
