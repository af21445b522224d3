"""Alembic environment: runs on the engine `Storage` hands over, never on a URL of its own."""
from alembic import context

from adapters.storage.orm import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    context.run_migrations()
