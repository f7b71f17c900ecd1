"""Alembic environment: migrations run on the connection the store hands over (never a URL
from a config file), so the app and the command line migrate the same way at start-up."""

from alembic import context

from mitpractice.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
