"""File names built from data (a deliverable's ref, a Jira site's name): always one plain name.

A ref or a site name is typed by someone, and a database may hold one from before refs were
checked; a name like `../../x` would write outside the folder asked for. Every file tracker
writes or offers for download is named through `file_name`, which keeps letters, digits, dashes
and underscores and turns anything else (slashes, dots, spaces) into a dash.
"""

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(*parts: object, suffix: str) -> str:
    """`parts` joined by dashes, each reduced to safe characters, then `suffix` (".csv")."""
    cleaned = [_UNSAFE.sub("-", str(part)).strip("-") for part in parts]
    return ("-".join(part for part in cleaned if part)[:120] or "tracker") + suffix
