"""Alembic environment: the engine comes from tracker.migrate (or DATABASE_URL when run bare)."""

from alembic import context

from tracker.db import get_engine
from tracker.models import all_tables

engine = context.config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=all_tables(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
