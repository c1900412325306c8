"""Remembered Slack messages, and stores from before they kept the channel ID (schema 8)."""

from sqlalchemy import Engine, text

from notifier.store.engine import make_engine
from notifier.store.migrations import MIGRATIONS, current_version, migrate, upgrade
from notifier.store.refs import MessageRef, get_ref, save_ref


def test_a_message_is_remembered_with_its_channel_id(engine: Engine) -> None:
    with engine.begin() as conn:
        save_ref(conn, "ops", "g", 1, MessageRef("1.000100", "C0123ABCD"))
        save_ref(conn, "ops", "g", 1, MessageRef("1.000200", "C0123ABCD"))
        assert get_ref(conn, "ops", "g", 1) == MessageRef("1.000200", "C0123ABCD")
        assert get_ref(conn, "ops", "g", 2) is None


def as_schema_7(database_url: str) -> Engine:
    """A store as version 7 left it (no channel IDs, no claim times), with one message."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        upgrade(conn, 7)
        conn.execute(
            text(
                "INSERT INTO message_refs (receiver, group_key, cycle, ref) VALUES (:r, :g, 1, :t)"
            ),
            {"r": "ops", "g": "g", "t": "1.000100"},
        )
    return engine


def test_a_store_from_schema_7_is_upgraded_and_its_old_refs_are_not_edited(
    database_url: str,
) -> None:
    engine = as_schema_7(database_url)
    migrate(engine)
    with engine.begin() as conn:
        assert current_version(conn) == len(MIGRATIONS)
        # Slack refuses an edit naming a channel: the group's next notice posts a new message.
        assert get_ref(conn, "ops", "g", 1) is None
    engine.dispose()
