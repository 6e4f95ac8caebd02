"""append-only tables refuse SQLite's INSERT OR REPLACE

SQLite's REPLACE deletes the row in its way without firing delete triggers (unless
recursive_triggers is on, which a client chooses), so `INSERT OR REPLACE INTO audit_entry ...`
rewrote an entry with the triggers of 0004 in place. A BEFORE INSERT trigger on each append-only
table now refuses a row whose id or unique key is already taken: an append never collides, a
replacement always does. A later SQLite batch migration of these tables must recreate these
triggers too (as 0004 says of its own).

PostgreSQL has no REPLACE, and its upsert (INSERT ... ON CONFLICT DO UPDATE) fires the statement's
UPDATE trigger, which 0004 and 0010 already make refuse (tests/security/
test_ledger_insert_or_replace.py proves both).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: each append-only table and its unique keys (besides id), from the models
UNIQUE_KEYS = {
    "audit_entry": (("seq",), ("prev_hash",), ("entry_hash",)),
    "acceptance_criterion_version": (("criterion_id", "version"), ("audit_entry_id",)),
    "acceptance_evidence": (),
    "highlight_report": (("supersedes_id",), ("audit_entry_id",)),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, keys in UNIQUE_KEYS.items():
        taken = " OR ".join(
            "(" + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")"
            for key in (("id",), *keys)
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row may not be replaced'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in UNIQUE_KEYS:
        op.execute(f"DROP TRIGGER {table}_no_replace")
