"""Alembic migrations for the archive database (run through :func:`storage.db.migrate`)."""
