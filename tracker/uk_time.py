"""Times as people in the UK read them: stored in UTC, shown in Europe/London.

A council officer reading "09:30" means their own clock, which is an hour ahead of UTC all summer,
so every time a person reads (pages, CLI lines, the evidence pack) goes through here and names the
zone it is in ("GMT" or "BST"). JSON output keeps ISO 8601 in UTC for machines. pandas is
imported only for columns, so a command printing one time (`tracker site list`) stays light.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pandas as pd

UK = ZoneInfo("Europe/London")
#: how a time reads: "14 Nov 2026 09:30 GMT"
FORMAT = "%d %b %Y %H:%M %Z"


def uk_time(value: datetime | None, missing: str = "") -> str:
    """One aware time (a datetime or pandas Timestamp) in UK time with its zone; `missing` for
    none (None, or pandas' NaT, which is not equal to itself)."""
    if value is None or value != value:
        return missing
    return value.astimezone(UK).strftime(FORMAT)


def uk_times(values: pd.Series, missing: str = "") -> pd.Series:
    """A column of aware times in UK time with their zone; `missing` where there is none."""
    import pandas as pd

    times = pd.to_datetime(values, utc=True)
    return times.dt.tz_convert(UK).dt.strftime(FORMAT).fillna(missing)
