"""The durable store: one schema over SQLAlchemy Core, on SQLite or PostgreSQL."""
