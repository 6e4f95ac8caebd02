"""Jira site addresses lose any user name and password

`tracker site add` stored `https://user:password@host` as typed, and `site list` printed it.
Adding such an address is now refused (tracker.jira_sync.addresses); this takes the credentials
out of any address already stored, so no line can show them. The credentials are not kept
anywhere: the site's variables (`--token-env`, `--email-env`) are where they belong. Downgrading
cannot put them back and does nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:50:00.000000
"""

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _without_credentials(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.rsplit("@", 1)[-1]
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def upgrade() -> None:
    bind = op.get_bind()
    site = sa.table("jira_site", sa.column("id", sa.Integer), sa.column("url", sa.String))
    rows = bind.execute(sa.select(site.c.id, site.c.url).where(site.c.url.contains("@")))
    for site_id, url in rows.all():
        bind.execute(
            sa.update(site).where(site.c.id == site_id).values(url=_without_credentials(url))
        )


def downgrade() -> None:
    pass
