"""The simulator's clock: integer milliseconds since the epoch (UTC), fast to compare and to
format, and the three ways Jira writes a moment (issue dates, Data Center's agile API, Cloud's).

Working days and hours are UK wall-clock time (Europe/London), clock changes included; the
simulated sites end at `NOW`, before the day the demo was made, so nothing lies in the future.
"""

from datetime import date, timedelta
from functools import cache

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_EPOCH = date(1970, 1, 1)
WORK_START = 9 * 60  # minutes after local midnight
WORK_END = 17 * 60 + 30


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


ACTIVE_SPRINT_START = date(2026, 11, 23)
"""Every generated board's active sprint runs from this Monday at 09:00 to two weeks later."""


@cache
def _day_text(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).isoformat()


@cache
def _summer_time(year: int) -> tuple[int, int]:
    """British Summer Time: from 01:00 UTC on the last Sunday of March to that of October."""

    def last_sunday(month: int) -> int:
        end = date(year, month, 31)
        return _day_number(end - timedelta(days=(end.weekday() + 1) % 7))

    return last_sunday(3) * DAY + HOUR, last_sunday(10) * DAY + HOUR


def _uk_offset(ms: int) -> int:
    return _hour_offset(ms // HOUR)


@cache
def _hour_offset(hour: int) -> int:
    """The UK offset for an hour since the epoch; clocks change on the hour, so this is exact."""
    ms = hour * HOUR
    start, end = _summer_time(int(_day_text(ms // DAY)[:4]))
    return HOUR if start <= ms < end else 0


@cache
def _minute_text(minute: int) -> str:
    day, rest = divmod(minute, 24 * 60)
    return f"{_day_text(day)}T{rest // 60:02d}:{rest % 60:02d}"


def _clock(local_ms: int) -> str:
    minute, rest = divmod(local_ms, MINUTE)
    return f"{_minute_text(minute)}:{rest // SECOND:02d}.{rest % SECOND:03d}"


def jira_time(ms: int) -> str:
    """UK wall-clock time the way Jira writes issue and changelog dates: `...T09:15:00.000+0100`."""
    offset = _uk_offset(ms)
    return _clock(ms + offset) + ("+0100" if offset else "+0000")


def agile_time(ms: int) -> str:
    """Data Center's agile API writes offsets with a colon: `...T09:00:00.000+01:00`."""
    offset = _uk_offset(ms)
    return _clock(ms + offset) + ("+01:00" if offset else "+00:00")


def utc_time(ms: int) -> str:
    """Cloud's agile API and sprint field objects are in UTC: `...T08:00:00.000Z`."""
    return _clock(ms) + "Z"


def uk_moment(day: int, minute: int) -> int:
    """UTC ms of a UK wall-clock minute on a day (working hours only, never near a clock change)."""
    naive = day * DAY + minute * MINUTE
    return naive - _uk_offset(naive)


def local_day(ms: int) -> int:
    return (ms + _uk_offset(ms)) // DAY


def is_weekday(day: int) -> bool:
    return (day + 3) % 7 < 5  # 1970-01-01 was a Thursday


ACTIVE_DAY = _day_number(ACTIVE_SPRINT_START)
NOW = uk_moment(ACTIVE_DAY + 4, 15 * 60)
"""The moment the generated sites were 'exported': Friday of the active sprint's first week,
before the day the demo was made (29 November 2026), so nothing in it lies in the future."""
SIMULATION_END = NOW - 30 * MINUTE
